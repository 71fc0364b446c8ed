import type { Cell } from './csv';
import type { ColumnType } from './tables';
import type { BundleContent, BundleTable } from './write';

/**
 * A bundle's tables in columns of typed arrays, for the trip to the bundle worker. Posting rows as
 * objects made the browser copy every row and key on the page's main thread (at 376,000 rows about
 * a second, during which the page could not answer); typed arrays are transferred, not copied, and
 * the few distinct texts of a column travel once each.
 *
 * - integer and double: a Float64Array, and a Uint8Array marking nulls;
 * - boolean: a Uint8Array, 0 false, 1 true, 2 null;
 * - text: an Int32Array of indexes into the column's distinct values, -1 for null.
 *
 * Only the table's declared columns travel: they are all the writer reads.
 */
export type PackedColumn =
	| { kind: 'number'; values: Float64Array<ArrayBuffer>; nulls: Uint8Array<ArrayBuffer> }
	| { kind: 'boolean'; values: Uint8Array<ArrayBuffer> }
	| { kind: 'text'; codes: Int32Array<ArrayBuffer>; dictionary: string[] };

export interface PackedTable extends Omit<BundleTable, 'rows'> {
	length: number;
	packed: PackedColumn[];
}

export type PackedContent = Omit<BundleContent, 'tables'> & { tables: PackedTable[] };

function packColumn(type: ColumnType, name: string, rows: readonly Record<string, Cell>[]): PackedColumn {
	const n = rows.length;
	if (type === 'integer' || type === 'double') {
		const values = new Float64Array(n);
		const nulls = new Uint8Array(n);
		for (let i = 0; i < n; i++) {
			const v = rows[i]![name] ?? null;
			if (v === null) nulls[i] = 1;
			else if (typeof v === 'number') values[i] = v;
			else throw new Error(`column ${name} (${type}) got ${typeof v} ${String(v)}`);
		}
		return { kind: 'number', values, nulls };
	}
	if (type === 'boolean') {
		const values = new Uint8Array(n);
		for (let i = 0; i < n; i++) {
			const v = rows[i]![name] ?? null;
			if (v === null) values[i] = 2;
			else if (typeof v === 'boolean') values[i] = v ? 1 : 0;
			else throw new Error(`column ${name} (boolean) got ${typeof v} ${String(v)}`);
		}
		return { kind: 'boolean', values };
	}
	const codes = new Int32Array(n);
	const dictionary: string[] = [];
	const index = new Map<string, number>();
	for (let i = 0; i < n; i++) {
		const v = rows[i]![name] ?? null;
		if (v === null) {
			codes[i] = -1;
			continue;
		}
		if (typeof v !== 'string') throw new Error(`column ${name} (text) got ${typeof v} ${String(v)}`);
		let code = index.get(v);
		if (code === undefined) {
			code = dictionary.length;
			index.set(v, code);
			dictionary.push(v);
		}
		codes[i] = code;
	}
	return { kind: 'text', codes, dictionary };
}

/** The content with its tables packed, and the buffers to transfer with it. */
export function packContent(content: BundleContent): { packed: PackedContent; transfer: ArrayBuffer[] } {
	const transfer: ArrayBuffer[] = [];
	const tables = content.tables.map(({ rows, ...t }) => {
		const packed = t.columns.map((c) => packColumn(c.type, c.name, rows));
		for (const p of packed) {
			if (p.kind === 'number') transfer.push(p.values.buffer, p.nulls.buffer);
			else if (p.kind === 'boolean') transfer.push(p.values.buffer);
			else transfer.push(p.codes.buffer);
		}
		return { ...t, length: rows.length, packed };
	});
	return { packed: { ...content, tables }, transfer };
}

/** The rows back, one object per row with the declared columns, in column order. */
export function unpackContent(packed: PackedContent): BundleContent {
	const tables = packed.tables.map(({ length, packed: columns, ...t }) => {
		const rows: Record<string, Cell>[] = new Array(length);
		for (let i = 0; i < length; i++) {
			const row: Record<string, Cell> = {};
			for (let j = 0; j < columns.length; j++) {
				const c = columns[j]!;
				const name = t.columns[j]!.name;
				row[name] =
					c.kind === 'number'
						? c.nulls[i]
							? null
							: c.values[i]!
						: c.kind === 'boolean'
							? c.values[i] === 2
								? null
								: c.values[i] === 1
							: c.codes[i] === -1
								? null
								: c.dictionary[c.codes[i]!]!;
			}
			rows[i] = row;
		}
		return { ...t, rows };
	});
	return { ...packed, tables };
}
