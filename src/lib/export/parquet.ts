import { parquetWriteBuffer, type BasicType } from 'hyparquet-writer';
import { cellOf, type Column } from '$lib/db/columns';
import type { Cell } from './csv';
import type { ColumnType, ExportColumn } from './tables';

const PARQUET_TYPE: Record<ColumnType, BasicType> = {
	text: 'STRING',
	integer: 'INT32',
	double: 'DOUBLE',
	boolean: 'BOOLEAN'
};

/**
 * One table as a Parquet file, written in the page (duckdb-wasm's parquet extension is not
 * bundled, and fetching it would leave the origin). Types come from the export's column list, not
 * from the values, so an all-empty column keeps its type. Text is written as it is: the `'` of the
 * CSV is a spreadsheet guard and has no place here.
 */
export function toParquet(
	columns: readonly ExportColumn[],
	data: readonly Column[],
	length: number,
	createdBy: string
): Uint8Array {
	const columnData = columns.map((c, j) => ({
		name: c.name,
		type: PARQUET_TYPE[c.type],
		nullable: true,
		data: Array.from({ length }, (_, i) => check(c, cellOf(data[j]!, i)))
	}));
	return new Uint8Array(parquetWriteBuffer({ columnData, createdBy }));
}

function check(c: ExportColumn, v: Cell): Cell {
	if (v === null) return v;
	const ok =
		c.type === 'text'
			? typeof v === 'string'
			: c.type === 'boolean'
				? typeof v === 'boolean'
				: typeof v === 'number' && (c.type === 'double' || Number.isInteger(v));
	if (!ok) throw new Error(`column ${c.name} (${c.type}) got ${typeof v} ${String(v)}`);
	return v;
}
