import {
	DATE_BAD,
	DATE_DMY,
	DATE_EITHER,
	DATE_ISO,
	DATE_MDY,
	DATE_SERIAL,
	readDate,
	type DateRead
} from './dates';
import { classifyValue, isAgeOver89, V_AGE, V_COUNT } from './identifiers';
import type { CellRule, ColumnPlan } from './plan';
import type { Problem } from './report';

/**
 * The strict cast of one cell, from its bytes: the contract's type, range and domain checks,
 * null spellings, decimal commas, date shapes and identifier shapes. A failed check is a cell
 * error with file line, column and reason. Valid cells are rewritten in the staged buffer into
 * the one form DuckDB reads (trimmed, `.` decimals, canonical enum spelling, the date part only),
 * so DuckDB's own, more lenient casts (`5.5` to INTEGER is 6) never decide anything.
 */

/** What the scan learned about one column; identifier shapes are counts, never values. */
export interface ColumnStats {
	values: number;
	hits: Int32Array;
	/** Text values starting with = + - @ tab CR LF (spreadsheet formulas). */
	formula: number;
	/** Kept text values with spaces inside their quotes: SQL trims the column. */
	quotedPadding: boolean;
	comma: number;
	point: number;
	commaLines: number[];
	pointLines: number[];
	iso: number;
	either: number;
	withTime: number;
	withZone: number;
	/** Every line whose date is valid only as M/D (or only as D/M). */
	mdyLines: number[];
	dmyLines: number[];
}

export function newStats(): ColumnStats {
	return {
		values: 0,
		hits: new Int32Array(V_COUNT),
		formula: 0,
		quotedPadding: false,
		comma: 0,
		point: 0,
		commaLines: [],
		pointLines: [],
		iso: 0,
		either: 0,
		withTime: 0,
		withZone: 0,
		mdyLines: [],
		dmyLines: []
	};
}

const SP = 0x20;
const TAB = 0x09;
const MINUS = 0x2d;
const DOT = 0x2e;
const COMMA = 0x2c;
const MAX_VALUE_CHARS = 80;
const LINES_KEPT = 20;

