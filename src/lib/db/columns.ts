/**
 * A query result as columns of typed arrays, for results too large for one object per row (the
 * researcher export reads millions of rows: as row objects they held the page for seconds and
 * took gigabytes). Each column is one of:
 *
 * - number (integers, BIGINT as number, doubles): a Float64Array, and a Uint8Array marking nulls;
 * - boolean: a Uint8Array, 0 false, 1 true, 2 null;
 * - text: an Int32Array of indexes into the column's distinct values, -1 for null.
 *
 * Typed arrays can be transferred to a worker rather than copied, and a column's few distinct
 * texts are held once each.
 */
export type Column =
	| { kind: 'number'; values: Float64Array<ArrayBuffer>; nulls: Uint8Array<ArrayBuffer> }
	| { kind: 'boolean'; values: Uint8Array<ArrayBuffer> }
	| { kind: 'text'; codes: Int32Array<ArrayBuffer>; dictionary: string[] };

export interface Columns {
	length: number;
	names: string[];
	columns: Column[];
}

/** The one value of row `i` of a column, as a row of `query` would hold it. */
export function cellOf(c: Column, i: number): string | number | boolean | null {
	if (c.kind === 'number') return c.nulls[i] ? null : c.values[i]!;
	if (c.kind === 'boolean') return c.values[i] === 2 ? null : c.values[i] === 1;
	const code = c.codes[i]!;
	return code === -1 ? null : c.dictionary[code]!;
}

/**
 * A text column's distinct values as they come: `code(text)` gives the value's index, adding it to
 * `dictionary` the first time.
 */
export function textDictionary(): { code: (text: string) => number; dictionary: string[] } {
	const dictionary: string[] = [];
	const index = new Map<string, number>();
	const code = (text: string): number => {
		let c = index.get(text);
		if (c === undefined) {
			c = dictionary.length;
			index.set(text, c);
			dictionary.push(text);
		}
		return c;
	};
	return { code, dictionary };
}

/** The columns' rows as objects: for tests and small results only. */
export function columnsToRows(t: Columns): Record<string, string | number | boolean | null>[] {
	return Array.from({ length: t.length }, (_, i) =>
		Object.fromEntries(t.names.map((name, j) => [name, cellOf(t.columns[j]!, i)]))
	);
}

/** The Arrow (apache-arrow 17, inside duckdb-wasm) members read here. */
interface ArrowType {
	typeId: number;
	bitWidth?: number;
	toString(): string;
}
interface ArrowData {
	type: ArrowType;
	length: number;
	offset: number;
	nullCount: number;
	nullBitmap?: Uint8Array;
	values: ArrayLike<number | bigint> & { subarray?: unknown };
	valueOffsets?: Int32Array;
	dictionary?: ArrowVector;
}
interface ArrowVector {
	type: ArrowType;
	length: number;
	data: ArrowData[];
	get(i: number): unknown;
}
export interface ArrowTable {
	numRows: number;
	schema: { fields: { name: string; type: ArrowType }[] };
	getChildAt(i: number): ArrowVector | null;
}

// Arrow's type ids (apache-arrow `Type`, fixed by the format).
const INT = 2;
const FLOAT = 3;
const UTF8 = 5;
const BOOL = 6;
const DICTIONARY = -1;

/** An Arrow table's columns (see Column); a type with no place here is refused by name. */
export function arrowToColumns(table: ArrowTable): Columns {
	const names = table.schema.fields.map((f) => f.name);
	return { length: table.numRows, names, columns: names.map((name, j) => columnAt(table, name, j)) };
}

/**
 * The same, awaiting `pause` after each column: the page's main thread answers the user between
 * columns (a million rows of one column take a few hundred milliseconds).
 */
export async function arrowToColumnsPaused(table: ArrowTable, pause: () => Promise<void>): Promise<Columns> {
	const names = table.schema.fields.map((f) => f.name);
	const columns: Column[] = [];
	for (const [j, name] of names.entries()) {
		columns.push(columnAt(table, name, j));
		await pause();
	}
	return { length: table.numRows, names, columns };
}

/**
 * A task boundary: what the page queued (a click, a frame) runs before the next statement. A
 * message, not a timer: a hidden tab runs timers at most once a second.
 */
export function yieldToPage(): Promise<void> {
	return new Promise((resolve) => {
		const channel = new MessageChannel();
		channel.port1.onmessage = () => {
			channel.port1.close();
			resolve();
		};
		channel.port2.postMessage(null);
	});
}

