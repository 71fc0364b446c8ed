import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import { DAYS_PER_MONTH, TRAJECTORY_MONTHS } from '../../src/lib/outcomes';
import {
	filterClause,
	NO_FILTERS,
	painByMonth,
	painPatients,
	run,
	runOne,
	type Filters,
	type PainMonth
} from '../../src/lib/sql';
import { quartilesOfCells, type Cell } from '../../src/lib/sql/pain';
import { generateCohortCsv, Random } from '../../src/lib/synth';
import { files } from './helpers';

// painByMonth reads pain_month (built once after load) and takes its quartiles from one
// quantile_cont over a list of fractions; painPatients counts the rows of pain_patients. The
// references below are the direct forms, straight from pain_scores: each patient's mean per month,
// then avg, three separate quantile_cont calls and count(DISTINCT) over the filtered outcome
// population. Counts and quartiles must agree exactly, means to rounding.

function referenceByMonth(f: Filters) {
	const w = filterClause(f);
	return {
		sql: `WITH per_patient AS (
		        SELECT s.patient_id, floor(s.day / ${DAYS_PER_MONTH})::INTEGER AS month, avg(s.pain_avg) AS pain
		        FROM pain_scores s JOIN patient_facts p USING (patient_id)
		        WHERE p.in_outcome AND ${w.sql}
		        GROUP BY ALL
		      )
		      SELECT month, count(*)::INTEGER AS n, avg(pain) AS mean, quantile_cont(pain, 0.5) AS median,
		        quantile_cont(pain, 0.25) AS q1, quantile_cont(pain, 0.75) AS q3,
		        count(DISTINCT patient_id)::INTEGER AS patients
		      FROM per_patient WHERE pain IS NOT NULL AND month BETWEEN ? AND ?
		      GROUP BY month ORDER BY month`,
		params: [...w.params, TRAJECTORY_MONTHS.from, TRAJECTORY_MONTHS.to]
	};
}

async function referencePatients(db: Database, f: Filters): Promise<number> {
	const w = filterClause(f);
	const lo = TRAJECTORY_MONTHS.from * DAYS_PER_MONTH;
	const hi = (TRAJECTORY_MONTHS.to + 1) * DAYS_PER_MONTH;
	const [r] = await db.query<{ n: number }>(
		`SELECT count(DISTINCT s.patient_id)::INTEGER AS n
		 FROM pain_scores s JOIN patient_facts p USING (patient_id)
		 WHERE p.in_outcome AND s.pain_avg IS NOT NULL AND s.day >= ${lo} AND s.day < ${hi} AND ${w.sql}`,
		w.params
	);
	return r!.n;
}

async function expectSameAsReference(db: Database, f: Filters) {
	const q = referenceByMonth(f);
	const expected = await db.query<PainMonth & { patients: number }>(q.sql, q.params);
	const got = await run<PainMonth>(db, painByMonth(f));
	expect(got.map((r) => r.month)).toEqual(expected.map((r) => r.month));
	got.forEach((r, i) => {
		const e = expected[i]!;
		const where = `${JSON.stringify(f)} month ${r.month}`;
		expect({ n: r.n, median: r.median, q1: r.q1, q3: r.q3 }, where).toEqual({
			n: e.n,
			median: e.median,
			q1: e.q1,
			q3: e.q3
		});
		expect(Math.abs(r.mean - e.mean), `${where} mean`).toBeLessThanOrEqual(1e-12 * Math.abs(e.mean));
	});
	expect(await runOne(db, painPatients(f))).toEqual({ n: await referencePatients(db, f) });
	return got;
}

/** Offices, diagnoses and so on as loaded, to build filter sets from the data itself. */
async function values(db: Database, column: string): Promise<string[]> {
	const rows = await db.query<{ v: string }>(
		`SELECT DISTINCT ${column}::VARCHAR AS v FROM patient_facts WHERE ${column} IS NOT NULL ORDER BY v`
	);
	return rows.map((r) => r.v);
}

async function filterSets(db: Database): Promise<Filters[]> {
	const offices = await values(db, 'office');
	const diagnoses = await values(db, 'diagnosis');
	const providers = await values(db, 'provider_id');
	const years = (await values(db, 'implant_year')).map(Number);
	return [
		NO_FILTERS,
		{ ...NO_FILTERS, offices: offices.slice(0, 1) },
		{ ...NO_FILTERS, offices: offices.slice(1) },
		{ ...NO_FILTERS, offices: offices.slice(0, 2), diagnoses: diagnoses.slice(0, 2) },
		{ ...NO_FILTERS, providers: providers.slice(0, 3), sexes: ['F'] },
		{ ...NO_FILTERS, ageBands: ['50-59', '60-69'], programs: ['pain'] },
		{ ...NO_FILTERS, itDrugs: ['morphine'] },
		{ ...NO_FILTERS, implantYearFrom: years[1] ?? null, implantYearTo: years.at(-2) ?? null },
		{ ...NO_FILTERS, diagnoses: diagnoses.slice(1, 3) },
		{ ...NO_FILTERS, offices: ['no such office'] },
		{ ...NO_FILTERS, offices: offices.slice(0, 1), sexes: ['no such sex'] }
	];
}

