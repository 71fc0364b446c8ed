import * as aq from 'arquero';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/lib/db';
import { loadDataset } from '../../src/lib/dataset';
import { nodeDatabase } from '../../src/lib/db/node';
import { DEFAULT_WINDOWS, DEFAULT_WINDOW_SETTINGS } from '../../src/lib/outcomes';
import { wilsonInterval } from '../../src/lib/outcomes/stats';
import { NO_FILTERS, run, runOne } from '../../src/lib/sql';
import { derivePainSql } from '../../src/lib/sql/derivePain';
import {
	painBaselineSummary,
	painReport,
	painWindowChange,
	painWindowResponders,
	painWindowScores,
	type PainMeasureReport,
	type PainWindowReport
} from '../../src/lib/sql/painOutcomes';
import { files } from './helpers';

/*
 * A hand-made cohort. Outcome population: A-I (J is spasticity, K was never implanted).
 *   A  trial -20. Baseline 8 (day -30); the score on the trial day (-20) is trial analgesia.
 *      3m: days 80 and 100 are both 10 from 90 -> the earlier (80, score 5). 6m: 4.4, worst empty.
 *   B  trial -100: more than 90 days before implant, so the range is [-190, -101], flagged.
 *      Baseline 6.5 (day -120); day -50 would be the baseline without the shift.
 *      3m: day 45 = 90 - 45 (the window's first day, in). 12m: day 320 = 365 - 45 (in).
 *      Follow-up ends at 500 = 545 - 45: due at 18m exactly on the edge.
 *   C  baseline 5. Day 135 = 90 + 45 is out of 3m and is the first day of 6m.
 *   D  baseline 0 (excluded from % metrics and responders), 3m worst empty.
 *   E  baseline 3 (excluded) but worst baseline 4 (included for pain_worst). 6m: day 170 (avg 1,
 *      worst empty) beats day 200 (avg 2, worst 3): worst is taken from the same visit, so empty.
 *   F  baseline 7, no follow-up at all (transferred on day 20): never due.
 *   G  baseline 7, 3m 4.9: exactly a 30% reduction (10 x 21 = 3 x 70), which (7 - 4.9) / 7 >= 0.3
 *      in doubles would deny. Explanted on day 100: due at every later window, as a non-responder.
 *   H  no trial day (range [-90, -1]): day -1 is in, day -91 out. Transferred on day 100: not due
 *      at 6m and later.
 *   I  no baseline (day -95 is out of range, day -3 is after the trial on day -5), no follow-up
 *      end: due only where a score shows observation (3m).
 */
const PATIENTS = `patient_id,office,diagnosis,trial_day,trial_result,implant_year,followup_end_day,followup_end_reason,explant_reason
A,Lexington,fbss,-20,pass,2020,800,ongoing,
B,Danville,crps,-100,pass,2021,500,ongoing,
C,Cynthiana,fbss,-10,pass,2021,200,ongoing,
D,Lexington,crps,-30,pass,2022,400,ongoing,
E,Maysville,other,-15,pass,2022,300,ongoing,
F,Danville,fbss,-25,pass,2022,20,transferred,
G,Cynthiana,fbss,-20,pass,2019,100,explant,infection
H,Maysville,spine_other,,pass,2020,100,transferred,
I,Lexington,fbss,-5,pass,2021,,,
J,Lexington,spasticity,-10,pass,2020,800,ongoing,
K,Danville,fbss,-10,fail,,30,,
`;

