import * as aq from 'arquero';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import type { ImportReport } from '../../src/lib/ingest';
import { DEFAULT_WINDOWS } from '../../src/lib/outcomes';
import { DEFAULT_IT_DOSE_SETTINGS, type ItDrug } from '../../src/lib/outcomes/itDose';
import { NO_FILTERS, run, runOne, type Filters } from '../../src/lib/sql';
import { deriveItDoseSql, ensureItDoseFactor, withItDoseFactor } from '../../src/lib/sql/deriveItDose';
import {
	itDoseAtWindows,
	itDoseByMonth,
	itDoseEscalation,
	itDoseEscalationSummary,
	itDoseReport,
	itDoseTimeline,
	itDoseWarningCounts,
	itDoseWarnings,
	type ItDoseEscalation,
	type ItDoseMonth,
	type ItDoseWindowRow
} from '../../src/lib/sql/itDose';
import { files } from './helpers';

// A hand-made cohort; every expected number below is worked out by hand in the comments.
// Windows are the defaults: 3m 90, 6m 180, 12m 365, 18m 545, 24m 730, 36m 1095.
const PATIENTS = `patient_id,office,diagnosis,implant_year,followup_end_day,followup_end_reason
P01,Lexington,fbss,2020,800,ongoing
P02,Lexington,crps,2021,1200,ongoing
P03,Maysville,fbss,2019,1200,ongoing
P04,Danville,fbss,2020,365,lost
P05,Cynthiana,crps,2020,1100,ongoing
P06,Cynthiana,fbss,2021,1100,ongoing
P07,Maysville,peripheral_neuropathy,2021,1100,ongoing
P08,Cynthiana,crps,2022,760,ongoing
P09,Danville,fbss,2020,760,ongoing
P10,Danville,crps,2020,760,ongoing
P11,Danville,fbss,2021,760,ongoing
P12,Maysville,fbss,2020,1100,ongoing
P13,Maysville,spasticity,2020,1100,ongoing
P14,Lexington,other,2022,,
`;

// Line numbers (header = line 1) matter: the last line of a day wins, and warnings cite them.
const PUMP = `patient_id,day,event,drug,daily_dose,daily_dose_unit
P01,-20,trial,morphine,0.2,mg/day
P01,0,implant,morphine,1,mg/day
P01,0,implant,bupivacaine,2,mg/day
P01,90,refill,morphine,1.5,mg/day
P01,180,dose_change,morphine,2,mg/day
P01,300,dose_change,morphine,2000,mcg/day
P02,0,implant,morphine,2,mg/day
P02,365,dose_change,morphine,4,mg/day
P02,365,dose_change,morphine,3,mg/day
P03,0,implant,morphine,5,mg/day
P03,180,explant,,,
P04,0,implant,morphine,3,mg/day
P04,400,refill,morphine,3,mg/day
P05,0,implant,hydromorphone,2,mg/day
P06,0,implant,morphine,1,mg/day
P06,0,implant,hydromorphone,0.5,mg/day
P07,0,implant,ziconotide,2.4,mcg/day
P08,0,implant,morphine,0.5,mg/day
P08,14,dose_change,morphine,1,mg/day
P08,30,dose_change,morphine,1.5,mg/day
P09,0,implant,morphine,2,mg/day
P09,396,dose_change,morphine,4,mg/day
P10,0,implant,morphine,4,mg/day
P10,396,dose_change,morphine,2,mg/day
P11,0,implant,morphine,2,mg/day
P11,396,dose_change,morphine,6,mg/day
P12,0,implant,morphine,15,mg/day
P12,0,implant,hydromorphone,10,mg/day
P12,0,implant,ziconotide,19.2,mcg/day
P12,400,dose_change,morphine,15.1,mg/day
P12,400,dose_change,hydromorphone,10.1,mg/day
P12,400,dose_change,ziconotide,19.3,mcg/day
P13,0,implant,baclofen,100,mcg/day
P14,0,implant,morphine,1,mg/day
P14,200,refill,morphine,1,mg/day
`;
// In words: P01 morphine + bupivacaine, a refill on day 90 that omits bupivacaine, a trial dose
// (not a dosing event) and a morphine row in mcg/day (rejected at import). P02 two rows on day
// 365 (4 then 3: 3 wins). P03 explanted on day 180 while follow-up continues. P04 follow-up ends
// on day 365, and a refill dated 400 is not used. P05 hydromorphone only; P06 morphine +
// hydromorphone; P07 ziconotide only. P08 titrates within days 0-30. P09-P11 change on day 396,
// halfway through days 31-760. P12 sits exactly at the plausibility limits, then 0.1 above.
// P13 is a spasticity (baclofen) patient. P14 has no follow-up end: observation ends at its last
// pump event (day 200).

