import { DAYS_PER_MONTH } from '$lib/outcomes';
import { filterClause, onlyOfficesAndDiagnoses, type Filters } from './filters';
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

/**
 * Patients, implanted and failed trials per office, largest first. With only offices and
 * diagnoses filtered it sums `patient_cells` (counted once after load) instead of reading every
 * patient.
 */
export function patientsByOffice(f: Filters): Query {
	const w = filterClause(f);
	if (onlyOfficesAndDiagnoses(f))
		return {
			name: 'patientsByOffice',
			sql: `SELECT office, sum(patients)::INTEGER AS patients, sum(implanted)::INTEGER AS implanted,
			        sum(trial_failed)::INTEGER AS trial_failed
			      FROM patient_cells p WHERE ${w.sql} GROUP BY office ORDER BY patients DESC, office`,
			params: w.params
		};
	return {
		name: 'patientsByOffice',
		sql: `SELECT office, count(*)::INTEGER AS patients,
		        count(*) FILTER (WHERE implanted)::INTEGER AS implanted,
		        count(*) FILTER (WHERE trial_failed)::INTEGER AS trial_failed
		      FROM patient_facts p WHERE ${w.sql} GROUP BY office ORDER BY patients DESC, office`,
		params: w.params
	};
}