const PAIN = `patient_id,day,pain_avg,pain_worst,odi,pgic
A,-30,8,9,40,
A,-20,6,7,,
A,5,7,8,,
A,80,5,6,30,3
A,100,4,5,,
A,180,4.4,,,2
A,365,2,3,20,1
B,-150,7,8,,
B,-120,6.5,8,50,
B,-50,3,4,,
B,45,4.5,5,,
B,320,3,4,,
C,-40,5,6,,
C,-10,2,3,,
C,135,2.5,3,,
D,-40,0,1,,
D,90,2,,,
D,200,0,0,,
E,-60,3,4,,
E,60,3,4,,
E,170,1,,,
E,200,2,3,,
F,-45,7,8,,
G,-30,7,10,,
G,95,4.9,6,,
H,-91,10,10,,
H,-1,6,7,,
H,95,4.3,5,,
I,-95,8,8,,
I,-3,8,9,,
I,100,6,7,,
J,-30,9,9,,
J,90,2,2,,
K,-5,8,8,,
K,20,3,3,,
`;

const T_975_DF6 = 2.4469; // Student t table, 0.975 quantile, 6 degrees of freedom
const T_975_DF7 = 2.3646; // ... 7 degrees of freedom

async function loadFixture(patients: string, pain: string): Promise<Database> {
	const db = await nodeDatabase();
	await loadDataset(db, files({ 'patients.csv': patients, 'pain_scores.csv': pain }));
	for (const sql of derivePainSql()) await db.query(sql);
	return db;
}

const byLabel = <T extends { label: string }>(rows: T[], label: string): T => {
	const row = rows.find((r) => r.label === label);
	if (!row) throw new Error(`no window ${label}`);
	return row;
};