describe('painByMonth quartiles and pain_patients: hand-computed', () => {
	// Month 2 (days 61-91): P1..P4 score 1, 1, 2, 5; P5's two visits average (4 + 7) / 2 = 5.5.
	// Month 3: P1 alone. Month 5: P1 3 and P2 3, a tie.
	const PATIENTS = `patient_id,office,diagnosis,implant_year,followup_end_day
P1,A,fbss,2020,400
P2,A,fbss,2020,400
P3,B,crps,2021,400
P4,B,crps,2021,400
P5,B,fbss,2019,400
`;
	const PAIN = `patient_id,day,pain_avg
P1,70,1
P2,70,1
P3,70,2
P4,70,5
P5,62,4
P5,90,7
P1,100,6.5
P1,160,3
P2,160,3
`;
	let db: Database;
	beforeAll(async () => {
		db = await nodeDatabase();
		await loadDataset(db, files({ 'patients.csv': PATIENTS, 'pain_scores.csv': PAIN }));
	});

	test('interpolates between neighbours at h = (n - 1) q, and takes ties as they come', async () => {
		expect(await run(db, painByMonth(NO_FILTERS))).toEqual([
			// {1, 1, 2, 5, 5.5}: n = 5; q1 at h = 1 -> 1; median at h = 2 -> 2; q3 at h = 3 -> 5.
			{ month: 2, n: 5, mean: 14.5 / 5, median: 2, q1: 1, q3: 5 },
			{ month: 3, n: 1, mean: 6.5, median: 6.5, q1: 6.5, q3: 6.5 },
			// {3, 3}: every quartile 3.
			{ month: 5, n: 2, mean: 3, median: 3, q1: 3, q3: 3 }
		]);
	});

	test('office A alone: {1, 1} in month 2; office B: {2, 5, 5.5} interpolated', async () => {
		const a = await run<PainMonth>(db, painByMonth({ ...NO_FILTERS, offices: ['A'] }));
		expect(a[0]).toEqual({ month: 2, n: 2, mean: 1, median: 1, q1: 1, q3: 1 });
		const b = await run<PainMonth>(db, painByMonth({ ...NO_FILTERS, offices: ['B'] }));
		// n = 3: q1 at h = 0.5 -> 2 + 0.5 * 3 = 3.5; median at h = 1 -> 5; q3 at h = 1.5 -> 5.25.
		expect(b).toEqual([{ month: 2, n: 3, mean: 12.5 / 3, median: 5, q1: 3.5, q3: 5.25 }]);
		// Four patients in month 2 without P5: {1, 1, 2, 5}; q1 at h = 0.75 -> 1, median at 1.5 -> 1.5,
		// q3 at 2.25 -> 2 + 0.25 * 3 = 2.75.
		const fbssOrCrps = await run<PainMonth>(db, painByMonth({ ...NO_FILTERS, implantYearFrom: 2020 }));
		expect(fbssOrCrps[0]).toEqual({ month: 2, n: 4, mean: 9 / 4, median: 1.5, q1: 1, q3: 2.75 });
	});

	test('pain_patients has one row per patient with a trajectory month, with its month count', async () => {
		const rows = await db.query(
			`SELECT f.patient_id, t.months FROM pain_patients t JOIN patient_facts f USING (pid) ORDER BY 1`
		);
		expect(rows).toEqual([
			{ patient_id: 'P1', months: 3 },
			{ patient_id: 'P2', months: 2 },
			{ patient_id: 'P3', months: 1 },
			{ patient_id: 'P4', months: 1 },
			{ patient_id: 'P5', months: 1 }
		]);
		expect(await runOne(db, painPatients({ ...NO_FILTERS, offices: ['B'] }))).toEqual({ n: 3 });
	});
});

