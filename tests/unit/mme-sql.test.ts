import * as aq from 'arquero';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/lib/db';
import { loadDataset } from '../../src/lib/dataset';
import { nodeDatabase } from '../../src/lib/db/node';
import { DEFAULT_WINDOWS } from '../../src/lib/outcomes';
import { prescriptionCoverage, mmeOnDay, type Prescription } from '../../src/lib/outcomes/mme';
import { NO_FILTERS, run, runOne } from '../../src/lib/sql';
import { deriveMme } from '../../src/lib/sql/deriveMme';
import {
	mmeAtImplant,
	mmeBaseline,
	mmeExcludedPrescriptions,
	mmeReduction,
	mmeReport,
	mmeWindows,
	opioidFreeTimes
} from '../../src/lib/sql/mme';
import { generateCohortCsv } from '../../src/lib/synth';
import { files } from './helpers';

// A hand-made cohort; every expected number below is worked out by hand in the comments.
// Windows: baseline [-180, -91], at implant [-30, -1], 3m [61, 90], 6m [151, 180], 12m [336, 365].
const PATIENTS = `patient_id,office,diagnosis,trial_day,trial_result,implant_year,followup_end_day
P1,Lexington,fbss,-20,pass,2020,400
P2,Lexington,crps,-20,pass,2020,100
P3,Danville,fbss,-20,pass,2020,500
P4,Danville,fbss,-20,pass,2020,300
P5,Maysville,crps,-20,pass,2020,400
P6,Maysville,fbss,-20,pass,2020,400
P7,Lexington,spasticity,-20,pass,2020,400
P8,Lexington,fbss,-20,fail,,0
P9,Danville,crps,-20,pass,2020,
P10,Danville,fbss,-20,pass,2020,400
`;

const OPIOIDS = `patient_id,start_day,end_day,days_supply,drug,strength,strength_unit,units_per_day,quantity,indication
P1,-200,120,,oxycodone,10,mg,3,,pain
P2,-180,,45,morphine,30,mg,,90,
P2,-60,,90,morphine,30,mg,,180,
P3,-100,10,,hydrocodone,10,mg,4,,
P3,100,130,,hydrocodone,10,mg,4,,
P4,-40,-1,,oxycodone,5,mg,2,,
P4,-20,-1,,morphine,15,mg,1,,
P4,90,120,,oxycodone,5,mg,2,,
P5,-200,-1,,oxycodone,10,mg,2,,
P5,0,200,,buprenorphine,8,mg,2,,
P5,170,180,,oxycodone,10,mg,2,,
P6,-100,-1,,oxycodone,10,mg,1,,
P6,-10,400,,methadone,10,mg,1,,oud
P7,-200,400,,morphine,30,mg,1,,
P8,-200,10,,morphine,30,mg,1,,
P9,-50,50,,morphine,10,mg,1,,
`;
// Per prescription (CDC 2022): P1 10 x 3 x 1.5 = 45; P2 quantity 90 / 45 days = 2 a day, 30 x 2 = 60
// on -180..-136, then 180 / 90 = 2 a day, 60 on -60..29; P3 10 x 4 = 40; P4 5 x 2 x 1.5 = 15 and
// 15 x 1 = 15; P5 10 x 2 x 1.5 = 30, buprenorphine none; P6 10 x 1.5 = 15, OUD methadone none;
// P9 10. P7 (spasticity), P8 (not implanted) and P10 (no prescription) have no MME days.

let db: Database;
const loadHandMade = async () => {
	db = await nodeDatabase();
	await loadDataset(db, files({ 'patients.csv': PATIENTS, 'oral_opioids.csv': OPIOIDS }));
	await deriveMme(db, 'cdc2022');
};

const day = (patient: string, d: number) =>
	db.query<{ mme: number | null }>('SELECT mme FROM mme_daily WHERE patient_id = ? AND day = ?', [
		patient,
		d
	]);