const DANVILLE: Filters = { ...NO_FILTERS, offices: ['Danville'] };
const CYNTHIANA: Filters = { ...NO_FILTERS, offices: ['Cynthiana'] };

/** Compare floating results to 12 significant digits; DuckDB may sum in another order. */
function approx<T>(x: T): T {
	if (typeof x === 'number') return Number(x.toPrecision(12)) as T;
	if (Array.isArray(x)) return x.map(approx) as T;
	if (x && typeof x === 'object')
		return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, approx(v)])) as T;
	return x;
}

/**
 * OLS slope per day of a daily step series of N days (positions 0..N-1) that changes by delta_j
 * at position c_j. With x centred, Sxx = N(N^2 - 1)/12 and each change contributes
 * delta x (sum of x - mean over positions c..N-1) = delta x c(N - c)/2 to Sxy, hence
 * slope = 6 sum(delta c (N - c)) / (N (N^2 - 1)).
 */
function stepSlopePerDay(N: number, changes: [position: number, delta: number][]): number {
	return (6 * changes.reduce((s, [c, delta]) => s + delta * c * (N - c), 0)) / (N * (N * N - 1));
}
const YEAR = 365.25;

let db: Database;
let report: ImportReport;
beforeAll(async () => {
	db = await nodeDatabase();
	report = await loadDataset(db, files({ 'patients.csv': PATIENTS, 'pump_events.csv': PUMP }));
	for (const sql of deriveItDoseSql()) await db.query(sql);
	// The factor-dependent tables are built on first use, as the pump page's loader asks for them.
	await ensureItDoseFactor(db, 5);
});

const step = (
	drug: string,
	unit: string,
	from_day: number,
	to_day: number,
	daily_dose: number,
	ended_by: string | null = null
) => ({ drug, unit, from_day, to_day, daily_dose, ended_by });

describe('it_dose_steps', () => {
	test('rejects a morphine dose in mcg/day at import, with its line, so it never becomes a step', () => {
		const pump = report.files.find((f) => f.kind === 'pump_events')!;
		expect(pump).toMatchObject({ read: 35, loaded: 34, rejected: 1 });
		expect(pump.problems).toEqual([
			{
				line: 7,
				column: 'daily_dose_unit',
				value: 'mcg/day',
				rule: 'unit does not fit the drug (outcomes.md section 4)'
			}
		]);
	});

	test('keeps an omitted drug running through a refill and ignores the trial dose', async () => {
		// Steps end the day before the drug's next row, or on followup_end_day 800 (inclusive).
		expect(await run(db, itDoseTimeline('P01'))).toEqual([
			step('morphine', 'mg/day', 0, 89, 1),
			step('morphine', 'mg/day', 90, 179, 1.5),
			step('morphine', 'mg/day', 180, 800, 2, 'followup_end'),
			step('bupivacaine', 'mg/day', 0, 800, 2, 'followup_end')
		]);
	});

	test('takes the last line of a day, and ends the dose at explant or at the last pump event', async () => {
		expect(await run(db, itDoseTimeline('P02'))).toEqual([
			step('morphine', 'mg/day', 0, 364, 2),
			step('morphine', 'mg/day', 365, 1200, 3, 'followup_end')
		]);
		// Explant on day 180 ends the dose (the explant day itself included) while follow-up runs to 1200.
		expect(await run(db, itDoseTimeline('P03'))).toEqual([step('morphine', 'mg/day', 0, 180, 5, 'explant')]);
		// No followup_end_day: the dose is known up to the last pump event (day 200).
		expect(await run(db, itDoseTimeline('P14'))).toEqual([
			step('morphine', 'mg/day', 0, 199, 1),
			step('morphine', 'mg/day', 200, 200, 1, 'last_pump_event')
		]);
	});
});

