import type { Database } from '$lib/db/types';
import { ident } from '$lib/sql/literal';
import { decodeBytes, plural } from './bytes';
import { findGenericHeader } from './dialect';
import { findIdentifiers, type IdentifierFinding } from './identifiers';
import { genericPlan } from './plan';
import type { Problem, SkippedLine } from './report';
import { scanAll, strayQuoteWarning, UnterminatedQuote } from './scan';
import { bufferName, readStagedSql } from './stage';

/**
 * Any CSV file through the importer's own path (bytes, dialect, one-pass scan, staged DuckDB
 * read), every column as text exactly as written: what the conformance suites test, and what a
 * tool needs to look at a file that is not in the contract.
 */
export type CsvTable =
	| {
			ok: true;
			/** The temp table holding the rows: `__line` and one VARCHAR column per name. */
			table: string;
			delimiter: string;
			encoding: string;
			/** Physical line of the header, or null when the first record was data. */
			headerLine: number | null;
			columns: string[];
			read: number;
			loaded: number;
			rejected: number;
			skipped: number;
			problems: Problem[];
			skippedLines: SkippedLine[];
			warnings: string[];
	  }
	| { ok: false; reason: string };

export interface ReadOptions {
	/** `auto` (default): a first record holding a number or a date is data, not a header. */
	header?: 'auto' | 'first' | 'none';
	table?: string;
	/** The relaxed read: stray quotes are text, with a warning (import-cases.md case 16). */
	lenientQuotes?: boolean;
}

export async function readCsvTable(
	db: Database,
	file: string,
	bytes: Uint8Array,
	options: ReadOptions = {}
): Promise<CsvTable> {
	const decoded = decodeBytes(file, bytes);
	if (!decoded.ok) return decoded;
	const head = findGenericHeader(decoded.utf8, options.header ?? 'auto');
	if (!head.ok) return { ok: false, reason: `${file}: ${head.reason}` };
	const warnings = [...decoded.warnings];
	const columns = uniqueNames(head.names, warnings);
	let scan;
	try {
		scan = scanAll({
			bytes: decoded.utf8,
			head,
			plan: genericPlan(columns),
			exact: true,
			invalid: decoded.invalid,
			lenientQuotes: options.lenientQuotes === true
		});
	} catch (e) {
		if (e instanceof UnterminatedQuote) return { ok: false, reason: `${file}: ${e.message}` };
		throw e;
	}
	const table = options.table ?? '__csv';
	const buffer = bufferName(file);
	await db.registerBuffer(buffer, scan.staged);
	try {
		const source = readStagedSql(
			buffer,
			head.delimiter,
			columns.map((c) => [c, 'VARCHAR'])
		);
		await db.query(`CREATE OR REPLACE TEMP TABLE ${ident(table)} AS SELECT * FROM ${source}`);
	} finally {
		await db.dropBuffer(buffer);
	}
	const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${ident(table)}`)) as [
		{ n: number }
	];
	if (n !== scan.stagedRecords)
		throw new Error(`${file}: DuckDB read ${n} records where ${scan.stagedRecords} were staged`);
	const last = columns.length - 1;
	if (last > 0 && head.names[last] === '' && scan.stats[last]!.values === 0) {
		await db.query(`ALTER TABLE ${ident(table)} DROP COLUMN ${ident(columns[last]!)}`);
		columns.pop();
		warnings.push('the header ends with a delimiter: the empty, unnamed last column was dropped');
	}
	if (options.lenientQuotes && scan.strayQuotes.count) warnings.push(strayQuoteWarning(scan.strayQuotes));
	if (scan.trailingDelimiter)
		warnings.push(
			`${plural(scan.trailingDelimiter, 'line')} end with an extra delimiter; the empty field after it was ignored`
		);
	const rejected = new Set(scan.problems.map((p) => p.line)).size;
	if (scan.read !== n + rejected + scan.skipped.length)
		throw new Error(
			`${file}: read ${scan.read} records but loaded ${n} + rejected ${rejected} + skipped ${scan.skipped.length}`
		);
	// "0 data rows" only when there are none: records that were all rejected are not "none".
	if (scan.read - scan.skipped.length === 0) warnings.push(`${file} has 0 data rows`);
	else if (n === 0)
		warnings.push(`${file}: no row loaded; every data row was rejected (${plural(rejected, 'row')})`);
	return {
		ok: true,
		table,
		delimiter: head.delimiter,
		encoding: decoded.encoding,
		headerLine: head.header ? head.header.line : null,
		columns,
		read: scan.read,
		loaded: n,
		rejected,
		skipped: scan.skipped.length,
		problems: scan.problems,
		skippedLines: scan.skipped,
		warnings
	};
}

/** The records of a file as arrays of strings, read back from DuckDB (an empty field is ''). */
export async function readRecords(
	db: Database,
	file: string,
	bytes: Uint8Array,
	options: ReadOptions = {}
): Promise<{ table: CsvTable; header: string[] | null; rows: string[][] }> {
	const table = await readCsvTable(db, file, bytes, options);
	if (!table.ok) return { table, header: null, rows: [] };
	const rows = await db.query<Record<string, string | null>>(
		`SELECT * EXCLUDE (__line) FROM ${ident(table.table)} ORDER BY __line`
	);
	await db.query(`DROP TABLE ${ident(table.table)}`);
	return {
		table,
		header: table.headerLine === null ? null : table.columns,
		rows: rows.map((r) => table.columns.map((c) => r[c] ?? ''))
	};
}

/**
 * The identifier guard on any CSV file (an EHR or OMOP table, not only the contract's): which
 * columns look like direct identifiers, with counts and never values. Nothing is loaded.
 */
export function identifiersInCsv(file: string, bytes: Uint8Array): IdentifierFinding[] | { reason: string } {
	const decoded = decodeBytes(file, bytes);
	if (!decoded.ok) return decoded;
	const head = findGenericHeader(decoded.utf8, 'first');
	if (!head.ok) return { reason: `${file}: ${head.reason}` };
	const plan = head.names.map((header) => ({
		header,
		target: null,
		keep: false,
		rule: null,
		watch: true,
		count: false
	}));
	try {
		const scan = scanAll({ bytes: decoded.utf8, head, plan, exact: false, invalid: decoded.invalid });
		return findIdentifiers(
			null,
			plan.map((p, i) => ({
				column: i,
				header: p.header,
				contract: null,
				values: scan.stats[i]!.values,
				hits: scan.stats[i]!.hits
			}))
		);
	} catch (e) {
		if (e instanceof UnterminatedQuote) return { reason: `${file}: ${e.message}` };
		throw e;
	}
}

/** Column names for SQL: an empty name becomes `columnN`, a repeated one `name_2`, `name_3`. */
function uniqueNames(names: readonly string[], warnings: string[]): string[] {
	const seen = new Map<string, number>();
	const out = names.map((raw, i) => {
		const name = raw === '' ? `column${i + 1}` : raw;
		const key = name.toLowerCase();
		const k = (seen.get(key) ?? 0) + 1;
		seen.set(key, k);
		return k === 1 ? name : `${name}_${k}`;
	});
	const renamed = out.flatMap((n, i) =>
		n !== names[i] && !(names[i] === '' && i === names.length - 1) ? [`"${names[i]}" -> ${n}`] : []
	);
	if (renamed.length) warnings.push(`renamed ${plural(renamed.length, 'column')}: ${renamed.join(', ')}`);
	return out;
}
