import { CellChecker, type ColumnStats } from './cells';
import type { Head } from './dialect';
import type { ColumnPlan } from './plan';
import type { Problem, SkippedLine } from './report';

/**
 * One pass over the bytes after the header. Every record is counted and either skipped (blank,
 * comment, repeated header), rejected with its physical line and reason (structure or a cell
 * error), or staged: its kept fields are copied into a buffer, checked and normalised, behind its
 * physical line number, so every row DuckDB loads still knows where it came from. The pass runs
 * in slices so a page can show progress and cancel between them.
 */
export interface ScanInput {
	bytes: Uint8Array;
	head: Head;
	plan: readonly ColumnPlan[];
	/** A generic read: values exactly as written (no trimming, no null spellings, no checks). */
	exact: boolean;
	/** Offsets of invalid UTF-8 sequences (bytes.ts). */
	invalid: readonly number[];
	/**
	 * Columns of a key that should not repeat (a text and a whole-number column: pain_scores'
	 * patient_id and day). While the file is sorted by it, repeats are found here, with no
	 * database pass.
	 */
	duplicateKey?: { text: number; int: number };
	/**
	 * The relaxed read the user asked for (import-cases.md case 16): a stray quote (inside a field
	 * that does not start with one, or inside a quoted field and not followed by a delimiter or a
	 * line break) is text, not a reject. The records read this way are counted in `strayQuotes`.
	 */
	lenientQuotes?: boolean;
	/** Told every staged record's values (CellChecker.values), to count rules as the file is read. */
	rows?: RowSink;
	/**
	 * The file's own bytes load while its records are clean (ScanResult.clean): those records are
	 * counted but not kept in the staged buffer, which then holds the records from the first one
	 * that is not clean (`Scanner.cleanEnd`). A million rows staged for nothing took 190 MB of
	 * fresh memory, slow to touch in the browser here.
	 */
	discardClean?: boolean;
}

/** Takes each staged record's values and its patient_id (tally.ts). */
export interface RowSink {
	/** The column holding patient_id, or -1. */
	readonly idColumn: number;
	/** `id`: the patient_id as `bytes[start, end)`, `sure` when that is the value loaded. */
	add(values: Float64Array, bytes: Uint8Array, id: { start: number; end: number; sure: boolean }): void;
}

export interface ScanResult {
	/** The staged records (with `discardClean`, those from `Scanner.cleanEnd` on). */
	staged: Uint8Array;
	/** Records loaded: staged, or (with `discardClean`) clean and counted before `Scanner.cleanEnd`. */
	stagedRecords: number;
	read: number;
	skipped: SkippedLine[];
	/** Structural rejects and cell errors, in line order. */
	problems: Problem[];
	stats: ColumnStats[];
	newlines: { lf: number; crlf: number; cr: number };
	/** Records with one empty field more than the header (a trailing delimiter), accepted. */
	trailingDelimiter: number;
	/** A kept field was quoted: DuckDB must read quotes (else the staging buffer holds none). */
	quoted: boolean;
	/**
	 * Staged records repeating the previous record's `duplicateKey` (with that record's line), or
	 * null when the file was not sorted by it and the database must look.
	 */
	duplicates: { line: number; first: number }[] | null;
	/** Records with a stray quote: read as text (`lenientQuotes`) or rejected; the first lines. */
	strayQuotes: { count: number; lines: number[] };
	/**
	 * Every record after the header was staged as its own bytes as written, on one physical line
	 * ending with LF, and none was skipped or rejected: a read of the file's own bytes after the
	 * header gives the same rows, the n-th on line `bodyLine + n - 1` (load.ts reads clean files
	 * that way).
	 */
	clean: boolean;
}

/** DuckDB's default `max_line_size`: a longer record is rejected with its size. */
export const MAX_RECORD_BYTES = 2 * 1024 * 1024;

// Byte classes outside quotes: 0 for a value byte (the table's default), a space, and the bytes
// that open or end a field. The hot loop copies bytes up to the first class above C_SPACE.
const C_SPACE = 1;
const C_QUOTE = 2;
const C_NUL = 3;
const C_DELIM = 4;
const C_NEWLINE = 5;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const HASH = 0x23;