describe('it_dose_warnings', () => {
	test('warns above the plausible maxima and on changes over 50%, but not at the limits themselves', async () => {
		const warning = (
			patient_id: string,
			day: number,
			drug: string,
			value: number,
			rule: string,
			line: number
		) => ({ patient_id, day, drug, value, rule, line });
		const change = 'dose changed by more than 50% in one step';
		// Not warned: P12 at exactly 15 / 10 / 19.2 on day 0; changes of exactly 50%:
		// P01 1 -> 1.5, P02 2 -> 3, P08 1 -> 1.5, P10 4 -> 2; P12 15 -> 15.1 is a 0.7% change.
		expect(await run(db, itDoseWarnings(NO_FILTERS))).toEqual([
			warning('P02', 365, 'morphine', 4, 'several doses for one drug on one day: the last line wins', 9),
			warning('P04', 400, 'morphine', 3, 'dated after the end of observation: not used', 14),
			warning('P08', 14, 'morphine', 1, change, 20), // 0.5 -> 1: +100%
			warning('P09', 396, 'morphine', 4, change, 23), // 2 -> 4: +100%
			warning('P11', 396, 'morphine', 6, change, 27), // 2 -> 6: +200%
			warning('P12', 400, 'morphine', 15.1, 'morphine above 15 mg/day', 31),
			warning('P12', 400, 'hydromorphone', 10.1, 'hydromorphone above 10 mg/day', 32),
			warning('P12', 400, 'ziconotide', 19.3, 'ziconotide above 19.2 mcg/day', 33)
		]);
	});

	test('counts warnings by rule within the filters', async () => {
		// Danville: P04's late refill, P09's and P11's big steps.
		expect(await run(db, itDoseWarningCounts(DANVILLE))).toEqual([
			{ rule: 'dose changed by more than 50% in one step', n: 2 },
			{ rule: 'dated after the end of observation: not used', n: 1 }
		]);
	});
});

describe('itDoseAtWindows', () => {
	const at = async (f: Filters, factor: number, series: string, label: string) => {
		const settings = { ...DEFAULT_IT_DOSE_SETTINGS, hydromorphoneFactor: factor };
		const rows = await run<ItDoseWindowRow>(db, itDoseAtWindows(f, settings));
		return approx(rows.find((r) => r.series === series && r.label === label));
	};

	test('converts hydromorphone with the chosen factor (5, 4, or 4.5)', async () => {
		// Cynthiana on day 90: P05 hydromorphone 2, P06 morphine 1 + hydromorphone 0.5, P08 morphine 1.5.
		// Factor 5: 10, 3.5, 1.5 -> mean 15/3 = 5, median 3.5.
		expect(await at(CYNTHIANA, 5, 'morphine_eq', '3m')).toMatchObject({ n: 3, mean: 5, median: 3.5 });
		// Factor 4: 8, 3, 1.5 -> mean 12.5/3, median 3.
		expect(await at(CYNTHIANA, 4, 'morphine_eq', '3m')).toMatchObject(
			approx({ n: 3, mean: 12.5 / 3, median: 3 })
		);
		// Factor 4.5: 9, 3.25, 1.5 -> mean 13.75/3, median 3.25 (the bound factor must stay fractional).
		expect(await at(CYNTHIANA, 4.5, 'morphine_eq', '3m')).toMatchObject(
			approx({ n: 3, mean: 13.75 / 3, median: 3.25 })
		);
	});

	test('refuses a hydromorphone factor outside 4-6', () => {
		const settings = { ...DEFAULT_IT_DOSE_SETTINGS, hydromorphoneFactor: 7 };
		expect(() => itDoseAtWindows(NO_FILTERS, settings)).toThrow(
			'hydromorphone factor must be from 4 to 6, got 7'
		);
	});

	test('leaves a ziconotide-only patient out of the morphine-equivalent (null, not 0)', async () => {
		// Maysville on day 90: P03 morphine 5, P07 ziconotide only, P12 15 + 10 x 5 = 65.
		// A 0 for P07 would give n 3 and median 5.
		const maysville = { ...NO_FILTERS, offices: ['Maysville'] };
		expect(await at(maysville, 5, 'morphine_eq', '3m')).toMatchObject({ n: 2, mean: 35, median: 35 });
	});
});

