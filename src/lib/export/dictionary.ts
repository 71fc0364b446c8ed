import { toCsv } from './csv';
import type { ExportColumn } from './tables';

/** A table as the bundle writes it; `file` is its name without extension. */
export interface DictionaryTable {
	file: string;
	title: string;
	columns: readonly ExportColumn[];
}

const cellMd = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

const valuesOf = (c: ExportColumn) => (c.values ? c.values.join(', ') : '');

/**
 * The bundle's data dictionary, one row per exported column of every table, generated from the
 * same column lists that write the files (and, through them, from the contract's own words).
 */
export function dictionaryMarkdown(tables: readonly DictionaryTable[], contractVersion: string): string {
	const out = [
		'# Data dictionary of this export',
		'',
		`Generated with the export from the data contract (${contractVersion}) and the analysis`,
		'table definitions. Every table is given twice, as `csv/<table>.csv` and `parquet/<table>.parquet`,',
		'with the same columns. Days are counted from implant (implant = day 0); an empty cell is a',
		'missing value.',
		''
	];
	for (const t of tables) {
		out.push(`## ${t.file}: ${t.title}`, '');
		out.push('| column | type | allowed values | meaning | source |', '|---|---|---|---|---|');
		for (const c of t.columns) {
			out.push(
				`| ${cellMd(c.name)} | ${c.type} | ${cellMd(valuesOf(c))} | ${cellMd(c.description)} | ${cellMd(c.source)} |`
			);
		}
		out.push('');
	}
	return out.join('\n');
}

/** The same dictionary as CSV, for scripts. */
export function dictionaryCsv(tables: readonly DictionaryTable[]): string {
	const rows = tables.flatMap((t) =>
		t.columns.map((c) => ({
			table: t.file,
			column: c.name,
			type: c.type,
			allowed_values: valuesOf(c) || null,
			description: c.description,
			source: c.source
		}))
	);
	return toCsv(['table', 'column', 'type', 'allowed_values', 'description', 'source'], rows).text;
}
