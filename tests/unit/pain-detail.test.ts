import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import { NO_FILTERS, run, runOne, type Filters } from '../../src/lib/sql';
import {
	painLinePatients,
	painLines,
	painPairs,
	painPatientList,
	painSecondary,
	type PainLinePoint,
	type PainPair,
	type PainSecondaryRow
} from '../../src/lib/sql/painDetail';
import { painWindowChange, type PainWindowChangeRow } from '../../src/lib/sql/painOutcomes';
import { files } from './helpers';

/*
 * Outcome population: A, B, C, E (D is spasticity). 12m window: [320, 410).
 *   A  baseline 8 (day -30, ODI 40). 12m: 360 and 370 are both 5 days from 365 -> the earlier,
 *      360: 4, ODI 20, PGIC 2. A 30% responder: 10 x (80 - 40) = 400 >= 3 x 80.
 *   B  baseline 6. 12m: day 365, 5 (ODI 35, PGIC 3). Change -1: 10 x 10 = 100 < 180, not a
 *      responder.
 *   C  baseline 3 on day -5, before the trial on day -3 (below 4: paired, but no responder
 *      verdict). 12m: day 400, 4.
 *   E  baseline 7 (ODI 50). 3m: day 90 (5, ODI 45, PGIC 2). Lost on day 300: due at 12m, no score.
 */
const PATIENTS = `patient_id,office,diagnosis,trial_day,trial_result,implant_year,followup_end_day,followup_end_reason
A,Lexington,fbss,-20,pass,2020,800,ongoing
B,Danville,crps,-10,pass,2021,800,ongoing
C,Lexington,fbss,-3,pass,2021,800,ongoing
D,Lexington,spasticity,-10,pass,2020,800,ongoing
E,Danville,fbss,-30,pass,2022,300,lost
`;

const PAIN = `patient_id,day,pain_avg,pain_worst,odi,pgic
A,-30,8,9,40,
A,360,4,5,20,2
A,370,3,4,,1
B,-40,6,7,,
B,365,5,6,35,3
C,-5,3,4,,
C,400,4,,,
D,-30,9,9,,
D,365,1,1,,
E,-60,7,8,50,
E,90,5,6,45,2
`;

const only = (f: Partial<Filters>): Filters => ({ ...NO_FILTERS, ...f });

let db: Database;
beforeAll(async () => {
	db = await nodeDatabase();
	await loadDataset(db, files({ 'patients.csv': PATIENTS, 'pain_scores.csv': PAIN }));
});

describe('painPairs', () => {
	test('counts completers with a baseline per (baseline, score) pair', async () => {
		expect(await run<PainPair>(db, painPairs(NO_FILTERS, '12m'))).toEqual([
			{ baseline: 3, score: 4, n: 1 },
			{ baseline: 6, score: 5, n: 1 },
			{ baseline: 8, score: 4, n: 1 }
		]);
	});

	test('adds up to the paired n of painWindowChange', async () => {
		const pairs = await run<PainPair>(db, painPairs(NO_FILTERS, '12m'));
		const change = await run<PainWindowChangeRow>(db, painWindowChange(NO_FILTERS));
		const twelve = change.find((r) => r.label === '12m')!;
		expect(pairs.reduce((s, p) => s + p.n, 0)).toBe(twelve.n_change);
	});

	test('follows the filters and the window', async () => {
		expect(await run<PainPair>(db, painPairs(only({ offices: ['Lexington'] }), '12m'))).toEqual([
			{ baseline: 3, score: 4, n: 1 },
			{ baseline: 8, score: 4, n: 1 }
		]);
		expect(await run<PainPair>(db, painPairs(NO_FILTERS, '3m'))).toEqual([{ baseline: 7, score: 5, n: 1 }]);
	});
});

describe('painPatientList', () => {
	test('lists the outcome population with baseline, window score, change and 30% verdict', async () => {
		const rows = await run(db, painPatientList(NO_FILTERS, '12m'));
		expect(rows).toEqual([
			{
				patient_id: 'A',
				office: 'Lexington',
				diagnosis: 'fbss',
				implant_year: 2020,
				baseline: 8,
				score: 4,
				change: -4,
				responder30: true
			},
			{
				patient_id: 'B',
				office: 'Danville',
				diagnosis: 'crps',
				implant_year: 2021,
				baseline: 6,
				score: 5,
				change: -1,
				responder30: false
			},
			{
				patient_id: 'C',
				office: 'Lexington',
				diagnosis: 'fbss',
				implant_year: 2021,
				baseline: 3,
				score: 4,
				change: 1,
				responder30: null
			},
			{
				patient_id: 'E',
				office: 'Danville',
				diagnosis: 'fbss',
				implant_year: 2022,
				baseline: 7,
				score: null,
				change: null,
				responder30: null
			}
		]);
	});
});

