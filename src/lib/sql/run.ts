import type { Database, QueryOptions, Row } from '$lib/db/types';
import type { Query } from './query';

/** Run a named query; `options.signal` drops it unrun once the view it was for is replaced. */
export async function run<T = Row>(db: Database, q: Query, options?: QueryOptions): Promise<T[]> {
	if (!q.shape) return db.query<T>(q.sql, q.params, options);
	return q.shape(await db.query(q.sql, q.params, options)) as T[];
}

export async function runOne<T = Row>(db: Database, q: Query, options?: QueryOptions): Promise<T> {
	const rows = await run<T>(db, q, options);
	if (rows.length !== 1) throw new Error(`${q.name} returned ${rows.length} rows, expected 1`);
	return rows[0]!;
}
