import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import { NO_FILTERS, run } from '../../src/lib/sql';
import { deriveMme } from '../../src/lib/sql/deriveMme';
import { mmeReport, opioidFreeTimes } from '../../src/lib/sql/mme';
import { files } from './helpers';

// Prescriptions whose MME is not computable (an input not recorded: 0 or empty) are null with a
// reason, never 0, so the days they alone cover are not opioid-free (outcomes.md section 3).
// Every patient takes 10 mg oxycodone twice a day (30 MME) on days -100..-1, then:
// A: oxycodone with quantity 0 and no units_per_day on days 61..90 (quantity missing);
// B: morphine with days_supply 0 and no end on day 75 (days supply missing: the start day only);
// C: nothing. The 3m window is [61, 90].
const PATIENTS = `patient_id,office,diagnosis,trial_day,trial_result,implant_year,followup_end_day
A,Lexington,fbss,-20,pass,2020,400
B,Lexington,fbss,-20,pass,2020,400
C,Danville,fbss,-20,pass,2020,400
`;
const OPIOIDS = `patient_id,start_day,end_day,days_supply,drug,strength,strength_unit,units_per_day,quantity
A,-100,-1,,oxycodone,10,mg,2,
A,61,,30,oxycodone,10,mg,,0
B,-100,-1,,oxycodone,10,mg,2,
B,75,,0,morphine,10,mg,2,
C,-100,-1,,oxycodone,10,mg,2,
`;

let db: Database;
beforeAll(async () => {
	db = await nodeDatabase();
	const report = await loadDataset(db, files({ 'patients.csv': PATIENTS, 'oral_opioids.csv': OPIOIDS }));
	expect(report.files.map((f) => [f.file, f.loaded, f.rejected])).toEqual([
		['patients.csv', 3, 0],
		['oral_opioids.csv', 5, 0]
	]);
	await deriveMme(db, 'cdc2022');
});

describe('a day covered only by a prescription whose MME is not computable', () => {
	test('has a null MME, not 0; the days around it are 0', async () => {
		const days = await db.query(
			`SELECT patient_id, day, mme FROM mme_daily WHERE day IN (60, 61, 74, 75, 76, 90, 91) ORDER BY 1, 2`
		);
		expect(days).toEqual([
			{ patient_id: 'A', day: 60, mme: 0 },
			{ patient_id: 'A', day: 61, mme: null },
			{ patient_id: 'A', day: 74, mme: null },
			{ patient_id: 'A', day: 75, mme: null },
			{ patient_id: 'A', day: 76, mme: null },
			{ patient_id: 'A', day: 90, mme: null },
			{ patient_id: 'A', day: 91, mme: 0 },
			{ patient_id: 'B', day: 60, mme: 0 },
			{ patient_id: 'B', day: 61, mme: 0 },
			{ patient_id: 'B', day: 74, mme: 0 },
			{ patient_id: 'B', day: 75, mme: null },
			{ patient_id: 'B', day: 76, mme: 0 },
			{ patient_id: 'B', day: 90, mme: 0 },
			{ patient_id: 'B', day: 91, mme: 0 },
			{ patient_id: 'C', day: 60, mme: 0 },
			{ patient_id: 'C', day: 61, mme: 0 },
			{ patient_id: 'C', day: 74, mme: 0 },
			{ patient_id: 'C', day: 75, mme: 0 },
			{ patient_id: 'C', day: 76, mme: 0 },
			{ patient_id: 'C', day: 90, mme: 0 },
			{ patient_id: 'C', day: 91, mme: 0 }
		]);
	});

	test('is not an opioid-free day: at 3m only C is opioid-free, and the mean leaves the null days out', async () => {
		const report = await mmeReport(db, NO_FILTERS, 'cdc2022');
		// A: every day of [61, 90] null, so no MME value, but observed: in the denominator, not free.
		// B: 29 days of 0 and day 75 null: MME 0 over its known days, yet not free. C: 30 days of 0.
		expect(report.windows[0]).toMatchObject({
			label: '3m',
			target_day: 90,
			n: 2,
			mean: 0,
			opioid_free: { n: 3, k: 1, rate: 1 / 3 }
		});
		expect(report.excluded_prescriptions).toEqual([
			{ reason: 'not computable: days supply missing', n: 1 },
			{ reason: 'not computable: quantity missing', n: 1 }
		]);
	});

	test('breaks a run of opioid-free days (time to opioid-free)', async () => {
		expect(await run(db, opioidFreeTimes(NO_FILTERS))).toEqual([
			// Free 0..60 (61 days), null 61..90, free 91..400: the run starts on day 91.
			{ patient_id: 'A', time: 91, event: true },
			// Free 0..74 (75 days, short of 90), null on 75, free 76..400.
			{ patient_id: 'B', time: 76, event: true },
			{ patient_id: 'C', time: 0, event: true }
		]);
	});
});
