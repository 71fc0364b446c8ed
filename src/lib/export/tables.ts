import { columnsOf, type FileKind } from '$lib/contract';
import { AGE_BANDS, ageBandSql, filterClause, ident, type Filters, type Query } from '$lib/sql';

/**
 * The patient-level tables of an export, as outcomes.md section 6 allows them: a re-keyed
 * patient_id, office, sex, age band, diagnosis, implant year and days from implant; no calendar
 * date, no exact age, no provider code, no ICD-10 code, no source line number. Each column is
 * listed here by name (a whitelist: a column added to the contract is not exported until it is
 * added here), and takes its type and meaning from the contract where it is a contract column, so
 * the exported dictionary is generated, not written twice.
 */

export type ColumnType = 'text' | 'integer' | 'double' | 'boolean';

export interface ExportColumn {
	name: string;
	type: ColumnType;
	description: string;
	/** Allowed values, for the dictionary. */
	values?: readonly string[];
	/** Where the column comes from: a contract file, or how it was derived. */
	source: string;
	/** SQL for the value, over the table aliased `t` and `patient_facts p`; default `t.name`. */
	sql?: string;
}

/** What a user may give up to pass the k-anonymity check (outcomes.md section 6). */
export interface Coarsening {
	/** Leave the office out of every table. */
	dropOffice: boolean;
	/** 20-year age bands (18-39, 40-59, 60-79, 80+) instead of 10-year bands. */
	wideAgeBands: boolean;
}

export const NO_COARSENING: Coarsening = { dropOffice: false, wideAgeBands: false };

export const WIDE_AGE_BANDS = ['18-39', '40-59', '60-79', '80+'] as const;

/** SQL for the 20-year band of an integer age column (90 stands for `90+`). */
export function wideAgeBandSql(age: string): string {
	return `CASE WHEN ${age} IS NULL THEN NULL WHEN ${age} < 40 THEN '18-39' WHEN ${age} < 60 THEN '40-59'
	        WHEN ${age} < 80 THEN '60-79' ELSE '80+' END`;
}

export const PATIENT_ID_DESCRIPTION =
	'pseudonymous key drawn at random for this export (not the source id; different in every export)';

const TYPE_OF_KIND: Record<string, ColumnType> = {
	id: 'text',
	text: 'text',
	enum: 'text',
	integer: 'integer',
	number: 'double'
};

/** A contract column, exported as loaded (day form), with the contract's own words. */
function contractColumn(kind: FileKind, name: string, sql?: string): ExportColumn {
	const spec = columnsOf(kind).find((c) => c.name === name);
	if (!spec) throw new Error(`${kind}.${name} is not a contract column`);
	const type = TYPE_OF_KIND[spec.kind];
	if (!type) throw new Error(`${kind}.${name}: a ${spec.kind} column is not exported`);
	const unit = spec.unit ? ` (${spec.unit})` : '';
	return {
		name,
		type,
		description: spec.description + unit,
		...(spec.values ? { values: spec.values } : {}),
		source: `${kind}.csv`,
		...(sql ? { sql } : {})
	};
}

const patientId = (kind: string): ExportColumn => ({
	name: 'patient_id',
	type: 'text',
	description: PATIENT_ID_DESCRIPTION,
	source: `${kind}.csv patient_id, re-keyed`
});

/** The patient columns that describe a person (the k-anonymity check's quasi-identifiers among them). */
export function patientColumns(c: Coarsening): ExportColumn[] {
	const band: ExportColumn = c.wideAgeBands
		? {
				name: 'age_band',
				type: 'text',
				description: 'age at implant in 20-year bands (coarsened for this export)',
				values: WIDE_AGE_BANDS,
				source: 'patients.csv age_at_implant, banded',
				sql: wideAgeBandSql('p.age')
			}
		: {
				name: 'age_band',
				type: 'text',
				description: 'age at implant in 10-year bands, ages over 89 grouped as 90+',
				values: AGE_BANDS,
				source: 'patients.csv age_at_implant, banded',
				sql: ageBandSql('p.age')
			};
	return [
		...(c.dropOffice ? [] : [contractColumn('patients', 'office', 'p.office')]),
		contractColumn('patients', 'sex', 'p.sex'),
		band,
		contractColumn('patients', 'diagnosis', 'p.diagnosis'),
		contractColumn('patients', 'program', 'p.program'),
		contractColumn('patients', 'implant_year', 'p.implant_year')
	];
}

