import { DAYS_PER_MONTH } from '$lib/outcomes';
import { filterClause, type Filters } from './filters';
import type { Query } from './query';

export interface CohortSummary {
	patients: number;
	implanted: number;
	trial_failed: number;
	spasticity: number;
	outcome_population: number;
	median_followup_months: number | null;
}

/** Patients, implanted, failed trials and median follow-up (implanted patients, in months). */
export function cohortSummary(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'cohortSummary',
		sql: `SELECT count(*)::INTEGER AS patients,
		        count(*) FILTER (WHERE implanted)::INTEGER AS implanted,
		        count(*) FILTER (WHERE trial_failed)::INTEGER AS trial_failed,
		        count(*) FILTER (WHERE implanted AND diagnosis = 'spasticity')::INTEGER AS spasticity,
		        count(*) FILTER (WHERE in_outcome)::INTEGER AS outcome_population,
		        quantile_cont(followup_end_day, 0.5) FILTER (WHERE implanted) / ${DAYS_PER_MONTH} AS median_followup_months
		      FROM patient_facts p WHERE ${w.sql}`,
		params: w.params
	};
}

export interface OfficeCount {
	office: string;
	patients: number;
	implanted: number;
	trial_failed: number;
}

export function patientsByOffice(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'patientsByOffice',
		sql: `SELECT office, count(*)::INTEGER AS patients,
		        count(*) FILTER (WHERE implanted)::INTEGER AS implanted,
		        count(*) FILTER (WHERE trial_failed)::INTEGER AS trial_failed
		      FROM patient_facts p WHERE ${w.sql} GROUP BY office ORDER BY patients DESC, office`,
		params: w.params
	};
}
