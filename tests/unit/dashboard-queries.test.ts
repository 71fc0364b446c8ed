import { readdirSync, readFileSync } from 'node:fs';
import * as aq from 'arquero';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/lib/db';
import { loadDataset } from '../../src/lib/dataset';
import { withQueryCache } from '../../src/lib/db/cache';
import { nodeDatabase } from '../../src/lib/db/node';
import {
	ageBandSql,
	cohortSummary,
	dashboardQueries,
	filterClause,
	painByMonth,
	painPatients,
	patientsByOffice,
	run,
	runOne,
	NO_FILTERS,
	warmFilteredQueries,
	type Filters
} from '../../src/lib/sql';
import { files } from './helpers';

// A hand-made cohort; every expected number below is worked out by hand in the comments.
const PATIENTS = `patient_id,office,diagnosis,trial_day,trial_result,implant_year,followup_end_day
P1,Lexington,fbss,-20,pass,2020,400
P2,Danville,crps,0,fail,,0
P3,Maysville,spasticity,-10,pass,2021,100
P4,Lexington,crps,-15,pass,2022,200
P5,Danville,fbss,-30,pass,2019,1200
`;

const PAIN = `patient_id,day,pain_avg
P1,-30,8
P1,-20,6
P1,30,4
P1,31,3
P1,60,5
P3,30,9
P4,-183,1
P4,-182,10
P4,-1,9
P4,45,2
P2,5,7
P5,1100,6
P5,1200,2
`;

let db: Database;
beforeAll(async () => {
	db = await nodeDatabase();
	await loadDataset(db, files({ 'patients.csv': PATIENTS, 'pain_scores.csv': PAIN }));
});

describe('painByMonth', () => {
	test('averages each patient per month, then summarises across patients (outcome population only)', async () => {
		const rows = await run(db, painByMonth(NO_FILTERS));
		expect(rows).toEqual([
			// day -182 / 30.4375 = -5.98 -> month -6; day -183 -> month -7 is outside the range.
			{ month: -6, n: 1, mean: 10, median: 10, q1: 10, q3: 10 },
			// P1: (8 + 6) / 2 = 7; P4: 9. Type-7 quartiles of {7, 9}: 7.5 and 8.5.
			{ month: -1, n: 2, mean: 8, median: 8, q1: 7.5, q3: 8.5 },
			// day 30 -> month 0 (0.99); day 31 -> month 1 (1.02). P3 (spasticity) and P2 (no implant) left out.
			{ month: 0, n: 1, mean: 4, median: 4, q1: 4, q3: 4 },
			// P1: (3 + 5) / 2 = 4; P4: 2.
			{ month: 1, n: 2, mean: 3, median: 3, q1: 2.5, q3: 3.5 },
			// day 1100 -> month 36.1 is in; day 1200 -> month 39.4 is out.
			{ month: 36, n: 1, mean: 6, median: 6, q1: 6, q3: 6 }
		]);
	});

	test('counts the distinct patients behind the chart', async () => {
		expect(await runOne(db, painPatients(NO_FILTERS))).toEqual({ n: 3 });
	});

	test('binds filter values, so a quote in an office name cannot break the query', async () => {
		const rows = await run(db, painByMonth({ ...NO_FILTERS, offices: ["Lexington' OR '1'='1"] }));
		expect(rows).toEqual([]);
		const lex = await run<{ month: number; n: number }>(
			db,
			painByMonth({ ...NO_FILTERS, offices: ['Lexington'] })
		);
		expect(lex.map((r) => [r.month, r.n])).toEqual([
			[-6, 1],
			[-1, 2],
			[0, 1],
			[1, 2]
		]);
	});
});