describe('itDoseByMonth', () => {
	test('averages each patient over the days of a month, and stops at the end of observation', async () => {
		const rows = await run<ItDoseMonth>(db, itDoseByMonth({ ...NO_FILTERS, offices: ['Lexington'] }));
		const morphine = (month: number) => rows.find((r) => r.series === 'morphine' && r.month === month);
		// Lexington: P01, P02, P14. No month before 0: the day -20 trial dose is not a step.
		expect(Math.min(...rows.map((r) => r.month))).toBe(0);
		// Month 2 = days 61-91 (ceil(2 x 30.4375) = 61, ceil(3 x 30.4375) - 1 = 91). P01: 1 on 61-89
		// and 1.5 on 90-91 -> (29 + 3) / 31 = 32/31; P02 2; P14 1. Sorted 1, 32/31, 2.
		expect(approx(morphine(2))).toEqual(
			approx({
				series: 'morphine',
				unit: 'mg/day',
				month: 2,
				n: 3,
				median: 32 / 31,
				q1: 63 / 62,
				q3: 47 / 31
			})
		);
		// Month 6 = days 183-213: P14 covers 183-200 at 1 -> 1, 2, 2. Month 7 (214-243): P14 is gone.
		expect(morphine(6)).toMatchObject({ n: 3, median: 2, q1: 1.5, q3: 2 });
		expect(morphine(7)).toMatchObject({ n: 2, median: 2 });
		// Bupivacaine continues at 2 for P01 through day 800 = month 26 (800 / 30.4375 = 26.3).
		const bupivacaine = rows.filter((r) => r.series === 'bupivacaine');
		expect(bupivacaine.map((r) => r.month)).toEqual(Array.from({ length: 27 }, (_, m) => m));
		expect(new Set(bupivacaine.map((r) => r.median))).toEqual(new Set([2]));
	});
});

