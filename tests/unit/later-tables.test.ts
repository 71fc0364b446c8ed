import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/lib/db';
import { createdTables, LATER_TABLES, LaterTables, QUIET_MS } from '../../src/lib/db/later';
import { nodeDatabase } from '../../src/lib/db/node';
import { importFiles } from '../../src/lib/ingest';
import { firstDeriveSql, laterDeriveSql } from '../../src/lib/sql';
import { generateCohortCsv } from '../../src/lib/synth';
import { files } from './helpers';

/*
 * The IT dose and MME tables are built after the first chart (src/lib/db/later.ts). These tests
 * run the gate over the real DuckDB, with tables in a schema of their own (`lt`): a query that
 * names a later table must see it built for the current load, never an older or half-built one.
 */
let raw: Database;
const exists = async (table: string) =>
	(
		await raw.query<{ n: number }>(
			`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE schema_name = 'lt' AND table_name = ?`,
			[table]
		)
	)[0]!.n > 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every statement an import of a small cohort runs (all four files, so every check). */
async function importSqlSample(): Promise<string[]> {
	const seen: string[] = [];
	const recording: Database = {
		query: (sql, params, options) => {
			seen.push(sql);
			return raw.query(sql, params, options);
		},
		registerBuffer: (name, bytes) => raw.registerBuffer(name, bytes),
		dropBuffer: (name) => raw.dropBuffer(name)
	};
	const c = generateCohortCsv({ seed: 'later-tables', patients: 20 });
	const report = await importFiles(
		recording,
		files({
			'patients.csv': c.patients,
			'pain_scores.csv': c.painScores,
			'oral_opioids.csv': c.oralOpioids,
			'pump_events.csv': c.pumpEvents
		})
	);
	expect(report.files).toHaveLength(4);
	return seen;
}

beforeAll(async () => {
	raw = await nodeDatabase();
	await raw.query('DROP SCHEMA IF EXISTS lt CASCADE');
	await raw.query('CREATE SCHEMA lt');
});

// The database is shared with the test files after this one (mme-sql.test.ts looks tables up by
// name in duckdb_tables()).
afterAll(async () => {
	await raw.query('DROP SCHEMA IF EXISTS lt CASCADE');
});

describe('which statements wait', () => {
	test('every table the later statements create is a later table; no first table, no import statement is', async () => {
		const later = createdTables(laterDeriveSql());
		expect(later.length).toBeGreaterThan(8);
		expect(later).toContainEqual({ kind: 'TABLE', name: 'it_dose_rows' });
		expect(later).toContainEqual({ kind: 'VIEW', name: 'mme_daily' });
		for (const t of later) expect(LATER_TABLES.test(t.name), t.name).toBe(true);
		for (const sql of firstDeriveSql()) expect(LATER_TABLES.test(sql), sql.slice(0, 80)).toBe(false);
		// The import's own statements (mme_reason is a column of its checks, not a table).
		for (const sql of await importSqlSample()) expect(LATER_TABLES.test(sql), sql.slice(0, 80)).toBe(false);
	});
});