describe('pain outcomes on the hand-made cohort', () => {
	let db: Database;
	let report: PainMeasureReport;
	const window = (label: string): PainWindowReport => byLabel(report.windows, label);
	beforeAll(async () => {
		db = await loadFixture(PATIENTS, PAIN);
		report = await painReport(db, NO_FILTERS, DEFAULT_WINDOW_SETTINGS, 'pain_avg');
	});

	describe('derived tables', () => {
		test('pain_baseline takes the last score before the trial, with worst/odi/pgic from that row', async () => {
			const rows = await db.query(
				`SELECT patient_id, baseline, baseline_tenths, baseline_day, worst, odi, pgic, trial_shifted,
				        range_lo, range_hi
				 FROM pain_baseline WHERE measure = 'pain_avg' ORDER BY patient_id`
			);
			const row = (id: string, b: number | null, day: number | null, worst: number | null) => ({
				patient_id: id,
				baseline: b,
				baseline_tenths: b === null ? null : b * 10,
				baseline_day: day,
				worst,
				odi: id === 'A' ? 40 : id === 'B' ? 50 : null,
				pgic: null,
				trial_shifted: id === 'B',
				// B's trial on day -100: [-100 - 90, -100 - 1].
				range_lo: id === 'B' ? -190 : -90,
				range_hi: id === 'B' ? -101 : -1
			});
			expect(rows).toEqual([
				row('A', 8, -30, 9),
				row('B', 6.5, -120, 8),
				row('C', 5, -40, 6),
				row('D', 0, -40, 1),
				row('E', 3, -60, 4),
				row('F', 7, -45, 8),
				row('G', 7, -30, 10),
				row('H', 6, -1, 7),
				row('I', null, null, null)
			]);
		});

		test('pain_window picks the closest visit (earlier on a tie) inside [target - 45, target + 45)', async () => {
			const rows = await db.query(
				`SELECT patient_id, day, score, due FROM pain_window
				 WHERE measure = 'pain_avg' AND label = '3m' ORDER BY patient_id`
			);
			expect(rows).toEqual([
				{ patient_id: 'A', day: 80, score: 5, due: true }, // 80 and 100 tie at 10 days
				{ patient_id: 'B', day: 45, score: 4.5, due: true }, // 90 - 45: in
				{ patient_id: 'C', day: null, score: null, due: true }, // 90 + 45: out
				{ patient_id: 'D', day: 90, score: 2, due: true },
				{ patient_id: 'E', day: 60, score: 3, due: true },
				{ patient_id: 'F', day: null, score: null, due: false }, // follow-up ended on day 20
				{ patient_id: 'G', day: 95, score: 4.9, due: true },
				{ patient_id: 'H', day: 95, score: 4.3, due: true },
				{ patient_id: 'I', day: 100, score: 6, due: true } // no follow-up end: due by the score
			]);
		});

		test('due at 6m: explant counts, transfer and missing follow-up do not', async () => {
			const rows = await db.query<{ patient_id: string }>(
				`SELECT patient_id FROM pain_window
				 WHERE measure = 'pain_avg' AND label = '6m' AND due ORDER BY patient_id`
			);
			// 6m starts on day 135. G ended on day 100 by explant (due); H on day 100 by transfer (not);
			// C's follow-up ends on 200 >= 135; F ended on day 20; I has no end day and no 6m score.
			expect(rows.map((r) => r.patient_id)).toEqual(['A', 'B', 'C', 'D', 'E', 'G']);
		});

		test('pain_worst uses the same visit as pain_avg, even when that visit lacks it', async () => {
			const rows = await db.query(
				`SELECT patient_id, day, score FROM pain_window
				 WHERE measure = 'pain_worst' AND label = '6m' AND day IS NOT NULL ORDER BY patient_id`
			);
			expect(rows).toEqual([
				{ patient_id: 'A', day: 180, score: null },
				{ patient_id: 'C', day: 135, score: 3 },
				{ patient_id: 'D', day: 200, score: 0 },
				{ patient_id: 'E', day: 170, score: null } // not day 200's worst 3
			]);
		});
	});

	describe('baseline summary', () => {
		test('summarises the baselines and counts the missing and the shifted', async () => {
			// Baselines 0, 3, 5, 6, 6.5, 7, 7, 8 (I missing). Sum 42.5, mean 5.3125. Type-7
			// quartiles: q1 at position 1.75 -> 3 + 0.75 x 2 = 4.5; median (6 + 6.5) / 2; q3 at 5.25 -> 7.
			// Sum of squares 274.25, so SS = 274.25 - 42.5^2 / 8 = 48.46875 and sd = sqrt(48.46875 / 7).
			const b = await runOne<Record<string, number>>(db, painBaselineSummary(NO_FILTERS));
			expect(b).toEqual({
				n: 8,
				mean: 5.3125,
				sd: expect.closeTo(Math.sqrt(48.46875 / 7), 12),
				median: 6.25,
				q1: 4.5,
				q3: 7,
				missing: 1,
				trial_shifted: 1
			});
			const half = (T_975_DF7 * Math.sqrt(48.46875 / 7)) / Math.sqrt(8);
			expect(report.baseline.mean_ci![0]).toBeCloseTo(5.3125 - half, 3);
			expect(report.baseline.mean_ci![1]).toBeCloseTo(5.3125 + half, 3);
		});
	});

	describe('window scores', () => {
		test('describes each window over completers, with the number due', async () => {
			const rows = await run<Record<string, unknown>>(db, painWindowScores(NO_FILTERS));
			expect(rows.map((r) => [r.label, r.target, r.due, r.n])).toEqual([
				['3m', 90, 8, 7],
				['6m', 180, 6, 4],
				// 12m starts on day 320: A (800), B (500), D (400) and the explanted G are due.
				['12m', 365, 4, 2],
				// 18m starts on day 500: B's follow-up ends exactly there; D's (400) does not reach it.
				['18m', 545, 3, 0],
				['24m', 730, 2, 0], // A (800 >= 685) and G
				['36m', 1095, 1, 0] // G only
			]);
			// 3m scores 2, 3, 4.3, 4.5, 4.9, 5, 6: sum 29.7, squares 136.75. q1 at 1.5 -> 3 + 0.5 x 1.3;
			// q3 at 4.5 -> 4.9 + 0.5 x 0.1.
			expect(byLabel(rows as { label: string }[], '3m')).toEqual({
				label: '3m',
				target: 90,
				due: 8,
				n: 7,
				mean: expect.closeTo(29.7 / 7, 12),
				sd: expect.closeTo(Math.sqrt((136.75 - 29.7 ** 2 / 7) / 6), 12),
				median: 4.5,
				q1: expect.closeTo(3.65, 12),
				q3: expect.closeTo(4.95, 12)
			});
			// 6m: 0, 1, 2.5, 4.4. q1 at 0.75 -> 0.75; q3 at 2.25 -> 2.5 + 0.25 x 1.9.
			expect(byLabel(rows as { label: string }[], '6m')).toMatchObject({
				mean: expect.closeTo(7.9 / 4, 12),
				median: 1.75,
				q1: 0.75,
				q3: expect.closeTo(2.975, 12)
			});
			// An empty window is all nulls, not zeros.
			expect(byLabel(rows as { label: string }[], '18m')).toMatchObject({
				mean: null,
				sd: null,
				median: null
			});
		});

		test('mean CI uses t(0.975, n - 1), not 1.96', () => {
			const w = window('3m');
			const half = (T_975_DF6 * Math.sqrt((136.75 - 29.7 ** 2 / 7) / 6)) / Math.sqrt(7);
			expect(w.mean_ci![0]).toBeCloseTo(29.7 / 7 - half, 3);
			expect(w.mean_ci![1]).toBeCloseTo(29.7 / 7 + half, 3);
			// With n = 2 the t interval is 12.7062 x sd / sqrt(2) wide on each side; sd = sqrt(0.5).
			const w12 = window('12m');
			expect(w12.mean_ci![1] - 2.5).toBeCloseTo((12.7062 * Math.sqrt(0.5)) / Math.sqrt(2), 3);
		});
	});

	describe('change from baseline', () => {
		test('keeps low baselines in the mean change but not in the percent metrics', async () => {
			const rows = await run<Record<string, unknown>>(db, painWindowChange(NO_FILTERS));
			// 3m changes in tenths: A -30, B -20, D +20, E 0, G -21, H -17 (I has no baseline).
			// Percent metrics: A, B, G, H (D's 0, E's 3 and I's missing baseline are the 3 excluded).
			// pct_change_of_means = 100 x (-30 - 20 - 21 - 17) / (80 + 65 + 70 + 60) = -32.
			expect(byLabel(rows as { label: string }[], '3m')).toEqual({
				label: '3m',
				target: 90,
				n_change: 6,
				mean_change: expect.closeTo(-6.8 / 6, 12),
				n_pct: 4,
				mean_pct_change: expect.closeTo((-37.5 - 2000 / 65 - 30 - 1700 / 60) / 4, 10),
				pct_change_of_means: expect.closeTo(-32, 12),
				excluded_low_baseline: 3
			});
			// 6m: A 8 -> 4.4 (-45%), C 5 -> 2.5 (-50%); D 0 -> 0 and E 3 -> 1 are excluded.
			// Means: (4.4 + 2.5) / 2 = 3.45 against (8 + 5) / 2 = 6.5 -> -46.92%.
			expect(byLabel(rows as { label: string }[], '6m')).toMatchObject({
				n_change: 4,
				mean_change: expect.closeTo((-36 - 25 + 0 - 20) / 40, 12),
				n_pct: 2,
				mean_pct_change: expect.closeTo(-47.5, 12),
				pct_change_of_means: expect.closeTo(((3.45 - 6.5) / 6.5) * 100, 10),
				excluded_low_baseline: 2
			});
			expect(byLabel(rows as { label: string }[], '24m')).toMatchObject({
				n_change: 0,
				mean_change: null,
				mean_pct_change: null,
				pct_change_of_means: null
			});
		});
	});

	describe('responders', () => {
		test('counts exact IMMPACT responders under both denominators', async () => {
			const rows = await run<Record<string, unknown>>(db, painWindowResponders(NO_FILTERS));
			// 3m completers with baseline >= 4: A 8 -> 5, B 6.5 -> 4.5, G 7 -> 4.9, H 6 -> 4.3.
			//   30%: A 300 >= 240 yes; B 10 x 20 = 200 >= 195 yes; G 210 >= 210 yes; H 170 >= 180 no.
			//   50%: A 60 >= 80, B 40 >= 65, G 42 >= 70, H 34 >= 60: none.
			//   2 points: A 30, B 20 (exactly), G 21 yes; H 17 no.
			// All implanted: due with baseline >= 4 adds C (no 3m score: a non-response) -> n 5;
			// D, E and I are the excluded.
			expect(byLabel(rows as { label: string }[], '3m')).toEqual({
				label: '3m',
				target: 90,
				completers_n: 4,
				all_implanted_n: 5,
				excluded_completers: 3,
				excluded_all_implanted: 3,
				responders30_completers: 3,
				responders30_all_implanted: 3,
				responders50_completers: 0,
				responders50_all_implanted: 0,
				responders2pt_completers: 3,
				responders2pt_all_implanted: 3
			});
			// 6m: A 8 -> 4.4 (30%: 360 >= 240; 50%: 72 >= 80 no), C 5 -> 2.5 (50%: 50 >= 50, exactly).
			// All implanted: A, B (due, no score), C, G (explanted on day 100: due, non-response).
			expect(byLabel(rows as { label: string }[], '6m')).toMatchObject({
				completers_n: 2,
				all_implanted_n: 4,
				excluded_all_implanted: 2, // D and E
				responders30_completers: 2,
				responders30_all_implanted: 2,
				responders50_completers: 1,
				responders50_all_implanted: 1,
				responders2pt_completers: 2,
				responders2pt_all_implanted: 2
			});
			// 18m: nobody has a score; A, B and G are due and count as non-responders.
			expect(byLabel(rows as { label: string }[], '18m')).toMatchObject({
				completers_n: 0,
				all_implanted_n: 3,
				responders30_completers: 0,
				responders30_all_implanted: 0
			});
		});

		test('reports rates and Wilson intervals, null where there is no denominator', () => {
			const w = window('3m');
			expect(w.responders30).toEqual({
				completers: { n: 4, k: 3, rate: 0.75, ci: wilsonInterval(3, 4), excluded: 3 },
				all_implanted: { n: 5, k: 3, rate: 0.6, ci: wilsonInterval(3, 5), excluded: 3 }
			});
			// Wilson 3 of 4 by hand: z^2 = 3.841459; centre (3 + 1.920730) / 7.841459 = 0.627527;
			// half 1.959964 x sqrt(0.75 + 0.960365) / 7.841459 = 0.326885.
			expect(w.responders30.completers.ci![0]).toBeCloseTo(0.300642, 5);
			expect(w.responders30.completers.ci![1]).toBeCloseTo(0.954412, 5);
			const w18 = window('18m');
			expect(w18.responders50.completers).toEqual({ n: 0, k: 0, rate: null, ci: null, excluded: 0 });
			expect(w18.responders50.all_implanted).toMatchObject({ n: 3, k: 0, rate: 0 });
		});
	});

	describe('Wilcoxon signed-rank per window', () => {
		test('uses the normal approximation when differences tie', () => {
			// 3m differences (tenths) -30, -20, +20, 0, -21, -17: the zero is dropped; |20| ties.
			// Ranks 17 -> 1, 20 -> 2.5 and 2.5, 21 -> 4, 30 -> 5. V = 2.5 (D's +20).
			// Mean 5 x 6 / 4 = 7.5; variance 5 x 6 x 11 / 24 - (2^3 - 2) / 48 = 13.625.
			// z = (2.5 - 7.5 + 0.5) / sqrt(13.625) = -1.219114; p = 2 x Phi(-1.219114) = 0.22280
			// (tables: Phi(-1.22) = 0.11123, Phi(-1.21) = 0.11314; scipy's wilcoxon agrees).
			const w = window('3m').wilcoxon;
			expect(w).toMatchObject({ n: 5, zeros: 1, statistic: 2.5, approximate: true });
			expect(w.z).toBeCloseTo(-4.5 / Math.sqrt(13.625), 10);
			expect(w.p).toBeCloseTo(0.2228, 4);
		});

		test('is exact without ties and reports nothing for an empty window', () => {
			// 6m: -36, -25, 0, -20 -> n 3, V 0; exact P(V <= 0) = 1 / 8, two-sided 0.25.
			expect(window('6m').wilcoxon).toEqual({
				n: 3,
				zeros: 1,
				statistic: 0,
				z: null,
				p: 0.25,
				approximate: false
			});
			// 12m: -60, -35 -> V 0 of 4 equally likely sign patterns -> 2 x 1 / 4.
			expect(window('12m').wilcoxon).toMatchObject({ n: 2, statistic: 0, p: 0.5, approximate: false });
			expect(window('36m').wilcoxon).toEqual({
				n: 0,
				zeros: 0,
				statistic: null,
				z: null,
				p: null,
				approximate: false
			});
		});
	});

	describe('painReport', () => {
		test('has the report.md shape, every configured window in order', () => {
			expect(Object.keys(report.baseline)).toEqual(
				expect.arrayContaining(['n', 'mean', 'sd', 'median', 'q1', 'q3'])
			);
			expect(report.windows.map((w) => [w.label, w.target_day])).toEqual(
				DEFAULT_WINDOWS.map((w) => [w.label, w.target])
			);
			const required = [
				'label',
				'target_day',
				'n',
				'mean',
				'sd',
				'median',
				'q1',
				'q3',
				'mean_change',
				'mean_pct_change',
				'pct_change_of_means',
				'excluded_low_baseline',
				'responders30',
				'responders50',
				'wilcoxon'
			];
			for (const w of report.windows) expect(Object.keys(w)).toEqual(expect.arrayContaining(required));
			expect(Object.keys(window('3m').wilcoxon)).toEqual(
				expect.arrayContaining(['n', 'statistic', 'z', 'p', 'approximate'])
			);
		});

		test('pain_worst: its own baseline decides exclusion, the same visits give the scores', async () => {
			const worst = await painReport(db, NO_FILTERS, DEFAULT_WINDOW_SETTINGS, 'pain_worst');
			const w = byLabel(worst.windows, '3m');
			// 3m worst: A 6, B 5, D empty, E 4, G 6, H 5, I 7 -> n 6. Worst baselines A 9, B 8, C 6,
			// D 1, E 4, G 10, H 7, I missing. Completers excluded: I only (E's 4 is kept).
			// 30%: A 300 >= 270, B 300 >= 240, G 400 >= 300 yes; E 0 >= 120, H 200 >= 210 no -> 3 of 5.
			// All implanted: A, B, C, E, G, H (D's 1 and I excluded) -> 3 of 6.
			expect(w).toMatchObject({ n: 6, excluded_low_baseline: 1 });
			expect(w.responders30.completers).toMatchObject({ n: 5, k: 3, excluded: 1 });
			expect(w.responders30.all_implanted).toMatchObject({ n: 6, k: 3, excluded: 2 });
			// Baselines 9, 8, 6, 1, 4, 8, 10, 7: n 8, sum 53.
			expect(worst.baseline).toMatchObject({ n: 8, mean: 53 / 8, missing: 1 });
		});

		test('applies filters through bound parameters', async () => {
			// Lexington: A, D and I (J is spasticity). 3m scores 5, 2, 6.
			const lex = await painReport(db, { ...NO_FILTERS, offices: ['Lexington'] });
			expect(byLabel(lex.windows, '3m')).toMatchObject({ n: 3, due: 3, mean: 13 / 3 });
			expect(byLabel(lex.windows, '3m').responders30.all_implanted).toMatchObject({ n: 1, k: 1 });
			expect(lex.baseline).toMatchObject({ n: 2, mean: 4, missing: 1 });
			const hostile = await painReport(db, { ...NO_FILTERS, offices: ["Lexington' OR '1'='1"] });
			expect(hostile.baseline.n).toBe(0);
			expect(hostile.windows.every((w) => w.n === 0 && w.due === 0)).toBe(true);
		});
	});

	describe('cross-check with an independent Arquero implementation', () => {
		test('agrees on every window: scores, change, percent metrics, responders', () => {
			for (const spec of DEFAULT_WINDOWS) {
				const expected = arqueroWindow(spec.target, DEFAULT_WINDOW_SETTINGS.halfWidth);
				const got = window(spec.label);
				expect(got.n, spec.label).toBe(expected.n);
				expect(got.due, spec.label).toBe(expected.due);
				for (const key of ['mean', 'median', 'q1', 'q3', 'mean_change', 'mean_pct_change'] as const) {
					if (expected[key] === null) expect(got[key], `${spec.label} ${key}`).toBeNull();
					else expect(got[key], `${spec.label} ${key}`).toBeCloseTo(expected[key], 10);
				}
				expect(got.responders30.completers, spec.label).toMatchObject(expected.r30Completers);
				expect(got.responders30.all_implanted, spec.label).toMatchObject(expected.r30AllImplanted);
			}
		});
	});
});

