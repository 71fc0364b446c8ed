import { recogniseFile, type FileKind, type Mapping } from '$lib/contract';
import { plural } from './bytes';

/**
 * The dialect of a file, found from its first records before the one-pass scan: the delimiter
 * (`,` `;` tab `|`), the header record and the lines before it. The quote and escape character
 * are always `"` (RFC 4180, and every spreadsheet's export).
 */
export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** The header is looked for in this many records; anything before it is preamble. */
export const HEADER_SEARCH_RECORDS = 50;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;

export interface HeadRecord {
	fields: string[];
	/** Physical line (1-based) the record starts on. */
	line: number;
	start: number;
	/** End of the record's content (before its line break). */
	end: number;
	/** Start of the next record. */
	next: number;
	/** Physical lines the record and its line break take. */
	lines: number;
	blank: boolean;
	comment: boolean;
	unterminated: boolean;
}

/** Read one record from `start` (quote-aware; quoted fields may hold delimiters and line breaks). */
export function readRecord(bytes: Uint8Array, start: number, line: number, delim: number): HeadRecord {
	const decoder = new TextDecoder();
	const fields: string[] = [];
	let i = start;
	let lines = 0;
	let fieldStart = i;
	let inQuotes = false;
	let content = false;
	const comment = firstVisible(bytes, start) === HASH;
	const push = (end: number) => fields.push(unquote(decoder.decode(bytes.subarray(fieldStart, end))));
	while (i < bytes.length) {
		const c = bytes[i]!;
		if (inQuotes && !comment) {
			if (c === QUOTE) {
				if (bytes[i + 1] === QUOTE) i++;
				else inQuotes = false;
			} else if (c === LF || (c === CR && bytes[i + 1] !== LF)) lines++;
			i++;
			continue;
		}
		if (c === LF || c === CR) break;
		if (c === delim && !comment) {
			push(i);
			fieldStart = i + 1;
		} else if (c === QUOTE && !comment) {
			inQuotes = true;
			content = true;
		} else if (c !== 0x20 && c !== 0x09) content = true;
		i++;
	}
	push(i);
	const end = i;
	let next = i;
	if (i < bytes.length) {
		next = bytes[i] === CR && bytes[i + 1] === LF ? i + 2 : i + 1;
		lines++;
	}
	return { fields, line, start, end, next, lines, blank: !content, comment, unterminated: inQuotes };
}

function firstVisible(b: Uint8Array, i: number): number | undefined {
	while (i < b.length && (b[i] === 0x20 || b[i] === 0x09)) i++;
	return b[i];
}

/** A header or head field as text: surrounding spaces and one level of quoting removed. */
function unquote(s: string): string {
	const t = s.trim();
	if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replaceAll('""', '"');
	return t;
}

/** The first records of a file, for one delimiter. */
export function headRecords(bytes: Uint8Array, delim: number, limit = HEADER_SEARCH_RECORDS): HeadRecord[] {
	const out: HeadRecord[] = [];
	let start = 0;
	let line = 1;
	while (start < bytes.length && out.length < limit) {
		const r = readRecord(bytes, start, line, delim);
		out.push(r);
		if (r.unterminated) break;
		start = r.next;
		line += r.lines;
	}
	return out;
}

/** Where the data starts, and what came before it. */
export interface Head {
	delimiter: Delimiter;
	/** The header record; null when the file has none (generic reads only). */
	header: HeadRecord | null;
	names: string[];
	/** Byte offset and physical line of the first record after the header. */
	bodyStart: number;
	bodyLine: number;
	/** Lines before the header: blank, comment or preamble. */
	before: { line: number; reason: 'blank line' | 'comment line' | 'preamble' }[];
}

export type HeadOutcome = ({ ok: true } & Head) | { ok: false; reason: string };

/** The header of a contract file: the first record (of 50) whose names match a contract file. */
export function findContractHeader(
	bytes: Uint8Array
): ({ ok: true; kind: FileKind; mapping: Mapping } & Head) | { ok: false; reason: string } {
	let best: { head: Head; kind: FileKind; mapping: Mapping; matched: number; index: number } | null = null;
	for (const d of DELIMITERS) {
		const records = headRecords(bytes, d.charCodeAt(0));
		for (let k = 0; k < records.length; k++) {
			const r = records[k]!;
			if (r.blank || r.comment) continue;
			// Every contract file has at least two required columns: one field is never its header.
			if (r.fields.length < 2) continue;
			const match = recogniseFile(r.fields);
			if (!match) continue;
			const matched = match.mapping.columns.filter((c) => c.target).length;
			// The earliest header wins; at the same record, the delimiter that matches more columns.
			if (!best || k < best.index || (k === best.index && matched > best.matched)) {
				best = { head: headAt(records, k, d), ...match, matched, index: k };
			}
			break;
		}
	}
	if (best) return { ok: true, ...best.head, kind: best.kind, mapping: best.mapping };
	const unterminated = headRecords(bytes, 0x2c).find((r) => r.unterminated);
	if (unterminated) return { ok: false, reason: `unterminated quote starting line ${unterminated.line}` };
	return {
		ok: false,
		reason:
			`no header row matching the data contract (a patient_id column and the file's required columns) ` +
			`in the first ${HEADER_SEARCH_RECORDS} lines; ${describeFirstRecord(bytes)}`
	};
}