describe('painByMonth and painPatients agree with the direct queries on the demo cohort', () => {
	const DIR = new URL('../../data/demo/', import.meta.url);
	let db: Database;
	beforeAll(async () => {
		db = await nodeDatabase();
		const texts = Object.fromEntries(
			readdirSync(DIR)
				.filter((n) => n.endsWith('.csv'))
				.map((n) => [n, readFileSync(new URL(n, DIR), 'utf8')])
		);
		await loadDataset(db, files(texts));
	});

	test('under eleven filter sets, two of them matching nobody', async () => {
		const sets = await filterSets(db);
		const sizes: number[] = [];
		for (const f of sets) sizes.push((await expectSameAsReference(db, f)).length);
		// The comparison covered real months, and the last set none.
		expect(sizes[0]).toBe(TRAJECTORY_MONTHS.to - TRAJECTORY_MONTHS.from + 1);
		expect(sizes.slice(-2)).toEqual([0, 0]);
	});
});

describe('painByMonth and painPatients agree with the direct queries on a seeded cohort with many distinct monthly means', () => {
	let db: Database;
	beforeAll(async () => {
		db = await nodeDatabase();
		const cohort = generateCohortCsv({ seed: 'pain-month', patients: 300 });
		// Extra visits on random days with random one-decimal scores, so that patients' monthly means
		// take many distinct values (the generator's take few) and quartiles fall between them.
		const rng = new Random('pain-month-extra');
		const ids = [...cohort.patients.matchAll(/^(P\d+),/gm)].map((m) => m[1]!);
		const extra = ids.flatMap((id) =>
			Array.from({ length: 4 }, () => `${id},${rng.int(-200, 1150)},${rng.int(0, 100) / 10}`)
		);
		const header = cohort.painScores.slice(0, cohort.painScores.indexOf('\n') + 1);
		const columns = header.trim().split(',');
		const pad = (line: string) => {
			const [id, day, pain] = line.split(',');
			return columns
				.map((c) => (c === 'patient_id' ? id : c === 'day' ? day : c === 'pain_avg' ? pain : ''))
				.join(',');
		};
		await loadDataset(
			db,
			files({
				'patients.csv': cohort.patients,
				'pain_scores.csv': cohort.painScores + extra.map(pad).join('\n') + '\n',
				'pump_events.csv': cohort.pumpEvents
			})
		);
	});

	test('the cohort has what the comparison needs: many distinct means, ties, interpolation', async () => {
		const [r] = await db.query<{ distinct_values: number; months: number }>(
			`SELECT count(DISTINCT pain)::INTEGER AS distinct_values, count(*)::INTEGER AS months FROM pain_month`
		);
		expect(r!.distinct_values).toBeGreaterThan(150);
		expect(r!.months).toBeGreaterThan(r!.distinct_values);
	});

	test('under eleven filter sets', async () => {
		for (const f of await filterSets(db)) await expectSameAsReference(db, f);
	});
});

describe('quartilesOfCells against quantile_cont', () => {
	// Random months of patient-month means, with ties, nulls and months of one value or only
	// nulls: the counts per value go through quartilesOfCells, the values themselves through
	// DuckDB's count(*), avg and quantile_cont.
	test('the same counts and quartiles, and the mean to rounding, over 200 random months', async () => {
		const db = await nodeDatabase();
		const rng = new Random('quartiles-of-cells');
		const rows: string[] = [];
		for (let month = 0; month < 200; month++) {
			const size = rng.int(1, month % 10 === 0 ? 3 : 60);
			for (let i = 0; i < size; i++) {
				const v = rng.int(0, 9) === 0 ? null : rng.int(0, 30) / rng.int(1, 4);
				rows.push(`(${month}, ${v === null || month % 50 === 7 ? 'NULL' : v})`);
			}
		}
		await db.query(`CREATE OR REPLACE TABLE qc(month INTEGER, pain DOUBLE)`);
		await db.query(`INSERT INTO qc VALUES ${rows.join(', ')}`);
		const cells = await db.query<Cell>(
			`SELECT month, pain, count(*)::INTEGER AS n FROM qc GROUP BY ALL ORDER BY month, pain NULLS LAST`
		);
		const expected = await db.query<PainMonth>(
			`SELECT month, count(*)::INTEGER AS n, avg(pain) AS mean, quantile_cont(pain, 0.5) AS median,
			   quantile_cont(pain, 0.25) AS q1, quantile_cont(pain, 0.75) AS q3
			 FROM qc GROUP BY month ORDER BY month`
		);
		const got = quartilesOfCells(cells);
		expect(got.length).toBe(200);
		expect(expected.filter((e) => e.median === null).length).toBeGreaterThan(0);
		got.forEach((g, i) => {
			const e = expected[i]!;
			expect({ ...g, mean: null }, `month ${e.month}`).toEqual({ ...e, mean: null });
			if (e.mean === null) expect(g.mean).toBeNull();
			else expect(Math.abs(g.mean - e.mean)).toBeLessThanOrEqual(1e-12 * Math.abs(e.mean));
		});
	});
});