export class Scanner {
	private readonly b: Uint8Array;
	private readonly n: number;
	private readonly delim: number;
	private readonly ncols: number;
	private readonly keep: Uint8Array;
	private readonly needs: Uint8Array;
	private readonly header: { start: number; end: number } | null;
	/** The header ends with an empty name (a trailing delimiter): rows may omit that field. */
	private readonly trailingUnnamed: boolean;
	private readonly checker: CellChecker;
	private readonly cls = new Uint8Array(256);
	private readonly invalid: readonly number[];
	private inv = 0;
	private out: Uint8Array;
	private o = 0;
	private i: number;
	private line: number;
	private read = 0;
	private staged = 0;
	private trailing = 0;
	private readonly skipped: SkippedLine[] = [];
	private readonly newlines = { lf: 0, crlf: 0, cr: 0 };
	private sorted: boolean;
	private prev = { start: 0, end: -1, value: 0, line: 0 };
	private readonly duplicates: { line: number; first: number }[] = [];
	private quoted = false;
	/** Records staged other than as written, or spanning lines (see ScanResult.clean). */
	private altered = 0;
	private readonly lenient: boolean;
	private readonly rows: RowSink | null;
	private readonly stray = { count: 0, lines: [] as number[] };
	private readonly lineDigits = new LineDigits();
	/** Clean records are counted, not kept (ScanInput.discardClean), until the first that is not. */
	private discarding: boolean;
	private unclean = -1;

	constructor(private readonly input: ScanInput) {
		const { bytes, head, plan } = input;
		this.b = bytes;
		this.n = bytes.length;
		this.delim = head.delimiter.charCodeAt(0);
		this.ncols = plan.length;
		this.keep = Uint8Array.from(plan, (c) => (c.keep ? 1 : 0));
		this.needs = Uint8Array.from(plan, (c) => (c.rule || c.watch || c.count ? 1 : 0));
		// In a contract file a row equal to the header is a concatenation seam; elsewhere it may be data.
		this.header = head.header && !input.exact ? { start: head.header.start, end: head.header.end } : null;
		this.trailingUnnamed = head.names.length > 1 && head.names[head.names.length - 1] === '';
		this.checker = new CellChecker(bytes, plan, input.exact);
		this.cls[SP] = this.cls[TAB] = C_SPACE;
		this.cls[QUOTE] = C_QUOTE;
		this.cls[0] = C_NUL;
		this.cls[LF] = this.cls[CR] = C_NEWLINE;
		this.cls[this.delim] = C_DELIM;
		this.invalid = input.invalid;
		this.lenient = input.lenientQuotes === true;
		while (this.inv < this.invalid.length && this.invalid[this.inv]! < head.bodyStart) this.inv++;
		this.i = head.bodyStart;
		this.line = head.bodyLine;
		for (const b of head.before) this.skipped.push({ line: b.line, reason: b.reason });
		this.read = head.before.length;
		this.sorted = input.duplicateKey !== undefined;
		this.rows = input.rows ?? null;
		this.discarding = input.discardClean === true;
		if (this.rows) this.checker.values = new Float64Array(this.ncols).fill(NaN);
		// The duplicate key's text and the rows' id are both patient_id: the checker keeps one span.
		const id = this.rows?.idColumn ?? input.duplicateKey?.text ?? -1;
		if (input.duplicateKey && input.duplicateKey.text !== id)
			throw new Error('the duplicate key and the rows must share their id column');
		this.checker.id.column = id;
		if (input.duplicateKey) this.checker.key.int = input.duplicateKey.int;
		// Room for the records and their line numbers; most files need no second allocation.
		const rest = this.n - this.i;
		this.out = new Uint8Array(
			(this.discarding ? Math.min(rest, 2 * MAX_RECORD_BYTES) : Math.ceil(rest * 1.3)) + 64
		);
	}

	get done(): boolean {
		return this.i >= this.n;
	}

	get position(): number {
		return this.i;
	}

	get records(): number {
		return this.read;
	}

	/** Records staged so far. */
	get stagedRecords(): number {
		return this.staged;
	}