describe('cohortSummary', () => {
	test('counts patients, implants, failed trials and the median follow-up of implanted patients', async () => {
		const s = await runOne<Record<string, number>>(db, cohortSummary(NO_FILTERS));
		// Implanted follow-up: 100, 200, 400, 1200 -> median 300 days = 300 / 30.4375 months.
		expect(s).toEqual({
			patients: 5,
			implanted: 4,
			trial_failed: 1,
			spasticity: 1,
			outcome_population: 3,
			median_followup_months: 300 / 30.4375
		});
	});

	test('groups patients by office, largest first', async () => {
		expect(await run(db, patientsByOffice(NO_FILTERS))).toEqual([
			{ office: 'Danville', patients: 2, implanted: 1, trial_failed: 1 },
			{ office: 'Lexington', patients: 2, implanted: 2, trial_failed: 0 },
			{ office: 'Maysville', patients: 1, implanted: 1, trial_failed: 0 }
		]);
	});
});

describe('filterClause', () => {
	test('filters by age band, IT drug and implant years, each bound', async () => {
		// P1 (2020), P4 (2022), P5 (2019) have pain; only P1 and P4 are implanted in 2020-2022.
		const years = await runOne(
			db,
			painPatients({ ...NO_FILTERS, implantYearFrom: 2020, implantYearTo: 2022 })
		);
		expect(years).toEqual({ n: 2 });
		// No pump events in this fixture: nobody received morphine.
		expect(await runOne(db, painPatients({ ...NO_FILTERS, itDrugs: ['morphine'] }))).toEqual({ n: 0 });
		// No ages in this fixture: an age band selects nobody.
		expect(await runOne(db, painPatients({ ...NO_FILTERS, ageBands: ['60-69'] }))).toEqual({ n: 0 });
	});

	test('derives age bands with 90+ grouped', async () => {
		const rows = await db.query<{ band: string | null }>(
			`SELECT ${ageBandSql('a')} AS band FROM (VALUES (18), (29), (30), (45), (89), (90), (NULL)) t(a)`
		);
		expect(rows.map((r) => r.band)).toEqual(['18-29', '18-29', '30-39', '40-49', '80-89', '90+', null]);
	});
});

