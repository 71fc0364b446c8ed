import { beforeAll, describe, expect, test } from 'vitest';
import { withQueryCache, type Database } from '../../src/lib/db';
import { LaterTables } from '../../src/lib/db/later';
import { columnsToRows } from '../../src/lib/db/columns';
import { nodeDatabase } from '../../src/lib/db/node';

/*
 * Columns (db/columns.ts) are read from DuckDB's Arrow result directly; rows come from Arrow's own
 * row objects (db/arrow.ts). The two paths share no code, so the same result read both ways is
 * the check: every type the export reads, nulls in each, text with quotes and beyond ASCII, and
 * more rows than one Arrow batch holds (duckdb-wasm sends 2,048 rows a batch).
 */
let db: Database;
beforeAll(async () => {
	db = await nodeDatabase();
});

const ALL_TYPES = `
	SELECT i::INTEGER AS int32, (i * 3000000000)::BIGINT AS int64, (i % 7)::TINYINT AS int8,
	       i / 8 AS dbl, (i % 3 = 0) AS flag,
	       CASE i % 5 WHEN 0 THEN 'plain' WHEN 1 THEN 'with "quotes", and a comma' WHEN 2 THEN 'Dänemark – ü'
	            WHEN 3 THEN '=1+2' ELSE 'x' || (i % 11)::VARCHAR END AS txt,
	       ('a' || (i % 2)::VARCHAR)::ENUM_T AS en
	FROM range(5000) r(i)`;

const WITH_NULLS = `
	SELECT CASE WHEN i % 4 = 0 THEN NULL ELSE i END::INTEGER AS int32,
	       CASE WHEN i % 4 = 1 THEN NULL ELSE i / 2 END AS dbl,
	       CASE WHEN i % 4 = 2 THEN NULL ELSE i % 2 = 0 END AS flag,
	       CASE WHEN i % 4 = 3 THEN NULL ELSE 'v' || i::VARCHAR END AS txt
	FROM range(4100) r(i)`;

describe('query results as columns', () => {
	test('every type, across Arrow batches, reads as the rows do', async () => {
		await db.query(`DROP TYPE IF EXISTS ENUM_T`);
		await db.query(`CREATE TYPE ENUM_T AS ENUM ('a0', 'a1')`);
		const columns = await db.queryColumns!(ALL_TYPES);
		expect(columns.length).toBe(5000);
		expect(columns.names).toEqual(['int32', 'int64', 'int8', 'dbl', 'flag', 'txt', 'en']);
		expect(columns.columns.map((c) => c.kind)).toEqual([
			'number',
			'number',
			'number',
			'number',
			'boolean',
			'text',
			'text'
		]);
		expect(columnsToRows(columns)).toEqual(await db.query(ALL_TYPES));
		// Distinct texts are held once: the txt column has 4 fixed texts and x0 to x10.
		const txt = columns.columns[5]!;
		expect(txt.kind === 'text' && txt.dictionary.length).toBe(15);
		const en = columns.columns[6]!;
		expect(en.kind === 'text' && en.dictionary).toEqual(['a0', 'a1']);
	});

	test('nulls in every kind of column, and parameters', async () => {
		const columns = await db.queryColumns!(`${WITH_NULLS} WHERE i >= ?`, [100]);
		expect(columns.length).toBe(4000);
		const rows = columnsToRows(columns);
		expect(rows).toEqual(await db.query(`${WITH_NULLS} WHERE i >= ?`, [100]));
		expect(rows.slice(0, 4)).toEqual([
			{ int32: null, dbl: 50, flag: true, txt: 'v100' },
			{ int32: 101, dbl: null, flag: false, txt: 'v101' },
			{ int32: 102, dbl: 51, flag: null, txt: 'v102' },
			{ int32: 103, dbl: 51.5, flag: false, txt: null }
		]);
	});

	test('an empty result has its columns and no rows; a type with no place is refused by name', async () => {
		const empty = await db.queryColumns!(`${WITH_NULLS} WHERE i < 0`);
		expect(empty.length).toBe(0);
		expect(empty.names).toEqual(['int32', 'dbl', 'flag', 'txt']);
		await expect(db.queryColumns!('SELECT [1, 2] AS list')).rejects.toThrow(
			/column list: List.* is not read as columns/
		);
		// A date has no place in an export (time is in days): it is refused, not guessed at.
		await expect(db.queryColumns!(`SELECT DATE '2020-01-01' AS d`)).rejects.toThrow(
			/column d: Date.* is not read as columns/
		);
	});

	test('the cache passes them through, and a query of a later table waits for its build', async () => {
		// A schema of its own: the shared database may hold the app's own mme_daily.
		await db.query('CREATE SCHEMA IF NOT EXISTS later_test');
		const cached = withQueryCache(db);
		const later = new LaterTables(cached);
		later.schedule([`CREATE OR REPLACE TABLE later_test.mme_daily AS SELECT 7 AS mme`]);
		// Asked at once: the build starts for it, and the answer is the built table's.
		const columns = await later.db.queryColumns!('SELECT mme FROM later_test.mme_daily');
		expect(columnsToRows(columns)).toEqual([{ mme: 7 }]);
		await db.query('DROP SCHEMA later_test CASCADE');
	});
});
