import type { Database } from '$lib/db/types';
import { cohortSummary, runOne, type CohortSummary, type Filters } from '$lib/sql';

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
			{ reason: 'not implanted (trial only): cohort and trial counts only', n: s.patients - s.implanted },
			{ reason: 'spasticity (baclofen pump): left out of pain and opioid outcomes', n: s.spasticity }
		]
	};
}