function columnAt(table: ArrowTable, name: string, j: number): Column {
	const vector = table.getChildAt(j);
	if (!vector) throw new Error(`column ${name}: missing from the result`);
	return arrowColumn(name, vector, table.numRows);
}

function arrowColumn(name: string, vector: ArrowVector, length: number): Column {
	const { typeId } = vector.type;
	if (typeId === INT || typeId === FLOAT) {
		const values = new Float64Array(length);
		const nulls = new Uint8Array(length);
		let at = 0;
		for (const data of vector.data) {
			const n = data.length;
			const v = data.values;
			if (v instanceof BigInt64Array || v instanceof BigUint64Array)
				for (let i = 0; i < n; i++) values[at + i] = Number(v[i]!);
			else values.set((v as Float64Array).subarray(0, n), at);
			const none = nullsOf(data);
			if (none) {
				nulls.set(none, at);
				// What a null's slot holds is unspecified: zero, so equal results are equal arrays.
				for (let i = 0; i < n; i++) if (none[i]) values[at + i] = 0;
			}
			at += n;
		}
		return { kind: 'number', values, nulls };
	}
	if (typeId === BOOL) {
		const values = new Uint8Array(length);
		let at = 0;
		for (const data of vector.data) {
			const bits = data.values as Uint8Array;
			const none = nullsOf(data);
			const offset = data.offset;
			for (let i = 0; i < data.length; i++, at++) {
				const bit = offset + i;
				values[at] = none && none[i] ? 2 : (bits[bit >> 3]! >> (bit & 7)) & 1;
			}
		}
		return { kind: 'boolean', values };
	}
	if (typeId === UTF8 || typeId === DICTIONARY) {
		const codes = new Int32Array(length);
		const { code, dictionary } = textDictionary();
		let at = 0;
		for (const data of vector.data) {
			textCodes(name, data, code, codes, at);
			at += data.length;
		}
		return { kind: 'text', codes, dictionary };
	}
	throw new Error(`column ${name}: ${String(vector.type)} is not read as columns`);
}

/** 1 where a row of the chunk is null; null when none is. */
function nullsOf(data: ArrowData): Uint8Array | null {
	const bits = data.nullBitmap;
	if (!(data.nullCount > 0) || !bits || bits.length === 0) return null;
	const none = new Uint8Array(data.length);
	for (let i = 0; i < data.length; i++) {
		const bit = data.offset + i;
		none[i] = ((bits[bit >> 3]! >> (bit & 7)) & 1) ^ 1;
	}
	return none;
}

const decoder = new TextDecoder();

/**
 * The codes of one chunk of a text column, written into `codes` from `at`. A row with the same
 * bytes as the row before takes its code without being decoded: the export's rows come grouped by
 * patient, so most ids and many drug names repeat the row above.
 */
function textCodes(
	name: string,
	data: ArrowData,
	code: (text: string) => number,
	codes: Int32Array,
	at: number
): void {
	const none = nullsOf(data);
	const n = data.length;
	if (data.type.typeId === DICTIONARY) {
		const dictionary = data.dictionary;
		if (!dictionary) throw new Error(`column ${name}: a dictionary column without its values`);
		const keyCode = Array.from({ length: dictionary.length }, (_, k) => code(String(dictionary.get(k))));
		const keys = data.values;
		for (let i = 0; i < n; i++) codes[at + i] = none && none[i] ? -1 : keyCode[Number(keys[i]!)]!;
		return;
	}
	const offsets = data.valueOffsets!;
	const bytes = data.values as Uint8Array;
	const first = offsets[0]!;
	const end = offsets[n]!;
	// One decode for the chunk: when every byte is ASCII, byte offsets are string offsets.
	const whole = decoder.decode(bytes.subarray(first, end));
	const ascii = whole.length === end - first;
	let before = -1;
	for (let i = 0; i < n; i++) {
		if (none && none[i]) {
			codes[at + i] = -1;
			continue;
		}
		const a = offsets[i]!;
		const b = offsets[i + 1]!;
		if (before >= 0 && sameBytes(bytes, offsets[before]!, offsets[before + 1]!, a, b)) {
			codes[at + i] = codes[at + before]!;
		} else {
			codes[at + i] = code(ascii ? whole.slice(a - first, b - first) : decoder.decode(bytes.subarray(a, b)));
		}
		before = i;
	}
}

function sameBytes(bytes: Uint8Array, a0: number, a1: number, b0: number, b1: number): boolean {
	if (a1 - a0 !== b1 - b0) return false;
	for (let k = 0; k < a1 - a0; k++) if (bytes[a0 + k] !== bytes[b0 + k]) return false;
	return true;
}
