import { recogniseFile, type FileKind, type Mapping } from '$lib/contract';
import type { Problem, SkippedLine } from './report';

/**
 * One pass over the bytes that finds the header, then checks every record's structure (fields,
 * quotes, NUL bytes) with its physical line number. Well-formed records are copied into a staging
 * buffer prefixed with that line number, so every row DuckDB loads still knows where it came from.
 */
export interface Scan {
	kind: FileKind;
	mapping: Mapping;
	delimiter: string;
	headerLine: number;
	header: string[];
	staged: Uint8Array;
	stagedRecords: number;
	read: number;
	skipped: SkippedLine[];
	rejected: Problem[];
}

export type ScanOutcome = ({ ok: true } & Scan) | { ok: false; reason: string };

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const HEADER_SEARCH_LINES = 50;

export function scanCsv(file: string, bytes: Uint8Array): ScanOutcome {
	const head = findHeader(bytes);
	if (!head.ok) return { ok: false, reason: `${file}: ${head.reason}` };
	const { delimiter, headerLine, header, bodyStart, preamble } = head;
	const delim = delimiter.charCodeAt(0);
	const headerBytes = bytes.subarray(head.headerStart, head.headerEnd);
	const out = new Growable(bytes.length + 1024);
	const enc = new TextEncoder();
	const skipped: SkippedLine[] = preamble.map((line) => ({ line, reason: 'preamble' as const }));
	const rejected: Problem[] = [];
	let read = preamble.length;
	let staged = 0;
	let line = headerLine + 1;
	let i = bodyStart;
	const n = bytes.length;

	while (i < n) {
		const recLine = line;
		const recStart = i;
		let fields = 1;
		let inQuotes = false;
		let fieldStart = true;
		let afterQuote = false;
		let content = false;
		let nul = false;
		let badQuote = false;
		let recEnd = n;
		while (i < n) {
			const c = bytes[i]!;
			if (inQuotes) {
				if (c === QUOTE) {
					if (bytes[i + 1] === QUOTE) i++;
					else {
						inQuotes = false;
						afterQuote = true;
					}
				} else if (c === LF) line++;
				else if (c === CR && bytes[i + 1] !== LF) line++;
				else if (c === 0) nul = true;
				i++;
				continue;
			}
			if (c === LF || c === CR) {
				recEnd = i;
				i += c === CR && bytes[i + 1] === LF ? 2 : 1;
				line++;
				break;
			}
			if (c === delim) {
				fields++;
				fieldStart = true;
				afterQuote = false;
			} else if (c === QUOTE) {
				if (fieldStart) {
					inQuotes = true;
					content = true;
				} else badQuote = true;
				fieldStart = false;
			} else {
				if (afterQuote) badQuote = true;
				if (c === 0) nul = true;
				if (c !== 0x20 && c !== 0x09) content = true;
				fieldStart = false;
			}
			i++;
		}
		if (inQuotes) return { ok: false, reason: `${file}: unterminated quote starting line ${recLine}` };
		read++;
		const record = bytes.subarray(recStart, recEnd);
		if (!content) skipped.push({ line: recLine, reason: 'blank line' });
		else if (firstVisible(record) === 0x23) skipped.push({ line: recLine, reason: 'comment line' });
		else if (sameBytes(record, headerBytes)) skipped.push({ line: recLine, reason: 'repeated header' });
		else if (nul) rejected.push({ line: recLine, column: null, value: null, rule: 'NUL byte in the line' });
		else if (badQuote)
			rejected.push({
				line: recLine,
				column: null,
				value: null,
				rule: 'quote character inside an unquoted field'
			});
		else if (fields !== header.length)
			rejected.push({
				line: recLine,
				column: null,
				value: null,
				rule: `expected ${header.length} fields, found ${fields}`
			});
		else {
			out.push(enc.encode(`${recLine}${delimiter}`));
			out.push(record);
			out.push(NEWLINE);
			staged++;
		}
	}
	return {
		ok: true,
		kind: head.kind,
		mapping: head.mapping,
		delimiter,
		headerLine,
		header,
		staged: out.bytes(),
		stagedRecords: staged,
		read,
		skipped,
		rejected
	};
}