/** 10^k, exact for k <= 22: `10 ** k` in the hot path cost a few percent of a scan. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);

const decoder = new TextDecoder();
const encoder = new TextEncoder();

// What the checker does with a column, as a number the hot path can switch on.
const R_COUNT = 0;
const R_WATCH = 1;
const R_TEXT = 2;
const R_ID = 3;
const R_INT = 4;
const R_NUM = 5;
const R_ENUM = 6;
const R_DATE = 7;
const R_AGE = 8;

const ROLE: Record<CellRule['kind'], number> = {
	text: R_TEXT,
	id: R_ID,
	integer: R_INT,
	number: R_NUM,
	enum: R_ENUM,
	date: R_DATE,
	age: R_AGE
};

export class CellChecker {
	readonly stats: ColumnStats[];
	readonly problems: Problem[] = [];
	/** The current record has a cell error. */
	bad = false;
	/**
	 * Kept fields staged other than as written (trimmed, emptied, a decimal comma, an enum's
	 * spelling, a time cut off): while 0, DuckDB reading the file's own bytes reads what was staged.
	 */
	altered = 0;
	line = 0;
	/**
	 * Each column's value in the current record, for a tally of the rules (tally.ts), or null when
	 * nothing tallies: a number, an enum's index in its values, 0 for other text, NaN for NULL.
	 */
	values: Float64Array | null = null;
	/**
	 * The patient_id of the current record as `b[start, end)`: `sure` when that is the value
	 * loaded (not quoted with padding or quotes inside, which SQL would undo).
	 */
	readonly id = { column: -1, start: 0, end: 0, sure: true };
	private readonly role: Uint8Array;
	private readonly required: Uint8Array;
	private readonly keep: Uint8Array;
	private readonly watch: Uint8Array;
	private readonly enums: (Uint8Array[] | null)[];
	/** Per enum column, its value by length and first letter (enumKey; -1: none, -2: look through all). */
	private readonly enumKeys: (Int8Array | null)[];
	private readonly date: DateRead = { form: 0, dateEnd: 0, hasTime: false, hasZone: false };
	/** The decimal separator of the last number parsed. */
	private sep = 0;
	/** The last whole number parsed. */
	private int = 0;
	/** The last number parsed. */
	private num = 0;
	/** The index of the last enum value matched. */
	private enumIndex = 0;
	/** The last number parsed was a 0 that means "not recorded" (CellRule.zeroIsNull). */
	private zero = false;
	/**
	 * The whole-number part of the duplicate key of the current record (pain_scores: day, beside
	 * patient_id in `id`), kept so the scanner can find repeated keys in a sorted file without a
	 * database pass.
	 */
	readonly key = { int: -1, value: 0 };

	constructor(
		private readonly b: Uint8Array,
		private readonly cols: readonly ColumnPlan[],
		private readonly exact: boolean
	) {
		this.stats = cols.map(() => newStats());
		this.role = Uint8Array.from(cols, (c) => (c.rule ? ROLE[c.rule.kind] : c.watch ? R_WATCH : R_COUNT));
		this.required = Uint8Array.from(cols, (c) => (c.rule?.required ? 1 : 0));
		this.keep = Uint8Array.from(cols, (c) => (c.keep ? 1 : 0));
		this.watch = Uint8Array.from(cols, (c) => (c.watch ? 1 : 0));
		this.enums = cols.map((c) => (c.rule?.values ? c.rule.values.map((v) => encoder.encode(v)) : null));
		this.enumKeys = this.enums.map((values) => {
			if (!values) return null;
			const keys = new Int8Array(ENUM_KEYS).fill(-1);
			values.forEach((v, j) => {
				const k = enumKey(v.length, v[0]!);
				keys[k] = keys[k] === -1 && j < 127 ? j : -2;
			});
			return keys;
		});
	}

	/**
	 * Check field `col` (raw bytes `b[s, e)`, `quoted` when it starts with a quote) and return the
	 * end of its staged copy, which starts at `out[oField]` (a byte-for-byte copy of the raw field).
	 */
	finish(
		col: number,
		s: number,
		e: number,
		quoted: boolean,
		out: Uint8Array,
		oField: number,
		o: number
	): number {
		const b = this.b;
		const st = this.stats[col]!;
		let cs = s;
		let ce = e;
		if (quoted) {
			cs++;
			ce--;
		}
		if (this.exact) {
			if (ce > cs) st.values++;
			return o;
		}
		let c = b[cs];
		if (c === SP || c === TAB) while (cs < ce && (b[cs] === SP || b[cs] === TAB)) cs++;
		c = b[ce - 1];
		if (c === SP || c === TAB) while (ce > cs && (b[ce - 1] === SP || b[ce - 1] === TAB)) ce--;
		const values = this.values;
		if (ce === cs || (ce - cs <= 4 && isNullSpelling(b, cs, ce))) {
			if (values) values[col] = NaN;
			if (this.required[col] === 1) this.fail(col, null, 'required value missing');
			if (this.keep[col] !== 1) return o;
			// An empty unquoted field is NULL as written; `""`, spaces and `NA` are emptied.
			if (e > s) this.altered++;
			return oField;
		}
		st.values++;
		if (values) values[col] = 0;
		const role = this.role[col]!;
		const plain = !quoted && cs === s && ce === e;
		let error: string | null = null;
		switch (role) {
			case R_COUNT:
				return o;
			case R_WATCH:
				classifyValue(b, cs, ce, st.hits, true);
				return o;
			case R_TEXT:
			case R_ID: {
				if (this.watch[col] === 1) classifyValue(b, cs, ce, st.hits, false);
				const first = b[quoted ? s + 1 : cs]!;
				if (
					first === 0x3d ||
					first === 0x2b ||
					first === MINUS ||
					first === 0x40 ||
					first === TAB ||
					first === 0x0d ||
					first === 0x0a
				)
					st.formula++;
				if (role === R_ID && ce - cs > 64 && charLength(b, cs, ce) > 64)
					this.fail(col, this.text(cs, ce, quoted), 'longer than 64 characters');
				if (col === this.id.column) {
					this.id.start = cs;
					this.id.end = ce;
					this.id.sure = !quoted || (cs === s + 1 && ce === e - 1 && b.subarray(cs, ce).indexOf(0x22) < 0);
				}
				if (quoted) {
					if (cs !== s + 1 || ce !== e - 1) {
						st.quotedPadding = true;
						this.altered++;
					}
					return o;
				}
				return plain ? o : this.copy(cs, ce, out, oField);
			}
			case R_INT:
				error = this.integer(col, cs, ce, 'expected a whole number');
				if (!error) {
					if (this.zero) return this.notRecorded(col, st, oField, o);
					if (values) values[col] = this.int;
					if (col === this.key.int) this.key.value = this.int;
					return plain ? o : this.copy(cs, ce, out, oField);
				}
				break;
			case R_NUM:
				error = this.number(col, cs, ce, st);
				if (!error) {
					if (this.zero) return this.notRecorded(col, st, oField, o);
					if (values) values[col] = this.num;
					if (!plain) o = this.copy(cs, ce, out, oField);
					if (this.sep === COMMA) {
						for (let k = oField; k < o; k++) if (out[k] === COMMA) out[k] = DOT;
						this.altered++;
					}
					return o;
				}
				break;
			case R_ENUM:
				if (this.enumValue(col, cs, ce, out, oField, plain)) {
					if (values) values[col] = this.enumIndex;
					return oField + (ce - cs);
				}
				error = `expected one of ${this.cols[col]!.rule!.values!.join(', ')}`;
				break;
			case R_AGE:
				if (ce - cs === 3 && b[cs] === 0x39 && b[cs + 1] === 0x30 && b[cs + 2] === 0x2b)
					return plain ? o : this.copy(cs, ce, out, oField);
				if (isAgeOver89(b, cs, ce)) st.hits[V_AGE]!++;
				error = this.integer(col, cs, ce, 'expected a whole number 18-89 or 90+');
				if (!error) return plain ? o : this.copy(cs, ce, out, oField);
				break;
			case R_DATE: {
				const d = readDate(b, cs, ce, this.date);
				error = this.dateValue(d, st);
				if (!error) return plain && d.dateEnd === e ? o : this.copy(cs, d.dateEnd, out, oField);
				break;
			}
		}
		if (this.watch[col] === 1) classifyValue(b, cs, ce, st.hits, false);
		this.fail(col, this.text(cs, ce, quoted), error!);
		return o;
	}

	/** A 0 that means "not recorded": staged empty, so it loads as NULL, never as the number 0. */
	private notRecorded(col: number, st: ColumnStats, oField: number, o: number): number {
		st.values--;
		if (this.values) this.values[col] = NaN;
		if (this.keep[col] !== 1) return o;
		this.altered++;
		return oField;
	}

	/** Stage the value `b[cs, ce)` in place of the field as written (quotes or padding removed). */
	private copy(cs: number, ce: number, out: Uint8Array, oField: number): number {
		this.altered++;
		return copy(this.b, cs, ce, out, oField);
	}

	private fail(col: number, value: string | null, rule: string): void {
		this.bad = true;
		this.problems.push({ line: this.line, column: this.cols[col]!.header, value, rule });
	}

	/** The cell as text for a message (quotes undone), at most 80 characters. */
	private text(cs: number, ce: number, quoted: boolean): string {
		let t = decoder.decode(this.b.subarray(cs, ce));
		if (quoted) t = t.replaceAll('""', '"');
		return t.length > MAX_VALUE_CHARS ? t.slice(0, MAX_VALUE_CHARS) + '…' : t;
	}

	private integer(col: number, cs: number, ce: number, message: string): string | null {
		const b = this.b;
		let i = cs;
		if (b[i] === MINUS) i++;
		const neg = i > cs;
		const rule = this.cols[col]!.rule!;
		this.zero = false;
		if (i === ce) return message;
		if (ce - i > 10) return allDigits(b, i, ce) ? (rangeMessage(rule) ?? message) : message;
		let v = 0;
		for (; i < ce; i++) {
			const d = b[i]! - 0x30;
			if (d < 0 || d > 9) return message;
			v = v * 10 + d;
		}
		if (neg) v = -v;
		if (v > 2147483647 || v < -2147483648) return rangeMessage(rule) ?? message;
		this.int = v;
		if (v === 0 && rule.zeroIsNull) {
			this.zero = true;
			return null;
		}
		return rangeError(rule, v);
	}

	private number(col: number, cs: number, ce: number, st: ColumnStats): string | null {
		const b = this.b;
		const rule = this.cols[col]!.rule!;
		let i = cs;
		if (b[i] === MINUS) i++;
		const neg = i > cs;
		let mant = 0;
		let digits = 0;
		let decimals = 0;
		let sep = 0;
		this.zero = false;
		for (; i < ce; i++) {
			const c = b[i]!;
			if (c >= 0x30 && c <= 0x39) {
				mant = mant * 10 + (c - 0x30);
				digits++;
				if (sep) decimals++;
			} else if ((c === DOT || c === COMMA) && !sep) sep = c;
			else return numberMessage(this.text(cs, ce, false), rule);
		}
		if (digits === 0 || (sep === COMMA && !rule.decimalComma))
			return numberMessage(this.text(cs, ce, false), rule);
		this.sep = sep;
		if (rule.decimalComma && decimals > 0) {
			if (sep === COMMA) {
				st.comma++;
				if (st.commaLines.length < LINES_KEPT) st.commaLines.push(this.line);
			} else {
				st.point++;
				if (st.pointLines.length < LINES_KEPT) st.pointLines.push(this.line);
			}
		}
		if (rule.maxDecimals !== undefined && decimals > rule.maxDecimals)
			return `expected at most ${rule.maxDecimals} decimal`;
		if (mant === 0 && rule.zeroIsNull) {
			this.zero = true;
			return null;
		}
		this.num = (neg ? -mant : mant) / (POW10[decimals] ?? 10 ** decimals);
		return rangeError(rule, this.num);
	}

	/** Match an enum value case-insensitively; write its canonical spelling into the staged copy. */
	private enumValue(
		col: number,
		cs: number,
		ce: number,
		out: Uint8Array,
		oField: number,
		plain: boolean
	): boolean {
		const b = this.b;
		const len = ce - cs;
		const values = this.enums[col]!;
		// Most values are told apart by their length and first letter: one to compare, or none.
		const only = this.enumKeys[col]![enumKey(len, b[cs]!)]!;
		if (only === -1) return false;
		const [from, to] = only === -2 ? [0, values.length] : [only, only + 1];
		for (let j = from; j < to; j++) {
			const v = values[j]!;
			if (v.length !== len) continue;
			let k = 0;
			let same = true;
			for (; k < len; k++) {
				const c = b[cs + k]!;
				const w = v[k]!;
				if (c !== w) {
					if ((c | 0x20) !== (w | 0x20)) break;
					same = false;
				}
			}
			if (k < len) continue;
			this.enumIndex = j;
			// Usually spelled as the contract spells it: then the copy already holds it.
			if (!same || !plain) {
				for (k = 0; k < len; k++) out[oField + k] = v[k]!;
				this.altered++;
			}
			return true;
		}
		return false;
	}

	private dateValue(d: DateRead, st: ColumnStats): string | null {
		switch (d.form) {
			case DATE_BAD:
				return 'expected a date (YYYY-MM-DD, M/D/YYYY or D/M/YYYY)';
			case DATE_SERIAL:
				return 'a number, not a date: an Excel serial date? Format the column as dates (YYYY-MM-DD) before exporting';
			case DATE_ISO:
				st.iso++;
				break;
			case DATE_MDY:
				st.mdyLines.push(this.line);
				break;
			case DATE_DMY:
				st.dmyLines.push(this.line);
				break;
			case DATE_EITHER:
				st.either++;
				break;
		}
		if (d.hasTime) st.withTime++;
		if (d.hasZone) st.withZone++;
		return null;
	}
}

