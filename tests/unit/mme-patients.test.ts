import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/lib/db';
import { loadDataset } from '../../src/lib/dataset';
import { nodeDatabase } from '../../src/lib/db/node';
import { DEFAULT_WINDOWS } from '../../src/lib/outcomes';
import { NO_FILTERS, run } from '../../src/lib/sql';
import { mmeReduction } from '../../src/lib/sql/mme';
import {
	builtMmeFactors,
	mmeReductionByPatient,
	withMmeFactors,
	type MmeReductionPatient
} from '../../src/lib/sql/mmePatients';
import { files } from './helpers';

// The hand-made cohort of mme-sql.test.ts, where each value is worked out by hand.
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

const window = (label: string) => DEFAULT_WINDOWS.find((w) => w.label === label)!;
let db: Database;

describe('mmeReductionByPatient on a hand-made cohort', () => {
	beforeAll(async () => {
		db = await nodeDatabase();
		await loadDataset(db, files({ 'patients.csv': PATIENTS, 'oral_opioids.csv': OPIOIDS }));
	});

	test('3m: one row per patient with baseline > 0 and a window value, sorted by reduction', async () => {
		// Baselines: P1 45, P2 30 (45 days of 60, 45 of 0), P3 40 (observed from -100); P4, P9 none.
		// [61, 90]: P1 45 -> 0 %, P2 0 -> 100 %, P3 0 -> 100 %; P4 has no baseline; P5, P6 null.
		expect(await run<MmeReductionPatient>(db, mmeReductionByPatient(NO_FILTERS, window('3m')))).toEqual([
			{ patient_id: 'P1', baseline: 45, mme: 45, pct: 0 },
			{ patient_id: 'P2', baseline: 30, mme: 0, pct: 100 },
			{ patient_id: 'P3', baseline: 40, mme: 0, pct: 100 }
		]);
	});

	test('6m: a window partly covered by excluded prescriptions uses its known days', async () => {
		// P5: buprenorphine alone on 151..169 (unknown), oxycodone 30 on 170..180 -> 30, baseline 30.
		expect(await run<MmeReductionPatient>(db, mmeReductionByPatient(NO_FILTERS, window('6m')))).toEqual([
			{ patient_id: 'P5', baseline: 30, mme: 30, pct: 0 },
			{ patient_id: 'P1', baseline: 45, mme: 0, pct: 100 },
			{ patient_id: 'P3', baseline: 40, mme: 0, pct: 100 }
		]);
	});

	test('binds filters, and a window beyond everyone’s follow-up is empty', async () => {
		const danville = { ...NO_FILTERS, offices: ['Danville'] };
		expect(await run(db, mmeReductionByPatient(danville, window('3m')))).toEqual([
			{ patient_id: 'P3', baseline: 40, mme: 0, pct: 100 }
		]);
		expect(await run(db, mmeReductionByPatient(NO_FILTERS, window('18m')))).toEqual([]);
	});

	test('withMmeFactors rebuilds once, says so, and runs callers one at a time', async () => {
		const rebuilt: string[] = [];
		const seen: (string | null)[] = [];
		const read = () => builtMmeFactors(db).then((f) => void seen.push(f));
		await Promise.all([
			withMmeFactors(db, 'cdc2016', read, (f) => rebuilt.push(f)),
			withMmeFactors(db, 'cdc2022', read, (f) => rebuilt.push(f)),
			withMmeFactors(db, 'cdc2022', read, (f) => rebuilt.push(f))
		]);
		expect(seen).toEqual(['cdc2016', 'cdc2022', 'cdc2022']);
		expect(rebuilt).toEqual(['cdc2016', 'cdc2022']);
	});
});

describe('mmeReductionByPatient on the demo cohort', () => {
	beforeAll(async () => {
		db = await nodeDatabase();
		const demo = Object.fromEntries(
			readdirSync('data/demo').map((name) => [name, readFileSync(`data/demo/${name}`, 'utf8')])
		);
		await loadDataset(db, files(demo));
	});

	test("agrees with mmeReduction's summary at every window", async () => {
		const summaries = await run<{ label: string; n: number; median: number | null; q1: number | null }>(
			db,
			mmeReduction(NO_FILTERS)
		);
		for (const s of summaries) {
			const rows = await run<MmeReductionPatient>(db, mmeReductionByPatient(NO_FILTERS, window(s.label)));
			const pct = rows.map((r) => r.pct).sort((a, b) => a - b);
			// R type 7 quantiles, by hand.
			const q = (p: number) => {
				const h = (pct.length - 1) * p;
				const lo = Math.floor(h);
				return pct[lo]! + (h - lo) * ((pct[lo + 1] ?? pct[lo]!) - pct[lo]!);
			};
			expect(rows.length, s.label).toBe(s.n);
			expect(rows.length, s.label).toBeGreaterThan(100);
			expect(q(0.5)).toBeCloseTo(s.median!, 9);
			expect(q(0.25)).toBeCloseTo(s.q1!, 9);
		}
	});
});
