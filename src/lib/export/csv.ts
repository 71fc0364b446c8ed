import type { Column } from '$lib/db/columns';

/**
 * CSV for spreadsheets and scripts: UTF-8 with a byte order mark (Excel reads UTF-8 only with it),
 * CRLF records (RFC 4180), fields quoted only when they hold a comma, quote, CR or LF.
 *
 * Formula safety (OWASP CSV Injection, outcomes.md section 6): a text cell beginning with `=`,
 * `+`, `-`, `@`, tab, CR or LF gets one leading `'`, so a spreadsheet shows it as text instead of
 * running it. A text cell that already begins with `'` gets one too: then removing one leading `'`
 * from every text cell that has one restores the value exactly, with no guessing about which
 * apostrophes were in the data. Numbers are JavaScript numbers and are written as plain numbers
 * (shortest round-trip form, so they read back bit for bit), never prefixed: -2.1 stays -2.1.
 */

export type Cell = string | number | boolean | null;

export const BOM = '\uFEFF';
const RECORD_END = '\r\n';
const FORMULA_START = /^[=+\-@\t\r\n']/;
const NEEDS_QUOTES = /[",\r\n]/;

/** The exporter's text cell and whether a `'` was added to it. */
export function neutralise(text: string): { text: string; prefixed: boolean } {
	return FORMULA_START.test(text) ? { text: `'${text}`, prefixed: true } : { text, prefixed: false };
}

/** Undo `neutralise`: what a reader does with a text cell of a column the manifest lists. */
export function unneutralise(text: string): string {
	return text.startsWith("'") ? text.slice(1) : text;
}

function quote(field: string): string {
	return NEEDS_QUOTES.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/** One field as written, and whether a `'` was added. */
export function csvField(value: Cell): { field: string; prefixed: boolean } {
	if (value === null) return { field: '', prefixed: false };
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to CSV`);
		return { field: String(value), prefixed: false };
	}
	if (typeof value === 'boolean') return { field: value ? 'true' : 'false', prefixed: false };
	const { text, prefixed } = neutralise(value);
	return { field: quote(text), prefixed };
}

export interface CsvResult {
	text: string;
	/** Columns in which at least one cell got a leading `'`, in column order. */
	prefixed: string[];
}

/** A table as CSV text (BOM included); `columns` gives the header and the order of the fields. */
export function toCsv(
	columns: readonly string[],
	rows: readonly Readonly<Record<string, Cell>>[]
): CsvResult {
	const prefixed = new Set<string>();
	const lines = [columns.map((c) => csvField(c).field).join(',')];
	for (const row of rows) {
		const fields = columns.map((c) => {
			const out = csvField(row[c] ?? null);
			if (out.prefixed) prefixed.add(c);
			return out.field;
		});
		lines.push(fields.join(','));
	}
	return {
		text: BOM + lines.join(RECORD_END) + RECORD_END,
		prefixed: columns.filter((c) => prefixed.has(c))
	};
}

const encoder = new TextEncoder();
/** Rows encoded at a time: the text of a chunk, never of the whole table, is held at once. */
const CHUNK_ROWS = 8192;

/**
 * A table of columns (db/columns.ts) as CSV bytes, the same bytes `toCsv` writes for its rows:
 * each distinct text is written (guarded and quoted) once, and the text is encoded a chunk of rows
 * at a time, so a table of millions of rows never exists as one string.
 */
export function columnsCsv(
	names: readonly string[],
	columns: readonly Column[],
	length: number
): { bytes: Uint8Array; prefixed: string[] } {
	const prefixed = new Set<string>();
	const field = columns.map((c, j): ((i: number) => string) => {
		if (c.kind === 'number') return (i) => (c.nulls[i] ? '' : csvField(c.values[i]!).field);
		if (c.kind === 'boolean') return (i) => (c.values[i] === 2 ? '' : c.values[i] === 1 ? 'true' : 'false');
		const used = new Uint8Array(c.dictionary.length);
		for (let i = 0; i < length; i++) if (c.codes[i]! >= 0) used[c.codes[i]!] = 1;
		const fields = c.dictionary.map((text, k) => {
			const out = csvField(text);
			if (out.prefixed && used[k]) prefixed.add(names[j]!);
			return out.field;
		});
		return (i) => (c.codes[i] === -1 ? '' : fields[c.codes[i]!]!);
	});
	const parts: Uint8Array[] = [
		encoder.encode(BOM + names.map((c) => csvField(c).field).join(',') + RECORD_END)
	];
	for (let from = 0; from < length; from += CHUNK_ROWS) {
		const to = Math.min(length, from + CHUNK_ROWS);
		const lines: string[] = [];
		for (let i = from; i < to; i++) lines.push(field.map((f) => f(i)).join(','));
		parts.push(encoder.encode(lines.join(RECORD_END) + RECORD_END));
	}
	const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		bytes.set(p, at);
		at += p.length;
	}
	return { bytes, prefixed: names.filter((c) => prefixed.has(c)) };
}