describe('on a hand-made cohort', () => {
	beforeAll(loadHandMade);

	describe('mme_daily', () => {
		test('spans first prescription day to follow-up end, for the outcome population only', async () => {
			const rows = await db.query(
				'SELECT patient_id, count(*)::INTEGER AS days, min(day) AS first, max(day) AS last FROM mme_daily GROUP BY 1 ORDER BY 1'
			);
			expect(rows).toEqual([
				{ patient_id: 'P1', days: 601, first: -200, last: 400 },
				{ patient_id: 'P2', days: 281, first: -180, last: 100 },
				{ patient_id: 'P3', days: 601, first: -100, last: 500 },
				{ patient_id: 'P4', days: 341, first: -40, last: 300 },
				{ patient_id: 'P5', days: 601, first: -200, last: 400 },
				{ patient_id: 'P6', days: 501, first: -100, last: 400 },
				// No follow-up end: observed up to the last covered day.
				{ patient_id: 'P9', days: 101, first: -50, last: 50 }
			]);
		});

		test('counts a day without a prescription as 0, sums overlaps, and leaves excluded-only days null', async () => {
			expect(await day('P2', -100)).toEqual([{ mme: 0 }]);
			expect(await day('P4', -25)).toEqual([{ mme: 15 }]);
			expect(await day('P4', -10)).toEqual([{ mme: 30 }]);
			expect(await day('P5', 100)).toEqual([{ mme: null }]);
			// Buprenorphine beside a counted prescription: the counted one alone.
			expect(await day('P5', 175)).toEqual([{ mme: 30 }]);
			expect(await day('P6', -5)).toEqual([{ mme: 15 }]);
			expect(await day('P6', 0)).toEqual([{ mme: null }]);
			expect(await day('P1', 401)).toEqual([]);
		});
	});

	describe('MME summaries', () => {
		test('baseline is the mean over [-180, -91] of observed days', async () => {
			// P1 45; P2 45 days of 60 and 45 of 0 -> 30; P3 observed from -100: 40; P5 30; P6 from -100: 15.
			// P4 and P9 start later: no baseline. Sorted 15, 30, 30, 40, 45: median 30, q1 30, q3 40.
			expect(await runOne(db, mmeBaseline(NO_FILTERS))).toEqual({
				n: 5,
				mean: 32,
				median: 30,
				q1: 30,
				q3: 40
			});
		});

		test('MME at implant is the mean over [-30, -1], overlapping prescriptions summed', async () => {
			// P1 45, P2 60, P3 40, P4 (10 days of 15 + 20 of 30) / 30 = 25, P5 30, P6 15 (OUD left out), P9 10.
			// Sorted 10, 15, 25, 30, 40, 45, 60: q1 at position 1.5 = 20, q3 at 4.5 = 42.5.
			expect(await runOne(db, mmeAtImplant(NO_FILTERS))).toEqual({
				n: 7,
				mean: 225 / 7,
				median: 30,
				q1: 20,
				q3: 42.5
			});
		});

		test('binds filters over patient_facts', async () => {
			// Danville: P3 40 only (P4, P9 have no baseline days).
			const q = mmeBaseline({ ...NO_FILTERS, offices: ['Danville'] });
			expect(await runOne(db, q)).toEqual({ n: 1, mean: 40, median: 40, q1: 40, q3: 40 });
		});

		test('windows: null after follow-up ends, null-only windows left out of the mean, opioid-free counted', async () => {
			const rows = await run(db, mmeWindows(NO_FILTERS));
			expect(rows).toEqual([
				// [61, 90]: P1 45, P2 0, P3 0, P4 29 days of 0 and day 90 at 15 -> 0.5; P5, P6 all null
				// (in the opioid-free denominator, not free); P9 ended on day 50. Sorted 0, 0, 0.5, 45:
				// median 0.25, q1 at 0.75 -> 0, q3 at 2.25 -> 0.5 + 0.25 x 44.5 = 11.625. Free: P2, P3.
				{
					label: '3m',
					target_day: 90,
					n: 4,
					mean: 11.375,
					median: 0.25,
					q1: 0,
					q3: 11.625,
					free_n: 6,
					free_k: 2
				},
				// [151, 180]: P1 0, P3 0, P4 0, P5 null on 151..169 and 30 on 170..180 -> 30, P6 null;
				// P2 ended on day 100. Sorted 0, 0, 0, 30: q3 at 2.25 -> 7.5. Free: P1, P3, P4.
				{ label: '6m', target_day: 180, n: 4, mean: 7.5, median: 0, q1: 0, q3: 7.5, free_n: 5, free_k: 3 },
				// [336, 365]: P1, P3, P5 0; P6 null; P4 ended on day 300.
				{ label: '12m', target_day: 365, n: 3, mean: 0, median: 0, q1: 0, q3: 0, free_n: 4, free_k: 3 },
				// Only P3 reaches day 500: nobody is observed through day 545.
				{
					label: '18m',
					target_day: 545,
					n: 0,
					mean: null,
					median: null,
					q1: null,
					q3: null,
					free_n: 0,
					free_k: 0
				},
				{
					label: '24m',
					target_day: 730,
					n: 0,
					mean: null,
					median: null,
					q1: null,
					q3: null,
					free_n: 0,
					free_k: 0
				},
				{
					label: '36m',
					target_day: 1095,
					n: 0,
					mean: null,
					median: null,
					q1: null,
					q3: null,
					free_n: 0,
					free_k: 0
				}
			]);
		});

		test('reduction from baseline covers patients with baseline > 0 and a window value', async () => {
			const [m3, m6] = await run(db, mmeReduction(NO_FILTERS));
			// 3m: P1 45 -> 45: 0 %; P2 30 -> 0: 100 %; P3 40 -> 0: 100 %. Sorted 0, 100, 100: q1 at 0.5 = 50.
			expect(m3).toEqual({ label: '3m', target_day: 90, n: 3, mean: 200 / 3, median: 100, q1: 50, q3: 100 });
			// 6m: P1 100 %, P3 100 %, P5 30 -> 30: 0 %.
			expect(m6).toEqual({ label: '6m', target_day: 180, n: 3, mean: 200 / 3, median: 100, q1: 50, q3: 100 });
		});

		test('counts excluded prescriptions by reason', async () => {
			expect(await run(db, mmeExcludedPrescriptions(NO_FILTERS))).toEqual([
				{ reason: 'excluded: opioid use disorder treatment', n: 1 },
				{ reason: 'no CDC factor', n: 1 }
			]);
			expect(await run(db, mmeExcludedPrescriptions({ ...NO_FILTERS, offices: ['Danville'] }))).toEqual([]);
		});
	});

	describe('time to opioid-free', () => {
		test('takes the first run of 90 opioid-free days, censoring at follow-up end or an open short run', async () => {
			expect(await run(db, opioidFreeTimes(NO_FILTERS))).toEqual([
				// Free 121..400: a run of 280 days.
				{ patient_id: 'P1', time: 121, event: true },
				// Free 30..100: 71 days, still open at follow-up end -> censored at the run's first day.
				{ patient_id: 'P2', time: 30, event: false },
				// Free 11..99 is 89 days: not enough. Free again 131..500.
				{ patient_id: 'P3', time: 131, event: true },
				// Free 0..89: exactly 90 days, closed by the prescription of day 90.
				{ patient_id: 'P4', time: 0, event: true },
				// Null (buprenorphine only) days are not opioid-free: the run starts on day 201.
				{ patient_id: 'P5', time: 201, event: true },
				// OUD methadone all along: no opioid-free day; censored at follow-up end.
				{ patient_id: 'P6', time: 400, event: false },
				// Taking opioids until its last observed day.
				{ patient_id: 'P9', time: 50, event: false }
			]);
		});

		test('reports the Kaplan-Meier curve, not the naive proportion', async () => {
			const report = await mmeReport(db, NO_FILTERS, 'cdc2022');
			// Times 0 E, 30 C, 50 C, 121 E, 131 E, 201 E, 400 C. S(0) = 6/7; 4 at risk at 121:
			// S = 6/7 x 3/4 = 9/14; at 131 x 2/3 = 3/7; at 201 x 1/2 = 3/14. Naive: 4/7, not 11/14.
			const points = report.opioid_free.points.map(({ day, cum_free, at_risk }) => ({
				day,
				cum_free,
				at_risk
			}));
			expect(points.map((p) => p.day)).toEqual([0, 30, 121, 131, 201, 365, 1825]);
			expect(points.map((p) => p.at_risk)).toEqual([7, 6, 4, 3, 2, 1, 0]);
			const expected = [1 / 7, 1 / 7, 5 / 14, 4 / 7, 11 / 14, 11 / 14];
			expected.forEach((v, i) => expect(points[i]!.cum_free).toBeCloseTo(v, 12));
			// Beyond the last time (400) the curve is undefined.
			expect(report.opioid_free.points.at(-1)).toEqual({
				day: 1825,
				cum_free: null,
				lo: null,
				hi: null,
				at_risk: 0
			});
			// Day 0: S = 6/7, Greenwood sum 1 / (7 x 6) = 1/42; SE(log(-log S)) = 0.1543033 / 0.1541507
			// = 1.0009904; z x SE = 1.9619051; S ^ exp(+-1.9619051) = S ^ 7.11287 = 0.334054 and
			// S ^ 0.140590 = 0.978561; for 1 - S the interval turns over: [0.021439, 0.665946].
			expect(report.opioid_free.points[0]!.lo).toBeCloseTo(0.021439, 5);
			expect(report.opioid_free.points[0]!.hi).toBeCloseTo(0.665946, 5);
			expect(report.opioid_free).toMatchObject({ n: 7, median_day: 131 });
			expect(report.excluded_prescriptions).toHaveLength(2);
			expect(report.windows[0]!.opioid_free).toEqual({ n: 6, k: 2, rate: 2 / 6 });
		});

		test('the report has exactly the fields of report.md', async () => {
			const report = await mmeReport(db, NO_FILTERS, 'cdc2022');
			expect(Object.keys(report)).toEqual([
				'factors',
				'baseline',
				'at_implant',
				'windows',
				'opioid_free',
				'excluded_prescriptions'
			]);
			expect(Object.keys(report.baseline)).toEqual(['n', 'mean', 'median', 'q1', 'q3']);
			expect(Object.keys(report.windows[0]!)).toEqual([
				'label',
				'target_day',
				'n',
				'mean',
				'median',
				'q1',
				'q3',
				'opioid_free'
			]);
			expect(Object.keys(report.opioid_free)).toEqual(['n', 'points', 'median_day']);
			expect(Object.keys(report.opioid_free.points[0]!)).toEqual(['day', 'cum_free', 'lo', 'hi', 'at_risk']);
		});

		test('rebuilds the MME tables when the report asks for the other factor table', async () => {
			const factorsBuilt = async () =>
				(await db.query<{ factors: string }>('SELECT factors FROM mme_factors'))[0]!.factors;
			expect(await factorsBuilt()).toBe('cdc2022');
			const report2016 = await mmeReport(db, NO_FILTERS, 'cdc2016');
			expect(report2016.factors).toBe('cdc2016');
			expect(await factorsBuilt()).toBe('cdc2016');
			// This cohort has no hydromorphone, methadone or tramadol: the numbers do not move.
			expect(report2016.at_implant).toEqual((await mmeReport(db, NO_FILTERS, 'cdc2022')).at_implant);
			expect(await factorsBuilt()).toBe('cdc2022');
			// Never built (e.g. a load before deriveSql ran them): the report builds them itself.
			await db.query('DROP TABLE mme_factors');
			expect((await mmeReport(db, NO_FILTERS, 'cdc2022')).opioid_free.n).toBe(7);
			expect(await factorsBuilt()).toBe('cdc2022');
		});

		test('filters the population', async () => {
			const rows = await run<{ patient_id: string }>(
				db,
				opioidFreeTimes({ ...NO_FILTERS, offices: ['Danville'] })
			);
			expect(rows.map((r) => r.patient_id)).toEqual(['P3', 'P4', 'P9']);
		});
	});
});