/** Slots of an enum column's key table: lengths 0-63 by 32 first-letter classes. */
const ENUM_KEYS = 64 * 32;

/**
 * Where an enum value of `len` bytes starting with byte `first` sits in its column's key table:
 * a letter counts in either case (as enum values match), a longer value shares the last length.
 */
function enumKey(len: number, first: number): number {
	return (len < 63 ? len : 63) * 32 + ((first | 0x20) & 31);
}

function copy(b: Uint8Array, s: number, e: number, out: Uint8Array, o: number): number {
	for (let k = s; k < e; k++) out[o++] = b[k]!;
	return o;
}

function allDigits(b: Uint8Array, s: number, e: number): boolean {
	for (let i = s; i < e; i++) if (b[i]! < 0x30 || b[i]! > 0x39) return false;
	return e > s;
}

/** Characters, not bytes: UTF-8 continuation bytes do not count. */
function charLength(b: Uint8Array, s: number, e: number): number {
	let n = 0;
	for (let i = s; i < e; i++) if ((b[i]! & 0xc0) !== 0x80) n++;
	return n;
}

/** The one documented list of null spellings (any case, after trimming); isNullSpelling matches it. */
export const NULL_SPELLINGS = ['', 'na', 'n/a', 'null', 'none', '-', '.'] as const;

