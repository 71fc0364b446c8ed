import type { Row } from './types';

export interface ArrowLike {
	toArray(): { toJSON(): Record<string, unknown> }[];
}

/**
 * Arrow rows to plain values: BIGINT and HUGEINT to number. A DATE arrives from apache-arrow 17 as
 * milliseconds since the epoch (a JavaScript Date, from older versions, becomes YYYY-MM-DD).
 */
export function arrowToRows<T>(table: ArrowLike): T[] {
	return table.toArray().map((r) => plain(r.toJSON()) as T);
}

function plain(row: Record<string, unknown>): Row {
	const out: Row = {};
	for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
	return out;
}

function plainValue(v: unknown): unknown {
	if (typeof v === 'bigint') return Number(v);
	if (v instanceof Date) return v.toISOString().slice(0, 10);
	if (v && typeof v === 'object' && 'toArray' in v && typeof v.toArray === 'function') {
		return Array.from(v.toArray() as Iterable<unknown>, plainValue);
	}
	if (v && typeof v === 'object' && 'toJSON' in v && typeof v.toJSON === 'function') {
		return plain(v.toJSON() as Record<string, unknown>);
	}
	return v;
}