describe('itDoseEscalation', () => {
	// Days 31-760 are N = 730 sampled days; P09-P11 change at day 396 = position 365, halfway.
	const s = stepSlopePerDay(730, [[365, 2]]) * YEAR; // 2 -> 4: 365.25 x 3 x 365 x 2 / (4 x 365^2 - 1) = 1.50103
	const logSlope = (ratio: number) => stepSlopePerDay(730, [[365, Math.log(ratio)]]) * YEAR;
	const pct = (ratio: number) => (Math.exp(logSlope(ratio)) - 1) * 100; // P09: (e^0.52022 - 1) x 100 = 68.24

	test('fits the slope after titration, per year and as percent per year', async () => {
		const rows = await run<ItDoseEscalation>(db, itDoseEscalation(NO_FILTERS));
		const byId = new Map(rows.map((r) => [r.patient_id, approx(r)]));
		// Everyone on morphine or hydromorphone in the outcome population: not P07 (ziconotide only)
		// nor P13 (spasticity).
		expect([...byId.keys()]).toEqual([
			'P01',
			'P02',
			'P03',
			'P04',
			'P05',
			'P06',
			'P08',
			'P09',
			'P10',
			'P11',
			'P12',
			'P14'
		]);
		// P08 titrates 0.5 -> 1 -> 1.5 within days 0-30, then holds 1.5 on days 31-760 (730 days):
		// slope 0. Counting the titration days would make it positive.
		expect(byId.get('P08')).toEqual({ patient_id: 'P08', days: 730, per_year: 0, pct_per_year: 0 });
		// Constant doses: P04 on days 31-365 (335 days), P14 on days 31-200 (170 days).
		expect(byId.get('P04')).toMatchObject({ days: 335, per_year: 0, pct_per_year: 0 });
		expect(byId.get('P14')).toMatchObject({ days: 170, per_year: 0 });
		expect(byId.get('P09')).toEqual(
			approx({ patient_id: 'P09', days: 730, per_year: s, pct_per_year: pct(2) })
		);
		expect(byId.get('P10')).toEqual(
			approx({ patient_id: 'P10', days: 730, per_year: -s, pct_per_year: pct(0.5) })
		);
		expect(byId.get('P11')).toEqual(
			approx({ patient_id: 'P11', days: 730, per_year: 2 * s, pct_per_year: pct(3) })
		);
		// (exp(b) - 1) x 100, not b x 100: a doubling halfway reads 68.24, not 52.02.
		expect(byId.get('P09')!.pct_per_year).toBeCloseTo(68.24, 2);
	});

	test('summarises the cohort as median (IQR) of the patient slopes', async () => {
		// Danville: P04 0, P09 s, P10 -s, P11 2s. Sorted -s, 0, s, 2s: median s/2,
		// q1 = -s + 0.75 x s = -s/4, q3 = s + 0.25 x s = 1.25 s. Percent: P10 < P04 0 < P09 < P11,
		// median (0 + pct(2)) / 2.
		expect(approx(await runOne(db, itDoseEscalationSummary(DANVILLE)))).toEqual(
			approx({
				n: 4,
				median_per_year: s / 2,
				q1: -s / 4,
				q3: 1.25 * s,
				median_pct_per_year: pct(2) / 2,
				// Percent sorted pct(1/2), 0, pct(2), pct(3) (P11: 2 -> 6): q1 = 0.25 x pct(1/2),
				// q3 = pct(2) + 0.25 x (pct(3) - pct(2)).
				q1_pct_per_year: 0.25 * pct(0.5),
				q3_pct_per_year: pct(2) + 0.25 * (pct(3) - pct(2))
			})
		);
	});

	test('agrees with an independent Arquero implementation for every patient', async () => {
		const sql = await run<ItDoseEscalation>(db, itDoseEscalation(NO_FILTERS));
		const expected = arqueroEscalation(5);
		expect(sql.map((r) => r.patient_id)).toEqual(expected.map((r) => r.patient_id));
		for (const [i, r] of sql.entries()) {
			expect(r.per_year).toBeCloseTo(expected[i]!.per_year, 9);
			expect(r.pct_per_year).toBeCloseTo(expected[i]!.pct_per_year, 9);
		}
	});
});

