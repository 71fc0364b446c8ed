// Bench only: the columns the comparison engines start from, exported from DuckDB after the
// plain typed load, so that Arquero and Perspective get the same typed values DuckDB has.

/** Patient columns the metric set reads. */
export const PATIENT_COLUMNS = [
	'patient_id',
	'office',
	'diagnosis',
	'trial_day',
	'trial_result',
	'implant_year',
	'followup_end_day',
	'followup_end_reason'
] as const;

/** Pain-score columns the metric set reads. */
export const PAIN_COLUMNS = ['patient_id', 'day', 'pain_avg', '_line'] as const;

export type PatientColumns = Record<(typeof PATIENT_COLUMNS)[number], unknown[]>;
export type PainColumns = Record<(typeof PAIN_COLUMNS)[number], unknown[]>;

export const PATIENTS_EXPORT_SQL = `SELECT ${PATIENT_COLUMNS.join(', ')} FROM patients`;
export const PAIN_EXPORT_SQL = `SELECT ${PAIN_COLUMNS.join(', ')} FROM pain_scores`;

/**
 * Pain scores with the patient columns a pivot engine needs beside each row: Perspective has no
 * join, so it is handed the joined table (the join is not charged to it).
 */
export const PAIN_JOINED_EXPORT_SQL = `SELECT s.patient_id, s.day, s.pain_avg, s._line, p.office, p.diagnosis,
	p.implant_year, p.trial_day FROM pain_scores s JOIN patients p USING (patient_id)`;

/** The offset and widths of the integer keys that carry a row's order and value through max/min. */
export const KEY = { dayOffset: 100_000, lines: 2 ** 24, values: 128, nullValue: 127 } as const;