const DELIMITER_NAMES: Record<Delimiter, string> = {
	',': 'comma',
	';': 'semicolon',
	'\t': 'tab',
	'|': 'pipe'
};

/**
 * The first record of a file no header was found in, without its values: a file without a header
 * row starts with data, and its first line may be a name, a date of birth or a phone number
 * (import-cases.md case 33: values are never shown, not even in errors). Its fields are counted
 * with the delimiter the file's records agree on (findGenericHeader), and each is said to look
 * like a number, a date, text or nothing.
 */
function describeFirstRecord(bytes: Uint8Array): string {
	const head = findGenericHeader(bytes, 'none');
	if (!head.ok) return 'the file holds only blank or comment lines';
	const fields = readRecord(bytes, head.bodyStart, head.bodyLine, head.delimiter.charCodeAt(0)).fields;
	const counts = { number: 0, date: 0, text: 0, empty: 0 };
	for (const f of fields) counts[fieldShape(f)]++;
	const shapes = [
		counts.number && plural(counts.number, 'number'),
		counts.date && plural(counts.date, 'date'),
		counts.text && `${counts.text} text`,
		counts.empty && `${counts.empty} empty`
	].filter(Boolean);
	const split = fields.length > 1 ? `${DELIMITER_NAMES[head.delimiter]}-separated ` : '';
	const data = counts.number + counts.date > 0 ? '; it looks like data: is the header row missing?' : '';
	return (
		`line ${head.bodyLine}, the first with data, has ${fields.length} ${split}${fields.length === 1 ? 'field' : 'fields'} ` +
		`(${shapes.join(', ')}; values not shown)${data}`
	);
}

function headAt(records: HeadRecord[], k: number, delimiter: Delimiter): Head {
	const header = records[k]!;
	const before = records.slice(0, k).flatMap((r) =>
		Array.from({ length: Math.max(r.lines, 1) }, (_, j) => ({
			line: r.line + j,
			reason: r.blank
				? ('blank line' as const)
				: r.comment
					? ('comment line' as const)
					: ('preamble' as const)
		}))
	);
	return {
		delimiter,
		header,
		names: header.fields,
		bodyStart: header.next,
		bodyLine: header.line + header.lines,
		before
	};
}

/**
 * The dialect of any CSV file: the delimiter that splits the first records most consistently into
 * more than one field. A file with one column is accepted only when no candidate delimiter splits
 * its header at all, so a multi-column file is never read as one column.
 */
export function findGenericHeader(bytes: Uint8Array, header: 'auto' | 'first' | 'none'): HeadOutcome {
	let best: { d: Delimiter; records: HeadRecord[]; width: number; score: number } | null = null;
	for (const d of DELIMITERS) {
		const records = headRecords(bytes, d.charCodeAt(0));
		const data = records.filter((r) => !r.blank && !r.comment);
		if (data.length === 0) continue;
		const counts = new Map<number, number>();
		for (const r of data) counts.set(r.fields.length, (counts.get(r.fields.length) ?? 0) + 1);
		const [width, agree] = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]!;
		// A split into one field is the fallback of every delimiter, never evidence for one.
		const score = width > 1 ? agree * 1000 + width : 0;
		if (!best || score > best.score) best = { d, records, width, score };
	}
	if (!best) return { ok: false, reason: 'no records: the file holds only blank or comment lines' };
	const unterminated = best.records.find((r) => r.unterminated);
	if (unterminated) return { ok: false, reason: `unterminated quote starting line ${unterminated.line}` };
	const k = best.records.findIndex((r) => !r.blank && !r.comment);
	const first = best.records[k]!;
	const hasHeader = header === 'first' || (header === 'auto' && !looksLikeData(first.fields));
	if (hasHeader) return { ok: true, ...headAt(best.records, k, best.d) };
	const head = headAt(best.records, k, best.d);
	return {
		...head,
		ok: true,
		header: null,
		names: first.fields.map((_, j) => `column${j + 1}`),
		bodyStart: first.start,
		bodyLine: first.line
	};
}

/** A first record with a number or a date in it is data, not a header (names are words). */
function looksLikeData(fields: readonly string[]): boolean {
	return fields.some((f) => {
		const shape = fieldShape(f);
		return shape === 'number' || shape === 'date';
	});
}

function fieldShape(field: string): 'number' | 'date' | 'text' | 'empty' {
	const f = field.trim();
	if (f === '') return 'empty';
	if (/^[-+]?[\d.,]+$/.test(f)) return 'number';
	if (/^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$/.test(f)) return 'date';
	return 'text';
}