describe('the derived tables for another hydromorphone factor', () => {
	const FOUR = { ...DEFAULT_IT_DOSE_SETTINGS, hydromorphoneFactor: 4 };

	test('refuse to answer for a factor they were not built with', async () => {
		await ensureItDoseFactor(db, 5);
		await expect(run(db, itDoseByMonth(CYNTHIANA, FOUR))).rejects.toThrow(
			'the IT dose tables are built for another hydromorphone factor than 4: call ensureItDoseFactor first'
		);
		await expect(run(db, itDoseEscalation(CYNTHIANA, FOUR))).rejects.toThrow(
			'another hydromorphone factor than 4'
		);
	});

	test('are rebuilt for factor 4: the trend and the fits follow it, and factor 5 comes back unchanged', async () => {
		const five = await run<ItDoseEscalation>(db, itDoseEscalation(NO_FILTERS));
		const month2 = async (s = DEFAULT_IT_DOSE_SETTINGS) =>
			(await run<ItDoseMonth>(db, itDoseByMonth(CYNTHIANA, s))).find(
				(r) => r.series === 'morphine_eq' && r.month === 2
			);
		// Cynthiana, month 2 (days 61-91), factor 4: P05 hydromorphone 2 x 4 = 8, P06 1 + 0.5 x 4 = 3,
		// P08 morphine 1.5. Sorted 1.5, 3, 8: median 3, q1 1.5 + 0.5 x 1.5 = 2.25, q3 3 + 0.5 x 5 = 5.5.
		await withItDoseFactor(db, 4, async () => {
			expect(await month2(FOUR)).toMatchObject({ n: 3, median: 3, q1: 2.25, q3: 5.5 });
			const sql = await run<ItDoseEscalation>(db, itDoseEscalation(NO_FILTERS, FOUR));
			const expected = arqueroEscalation(4);
			expect(sql.map((r) => r.patient_id)).toEqual(expected.map((r) => r.patient_id));
			for (const [i, r] of sql.entries()) {
				expect(r.per_year).toBeCloseTo(expected[i]!.per_year, 9);
				expect(r.pct_per_year).toBeCloseTo(expected[i]!.pct_per_year, 9);
			}
			// P12 on morphine 15 + hydromorphone 10, both up by 0.1 on day 400: the slope scales
			// with 1 + factor, so factor 4 gives 5/6 of factor 5's.
			const p12 = (rows: ItDoseEscalation[]) => rows.find((r) => r.patient_id === 'P12')!.per_year;
			expect(p12(sql) / p12(five)).toBeCloseTo(5 / 6, 12);
		});
		// Back to 5 (factor 5: 10, 3.5, 1.5 -> median 3.5), identical to before.
		await ensureItDoseFactor(db, 5);
		expect(await month2()).toMatchObject({ n: 3, median: 3.5 });
		expect(await run(db, itDoseEscalation(NO_FILTERS))).toEqual(five);
	});

	test('the morphine-equivalent fits agree with the same fit on the fly for a morphine-only cohort', async () => {
		// Danville is on morphine alone, so its morphine-equivalent is its morphine: the derived
		// fit (it_dose_fit) and the drug path (fitted per query) must give the same patients and slopes.
		const derived = await run<ItDoseEscalation>(db, itDoseEscalation(DANVILLE));
		const onTheFly = await run<ItDoseEscalation>(
			db,
			itDoseEscalation(DANVILLE, DEFAULT_IT_DOSE_SETTINGS, 'morphine')
		);
		expect(derived.map((r) => r.patient_id)).toEqual(['P04', 'P09', 'P10', 'P11']);
		expect(approx(onTheFly)).toEqual(approx(derived));
	});
});

type PumpRow = {
	patient_id: string;
	day: number;
	event: string;
	drug: ItDrug;
	daily_dose: number;
	line: number;
};

/**
 * Escalation re-implemented from the CSV text, day by day, without SQL: the dose of a drug on day
 * t is the last dosing row (by day, then line) with day <= t, while observed (up to the earlier
 * of explant and followup_end_day, else the last pump event); Arquero fits cov(day, dose) / var(day).
 */