describe('the build', () => {
	test('a query of a later table starts the build at once and sees the table built', async () => {
		const later = new LaterTables(raw);
		later.schedule([`CREATE OR REPLACE TABLE lt.mme_factors AS SELECT 'cdc2022' AS factors`]);
		expect(await later.db.query(`SELECT factors FROM lt.mme_factors`)).toEqual([{ factors: 'cdc2022' }]);
		expect(later.waiting).toBe(false);
	});

	test("the page's queries are counted as they run and wait, the build's own statements are not", async () => {
		const later = new LaterTables(raw);
		const counts: number[] = [];
		later.onAsking = (n) => counts.push(n);
		later.schedule([`CREATE OR REPLACE TABLE lt.mme_observed AS SELECT 3 AS o`]);
		// Two at once: the first waits for the build (a later table), the second does not.
		await Promise.all([later.db.query('SELECT o FROM lt.mme_observed'), later.db.query('SELECT 1 AS one')]);
		// 1 waiting, then 2 (the plain one running), then each one's start and end.
		expect(counts[0]).toBe(1);
		expect(Math.max(...counts)).toBe(2);
		expect(counts.at(-1)).toBe(0);
		expect(counts.every((n) => n >= 0 && n <= 2)).toBe(true);
		const settled = counts.length;
		await sleep(QUIET_MS + 300);
		expect(counts.length, 'nothing heard while nothing was asked').toBe(settled);
		// The page's own background reads (the warm-up) are not counted.
		expect(await later.background.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
		expect(counts.length).toBe(settled);
	});

	test('other queries run before it; it starts by itself once the page is quiet', async () => {
		const later = new LaterTables(raw);
		let built = 0;
		later.onBuilt = () => built++;
		later.schedule([`CREATE OR REPLACE TABLE lt.it_dose_month AS SELECT 1 AS m`]);
		expect(await later.db.query('SELECT 41 + 1 AS x')).toEqual([{ x: 42 }]);
		expect(await exists('it_dose_month')).toBe(false);
		await sleep(QUIET_MS + 300);
		expect(await exists('it_dose_month')).toBe(true);
		expect(built).toBe(1);
	});

	test('a query keeps the build waiting until the page has been quiet', async () => {
		const later = new LaterTables(raw);
		later.schedule([`CREATE OR REPLACE TABLE lt.it_dose_fit AS SELECT 1 AS f`]);
		for (let i = 0; i < 4; i++) {
			await sleep(QUIET_MS / 2);
			await later.db.query('SELECT 1 AS one');
		}
		expect(await exists('it_dose_fit')).toBe(false);
		await sleep(QUIET_MS + 300);
		expect(await exists('it_dose_fit')).toBe(true);
	});

	test('stop() drops the statements not yet run: nothing more of the build lands', async () => {
		const later = new LaterTables(raw);
		later.schedule([
			`CREATE OR REPLACE TABLE lt.mme_observed AS SELECT range AS r FROM range(100000)`,
			`CREATE OR REPLACE TABLE lt.mme_segments AS SELECT 1 AS s`
		]);
		const building = later.ready();
		// A query that was waiting for the stopped build, and one asked before the next schedule,
		// fail as aborted: neither reads an older load's table or a half-built one.
		const waited = later.db.query('SELECT * FROM lt.mme_segments');
		await later.stop();
		await expect(building).rejects.toMatchObject({ name: 'AbortError' });
		await expect(waited).rejects.toMatchObject({ name: 'AbortError' });
		await expect(later.db.query('SELECT * FROM lt.mme_observed')).rejects.toMatchObject({
			name: 'AbortError'
		});
		await sleep(QUIET_MS + 300);
		expect(await exists('mme_segments')).toBe(false);
		expect(later.waiting).toBe(false);
		later.schedule([`CREATE OR REPLACE TABLE lt.mme_segments AS SELECT 2 AS s`]);
		expect(await later.db.query('SELECT s FROM lt.mme_segments')).toEqual([{ s: 2 }]);
	});

	test('a failed build fails the queries that wait for it, with its error, until the next load', async () => {
		const later = new LaterTables(raw);
		const failures: unknown[] = [];
		later.onFailure = (e) => failures.push(e);
		later.schedule([`CREATE OR REPLACE TABLE lt.mme_prescriptions AS SELECT * FROM lt.no_such_table`]);
		const ask = () => later.db.query('SELECT * FROM lt.mme_prescriptions');
		await expect(ask()).rejects.toMatchObject({ name: 'QueryError' });
		await expect(ask()).rejects.toMatchObject({ name: 'QueryError' });
		expect(failures).toHaveLength(1);
		// Queries of other tables are not held up by it.
		expect(await later.db.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
		later.schedule([`CREATE OR REPLACE TABLE lt.mme_prescriptions AS SELECT 7 AS p`]);
		expect(await ask()).toEqual([{ p: 7 }]);
	});

	test('a failed build drops every table it creates, and its queries fail with the explained error', async () => {
		const later = new LaterTables(raw);
		const failures: unknown[] = [];
		later.onFailure = (e) => failures.push(e);
		later.explainFailure = (e) => new Error(`explained: ${(e as Error).name}`);
		// An earlier load's table of the same name, not rebuilt before the failure, goes too.
		await raw.query('CREATE OR REPLACE TABLE lt.mme_segments AS SELECT 1 AS old');
		later.schedule([
			`CREATE OR REPLACE TABLE lt.mme_observed AS SELECT 1 AS o`,
			`CREATE OR REPLACE VIEW lt.mme_daily AS SELECT * FROM lt.mme_observed`,
			`CREATE OR REPLACE TABLE lt.mme_factors AS SELECT * FROM lt.no_such_table`,
			`CREATE OR REPLACE TABLE lt.mme_segments AS SELECT 2 AS s`
		]);
		await expect(later.db.query('SELECT * FROM lt.mme_daily')).rejects.toThrow('explained: QueryError');
		expect(failures).toEqual([new Error('explained: QueryError')]);
		for (const t of ['mme_observed', 'mme_factors', 'mme_segments']) expect(await exists(t), t).toBe(false);
		expect(
			await raw.query(
				`SELECT count(*)::INTEGER AS n FROM duckdb_views() WHERE schema_name = 'lt' AND view_name = 'mme_daily'`
			)
		).toEqual([{ n: 0 }]);
	});
});