/** Arquero's `params` is typed as a getter too; as a setter it returns the table. */
function withParams<T extends { params(values: Record<string, number>): unknown }>(
	table: T,
	values: Record<string, number>
): T {
	return table.params(values) as T;
}

/**
 * The same definitions written again with Arquero verbs over the raw CSV text, sharing no code
 * with the SQL: baseline row, closest visit, due, then the metrics.
 */
function arqueroWindow(target: number, halfWidth: number) {
	const { op } = aq;
	const patients = aq
		.fromCSV(PATIENTS)
		.filter((d) => d.implant_year !== null && d.diagnosis !== 'spasticity');
	const scores = aq.fromCSV(PAIN).derive({ line: () => op.row_number() });

	const baselines = patients
		.derive({ shifted: (d) => d.trial_day !== null && d.trial_day < -90 })
		.derive({
			lo: (d) => (d.shifted ? d.trial_day - 90 : -90),
			hi: (d) => (d.shifted ? d.trial_day - 1 : -1)
		})
		.join(scores, 'patient_id')
		.filter((d) => d.day >= d.lo && d.day <= d.hi && (d.trial_day === null || d.day < d.trial_day))
		.groupby('patient_id')
		.orderby(aq.desc('day'), aq.desc('line'))
		.filter(() => op.row_number() === 1)
		.ungroup()
		.select({ patient_id: 'patient_id', pain_avg: 'baseline' });

	const visits = withParams(scores, { lo: target - halfWidth, hi: target + halfWidth, target })
		.filter((d, $) => d.day >= $.lo && d.day < $.hi)
		.derive({ distance: (d, $) => op.abs(d.day - $.target) })
		.groupby('patient_id')
		.orderby('distance', 'day', aq.desc('line'))
		.filter(() => op.row_number() === 1)
		.ungroup()
		.select({ patient_id: 'patient_id', pain_avg: 'score' });

	const rows = withParams(patients, { lo: target - halfWidth })
		.derive({
			due: (d, $) =>
				(d.followup_end_day !== null && d.followup_end_day >= $.lo) ||
				d.followup_end_reason === 'explant' ||
				d.followup_end_reason === 'death' ||
				d.followup_end_reason === 'lost'
		})
		.join_left(baselines, 'patient_id')
		.join_left(visits, 'patient_id')
		.objects()
		// A left join without a match leaves the value undefined; name it null once, here.
		.map((o) => o as Record<string, unknown>)
		.map((r) => ({
			due: r.due as boolean,
			baseline: (r.baseline ?? null) as number | null,
			score: (r.score ?? null) as number | null
		}));

	const completers = rows.filter((r) => r.score !== null);
	const paired = completers.filter((r) => r.baseline !== null);
	const eligible = (r: { baseline: number | null }) => r.baseline !== null && r.baseline >= 4;
	const responds = (r: { baseline: number | null; score: number | null }) =>
		10 * (Math.round(r.baseline! * 10) - Math.round(r.score! * 10)) >= 3 * Math.round(r.baseline! * 10);
	const scoreTable = aq.from(completers);
	const stats =
		completers.length === 0
			? { mean: null, median: null, q1: null, q3: null }
			: (scoreTable
					.rollup({
						mean: op.mean('score'),
						median: op.median('score'),
						q1: op.quantile('score', 0.25),
						q3: op.quantile('score', 0.75)
					})
					.object() as { mean: number; median: number; q1: number; q3: number });
	const pct = paired.filter(eligible);
	const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
	const due = rows.filter((r) => r.due || r.score !== null);
	return {
		n: completers.length,
		due: due.length,
		...stats,
		mean_change: mean(paired.map((r) => r.score! - r.baseline!)),
		mean_pct_change: mean(pct.map((r) => ((r.score! - r.baseline!) / r.baseline!) * 100)),
		r30Completers: { n: pct.length, k: pct.filter(responds).length },
		r30AllImplanted: {
			n: due.filter(eligible).length,
			k: due.filter((r) => eligible(r) && r.score !== null && responds(r)).length
		}
	};
}