function arqueroEscalation(factor: number) {
	const patients = aq.fromCSV(PATIENTS, { parse: { patient_id: String } }).objects() as Record<
		string,
		unknown
	>[];
	const events = aq
		.fromCSV(PUMP)
		.derive({ line: '() => op.row_number() + 1' })
		.filter("(e) => e.daily_dose_unit !== 'mcg/day' || e.drug !== 'morphine'") // line 7, rejected at import
		.objects() as PumpRow[];
	const daily: { patient_id: string; day: number; dose: number; log_dose: number }[] = [];
	for (const p of patients) {
		if (p.implant_year === null || p.diagnosis === 'spasticity') continue;
		const mine = events.filter((e) => e.patient_id === p.patient_id);
		const explant = Math.min(...mine.filter((e) => e.event === 'explant').map((e) => e.day));
		const end = Math.min(
			explant,
			(p.followup_end_day as number | null) ?? Math.max(...mine.map((e) => e.day))
		);
		const dosing = mine
			.filter((e) => ['implant', 'refill', 'dose_change'].includes(e.event))
			.sort((a, b) => a.day - b.day || a.line - b.line);
		const doseOn = (drug: ItDrug, t: number) =>
			dosing.filter((e) => e.drug === drug && e.day <= t).at(-1)?.daily_dose;
		for (let t = 31; t <= end; t++) {
			const [m, h] = [doseOn('morphine', t), doseOn('hydromorphone', t)];
			if (m === undefined && h === undefined) continue;
			const dose = (m ?? 0) + (h ?? 0) * factor;
			daily.push({ patient_id: p.patient_id as string, day: t, dose, log_dose: Math.log(dose) });
		}
	}
	// String expressions: Arquero parses them itself, so the test transform cannot rename `op`.
	const fits = aq
		.from(daily)
		.groupby('patient_id')
		.rollup({
			per_year: '(d) => op.covariance(d.day, d.dose) / op.variance(d.day) * 365.25',
			log_per_year: '(d) => op.covariance(d.day, d.log_dose) / op.variance(d.day) * 365.25'
		})
		.derive({ pct_per_year: '(d) => (op.exp(d.log_per_year) - 1) * 100' })
		.orderby('patient_id');
	return fits.objects() as { patient_id: string; per_year: number; pct_per_year: number }[];
}