export type PatientLevelTable = 'patients' | 'pain_scores' | 'oral_opioids' | 'pump_events';

/** The exported columns of each patient-level table, patient_id first. */
export function patientLevelColumns(table: PatientLevelTable, c: Coarsening): ExportColumn[] {
	const of = (kind: FileKind, names: string[]) => names.map((n) => contractColumn(kind, n));
	switch (table) {
		case 'patients':
			return [
				patientId('patients'),
				...patientColumns(c),
				...of('patients', [
					'trial_day',
					'trial_result',
					'followup_end_day',
					'followup_end_reason',
					'explant_reason'
				]).map((col) => ({ ...col, sql: `p.${ident(col.name)}` })),
				{
					name: 'implanted',
					type: 'boolean',
					description: 'the patient was implanted (implant_year given)',
					source: 'derived: patients.csv implant_year',
					sql: 'p.implanted'
				},
				{
					name: 'in_outcome',
					type: 'boolean',
					description: 'in the outcome population: implanted and not spasticity (outcomes.md section 0)',
					source: 'derived: patients.csv implant_year, diagnosis',
					sql: 'p.in_outcome'
				}
			];
		case 'pain_scores':
			return [patientId(table), ...of(table, ['day', 'pain_avg', 'pain_worst', 'odi', 'pgic'])];
		case 'oral_opioids':
			return [
				patientId(table),
				...of(table, [
					'start_day',
					'end_day',
					'days_supply',
					'drug',
					'strength',
					'strength_unit',
					'units_per_day',
					'quantity',
					'indication',
					'mme_per_day'
				])
			];
		case 'pump_events':
			return [
				patientId(table),
				...of(table, [
					'day',
					'event',
					'drug',
					'concentration',
					'concentration_unit',
					'daily_dose',
					'daily_dose_unit',
					'reservoir_ml',
					'complication'
				])
			];
	}
}

export const PATIENT_LEVEL_TABLES: readonly PatientLevelTable[] = [
	'patients',
	'pain_scores',
	'oral_opioids',
	'pump_events'
];

/** Time order within a patient, then file order (the line number itself is not exported). */
const ORDER: Record<Exclude<PatientLevelTable, 'patients'>, string> = {
	pain_scores: 't.day, t._line',
	oral_opioids: 't.start_day, t._line',
	pump_events: 't.day, t._line'
};

/**
 * The filtered cohort's rows of one table, with the source id as `source_id` (to be re-keyed
 * and dropped before anything is written) and the exported columns.
 */
export function patientLevelRows(table: PatientLevelTable, f: Filters, c: Coarsening): Query {
	const w = filterClause(f);
	const select = patientLevelColumns(table, c)
		.filter((col) => col.name !== 'patient_id')
		.map((col) => `${col.sql ?? `t.${ident(col.name)}`} AS ${ident(col.name)}`)
		.join(', ');
	const sql =
		table === 'patients'
			? `SELECT p.patient_id AS source_id, ${select} FROM patient_facts p WHERE ${w.sql} ORDER BY p.patient_id`
			: `SELECT t.patient_id AS source_id, ${select}
			   FROM ${table} t JOIN patient_facts p USING (patient_id)
			   WHERE ${w.sql} ORDER BY t.patient_id, ${ORDER[table]}`;
	return { name: `export.${table}`, sql, params: w.params };
}

/** Rows per patient-level table for the filtered cohort, for the page's preview. */
export function patientLevelCounts(f: Filters): Query {
	const w = filterClause(f);
	const count = (table: string) =>
		`(SELECT count(*) FROM ${table} t WHERE t.patient_id IN (SELECT patient_id FROM cohort))::INTEGER AS ${table}`;
	return {
		name: 'export.patientLevelCounts',
		sql: `WITH cohort AS (SELECT p.patient_id, p.in_outcome FROM patient_facts p WHERE ${w.sql})
		      SELECT (SELECT count(*) FROM cohort)::INTEGER AS patients,
		             ${count('pain_scores')}, ${count('oral_opioids')}, ${count('pump_events')},
		             (SELECT count(*) FILTER (WHERE in_outcome) FROM cohort)::INTEGER AS outcome_patients`,
		params: w.params
	};
}
