/**
 * Seeded synthetic cohort of intrathecal pump patients, written as the four contract CSV
 * files (data-contract.md, `day` form). Pure TypeScript: runs in Node and in the browser.
 *
 * The planted parameters are in params.ts; docs/demo-cohort.md describes the model.
 */
import { generatePatients } from './cohort.ts';
import { csvHeader, patientCsvLines, TABLE_NAMES, type TableName } from './csv.ts';

export { generatePatients, patientId } from './cohort.ts';
export {
	CSV_COLUMNS,
	CSV_FILE_NAMES,
	TABLE_NAMES,
	csvHeader,
	formatNumber,
	patientCsvLines,
	type TableName
} from './csv.ts';
export * from './params.ts';
export { Random } from './random.ts';
export type * from './types.ts';

export interface CohortOptions {
	seed: number | string;
	patients: number;
}

/**
 * The whole cohort as CSV text per file. Holds every row in memory: fine for the demo and
 * tests; scripts/generate.ts streams large cohorts patient by patient instead.
 */
export function generateCohortCsv({ seed, patients }: CohortOptions): Record<TableName, string> {
	const parts = Object.fromEntries(TABLE_NAMES.map((table) => [table, [csvHeader(table)]])) as Record<
		TableName,
		string[]
	>;
	for (const generated of generatePatients(seed, patients)) {
		const lines = patientCsvLines(generated);
		for (const table of TABLE_NAMES) parts[table].push(lines[table]);
	}
	return Object.fromEntries(TABLE_NAMES.map((table) => [table, parts[table].join('')])) as Record<
		TableName,
		string
	>;
}