describe('itDoseReport', () => {
	/** One series' windows from [n, mean, median, q1, q3] per default window; null = nobody on it. */
	const windows = (...stats: ([number, number, number, number, number] | null)[]) =>
		DEFAULT_WINDOWS.map((w, i) => {
			const [n, mean, median, q1, q3] = stats[i] ?? [0, null, null, null, null];
			return { label: w.label, target_day: w.target, n, mean, median, q1, q3 };
		});

	test('returns the it_dose object of report.md, with patients leaving windows after explant or follow-up end', async () => {
		// Escalation over 12 patients: P10 -s; six zeros (P03, P04, P05, P06, P08, P14); then, by
		// stepSlopePerDay: P12 65 -> 65.6 at position 369 of days 31-1100 (0.2776/year), P01 +0.5 at
		// positions 59 and 149 of days 31-800 (0.3228), P02 +1 at 334 of days 31-1200 (0.3821), P09 s,
		// P11 2s. Median = mean of the 6th and 7th = 0; q1 at 2.75 = 0; q3 at 8.25 = P01 + 0.25 (P02 - P01).
		// Percent: one negative and six zeros -> median 0.
		const p01 = stepSlopePerDay(770, [
			[59, 0.5],
			[149, 0.5]
		]);
		const p02 = stepSlopePerDay(1170, [[334, 1]]);
		// Percent per year, from the slope of ln dose: P01 1 -> 1.5 -> 2 (23.3), P02 2 -> 3 (16.8); P12
		// 65 -> 65.6 (0.4) comes before them, P09 (68.2) and P11 (128.1) after: q3 at 8.25 = P02 + 0.25 (P01 - P02).
		const pctOf = (N: number, changes: [number, number][]) =>
			(Math.exp(stepSlopePerDay(N, changes) * YEAR) - 1) * 100;
		const pct01 = pctOf(770, [
			[59, Math.log(1.5)],
			[149, Math.log(2 / 1.5)]
		]);
		const pct02 = pctOf(1170, [[334, Math.log(1.5)]]);
		expect(approx(await itDoseReport(db, NO_FILTERS))).toEqual(
			approx({
				// Morphine + 5 x hydromorphone on the target day. P03 leaves after its explant on day 180
				// (still in at 180: the explant day is observed), P04 after day 365, P14 after day 200.
				morphine_eq: {
					windows: windows(
						[12, 100.5 / 12, 2.5, 1.875, 4.25], // 1 1.5 1.5 2 2 2 3 3.5 4 5 10 65; h = 2.75, 5.5, 8.25
						[12, 101 / 12, 2.5, 2, 4.25], // 1 1.5 2 2 2 2 3 3.5 4 5 10 65
						[10, 9.6, 3, 2, 3.875], // 1.5 2 2 2 3 3 3.5 4 10 65; h = 2.25, 4.5, 6.75
						[9, 97.6 / 9, 3.5, 2, 6], // 1.5 2 2 3 3.5 4 6 10 65.6; h = 2, 4, 6
						[9, 97.6 / 9, 3.5, 2, 6],
						[4, 82.1 / 4, 6.75, 3.375, 23.9] // 3 3.5 10 65.6; h = 0.75, 1.5, 2.25
					)
				},
				by_drug: [
					{
						drug: 'morphine',
						unit: 'mg/day',
						windows: windows(
							[11, 38 / 11, 2, 1.5, 3.5], // 1 1 1.5 1.5 2 2 2 3 4 5 15 (P01's day-90 row applies on day 90)
							[11, 38.5 / 11, 2, 1.75, 3.5], // 1 1 1.5 2 2 2 2 3 4 5 15
							[9, 33.5 / 9, 2, 2, 3], // 1 1.5 2 2 2 3 3 4 15 (P02: 3, the last line of day 365)
							[8, 34.6 / 8, 2.5, 1.875, 4.5], // 1 1.5 2 2 3 4 6 15.1; h = 1.75, 3.5, 5.25
							[8, 34.6 / 8, 2.5, 1.875, 4.5],
							[3, 19.1 / 3, 3, 2, 9.05] // 1 3 15.1
						)
					},
					{
						drug: 'hydromorphone',
						unit: 'mg/day',
						// P06 0.5, P05 2, P12 10 then 10.1 from day 400.
						windows: windows(
							[3, 12.5 / 3, 2, 1.25, 6],
							[3, 12.5 / 3, 2, 1.25, 6],
							[3, 12.5 / 3, 2, 1.25, 6],
							[3, 4.2, 2, 1.25, 6.05],
							[3, 4.2, 2, 1.25, 6.05],
							[3, 4.2, 2, 1.25, 6.05]
						)
					},
					{
						drug: 'ziconotide',
						unit: 'mcg/day',
						// P07 2.4, P12 19.2 then 19.3: q1 = 2.4 + 0.25 x 16.8, q3 = 2.4 + 0.75 x 16.8.
						windows: windows(
							[2, 10.8, 10.8, 6.6, 15],
							[2, 10.8, 10.8, 6.6, 15],
							[2, 10.8, 10.8, 6.6, 15],
							[2, 10.85, 10.85, 6.625, 15.075],
							[2, 10.85, 10.85, 6.625, 15.075],
							[2, 10.85, 10.85, 6.625, 15.075]
						)
					},
					// P01 only, through day 800; no baclofen: P13 (spasticity) is not in the outcome population.
					{ drug: 'bupivacaine', unit: 'mg/day', windows: windows(...Array(5).fill([1, 2, 2, 2, 2]), null) }
				],
				escalation: {
					n: 12,
					median_per_year: 0,
					q1: 0,
					q3: (p01 + 0.25 * (p02 - p01)) * YEAR,
					median_pct_per_year: 0,
					q1_pct_per_year: 0,
					q3_pct_per_year: pct02 + 0.25 * (pct01 - pct02)
				}
			})
		);
	});

	test('binds filter values: a quote in an office name matches nobody', async () => {
		const r = await itDoseReport(db, { ...NO_FILTERS, offices: ["Lexington' OR '1'='1"] });
		expect(r.by_drug).toEqual([]);
		expect(r.morphine_eq.windows.map((w) => w.n)).toEqual([0, 0, 0, 0, 0, 0]);
		expect(r.escalation).toEqual({
			n: 0,
			median_per_year: null,
			q1: null,
			q3: null,
			median_pct_per_year: null,
			q1_pct_per_year: null,
			q3_pct_per_year: null
		});
	});
});