	/**
	 * Scan records until `budget` more bytes have been read (at least one record), or until
	 * `stagedStop` records are staged.
	 */
	step(budget: number, stagedStop = Infinity): void {
		const b = this.b;
		const n = this.n;
		const delim = this.delim;
		const keep = this.keep;
		const needs = this.needs;
		const ncols = this.ncols;
		const cls = this.cls;
		const checker = this.checker;
		const problems = checker.problems;
		const invalid = this.invalid;
		const stop = Math.min(n, this.i + budget);
		let nextBad = this.inv < invalid.length ? invalid[this.inv]! : Infinity;
		let i = this.i;
		let line = this.line;
		let lf = 0;
		let crlf = 0;
		let cr = 0;
		while (i < n) {
			const room = (this.discarding ? Math.min(n - i, 2 * MAX_RECORD_BYTES) : n - i) + 32;
			if (this.out.length - this.o < room) this.grow(room);
			let out = this.out;
			let o = this.o;
			const recStart = i;
			const recLine = line;
			const recO = o;
			this.read++;

			// A comment line runs to the end of its physical line; quotes in it mean nothing.
			let k = i;
			while (k < n && cls[b[k]!] === C_SPACE) k++;
			if (b[k] === HASH) {
				if (this.discarding) this.stopDiscarding(recStart);
				while (k < n && b[k] !== LF && b[k] !== CR) k++;
				i = k < n ? (b[k] === CR && b[k + 1] === LF ? k + 2 : k + 1) : n;
				line++;
				while (nextBad < i) nextBad = invalid[++this.inv] ?? Infinity;
				this.skipped.push({ line: recLine, reason: 'comment line' });
				if (i >= stop) break;
				continue;
			}

			checker.line = recLine;
			checker.bad = false;
			const pending = problems.length;
			o = this.lineDigits.write(out, o, recLine);
			let field = 0;
			let fStart = i;
			let keepF = keep[0] === 1;
			if (keepF) out[o++] = delim;
			let oField = o;
			let quoted = false;
			let badQuote = false;
			// Lenient: the record had a stray quote, read as text; this field must be requoted.
			let strayRecord = false;
			let strayField = false;
			let nulField = -1;
			let badTextField = -1;
			let recEnd = -1;
			while (i < n) {
				// The common case: the bytes of a value, up to the next byte that means something.
				if (keepF) {
					while (i < n) {
						const c = b[i]!;
						if (cls[c]! > C_SPACE) break;
						out[o++] = c;
						i++;
					}
				} else while (i < n && cls[b[i]!]! <= C_SPACE) i++;
				if (i >= n) break;
				const c = b[i]!;
				const kind = cls[c]!;
				if (kind === C_QUOTE) {
					if (keepF) out[o++] = c;
					i++;
					if (i - 1 !== fStart) {
						if (this.lenient) strayRecord = strayField = true;
						else badQuote = true;
						continue;
					}
					// A quoted field: copy up to its closing quote; `""` is a quote inside it.
					quoted = true;
					if (keepF) this.quoted = true;
					for (;;) {
						if (i >= n) throw new UnterminatedQuote(recLine);
						const q = b[i]!;
						if (q === QUOTE) {
							if (b[i + 1] === QUOTE) {
								if (keepF) out[o++] = QUOTE;
								i++;
							} else if (!this.lenient || i + 1 >= n || cls[b[i + 1]!]! >= C_DELIM) break;
							else {
								// A stray quote read as text: staged doubled, as DuckDB reads it.
								strayRecord = true;
								if (keepF) {
									out = this.room(o, i);
									out[o++] = QUOTE;
								}
							}
						} else if (q === LF) {
							line++;
							this.altered++;
						} else if (q === CR) {
							if (b[i + 1] !== LF) line++;
							this.altered++;
						} else if (q === 0 && nulField < 0) nulField = field;
						if (keepF) out[o++] = q;
						i++;
					}
					if (keepF) out[o++] = QUOTE;
					i++;
					// Only a delimiter or a line break may follow the closing quote.
					if (i < n && cls[b[i]!]! < C_DELIM) badQuote = true;
					continue;
				}
				if (kind === C_NUL) {
					if (nulField < 0) nulField = field;
					if (keepF) out[o++] = c;
					i++;
					continue;
				}
				// A delimiter or a line break ends the field.
				if (field < ncols && needs[field] === 1 && !badQuote && i - recStart <= MAX_RECORD_BYTES)
					o = checker.finish(field, fStart, i, quoted, out, oField, o);
				if (strayField) {
					strayField = false;
					if (keepF) {
						out = this.room(o, i, o - oField + 2);
						o = this.requote(oField, o);
					}
				}
				if (nextBad < i) {
					if (badTextField < 0) badTextField = field;
					while (nextBad < i) nextBad = invalid[++this.inv] ?? Infinity;
				}
				if (kind === C_NEWLINE) {
					recEnd = i;
					if (c === LF) lf++;
					else if (b[i + 1] === LF) {
						crlf++;
						i++;
					} else cr++;
					i++;
					line++;
					break;
				}
				field++;
				i++;
				fStart = i;
				quoted = false;
				keepF = field < ncols && keep[field] === 1;
				if (keepF) out[o++] = delim;
				oField = o;
			}
			if (recEnd < 0) {
				// The last record, without a final line break.
				recEnd = n;
				if (field < ncols && needs[field] === 1 && !badQuote && n - recStart <= MAX_RECORD_BYTES)
					o = checker.finish(field, fStart, n, quoted, out, oField, o);
				if (strayField && keepF) {
					out = this.room(o, n, o - oField + 2);
					o = this.requote(oField, o);
				}
				if (nextBad < n) {
					if (badTextField < 0) badTextField = field;
					while (nextBad < n) nextBad = invalid[++this.inv] ?? Infinity;
				}
			}

			const fields = field + 1;
			const size = recEnd - recStart;
			let skip: SkippedLine['reason'] | null = null;
			let reject: string | null = null;
			let rejectColumn: string | null = null;
			if (isBlank(b, recStart, recEnd, delim)) skip = 'blank line';
			else if (
				this.header &&
				size === this.header.end - this.header.start &&
				same(b, recStart, this.header.start, size)
			)
				skip = 'repeated header';
			else if (size > MAX_RECORD_BYTES)
				reject = `the record is ${fileSize(size)}, over the ${fileSize(MAX_RECORD_BYTES)} limit for one record`;
			else if (nulField >= 0) {
				reject = 'a NUL byte (0x00) in the value';
				rejectColumn = this.columnName(nulField);
			} else if (badTextField >= 0) {
				reject = 'not valid UTF-8 text: check the file encoding, or export as "CSV UTF-8"';
				rejectColumn = this.columnName(badTextField);
			} else if (badQuote) reject = STRAY_QUOTE;
			else if (fields !== ncols) {
				const trailingExtra = fields === ncols + 1 && recEnd > recStart && b[recEnd - 1] === delim;
				const missingUnnamed = fields === ncols - 1 && this.trailingUnnamed;
				if (trailingExtra) {
					this.trailing++;
					this.altered++;
				} else if (missingUnnamed) {
					if (keep[ncols - 1] === 1) out[o++] = delim;
					this.altered++;
				} else {
					const expected = this.trailingUnnamed ? ncols - 1 : ncols;
					const missing = fields < expected ? ` (no value for ${this.columnName(fields)})` : '';
					reject = `expected ${expected} fields, found ${fields}${missing}`;
				}
			}
			if (strayRecord || reject === STRAY_QUOTE) {
				this.altered++;
				this.stray.count++;
				if (this.stray.lines.length < 10) this.stray.lines.push(recLine);
			}
			if (skip) {
				problems.length = pending;
				this.skipped.push({ line: recLine, reason: skip });
				o = recO;
			} else if (reject) {
				problems.length = pending;
				problems.push({ line: recLine, column: rejectColumn, value: null, rule: reject });
				o = recO;
			} else if (checker.bad) {
				o = recO;
			} else {
				if (this.sorted) this.compareKey(recLine);
				this.rows?.add(checker.values!, b, checker.id);
				out[o++] = LF;
				this.staged++;
			}
			if (this.discarding) {
				// Clean so far: the file's own bytes hold this record as staged.
				if (this.cleanWith(this.newlines.crlf + crlf, this.newlines.cr + cr)) o = recO;
				else this.stopDiscarding(recStart);
			}
			this.o = o;
			if (i >= stop || this.staged >= stagedStop) break;
		}
		this.i = i;
		this.line = line;
		this.newlines.lf += lf;
		this.newlines.crlf += crlf;
		this.newlines.cr += cr;
	}

