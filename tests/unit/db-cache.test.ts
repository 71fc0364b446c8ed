import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
	isAbort,
	isCacheable,
	Latest,
	serialDatabase,
	withQueryCache,
	type Database
} from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import { run, runOne } from '../../src/lib/sql';

/*
 * The cache is shown to answer from memory by changing the table behind its back (through the
 * uncached database): a cached answer still shows the old rows, a fresh run shows the new ones.
 * Supersession is shown with a query that would fail if it ran (a missing table): an AbortError
 * instead of a QueryError proves it never reached DuckDB.
 */
let raw: Database;
const SUM = 'SELECT sum(x)::INTEGER AS total FROM cache_t WHERE x >= ?';
const total = async (db: Database, from = 0) =>
	(await runOne<{ total: number }>(db, { name: 'sum', sql: SUM, params: [from] })).total;
const MISSING = 'SELECT * FROM cache_no_such_table';

beforeAll(async () => {
	raw = await nodeDatabase();
});

beforeEach(async () => {
	await raw.query('CREATE OR REPLACE TABLE cache_t AS SELECT * FROM (VALUES (1), (2)) v(x)');
});

/** A serial database over the real one that records what reached DuckDB and what was dropped. */
function recorded() {
	const ran: string[] = [];
	const skipped: string[] = [];
	const db = serialDatabase(
		{
			run: (sql, params) => {
				ran.push(sql);
				return raw.query(sql, params);
			},
			registerBuffer: (name, bytes) => raw.registerBuffer(name, bytes),
			dropBuffer: (name) => raw.dropBuffer(name)
		},
		{ onSkip: (sql) => skipped.push(sql) }
	);
	return { db, ran, skipped };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
	return p.then(
		() => {
			throw new Error('expected a rejection');
		},
		(e: unknown) => e
	);
}

describe('query cache', () => {
	test('answers a repeated read with the same parameters from memory', async () => {
		const db = withQueryCache(raw);
		expect(await total(db)).toBe(3);
		await raw.query('INSERT INTO cache_t VALUES (4)');
		expect(await total(db)).toBe(3);
		// Other parameters are another query: it runs and sees the new row.
		expect(await total(db, 1)).toBe(7);
	});

	test('returns a copy of the cached rows, so a caller sorting them changes nothing', async () => {
		const db = withQueryCache(raw);
		const q = { name: 'xs', sql: 'SELECT x FROM cache_t ORDER BY x', params: [] };
		const first = await run<{ x: number }>(db, q);
		first.reverse();
		expect((await run<{ x: number }>(db, q)).map((r) => r.x)).toEqual([1, 2]);
	});

	test('forgets every result after a write through it', async () => {
		const db = withQueryCache(raw);
		expect(await total(db)).toBe(3);
		const before = db.version;
		await db.query('INSERT INTO cache_t VALUES (10)');
		expect(db.version).toBeGreaterThan(before);
		expect(await total(db)).toBe(13);
	});

	test('forgets every result on invalidate() and when a file is registered', async () => {
		const db = withQueryCache(raw);
		expect(await total(db)).toBe(3);
		await raw.query('INSERT INTO cache_t VALUES (4)');
		db.invalidate();
		expect(await total(db)).toBe(7);
		await raw.query('INSERT INTO cache_t VALUES (8)');
		await db.registerBuffer('cache_test.csv', new TextEncoder().encode('x\n1\n'));
		expect(await total(db)).toBe(15);
		await db.dropBuffer('cache_test.csv');
	});

	test('a read queued before a write is not kept: the write empties the cache after it', async () => {
		const db = withQueryCache(raw);
		const early = total(db);
		const write = db.query('INSERT INTO cache_t VALUES (4)');
		expect(await early).toBe(3);
		await write;
		expect(await total(db)).toBe(7);
	});

	test('equal reads asked while one is waiting share its run', async () => {
		const db = withQueryCache(raw);
		const first = total(db);
		// Queued behind the first read on the serial connection, bypassing the cache.
		const write = raw.query('INSERT INTO cache_t VALUES (4)');
		const second = total(db);
		expect(await Promise.all([first, second, write.then(() => 'written')])).toEqual([3, 3, 'written']);
		// A run of its own would have seen the new row.
		expect(await total(db, 1)).toBe(7);
	});

	test('keeps no result longer than maxRows, and at most maxEntries results', async () => {
		const small = withQueryCache(raw, { maxRows: 1 });
		const xs = { name: 'xs', sql: 'SELECT x FROM cache_t ORDER BY x', params: [] };
		expect(await run(small, xs)).toHaveLength(2);
		await raw.query('INSERT INTO cache_t VALUES (4)');
		expect(await run(small, xs)).toHaveLength(3);

		const one = withQueryCache(raw, { maxEntries: 1 });
		expect(await total(one, 0)).toBe(7);
		expect(await total(one, 2)).toBe(6);
		await raw.query('INSERT INTO cache_t VALUES (8)');
		// The first result was dropped for the second: it runs again.
		expect(await total(one, 0)).toBe(15);
	});

	test('does not cache reads of files, random values or statements that change the data', () => {
		expect(isCacheable('SELECT 1')).toBe(true);
		expect(isCacheable('  WITH a AS (SELECT 1) SELECT * FROM a')).toBe(true);
		expect(isCacheable('CREATE OR REPLACE TABLE t AS SELECT 1')).toBe(false);
		expect(isCacheable('INSERT INTO t SELECT 1')).toBe(false);
		expect(isCacheable("SET memory_limit = '1GB'")).toBe(false);
		expect(isCacheable("SELECT * FROM read_csv('a.csv')")).toBe(false);
		expect(isCacheable('SELECT random()')).toBe(false);
		expect(isCacheable('WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a')).toBe(false);
	});

	test('hears of every answer served from memory', async () => {
		const hits: string[] = [];
		const db = withQueryCache(raw, { onHit: (sql) => hits.push(sql) });
		await total(db);
		expect(hits).toEqual([]);
		await total(db);
		expect(hits).toEqual([SUM]);
	});
});

