import { DAYS_PER_MONTH, TRAJECTORY_MONTHS } from '$lib/outcomes';
import { ageBandSql } from './filters';
import { deriveItDoseSql } from './deriveItDose';
import { deriveMmeSql } from './deriveMme';
import { derivePainSql } from './derivePain';
import { painWindowCellsSql } from './painOutcomes';

/**
 * Per-patient tables built once after every load, so interactions query small tables.
 * `patient_facts.in_outcome` is the outcome population of outcomes.md section 0: implanted
 * patients whose diagnosis is not spasticity.
 *
 * `patient_facts.pid` numbers the patients, a join key for the tables a filter change scans:
 * integers hash several times faster than the VARCHAR patient_id in duckdb-wasm.
 *
 * `pain_month(pid, month, pain)` holds only what the pain trajectory reads (painByMonth): the
 * outcome population's months in TRAJECTORY_MONTHS, at a million scores a third fewer rows than
 * all patient-months. Office and diagnosis stay in patient_facts, joined by pid where needed:
 * grouping by (pid, month) alone and writing three columns instead of six took 250 ms instead of
 * 450 at a million scores in duckdb-wasm, with the same means.
 * `pain_month_cells` counts them per office, diagnosis, month and value (11k rows against 600k
 * there): a filter change on offices and diagnoses reads only that. `pain_patients(pid, months)`
 * has one row per patient of `pain_month`, so painPatients counts filtered patients (46k rows at
 * a million scores) instead of distinct ids among their patient-months (600k).
 *
 * `patient_cells` counts patients per office and diagnosis (implanted, failed trials, and those of
 * `pain_patients`): with only those filters set, patientsByOffice and painPatients sum a few rows
 * instead of filtering every patient (at a million scores 4.0 and 2.6 ms instead of 7.2 and 6.9
 * per filter change in duckdb-wasm).
 *
 * `pain_window_cells` (painOutcomes.ts) counts the patient-windows per office and diagnosis for
 * the responder counts.
 */
export function firstDeriveSql(): string[] {
	return [
		`CREATE OR REPLACE TABLE patient_facts AS
		 SELECT p.patient_id, row_number() OVER ()::INTEGER AS pid, office, provider_id, sex, age, ${ageBandSql('age')} AS age_band, diagnosis, program,
		        implant_year, trial_day, trial_result, followup_end_day, followup_end_reason, explant_reason,
		        implanted,
		        coalesce(trial_result = 'fail', FALSE) AS trial_failed,
		        implanted AND diagnosis <> 'spasticity' AS in_outcome,
		        coalesce(d.it_drugs, []::VARCHAR[]) AS it_drugs
		 FROM patients p
		 LEFT JOIN (SELECT patient_id, list(DISTINCT drug ORDER BY drug) AS it_drugs
		            FROM pump_events WHERE drug IS NOT NULL GROUP BY patient_id) d USING (patient_id)`,
		`CREATE OR REPLACE TABLE pain_month AS
		 SELECT p.pid, floor(day / ${DAYS_PER_MONTH})::INTEGER AS month, avg(pain_avg) AS pain
		 FROM pain_scores JOIN (SELECT patient_id, pid FROM patient_facts WHERE in_outcome) p USING (patient_id)
		 WHERE day >= ${TRAJECTORY_MONTHS.from} * ${DAYS_PER_MONTH} AND day < ${TRAJECTORY_MONTHS.to + 1} * ${DAYS_PER_MONTH}
		 GROUP BY ALL`,
		`CREATE OR REPLACE TABLE pain_month_cells AS
		 SELECT office, diagnosis, month, pain, count(*)::INTEGER AS n
		 FROM pain_month JOIN patient_facts USING (pid) GROUP BY ALL ORDER BY office, diagnosis, month, pain`,
		`CREATE OR REPLACE TABLE pain_patients AS
		 SELECT pid, count(*)::INTEGER AS months FROM pain_month GROUP BY pid`,
		`CREATE OR REPLACE TABLE patient_cells AS
		 SELECT office, diagnosis, count(*)::INTEGER AS patients,
		        count(*) FILTER (WHERE implanted)::INTEGER AS implanted,
		        count(*) FILTER (WHERE trial_failed)::INTEGER AS trial_failed,
		        count(*) FILTER (WHERE in_outcome AND pid IN (SELECT pid FROM pain_patients))::INTEGER AS pain_patients
		 FROM patient_facts GROUP BY office, diagnosis ORDER BY office, diagnosis`
	];
}

/**
 * The derived tables the dashboard does not read: the pain windows (pain page, offices), then the
 * intrathecal dose and MME tables. In the page they are built after the first chart
 * (db/later.ts); elsewhere with the rest (`deriveSql`).
 */
export function laterDeriveSql(): string[] {
	return [...derivePainSql(), painWindowCellsSql(), ...deriveItDoseSql(), ...deriveMmeSql('cdc2022')];
}

/** Every derived table, in the order built. */
export function deriveSql(): string[] {
	return [...firstDeriveSql(), ...laterDeriveSql()];
}