	/**
	 * Where the first record that is not clean starts (ScanInput.discardClean): the records before
	 * it were counted, not staged; the end of the scan so far while every record is clean.
	 */
	get cleanEnd(): number {
		return this.unclean >= 0 ? this.unclean : this.i;
	}

	private stopDiscarding(at: number): void {
		this.discarding = false;
		this.unclean = at;
	}

	private taken = 0;

	/** Bytes staged since the last `takeStaged`. */
	get untaken(): number {
		return this.o - this.taken;
	}

	/** Every record so far is clean (ScanResult.clean); once false it stays false. */
	get clean(): boolean {
		return this.cleanWith(this.newlines.crlf, this.newlines.cr);
	}

	/** ScanResult.clean, given the CRLF and CR line ends counted so far (mid-slice, not yet in `newlines`). */
	private cleanWith(crlf: number, cr: number): boolean {
		return (
			this.altered === 0 &&
			this.checker.altered === 0 &&
			this.checker.problems.length === 0 &&
			this.skipped.length === this.input.head.before.length &&
			crlf === 0 &&
			cr === 0
		);
	}

	/** A kept field was quoted so far (it never goes back to false). */
	get anyQuoted(): boolean {
		return this.quoted;
	}

	/** Per column: a quoted value had padding so far (its staged values need trimming). */
	padded(): boolean[] {
		return this.checker.stats.map((s) => s.quotedPadding === true);
	}

