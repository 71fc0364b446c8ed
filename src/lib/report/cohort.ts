import type { Database } from '$lib/db/types';
import { cohortSummary, runOne, type CohortSummary, type Filters } from '$lib/sql';

/** The reasons of `cohort.excluded`, in their order. */
export const COHORT_EXCLUSIONS = {
	notImplanted: 'not implanted (trial only): cohort and trial counts only',
	spasticity: 'spasticity (baclofen pump): left out of pain and opioid outcomes'
} as const;

export interface CohortSection {
	patients: number;
	implanted: number;
	trial_failed: number;
	excluded: { reason: string; n: number }[];
}

/** The `cohort` object of report.md, from the same query the dashboard's summary uses. */
export async function cohortSection(db: Database, filters: Filters): Promise<CohortSection> {
	const s = await runOne<CohortSummary>(db, cohortSummary(filters));
	return {
		patients: s.patients,
		implanted: s.implanted,
		trial_failed: s.trial_failed,
		excluded: [
			{ reason: COHORT_EXCLUSIONS.notImplanted, n: s.patients - s.implanted },
			{ reason: COHORT_EXCLUSIONS.spasticity, n: s.spasticity }
		]
	};
}