describe('derivePainSql edge cases', () => {
	// X1 trial exactly 90 days before implant: not shifted; [-90, -1] with d < -90 is empty.
	// X2 trial 91 days before: shifted to [-181, -92]; -181 is in, -182 out, -91 is the trial day.
	// X3 two scores on one day: the later line wins, at baseline (-40) and in the window (90).
	// X4 died on day 30, X5 lost on day 40: due at 3m (starts day 45). X6 ongoing to day 44: not
	// due; X7 ongoing to day 45: due.
	const patients = `patient_id,office,diagnosis,trial_day,implant_year,followup_end_day,followup_end_reason
X1,Lexington,fbss,-90,2020,400,ongoing
X2,Lexington,fbss,-91,2020,400,ongoing
X3,Lexington,fbss,-30,2020,400,ongoing
X4,Lexington,fbss,-30,2020,30,death
X5,Lexington,fbss,-30,2020,40,lost
X6,Lexington,fbss,-30,2020,44,ongoing
X7,Lexington,fbss,-30,2020,45,ongoing
`;
	const pain = `patient_id,day,pain_avg
X1,-90,8
X1,-60,7
X2,-182,9
X2,-181,7
X2,-91,5
X3,-40,6
X3,-40,5
X3,90,4
X3,90,3
`;
	let db: Database;
	beforeAll(async () => {
		db = await loadFixture(patients, pain);
	});

	test('the 90-day boundary of the trial shift, and the later line on one day', async () => {
		const rows = await db.query(
			`SELECT patient_id, baseline, baseline_day, trial_shifted FROM pain_baseline
			 WHERE measure = 'pain_avg' AND patient_id IN ('X1', 'X2', 'X3') ORDER BY patient_id`
		);
		expect(rows).toEqual([
			{ patient_id: 'X1', baseline: null, baseline_day: null, trial_shifted: false },
			{ patient_id: 'X2', baseline: 7, baseline_day: -181, trial_shifted: true },
			{ patient_id: 'X3', baseline: 5, baseline_day: -40, trial_shifted: false }
		]);
	});

	test('due by death or loss, and on the first day of the window', async () => {
		const rows = await db.query(
			`SELECT patient_id, due, score FROM pain_window
			 WHERE measure = 'pain_avg' AND label = '3m' AND patient_id IN ('X3', 'X4', 'X5', 'X6', 'X7')
			 ORDER BY patient_id`
		);
		expect(rows).toEqual([
			{ patient_id: 'X3', due: true, score: 3 },
			{ patient_id: 'X4', due: true, score: null },
			{ patient_id: 'X5', due: true, score: null },
			{ patient_id: 'X6', due: false, score: null },
			{ patient_id: 'X7', due: true, score: null }
		]);
	});
});