	/**
	 * The records staged since the last call, whole records only, copied (the buffer may grow and
	 * move): a file can load while the rest of it is scanned. `result().staged` still holds them all.
	 */
	takeStaged(): Uint8Array {
		const bytes = this.out.slice(this.taken, this.o);
		this.taken = this.o;
		return bytes;
	}

	/** Everything the scan found; call once `done`. */
	result(): ScanResult {
		return {
			staged: this.out.subarray(0, this.o),
			stagedRecords: this.staged,
			read: this.read,
			skipped: this.skipped,
			problems: this.checker.problems,
			stats: this.checker.stats,
			newlines: this.newlines,
			trailingDelimiter: this.trailing,
			quoted: this.quoted,
			duplicates: this.sorted ? this.duplicates : null,
			strayQuotes: this.stray,
			clean: this.clean
		};
	}

	/**
	 * The output buffer with room for the rest of the input, and `extra`, after output position `o`
	 * (a stray quote read as text takes more room staged than in the file). Mid-record: `this.o` is moved
	 * so growing keeps the record's bytes; the record's end sets it again.
	 */
	private room(o: number, i: number, extra = 0): Uint8Array {
		const need = this.n - i + 32 + extra;
		if (this.out.length - o < need) {
			this.o = o;
			this.grow(need);
		}
		return this.out;
	}

	/** Quote the staged field `out[s, e)` holding a stray quote (text, as read): `a"b` -> `"a""b"`. */
	private requote(s: number, e: number): number {
		const out = this.out;
		let quotes = 0;
		for (let k = s; k < e; k++) if (out[k] === QUOTE) quotes++;
		if (quotes === 0) return e;
		const end = e + quotes + 2;
		let w = end - 1;
		out[w--] = QUOTE;
		for (let k = e - 1; k >= s; k--) {
			out[w--] = out[k]!;
			if (out[k] === QUOTE) out[w--] = QUOTE;
		}
		out[w] = QUOTE;
		this.quoted = true;
		return end;
	}

	/** Compare the record's key with the last staged one: note a repeat, or that the file is unsorted. */
	private compareKey(line: number): void {
		const { id, key } = this.checker;
		const p = this.prev;
		const cmp = p.end < 0 ? 1 : compareKey(this.b, id.start, id.end, key.value, p.start, p.end, p.value);
		if (cmp === 0) {
			this.duplicates.push({ line, first: p.line });
			return;
		}
		if (cmp < 0) this.sorted = false;
		p.start = id.start;
		p.end = id.end;
		p.value = key.value;
		p.line = line;
	}