describe('painSecondary', () => {
	test('reads ODI and PGIC from the baseline row and from each window visit of average pain', async () => {
		const rows = await run<PainSecondaryRow>(db, painSecondary(NO_FILTERS));
		expect(rows.map((r) => r.label)).toEqual(['baseline', '3m', '6m', '12m', '18m', '24m', '36m']);
		const [baseline, m3, m6, m12] = rows;
		// Baseline ODI: A 40, E 50 (B and C have none): mean 45, SD sqrt((25 + 25) / 1), quartiles 42.5, 47.5.
		expect(baseline).toMatchObject({ target: null, odi_n: 2, odi_mean: 45, odi_median: 45, pgic_n: 0 });
		expect(baseline!.odi_sd).toBeCloseTo(Math.sqrt(50), 12);
		expect([baseline!.odi_q1, baseline!.odi_q3]).toEqual([42.5, 47.5]);
		// 3m: E on day 90.
		expect(m3).toMatchObject({
			odi_n: 1,
			odi_mean: 45,
			odi_sd: null,
			pgic_n: 1,
			pgic_median: 2,
			pgic_improved: 1
		});
		// 6m: nobody.
		expect(m6).toMatchObject({ target: 180, odi_n: 0, odi_mean: null, pgic_n: 0, pgic_improved: 0 });
		// 12m: A day 360 (ODI 20, PGIC 2; not day 370's PGIC 1), B day 365 (35, 3); C none.
		expect(m12).toMatchObject({
			target: 365,
			odi_n: 2,
			odi_mean: 27.5,
			odi_median: 27.5,
			odi_q1: 23.75,
			odi_q3: 31.25,
			pgic_n: 2,
			pgic_median: 2.5,
			pgic_improved: 1
		});
	});

	test('follows the filters', async () => {
		const rows = await run<PainSecondaryRow>(db, painSecondary(only({ offices: ['Danville'] })));
		// Danville: B (no baseline ODI) and E (50).
		expect(rows[0]).toMatchObject({ label: 'baseline', odi_n: 1, odi_mean: 50 });
		expect(rows[3]).toMatchObject({ label: '12m', odi_n: 1, odi_mean: 35, pgic_n: 1, pgic_improved: 0 });
	});
});

describe('painLines', () => {
	/*
	 * Range: months -6..36 are days ceil(-6 x 30.4375) = -182 to ceil(37 x 30.4375) - 1 = 1126,
	 * 1309 days; 7 columns of 187 days: column = floor((day + 182) / 187).
	 * A: -30 -> 0; 360 and 370 -> 2 (merged: day 365, pain 3.5). B: -40 -> 0; 365 -> 2.
	 * C: -5 -> 0; 400 -> 3. E: -60 -> 0; 90 -> 1. D (spasticity) is left out.
	 */
	test('reduces each patient to one point per pixel column, averaging day and pain', async () => {
		const rows = await run<PainLinePoint>(db, painLines(NO_FILTERS, { buckets: 7, maxPatients: 100 }));
		expect(rows).toEqual([
			{ patient_id: 'A', day: -30, pain: 8, scores: 1 },
			{ patient_id: 'A', day: 365, pain: 3.5, scores: 2 },
			{ patient_id: 'B', day: -40, pain: 6, scores: 1 },
			{ patient_id: 'B', day: 365, pain: 5, scores: 1 },
			{ patient_id: 'C', day: -5, pain: 3, scores: 1 },
			{ patient_id: 'C', day: 400, pain: 4, scores: 1 },
			{ patient_id: 'E', day: -60, pain: 7, scores: 1 },
			{ patient_id: 'E', day: 90, pain: 5, scores: 1 }
		]);
	});

	test('keeps separate visits apart when each has its own column', async () => {
		const rows = await run<PainLinePoint>(db, painLines(NO_FILTERS, { buckets: 1309, maxPatients: 100 }));
		// One day per column: the 9 outcome-population scores stay 9 points.
		expect(rows).toHaveLength(9);
		expect(rows.filter((r) => r.patient_id === 'A').map((r) => r.day)).toEqual([-30, 360, 370]);
	});

	test('caps the patients at a fixed sample, and counts all of them apart', async () => {
		const first = await run<PainLinePoint>(db, painLines(NO_FILTERS, { buckets: 7, maxPatients: 2 }));
		const again = await run<PainLinePoint>(db, painLines(NO_FILTERS, { buckets: 7, maxPatients: 2 }));
		expect(new Set(first.map((r) => r.patient_id)).size).toBe(2);
		expect(again).toEqual(first);
		expect((await runOne<{ n: number }>(db, painLinePatients(NO_FILTERS))).n).toBe(4);
		expect((await runOne<{ n: number }>(db, painLinePatients(only({ offices: ['Danville'] })))).n).toBe(2);
	});
});
