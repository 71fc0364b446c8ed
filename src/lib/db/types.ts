import type { Columns } from './columns';

/** A row as plain JavaScript values: BIGINT becomes number, DATE becomes an ISO string. */
export type Row = Record<string, unknown>;

export interface QueryOptions {
	/**
	 * The view this query is for is out of date once aborted: a query still waiting for the
	 * connection then rejects with the signal's reason (an `AbortError`) without running.
	 */
	signal?: AbortSignal;
}

/** The one interface every part of the app talks to; the browser and Node each provide one. */
export interface Database {
	/** Run SQL with `?` placeholders bound to `params`; returns plain rows. */
	query<T = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
	/**
	 * Run a read and return its result as columns of typed arrays (db/columns.ts), for results of
	 * many rows. Never cached. Engines that hold Arrow provide it; `queryColumns` (db/columns.ts)
	 * packs plain rows for the others.
	 */
	queryColumns?(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<Columns>;
	/** Make bytes readable by `read_csv('name')`. */
	registerBuffer(name: string, bytes: Uint8Array): Promise<void>;
	/** Forget a registered buffer. */
	dropBuffer(name: string): Promise<void>;
}

/** A database failure that carries the SQL that caused it (as Mosaic's QueryError does). */
export class QueryError extends Error {
	readonly sql: string;
	constructor(message: string, sql: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'QueryError';
		this.sql = sql;
	}
}

/** True for the rejection of a query whose signal was aborted before it ran. */
export function isAbort(e: unknown): boolean {
	return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}