	private columnName(field: number): string {
		const name = this.input.plan[field]?.header;
		return name ? name : `column ${field + 1}`;
	}

	private grow(need: number): void {
		const bigger = new Uint8Array(Math.floor(Math.max(this.out.length * 1.5, this.o + need * 1.25)));
		bigger.set(this.out.subarray(0, this.o));
		this.out = bigger;
	}
}

/** The reject of a record with a stray quote (strict reads); the report offers a relaxed read. */
export const STRAY_QUOTE = 'a quote character inside a field that is not properly quoted';

/** The relaxed read's warning: how many records it changed, and the first of them. */
export function strayQuoteWarning(stray: ScanResult['strayQuotes']): string {
	const lines =
		stray.lines.map((l) => `line ${l}`).join(', ') + (stray.count > stray.lines.length ? ', …' : '');
	return (
		`read with stray quotes as text, on request: ${stray.count} ${stray.count === 1 ? 'line' : 'lines'} ${stray.count === 1 ? 'has' : 'have'} a quote character ` +
		`inside a field that is not properly quoted, kept as part of the value (${lines}); check those values`
	);
}

export class UnterminatedQuote extends Error {
	constructor(readonly line: number) {
		super(`unterminated quote starting line ${line}`);
	}
}

/** Scan a whole file in one go (tests, small files). */
export function scanAll(input: ScanInput): ScanResult {
	const s = new Scanner(input);
	while (!s.done) s.step(Number.MAX_SAFE_INTEGER);
	return s.result();
}

/**
 * The physical line number as ASCII digits, written straight into the staged buffer. Records are
 * mostly one line each: the last number's digits are counted up by one rather than worked out
 * again with two divisions per digit.
 */
class LineDigits {
	private readonly digits = new Uint8Array(16);
	private len = 0;
	private value = -2;

	write(out: Uint8Array, o: number, v: number): number {
		const d = this.digits;
		if (v === this.value + 1 && this.countUp()) this.value = v;
		else if (v !== this.value) this.set(v);
		const len = this.len;
		for (let k = 0; k < len; k++) out[o + k] = d[k]!;
		return o + len;
	}

	/** Add one to the digits in place: false when that needs a digit more (99 to 100). */
	private countUp(): boolean {
		const d = this.digits;
		for (let k = this.len - 1; k >= 0; k--) {
			if (d[k] !== 0x39) {
				d[k]!++;
				return true;
			}
			d[k] = 0x30;
		}
		return false;
	}

	private set(v: number): void {
		const d = this.digits;
		let len = 1;
		for (let w = v; w >= 10; w = (w / 10) | 0) len++;
		for (let k = len - 1, w = v; k >= 0; k--, w = (w / 10) | 0) d[k] = 0x30 + (w % 10);
		this.len = len;
		this.value = v;
	}
}

/** Only spaces, tabs and delimiters (`,,,` is what a spreadsheet writes for an empty row). */
function isBlank(b: Uint8Array, s: number, e: number, delim: number): boolean {
	for (let k = s; k < e; k++) {
		const c = b[k];
		if (c !== SP && c !== TAB && c !== delim) return false;
	}
	return true;
}

/** Order of two (text bytes, whole number) keys: -1, 0 or 1. */
function compareKey(
	b: Uint8Array,
	s1: number,
	e1: number,
	v1: number,
	s2: number,
	e2: number,
	v2: number
): number {
	const n = Math.min(e1 - s1, e2 - s2);
	for (let k = 0; k < n; k++) {
		const d = b[s1 + k]! - b[s2 + k]!;
		if (d !== 0) return d < 0 ? -1 : 1;
	}
	if (e1 - s1 !== e2 - s2) return e1 - s1 < e2 - s2 ? -1 : 1;
	return v1 === v2 ? 0 : v1 < v2 ? -1 : 1;
}

/** The `len` bytes at `a` and at `h` are the same. */
export function same(b: Uint8Array, a: number, h: number, len: number): boolean {
	for (let k = 0; k < len; k++) if (b[a + k] !== b[h + k]) return false;
	return true;
}

/** A size for people: `85 bytes`, `12 KB`, `2.2 MB`. */
export function fileSize(n: number): string {
	if (n < 1024) return `${n} bytes`;
	if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
	return `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;
}
