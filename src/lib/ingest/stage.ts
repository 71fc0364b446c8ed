import type { Database } from '$lib/db/types';
import { ident, literal } from '$lib/sql/literal';
import type { ColumnPlan } from './plan';
import type { Problem } from './report';
import { MAX_RECORD_BYTES } from './scan';

/**
 * DuckDB's read of a staged buffer: the dialect given explicitly (no sniffing), strict mode, and
 * the columns listed with their types. The scanner has already checked every value, so a DuckDB
 * error here is a bug: it stops the import loudly rather than dropping a row. When no staged
 * field is quoted, quoting is off: the scanner rejected every stray quote, and DuckDB reads faster.
 */
export function readStagedSql(
	buffer: string,
	delimiter: string,
	columns: readonly [string, string][],
	quoted = true
): string {
	const cols = [['__line', 'INTEGER'] as const, ...columns]
		.map(([name, type]) => `${literal(name)}: ${literal(type)}`)
		.join(', ');
	return strictReadSql(buffer, delimiter, quoted, cols);
}

/** read_csv with the dialect given (no sniffing), strict, LF line ends, every column typed. */
function strictReadSql(buffer: string, delimiter: string, quoted: boolean, columns: string): string {
	const quote = quoted ? `quote = '"', escape = '"'` : `quote = '', escape = ''`;
	return (
		`read_csv(${literal(buffer)}, auto_detect = false, header = false, delim = ${literal(delimiter)}, ` +
		`${quote}, new_line = '\\n', strict_mode = true, allow_quoted_nulls = false, ` +
		`max_line_size = ${MAX_RECORD_BYTES + 64}, columns = {${columns}})`
	);
}

/**
 * DuckDB's read of a file's own bytes after its header (a file whose columns are all kept,
 * and which the scan finds clean, ScanResult.clean): each column under its contract name and
 * type, `__line` from the row order, the first row on `bodyLine`. Strict like the staged read,
 * with quotes.
 */
export function readBodySql(
	buffer: string,
	delimiter: string,
	plan: readonly ColumnPlan[],
	bodyLine: number
): string {
	const cols = plan.map((p) => `${literal(p.target!)}: ${literal(stagedType(p))}`).join(', ');
	return (
		`(SELECT *, (row_number() OVER () + ${bodyLine - 1})::INTEGER AS __line FROM ` +
		`${strictReadSql(buffer, delimiter, true, cols)})`
	);
}

/** SQL type of a kept column in the staged read: numbers typed, everything else text. */
export function stagedType(plan: ColumnPlan): string {
	switch (plan.rule?.kind) {
		case 'integer':
			return 'INTEGER';
		case 'number':
			return 'DOUBLE';
		default:
			return 'VARCHAR';
	}
}

let buffers = 0;
/** A buffer name unique in this page, so a cancelled import never collides with the next. */
export const bufferName = (what: string) =>
	`__ingest_${++buffers}_${what.replace(/[^A-Za-z0-9_]/g, '_')}.csv`;

/** Insert problems found in JavaScript (scan, dates) through one staged CSV read, not 1 query each. */
export async function insertProblems(
	db: Database,
	file: string,
	problems: readonly Problem[]
): Promise<void> {
	if (problems.length === 0) return;
	const q = (s: string | null) => (s === null ? '' : `"${s.replaceAll('"', '""')}"`);
	const text = problems.map((p) => `${p.line},${q(p.column)},${q(p.value)},${q(p.rule)}\n`).join('');
	const name = bufferName('problems');
	await db.registerBuffer(name, new TextEncoder().encode(text));
	try {
		const source = readStagedSql(name, ',', [
			['column', 'VARCHAR'],
			['value', 'VARCHAR'],
			['rule', 'VARCHAR']
		]);
		await db.query(
			`INSERT INTO import_problems SELECT ${literal(file)}, __line, ${ident('column')}, value, rule FROM ${source}`
		);
	} finally {
		await db.dropBuffer(name);
	}
}
