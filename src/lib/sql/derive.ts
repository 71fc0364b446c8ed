import { DAYS_PER_MONTH } from '$lib/outcomes';
import { deriveItDoseSql } from './deriveItDose';
import { derivePainSql } from './derivePain';

/**
 * Per-patient tables built once after every load, so interactions query small tables.
 * `patient_facts.in_outcome` is the outcome population of outcomes.md section 0: implanted
 * patients whose diagnosis is not spasticity.
 */
export function deriveSql(): string[] {
	return [
		`CREATE OR REPLACE TABLE patient_facts AS
		 SELECT patient_id, office, provider_id, sex, age, diagnosis, program, implant_year,
		        trial_day, trial_result, followup_end_day, followup_end_reason, explant_reason,
		        implanted,
		        coalesce(trial_result = 'fail', FALSE) AS trial_failed,
		        implanted AND diagnosis <> 'spasticity' AS in_outcome
		 FROM patients`,
		`CREATE OR REPLACE TABLE pain_month AS
		 SELECT patient_id, floor(day / ${DAYS_PER_MONTH})::INTEGER AS month, avg(pain_avg) AS pain
		 FROM pain_scores GROUP BY ALL`,
		...derivePainSql(),
		...deriveItDoseSql()
	];
}