describe('superseded queries', () => {
	test('a query still waiting when its signal aborts never runs', async () => {
		const controller = new AbortController();
		const ahead = raw.query('SELECT 1 AS one');
		const waiting = raw.query(MISSING, [], { signal: controller.signal });
		controller.abort();
		await ahead;
		const e = await rejection(waiting);
		expect(isAbort(e)).toBe(true);
		// Run, the same statement fails in DuckDB.
		expect(await rejection(raw.query(MISSING))).toMatchObject({ name: 'QueryError' });
	});

	test('run() passes the signal along', async () => {
		const controller = new AbortController();
		controller.abort();
		const e = await rejection(
			run(raw, { name: 'missing', sql: MISSING, params: [] }, { signal: controller.signal })
		);
		expect(isAbort(e)).toBe(true);
	});

	test('Latest supersedes the previous view: its waiting queries are dropped, the new view runs', async () => {
		const { db: serial, ran, skipped } = recorded();
		const db = withQueryCache(serial);
		const latest = new Latest();
		const old = latest.next(db);
		const ahead = serial.query('SELECT 1 AS one');
		const stale = old.query(MISSING);
		const fresh = latest.next(db);
		await ahead;
		expect(isAbort(await rejection(stale))).toBe(true);
		expect(await total(fresh)).toBe(3);
		expect(ran).toEqual(['SELECT 1 AS one', SUM]);
		expect(skipped).toEqual([MISSING]);
	});

	test('a shared read still runs for the caller that did not give up', async () => {
		const db = withQueryCache(raw);
		const latest = new Latest();
		const gaveUp = total(latest.next(db));
		const stays = total(db);
		latest.abort();
		expect(isAbort(await rejection(gaveUp))).toBe(true);
		expect(await stays).toBe(3);
	});

	test('a shared read is dropped once every caller has given up, and asked again it runs', async () => {
		const { db: serial, ran, skipped } = recorded();
		const db = withQueryCache(serial);
		const a = new Latest();
		const b = new Latest();
		const ahead = serial.query('SELECT 1 AS one');
		const first = total(a.next(db));
		const second = total(b.next(db));
		a.abort();
		b.abort();
		await ahead;
		expect(isAbort(await rejection(first))).toBe(true);
		expect(isAbort(await rejection(second))).toBe(true);
		expect(skipped).toEqual([SUM]);
		expect(await total(db)).toBe(3);
		expect(ran).toEqual(['SELECT 1 AS one', SUM]);
	});
});

describe('reads in flight', () => {
	/**
	 * A serial database over the real one whose first run waits for `release`: what started while
	 * it waited shows which statements the queue sends ahead.
	 */
	function held(pipelineReads = true) {
		const started: string[] = [];
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		let first = true;
		const db = serialDatabase(
			{
				run: async (sql, params) => {
					started.push(sql);
					if (first) {
						first = false;
						await gate;
					}
					return raw.query(sql, params);
				},
				registerBuffer: (name, bytes) => raw.registerBuffer(name, bytes),
				dropBuffer: (name) => raw.dropBuffer(name)
			},
			{ pipelineReads }
		);
		return { db, started, release };
	}
	const ticks = async () => {
		for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
	};

	test('a read is sent while the read before it runs; the third waits for the first', async () => {
		const { db, started, release } = held();
		const r1 = db.query('SELECT 1 AS a');
		const r2 = db.query('SELECT 2 AS b');
		const r3 = db.query('SELECT 3 AS c');
		await ticks();
		expect(started).toEqual(['SELECT 1 AS a', 'SELECT 2 AS b']);
		release();
		expect(await Promise.all([r1, r2, r3])).toEqual([[{ a: 1 }], [{ b: 2 }], [{ c: 3 }]]);
		expect(started).toEqual(['SELECT 1 AS a', 'SELECT 2 AS b', 'SELECT 3 AS c']);
	});

	test('without pipelineReads (native DuckDB) one statement runs at a time', async () => {
		const { db, started, release } = held(false);
		const r1 = db.query('SELECT 1 AS a');
		const r2 = db.query('SELECT 2 AS b');
		await ticks();
		expect(started).toEqual(['SELECT 1 AS a']);
		release();
		expect(await Promise.all([r1, r2])).toEqual([[{ a: 1 }], [{ b: 2 }]]);
	});

	test('a write waits for every read before it, and the reads after it wait for the write', async () => {
		const { db, started, release } = held();
		const before = db.query('SELECT count(*)::INTEGER AS n FROM cache_t');
		const write = db.query('INSERT INTO cache_t VALUES (10)');
		const after = db.query('SELECT count(*)::INTEGER AS n FROM cache_t');
		await ticks();
		expect(started).toEqual(['SELECT count(*)::INTEGER AS n FROM cache_t']);
		release();
		expect(await before).toEqual([{ n: 2 }]);
		await write;
		expect(await after).toEqual([{ n: 3 }]);
	});
});