describe('patientsByOffice on the demo cohort: patient_cells against every patient', () => {
	// With only offices and diagnoses set, patientsByOffice sums patient_cells; the reference reads
	// every patient of patient_facts under the same filters.
	const DIR = new URL('../../data/demo/', import.meta.url);
	beforeAll(async () => {
		const texts = Object.fromEntries(
			readdirSync(DIR)
				.filter((n) => n.endsWith('.csv'))
				.map((n) => [n, readFileSync(new URL(n, DIR), 'utf8')])
		);
		await loadDataset(db, files(texts));
	});

	function reference(f: Filters) {
		const w = filterClause(f);
		return db.query(
			`SELECT office, count(*)::INTEGER AS patients,
			        count(*) FILTER (WHERE implanted)::INTEGER AS implanted,
			        count(*) FILTER (WHERE trial_failed)::INTEGER AS trial_failed
			 FROM patient_facts p WHERE ${w.sql} GROUP BY office ORDER BY patients DESC, office`,
			w.params
		);
	}

	test('the same rows under office and diagnosis filters, and under the others', async () => {
		const values = async (column: string) =>
			(
				await db.query<{ v: string }>(
					`SELECT DISTINCT ${column}::VARCHAR AS v FROM patient_facts WHERE ${column} IS NOT NULL ORDER BY v`
				)
			).map((r) => r.v);
		const offices = await values('office');
		const diagnoses = await values('diagnosis');
		expect(offices.length).toBeGreaterThanOrEqual(4);
		expect(diagnoses.length).toBeGreaterThanOrEqual(3);
		const cells: Partial<Filters>[] = [
			{},
			{ offices: offices.slice(0, 1) },
			{ offices: offices.slice(1, 3) },
			{ diagnoses: diagnoses.slice(0, 1) },
			{ offices: offices.slice(0, 2), diagnoses: diagnoses.slice(1) },
			{ offices: ['no such office'] }
		];
		const others: Partial<Filters>[] = [
			{ sexes: ['F'] },
			{ offices: offices.slice(0, 2), implantYearFrom: 2019 },
			{ itDrugs: ['morphine'] }
		];
		for (const [sets, table] of [
			[cells, 'patient_cells'],
			[others, 'patient_facts']
		] as const)
			for (const c of sets) {
				const f = { ...NO_FILTERS, ...c };
				const q = patientsByOffice(f);
				expect(q.sql, JSON.stringify(c)).toContain(`FROM ${table}`);
				expect(await run(db, q), JSON.stringify(c)).toEqual(await reference(f));
			}
		// Not a comparison of empty lists: the unfiltered cohort has every office.
		expect((await run(db, patientsByOffice(NO_FILTERS))).length).toBe(offices.length);
	});

	test('filterClause selects the patients patients.csv lists under each filter, in one SQL text per set of filters', async () => {
		// The reference reads the demo file with Arquero, not through the importer.
		const csv = aq.fromCSV(readFileSync(new URL('patients.csv', DIR), 'utf8'), { autoType: false });
		const rows = csv.objects() as Record<string, string>[];
		const distinct = (column: string) => [...new Set(rows.map((r) => r[column]!))].sort();
		const providers = distinct('provider_id');
		expect(providers.length, 'enough providers for a list past 8 values').toBeGreaterThan(9);
		const cases: [Partial<Filters>, (r: Record<string, string>) => boolean][] = [
			[{ offices: ['Lexington'] }, (r) => r.office === 'Lexington'],
			[
				{ offices: ['Danville', 'Maysville', 'Cynthiana'] },
				(r) => ['Danville', 'Maysville', 'Cynthiana'].includes(r.office!)
			],
			[
				{ offices: ['Lexington', 'Danville'], diagnoses: ['fbss', 'crps'], sexes: ['F'] },
				(r) =>
					['Lexington', 'Danville'].includes(r.office!) &&
					['fbss', 'crps'].includes(r.diagnosis!) &&
					r.sex === 'F'
			],
			// Nine values: past the eight placeholders a list gets at least.
			[{ providers: providers.slice(0, 9) }, (r) => providers.slice(0, 9).includes(r.provider_id!)],
			[{ offices: ['no such office'] }, () => false]
		];
		for (const [c, keep] of cases) {
			const w = filterClause({ ...NO_FILTERS, ...c });
			const ids = await db.query<{ id: string }>(
				`SELECT patient_id AS id FROM patient_facts p WHERE ${w.sql} ORDER BY id`,
				w.params
			);
			const expected = rows
				.filter(keep)
				.map((r) => r.patient_id!)
				.sort();
			expect(expected.length > 0 || c.offices?.[0] === 'no such office', JSON.stringify(c)).toBe(true);
			expect(
				ids.map((r) => r.id),
				JSON.stringify(c)
			).toEqual(expected);
		}

		// The text depends on which filters are set, not on how many values each has: the page's
		// prepared statements then serve every filter change (db/browser.ts).
		const text = (values: string[]) => filterClause({ ...NO_FILTERS, providers: values }).sql;
		const oneToEight = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => text(providers.slice(0, n)));
		expect(new Set(oneToEight).size).toBe(1);
		expect(text(providers.slice(0, 9))).not.toBe(oneToEight[0]);
		expect(filterClause({ ...NO_FILTERS, offices: ['A', 'B'] }).params).toEqual([
			'A',
			'B',
			'A',
			'A',
			'A',
			'A',
			'A',
			'A'
		]);
	});
});

describe('warmFilteredQueries', () => {
	test("runs the dashboard's own queries, filtered to the first patient's office and diagnosis", async () => {
		await loadDataset(db, files({ 'patients.csv': PATIENTS, 'pain_scores.csv': PAIN }));
		const hits: string[] = [];
		const cached = withQueryCache(db, { onHit: (sql) => hits.push(sql) });
		// P1, the first patient, is in Lexington with fbss.
		const f = await warmFilteredQueries(cached);
		expect(f).toEqual({ ...NO_FILTERS, offices: ['Lexington'], diagnoses: ['fbss'] });
		// The dashboard asking for that filter finds every answer in the cache: the same SQL ran.
		const asked = Object.values(dashboardQueries(f!));
		for (const q of asked) await run(cached, q);
		expect(hits).toEqual(asked.map((q) => q.sql));
		// And the answers are the filter's: P1 is the one patient in Lexington with fbss.
		expect((await runOne<{ patients: number }>(cached, asked[0]!)).patients).toBe(1);
	});
});
