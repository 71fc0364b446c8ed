import type { Database } from '$lib/db/types';
import type { Problem } from './report';

/**
 * One CSV cell (outcomes.md section 6, OWASP CSV injection): numbers plain; text quoted with `"`
 * doubled, and one leading `'` when it starts with = + - @ tab CR or LF, so a spreadsheet never
 * runs it as a formula. Removing that one `'` gives the text back unchanged.
 */
export function csvCell(v: unknown): string {
	if (v === null || v === undefined) return '';
	if (typeof v === 'number') {
		if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
		return String(v);
	}
	const s = String(v);
	const safe = /^[=+\-@\t\r\n]/.test(s) ? `'${s}` : s;
	return `"${safe.replaceAll('"', '""')}"`;
}

export const PROBLEM_COLUMNS = ['file', 'line', 'column', 'value', 'rule'] as const;

/**
 * Every problem of an import (or of one file) as CSV with line numbers and reasons. Values come
 * from `import_problems`, which never holds a value of a column flagged as an identifier.
 */
export async function problemsCsv(db: Database, file?: string): Promise<string> {
	const rows = await db.query<Problem & { file: string }>(
		`SELECT file, line, "column", value, rule FROM import_problems ${file === undefined ? '' : 'WHERE file = ?'} ORDER BY file, line, "column", rule`,
		file === undefined ? [] : [file]
	);
	const lines = [PROBLEM_COLUMNS.join(',')];
	for (const r of rows) lines.push([r.file, r.line, r.column, r.value, r.rule].map(csvCell).join(','));
	return lines.join('\r\n') + '\r\n';
}

/** One page of a file's problems, in line order, for a paged list. */
export async function problemsPage(
	db: Database,
	file: string,
	offset: number,
	limit: number
): Promise<Problem[]> {
	return db.query<Problem>(
		'SELECT line, "column", value, rule FROM import_problems WHERE file = ? ORDER BY line, "column", rule LIMIT ? OFFSET ?',
		[file, limit, offset]
	);
}
