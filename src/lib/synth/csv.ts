/**
 * CSV text in the contract's `day` form: `,` delimiter, LF line ends, no BOM, no quoting
 * (no generated value contains a delimiter, quote or line break), empty cells for null,
 * numbers in plain decimal.
 */
import type { OralOpioidRow, PainScoreRow, PatientRow, PumpEventRow, SyntheticPatient } from './types.ts';

export const CSV_COLUMNS = {
	patients: [
		'patient_id',
		'office',
		'provider_id',
		'sex',
		'age_at_implant',
		'diagnosis',
		'icd10',
		'program',
		'trial_day',
		'trial_result',
		'implant_year',
		'followup_end_day',
		'followup_end_reason',
		'explant_reason'
	],
	painScores: ['patient_id', 'day', 'pain_avg', 'pain_worst', 'odi', 'pgic'],
	oralOpioids: [
		'patient_id',
		'start_day',
		'end_day',
		'days_supply',
		'drug',
		'strength',
		'strength_unit',
		'units_per_day',
		'quantity',
		'indication'
	],
	pumpEvents: [
		'patient_id',
		'day',
		'event',
		'drug',
		'concentration',
		'concentration_unit',
		'daily_dose',
		'daily_dose_unit',
		'reservoir_ml',
		'complication'
	]
} as const satisfies {
	patients: readonly (keyof PatientRow)[];
	painScores: readonly (keyof PainScoreRow)[];
	oralOpioids: readonly (keyof OralOpioidRow)[];
	pumpEvents: readonly (keyof PumpEventRow)[];
};

export type TableName = keyof typeof CSV_COLUMNS;

export const TABLE_NAMES: readonly TableName[] = ['patients', 'painScores', 'oralOpioids', 'pumpEvents'];

export const CSV_FILE_NAMES: Readonly<Record<TableName, string>> = {
	patients: 'patients.csv',
	painScores: 'pain_scores.csv',
	oralOpioids: 'oral_opioids.csv',
	pumpEvents: 'pump_events.csv'
};

export function csvHeader(table: TableName): string {
	return CSV_COLUMNS[table].join(',') + '\n';
}

/** One patient's lines for each file, ready to append after the headers. */
export function patientCsvLines(generated: SyntheticPatient): Record<TableName, string> {
	return {
		patients: csvLines(CSV_COLUMNS.patients, [generated.patient]),
		painScores: csvLines(CSV_COLUMNS.painScores, generated.painScores),
		oralOpioids: csvLines(CSV_COLUMNS.oralOpioids, generated.oralOpioids),
		pumpEvents: csvLines(CSV_COLUMNS.pumpEvents, generated.pumpEvents)
	};
}

/** Cells and lines are joined from arrays: V8 builds flat strings that way, far faster than +=. */
function csvLines<Row>(columns: readonly (keyof Row)[], rows: readonly Row[]): string {
	if (rows.length === 0) return '';
	const lines = new Array<string>(rows.length);
	const cells = new Array<string>(columns.length);
	rows.forEach((row, r) => {
		for (let c = 0; c < columns.length; c++) cells[c] = formatCell(row[columns[c]!]);
		lines[r] = cells.join(',');
	});
	return lines.join('\n') + '\n';
}

export function formatCell(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'number') return formatNumber(value);
	return String(value);
}

/** Plain decimal: String() switches to exponent form below 1e-6, which the contract does not accept. */
export function formatNumber(value: number): string {
	if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to CSV`);
	if (value === 0) return '0';
	const magnitude = Math.abs(value);
	if (magnitude >= 1e-6 && magnitude < 1e21) return String(value);
	return value.toFixed(12).replace(/\.?0+$/, '');
}
