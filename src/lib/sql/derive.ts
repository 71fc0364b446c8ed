import { DAYS_PER_MONTH } from '$lib/outcomes';
import { ageBandSql } from './filters';
import { deriveItDoseSql } from './deriveItDose';
import { deriveMmeSql } from './deriveMme';
import { derivePainSql } from './derivePain';

/**
 * Per-patient tables built once after every load, so interactions query small tables.
 * `patient_facts.in_outcome` is the outcome population of outcomes.md section 0: implanted
 * patients whose diagnosis is not spasticity.
 */
export function deriveSql(): string[] {
	return [
		`CREATE OR REPLACE TABLE patient_facts AS
		 SELECT p.patient_id, office, provider_id, sex, age, ${ageBandSql('age')} AS age_band, diagnosis, program,
		        implant_year, trial_day, trial_result, followup_end_day, followup_end_reason, explant_reason,
		        implanted,
		        coalesce(trial_result = 'fail', FALSE) AS trial_failed,
		        implanted AND diagnosis <> 'spasticity' AS in_outcome,
		        coalesce(d.it_drugs, []::VARCHAR[]) AS it_drugs
		 FROM patients p
		 LEFT JOIN (SELECT patient_id, list(DISTINCT drug ORDER BY drug) AS it_drugs
		            FROM pump_events WHERE drug IS NOT NULL GROUP BY patient_id) d USING (patient_id)`,
		`CREATE OR REPLACE TABLE pain_month AS
		 SELECT patient_id, floor(day / ${DAYS_PER_MONTH})::INTEGER AS month, avg(pain_avg) AS pain
		 FROM pain_scores GROUP BY ALL`,
		...derivePainSql(),
		...deriveItDoseSql(),
		...deriveMmeSql('cdc2022')
	];
}
