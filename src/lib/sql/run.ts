import type { Database, Row } from '$lib/db/types';
import type { Query } from './query';

export function run<T = Row>(db: Database, q: Query): Promise<T[]> {
	return db.query<T>(q.sql, q.params);
}

export async function runOne<T = Row>(db: Database, q: Query): Promise<T> {
	const rows = await run<T>(db, q);
	if (rows.length !== 1) throw new Error(`${q.name} returned ${rows.length} rows, expected 1`);
	return rows[0]!;
}