describe('a dataset without oral_opioids.csv', () => {
	test('builds empty MME tables and a report of empty summaries', async () => {
		db = await nodeDatabase();
		await loadDataset(db, files({ 'patients.csv': PATIENTS }));
		await deriveMme(db, 'cdc2022');
		const report = await mmeReport(db, NO_FILTERS, 'cdc2022');
		const empty = { n: 0, mean: null, median: null, q1: null, q3: null };
		expect(report.baseline).toEqual(empty);
		expect(report.windows.map((w) => [w.label, w.n, w.opioid_free])).toEqual(
			['3m', '6m', '12m', '18m', '24m', '36m'].map((label) => [label, 0, { n: 0, k: 0, rate: null }])
		);
		expect(report.opioid_free).toEqual({
			n: 0,
			points: [30, 365, 1825].map((day) => ({ day, cum_free: null, lo: null, hi: null, at_risk: 0 })),
			median_day: null
		});
		expect(report.excluded_prescriptions).toEqual([]);
	});
});

// An independent second opinion on a synthetic cohort: days from the TypeScript reference
// (mmeOnDay, one day at a time), summaries with Arquero, runs with a plain loop. The SQL builds days
// from change points and runs from gaps and islands; agreement on ~100k patient-days says both hold.
describe('cross-check against Arquero on a synthetic cohort (CDC 2016, methadone tiers in play)', () => {
	const cohort = generateCohortCsv({ seed: 'mme-crosscheck', patients: 60 });
	const outcome = aq
		.fromCSV(cohort.patients)
		.filter((d) => d.implant_year != null && d.diagnosis !== 'spasticity')
		.objects() as { patient_id: string; followup_end_day: number | null }[];
	// Excluded prescriptions and overlapping methadone the generator does not write.
	const [a, b, c] = outcome.map((p) => p.patient_id);
	const extra = [
		`${a},50,250,,buprenorphine,8,mg,2,,oud`,
		`${b},-150,-100,,methadone,10,mg,2,,pain`,
		`${b},-120,-60,,methadone,7.5,mg,1,,`,
		`${c},-20,400,,other,5,mg,1,,`
	];
	const opioidsCsv = cohort.oralOpioids + extra.join('\n') + '\n';
	const prescriptions = aq.fromCSV(opioidsCsv).objects() as (Prescription & { patient_id: string })[];

	const referenceDays = outcome.flatMap(({ patient_id, followup_end_day }) => {
		const mine = prescriptions.filter((rx) => rx.patient_id === patient_id);
		if (mine.length === 0) return [];
		const first = Math.min(...mine.map((rx) => rx.start_day));
		const last = followup_end_day ?? Math.max(...mine.map((rx) => prescriptionCoverage(rx).to));
		return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => ({
			patient_id,
			day: first + i,
			mme: mmeOnDay(mine, first + i, 'cdc2016'),
			last_day: last
		}));
	});
	const daily = aq.from(referenceDays);
	const finite = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
	// Arquero parses these functions into its own expressions; the types only serve the compiler.
	type Day = Record<string, number | null>;
	type Bounds = { from: number; to: number };
	const summarise = (perPatient: aq.ColumnTable) =>
		perPatient
			.rollup({
				n: (d: Day) => aq.op.valid(d.mme),
				mean: (d: Day) => aq.op.mean(d.mme),
				median: (d: Day) => aq.op.median(d.mme),
				q1: (d: Day) => aq.op.quantile(d.mme, 0.25),
				q3: (d: Day) => aq.op.quantile(d.mme, 0.75)
			})
			.objects()
			.map((r: object) =>
				Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'n' ? v : finite(v)]))
			)[0]!;
	const meanOver = (from: number, to: number) =>
		daily
			.params({ from, to })
			.filter((d: Day, $: Bounds) => d.day! >= $.from && d.day! <= $.to && d.last_day! >= $.to)
			.groupby('patient_id')
			.rollup({ mme: (d: Day) => aq.op.mean(d.mme), free: (d: Day) => aq.op.sum(d.mme === 0 ? 1 : 0) });
	const close = (x: Record<string, unknown>) =>
		Object.fromEntries(
			Object.entries(x).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toFixed(9)) : v])
		);

	beforeAll(async () => {
		db = await nodeDatabase();
		await loadDataset(db, files({ 'patients.csv': cohort.patients, 'oral_opioids.csv': opioidsCsv }));
		await deriveMme(db, 'cdc2016');
	});

	test('the cohort exercises methadone, patches, quantity-form rows and exclusions', async () => {
		const drugs = new Set(prescriptions.map((rx) => rx.drug));
		expect([...drugs]).toEqual(
			expect.arrayContaining(['methadone', 'fentanyl_transdermal', 'buprenorphine', 'other'])
		);
		expect(prescriptions.some((rx) => rx.quantity != null)).toBe(true);
		expect(referenceDays.length).toBeGreaterThan(50_000);
	});

	test('mme_daily equals the day-by-day reference on every patient-day', async () => {
		const sql = await db.query<{ patient_id: string; day: number; mme: number | null }>(
			'SELECT patient_id, day, mme FROM mme_daily ORDER BY patient_id, day'
		);
		const ref = [...referenceDays].sort((x, y) =>
			x.patient_id < y.patient_id ? -1 : x.patient_id > y.patient_id ? 1 : x.day - y.day
		);
		expect(sql).toEqual(ref.map(({ patient_id, day, mme }) => ({ patient_id, day, mme })));
	});

	test('baseline and at-implant summaries', async () => {
		// The ranges end before implant, so follow-up always reaches them: the last_day filter is moot.
		expect(close(await runOne(db, mmeBaseline(NO_FILTERS)))).toEqual(close(summarise(meanOver(-180, -91))));
		expect(close(await runOne(db, mmeAtImplant(NO_FILTERS)))).toEqual(close(summarise(meanOver(-30, -1))));
	});

	test('window summaries and opioid-free counts', async () => {
		const expected = DEFAULT_WINDOWS.map(({ label, target }) => {
			const perPatient = meanOver(target - 29, target);
			const free = perPatient.objects().filter((r: object) => (r as { free: number }).free === 30).length;
			return {
				label,
				target_day: target,
				...summarise(perPatient),
				free_n: perPatient.numRows(),
				free_k: free
			};
		});
		expect((await run<Record<string, unknown>>(db, mmeWindows(NO_FILTERS))).map(close)).toEqual(
			expected.map(close)
		);
	});

	test('time to opioid-free', async () => {
		const expected = outcome.flatMap(({ patient_id }) => {
			const days = referenceDays.filter((d) => d.patient_id === patient_id);
			if (!days.some((d) => d.day >= -30 && d.day <= -1 && (d.mme ?? 0) > 0)) return [];
			let runStart: number | null = null;
			for (const d of days.filter((x) => x.day >= 0)) {
				if (d.mme !== 0) runStart = null;
				else if ((runStart ??= d.day) === d.day - 89) return [{ patient_id, time: runStart, event: true }];
			}
			return [{ patient_id, time: runStart ?? days.at(-1)!.last_day, event: false }];
		});
		expect(expected.filter((r) => r.event).length).toBeGreaterThan(3);
		expect(await run(db, opioidFreeTimes(NO_FILTERS))).toEqual(expected);
	});
});