const NEWLINE = new Uint8Array([LF]);

interface Head {
	ok: true;
	kind: FileKind;
	mapping: Mapping;
	delimiter: string;
	header: string[];
	headerLine: number;
	headerStart: number;
	headerEnd: number;
	bodyStart: number;
	preamble: number[];
}

/** The header is the first line (of the first 50) whose names match a contract file. */
function findHeader(bytes: Uint8Array): Head | { ok: false; reason: string } {
	const decoder = new TextDecoder();
	const preamble: number[] = [];
	let start = 0;
	let firstFields: string[] | null = null;
	for (let line = 1; line <= HEADER_SEARCH_LINES && start < bytes.length; line++) {
		let end = start;
		while (end < bytes.length && bytes[end] !== LF && bytes[end] !== CR) end++;
		const next = end + (bytes[end] === CR && bytes[end + 1] === LF ? 2 : 1);
		const text = decoder.decode(bytes.subarray(start, end));
		if (text.trim() !== '') {
			const delimiter = guessDelimiter(text);
			const fields = splitLine(text, delimiter);
			firstFields ??= fields;
			const match = recogniseFile(fields);
			if (match) {
				return {
					ok: true,
					...match,
					delimiter,
					header: fields,
					headerLine: line,
					headerStart: start,
					headerEnd: end,
					bodyStart: Math.min(next, bytes.length),
					preamble
				};
			}
		}
		preamble.push(line);
		start = next;
	}
	const found = firstFields ? firstFields.map((f) => `"${f}"`).join(', ') : 'nothing';
	return {
		ok: false,
		reason:
			`no header row matching the data contract (a patient_id column and the file's required columns) ` +
			`in the first ${HEADER_SEARCH_LINES} lines; the first line has ${firstFields?.length ?? 0} column(s): ${found}`
	};
}

/** The candidate delimiter that occurs most often outside quotes in the header line. */
export function guessDelimiter(line: string): string {
	let best = ',';
	let bestCount = 0;
	for (const d of [',', ';', '\t', '|']) {
		const count = splitLine(line, d).length - 1;
		if (count > bestCount) {
			best = d;
			bestCount = count;
		}
	}
	return best;
}

/** Split one line (no embedded newlines) into fields, honouring `"` quoting. */
export function splitLine(line: string, delimiter: string): string[] {
	const fields: string[] = [];
	let cur = '';
	let inQuotes = false;
	for (let i = 0; i < line.length; i++) {
		const c = line[i];
		if (inQuotes) {
			if (c === '"' && line[i + 1] === '"') {
				cur += '"';
				i++;
			} else if (c === '"') inQuotes = false;
			else cur += c;
		} else if (c === '"' && cur.trim() === '') inQuotes = true;
		else if (c === delimiter) {
			fields.push(cur);
			cur = '';
		} else cur += c;
	}
	fields.push(cur);
	return fields;
}

function firstVisible(b: Uint8Array): number | undefined {
	for (const c of b) if (c !== 0x20 && c !== 0x09) return c;
	return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

class Growable {
	private buf: Uint8Array;
	private len = 0;
	constructor(capacity: number) {
		this.buf = new Uint8Array(capacity);
	}
	push(chunk: Uint8Array) {
		if (this.len + chunk.length > this.buf.length) {
			const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + chunk.length));
			bigger.set(this.buf.subarray(0, this.len));
			this.buf = bigger;
		}
		this.buf.set(chunk, this.len);
		this.len += chunk.length;
	}
	bytes(): Uint8Array {
		return this.buf.subarray(0, this.len);
	}
}
