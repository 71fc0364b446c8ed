import { columnsToRows, textDictionary, type Column, type Columns } from '$lib/db/columns';
import type { Database } from '$lib/db/types';
import type { Query } from '$lib/sql';
import type { ColumnType } from './tables';
import type { BundleContent } from './write';

/**
 * The bundle's tables travel and are written as columns of typed arrays (db/columns.ts), never as
 * one object per row: at a million pain scores the row objects held the page for seconds and the
 * tab took 6 GB. Typed arrays are transferred to the bundle worker, not copied; a text column's
 * few distinct values travel once each.
 */

/** A declared column (name and export type) of a query's result. */
export interface Declared {
	name: string;
	type: ColumnType;
}

const KIND: Record<ColumnType, Column['kind']> = {
	text: 'text',
	integer: 'number',
	double: 'number',
	boolean: 'boolean'
};

/**
 * Run a query for its columns, in the order declared and checked against their export types (an
 * integer column holds integers only). Engines without columns (`queryColumns`) give rows, which
 * are packed here by the declared types.
 */
export async function queryDeclared(db: Database, q: Query, declared: readonly Declared[]): Promise<Columns> {
	if (!db.queryColumns) return packRows(declared, await db.query(q.sql, q.params));
	const result = await db.queryColumns(q.sql, q.params);
	const columns = declared.map(({ name, type }) => {
		const j = result.names.indexOf(name);
		if (j < 0) throw new Error(`${q.name}: no column ${name} in the result`);
		const c = result.columns[j]!;
		if (c.kind !== KIND[type]) throw new Error(`column ${name} (${type}) was read as ${c.kind}`);
		if (type === 'integer' && c.kind === 'number')
			for (let i = 0; i < result.length; i++)
				if (!c.nulls[i] && !Number.isInteger(c.values[i]))
					throw new Error(`column ${name} (integer) got number ${c.values[i]}`);
		return c;
	});
	return { length: result.length, names: declared.map((d) => d.name), columns };
}

/** Rows as columns of the declared types; a value of another type is refused. */
export function packRows(declared: readonly Declared[], rows: readonly Record<string, unknown>[]): Columns {
	return {
		length: rows.length,
		names: declared.map((d) => d.name),
		columns: declared.map((d) => packColumn(d, rows))
	};
}

function packColumn({ name, type }: Declared, rows: readonly Record<string, unknown>[]): Column {
	const n = rows.length;
	const wrong = (v: unknown) => new Error(`column ${name} (${type}) got ${typeof v} ${String(v)}`);
	if (type === 'integer' || type === 'double') {
		const values = new Float64Array(n);
		const nulls = new Uint8Array(n);
		for (let i = 0; i < n; i++) {
			const v = rows[i]![name] ?? null;
			if (v === null) nulls[i] = 1;
			else if (typeof v === 'number' && (type === 'double' || Number.isInteger(v))) values[i] = v;
			else throw wrong(v);
		}
		return { kind: 'number', values, nulls };
	}
	if (type === 'boolean') {
		const values = new Uint8Array(n);
		for (let i = 0; i < n; i++) {
			const v = rows[i]![name] ?? null;
			if (v === null) values[i] = 2;
			else if (typeof v === 'boolean') values[i] = v ? 1 : 0;
			else throw wrong(v);
		}
		return { kind: 'boolean', values };
	}
	const codes = new Int32Array(n);
	const { code, dictionary } = textDictionary();
	for (let i = 0; i < n; i++) {
		const v = rows[i]![name] ?? null;
		if (v !== null && typeof v !== 'string') throw wrong(v);
		codes[i] = v === null ? -1 : code(v);
	}
	return { kind: 'text', codes, dictionary };
}

/** A bundle table's rows as objects (tests, and small tables): `columnsToRows` by its declared names. */
export function tableRows(t: { length: number; columns: readonly Declared[]; data: Column[] }) {
	return columnsToRows({ length: t.length, names: t.columns.map((c) => c.name), columns: t.data });
}

/** Rows `order[0]`, `order[1]`, … of a column. */
export function gather(c: Column, order: Int32Array): Column {
	// Each array in a local before the loop: a property read in it would cost at every row, since
	// the three kinds of column differ in shape.
	const n = order.length;
	if (c.kind === 'number') {
		const from = c.values;
		const fromNulls = c.nulls;
		const values = new Float64Array(n);
		const nulls = new Uint8Array(n);
		for (let i = 0; i < n; i++) {
			const j = order[i]!;
			values[i] = from[j]!;
			nulls[i] = fromNulls[j]!;
		}
		return { kind: 'number', values, nulls };
	}
	if (c.kind === 'boolean') {
		const from = c.values;
		const values = new Uint8Array(n);
		for (let i = 0; i < n; i++) values[i] = from[order[i]!]!;
		return { kind: 'boolean', values };
	}
	const from = c.codes;
	const codes = new Int32Array(n);
	for (let i = 0; i < n; i++) codes[i] = from[order[i]!]!;
	return { kind: 'text', codes, dictionary: c.dictionary };
}

/** The buffers of the content's tables, to transfer with it to the bundle worker. */
export function transferList(content: BundleContent): ArrayBuffer[] {
	// Once each: a buffer listed twice cannot be transferred.
	const buffers = new Set<ArrayBuffer>();
	for (const t of content.tables) {
		if (t.order) buffers.add(t.order.buffer);
		for (const c of t.data) {
			if (c.kind === 'number') buffers.add(c.values.buffer).add(c.nulls.buffer);
			else if (c.kind === 'boolean') buffers.add(c.values.buffer);
			else buffers.add(c.codes.buffer);
		}
	}
	return [...buffers];
}