/** `NA`, `N/A`, `NULL`, `none`, `-`, `.` in any case: NULL_SPELLINGS, without making a string. */
function isNullSpelling(b: Uint8Array, s: number, e: number): boolean {
	const len = e - s;
	const c0 = b[s]! | 0x20;
	if (len === 1) return b[s] === MINUS || b[s] === DOT;
	if (c0 === 0x6e) {
		const c1 = b[s + 1]! | 0x20;
		if (len === 2) return c1 === 0x61; // na
		if (len === 3) return b[s + 1] === 0x2f && (b[s + 2]! | 0x20) === 0x61; // n/a
		if (len === 4)
			return (
				(c1 === 0x75 && (b[s + 2]! | 0x20) === 0x6c && (b[s + 3]! | 0x20) === 0x6c) || // null
				(c1 === 0x6f && (b[s + 2]! | 0x20) === 0x6e && (b[s + 3]! | 0x20) === 0x65) // none
			);
	}
	return false;
}

function rangeMessage(rule: CellRule): string | null {
	if (rule.min !== undefined && rule.max !== undefined) return `expected ${rule.min}-${rule.max}`;
	if (rule.min !== undefined) return `expected at least ${rule.min}`;
	if (rule.positive) return 'expected a number greater than 0';
	return null;
}

function rangeError(rule: CellRule, v: number): string | null {
	if (rule.min !== undefined && v < rule.min) return rangeMessage(rule);
	if (rule.max !== undefined && v > rule.max) return rangeMessage(rule);
	if (rule.positive && v <= 0) return 'expected a number greater than 0';
	return null;
}

const UNIT_RE = /^-?\d*[.,]?\d+\s*([a-zA-Zµ%/][a-zA-Zµ%/]*)$/;
const THOUSANDS_RE = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;
const NON_FINITE_RE = /^[-+]?(nan|inf|infinity)$/i;

/** Why a text is not a number, in the words a user can act on. */
function numberMessage(text: string, rule: CellRule): string {
	const unit = UNIT_RE.exec(text);
	if (unit) return `expected a number without a unit ("${unit[1]}" belongs in the unit column)`;
	if (!rule.decimalComma && THOUSANDS_RE.test(text)) return 'expected a number without thousands separators';
	if (!rule.decimalComma && /^-?\d+,\d+$/.test(text))
		return 'expected a number with a decimal point (a decimal comma is read only in ;-delimited files)';
	if (NON_FINITE_RE.test(text)) return 'expected a finite number';
	return 'expected a number';
}
