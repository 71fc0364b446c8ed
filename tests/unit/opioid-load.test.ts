import { beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/lib/db';
import { loadDataset } from '../../src/lib/dataset';
import { nodeDatabase } from '../../src/lib/db/node';
import { NO_FILTERS, run } from '../../src/lib/sql';
import { checkLoadRatio, opioidLoadByMonth, type OpioidLoadMonth } from '../../src/lib/sql/opioidLoad';
import { files } from './helpers';

// A hand-made cohort; every expected number is worked out by hand below.
// Months: 0 = days 0..30, 1 = 31..60, 2 = 61..91, 3 = 92..121 (ceil(m x 30.4375)).
const PATIENTS = `patient_id,office,diagnosis,implant_year,followup_end_day,followup_end_reason
A1,Lexington,fbss,2020,100,ongoing
A2,Danville,crps,2020,70,ongoing
A3,Danville,fbss,2020,70,ongoing
A4,Lexington,spasticity,2020,70,ongoing
A5,Lexington,fbss,2020,70,ongoing
A6,Danville,fbss,2020,40,ongoing
A7,Danville,fbss,,0,
`;

const PUMP = `patient_id,day,event,drug,daily_dose,daily_dose_unit
A1,0,implant,morphine,1,mg/day
A1,40,dose_change,morphine,2,mg/day
A2,0,implant,hydromorphone,0.2,mg/day
A3,0,implant,ziconotide,2.4,mcg/day
A4,0,implant,morphine,1,mg/day
A5,0,implant,morphine,1,mg/day
A5,0,implant,hydromorphone,0.1,mg/day
A6,0,implant,morphine,1,mg/day
`;

const OPIOIDS = `patient_id,start_day,end_day,days_supply,drug,strength,strength_unit,units_per_day,quantity,indication
A1,-60,45,,oxycodone,10,mg,2,,pain
A5,0,10,,buprenorphine,8,mg,1,,pain
A5,20,40,,morphine,30,mg,1,,pain
A6,0,40,,buprenorphine,8,mg,1,,pain
A4,0,70,,morphine,30,mg,1,,pain
`;

// Per day, load = oral MME + IT morphine-eq x ratio (hydromorphone x 5; ratio 300 unless said).
// A1: oral oxycodone 10 x 2 x 1.5 = 30 on -60..45, 0 on 46..100; IT morphine 1 on 0..39, 2 on 40..100.
//   month 0: 30 + 300 = 330; month 1: 9 days 330 (31..39), 6 days 30 + 600 (40..45), 15 days 600
//   -> (2970 + 3780 + 9000) / 30 = 525; month 2: 600; month 3 (92..100): 600.
// A2: hydromorphone 0.2 x 5 = 1 mg morphine-eq, no prescription (oral 0), to day 70: 300 a month.
// A3: ziconotide only: no morphine-equivalent, no load. A4: spasticity, not in the population.
// A5: IT 1 + 0.1 x 5 = 1.5 -> 450; oral buprenorphine alone on 0..10 (unknown: days left out), 0 on
//   11..19, morphine 30 on 20..40, 0 on 41..70.
//   month 0: (9 x 450 + 11 x 480) / 20 = 466.5; month 1: (10 x 480 + 20 x 450) / 30 = 460; month 2: 450.
// A6: every IT day is covered only by buprenorphine: unknown, never counted as 0.
// A7: never implanted.
const MONTHS_300: OpioidLoadMonth[] = [
	// 300, 330, 466.5: q1 at 0.5 -> 315, q3 at 1.5 -> 330 + 0.5 x 136.5 = 398.25
	{ month: 0, n: 3, median: 330, q1: 315, q3: 398.25 },
	// 300, 460, 525
	{ month: 1, n: 3, median: 460, q1: 380, q3: 492.5 },
	// 300, 450, 600
	{ month: 2, n: 3, median: 450, q1: 375, q3: 525 },
	{ month: 3, n: 1, median: 600, q1: 600, q3: 600 }
];

let db: Database;

describe('opioidLoadByMonth on a hand-made cohort', () => {
	beforeAll(async () => {
		db = await nodeDatabase();
		await loadDataset(
			db,
			files({ 'patients.csv': PATIENTS, 'pump_events.csv': PUMP, 'oral_opioids.csv': OPIOIDS })
		);
	});

	test('adds oral MME to IT morphine-equivalent x 300, time-weighted per patient and month', async () => {
		const rows = await run<OpioidLoadMonth>(
			db,
			opioidLoadByMonth(NO_FILTERS, { hydromorphoneFactor: 5, loadRatio: 300 })
		);
		expect(rows).toEqual(MONTHS_300);
	});

	test('the 100:1 ratio and the hydromorphone factor change the IT part only', async () => {
		const rows = await run<OpioidLoadMonth>(
			db,
			opioidLoadByMonth(NO_FILTERS, { hydromorphoneFactor: 4, loadRatio: 100 })
		);
		// Month 0: A1 30 + 100 = 130; A2 0.2 x 4 x 100 = 80; A5 IT (1 + 0.4) x 100 = 140:
		// (9 x 140 + 11 x 170) / 20 = 156.5. Sorted 80, 130, 156.5.
		expect(rows[0]).toEqual({ month: 0, n: 3, median: 130, q1: 105, q3: 143.25 });
		// Month 3: A1 alone, oral 0 + 2 x 100.
		expect(rows[3]).toEqual({ month: 3, n: 1, median: 200, q1: 200, q3: 200 });
	});

	test('binds filters over patient_facts', async () => {
		const rows = await run<OpioidLoadMonth>(
			db,
			opioidLoadByMonth({ ...NO_FILTERS, offices: ['Lexington'] }, { hydromorphoneFactor: 5, loadRatio: 300 })
		);
		// A1 330 and A5 466.5 (A4 is spasticity).
		expect(rows[0]).toEqual({ month: 0, n: 2, median: 398.25, q1: 364.125, q3: 432.375 });
		expect(rows.map((r) => r.n)).toEqual([2, 2, 2, 1]);
	});

	test('rejects a ratio or hydromorphone factor the settings do not offer', () => {
		expect(() => checkLoadRatio(200)).toThrow('must be one of 300, 100, got 200');
		expect(() => opioidLoadByMonth(NO_FILTERS, { hydromorphoneFactor: 7, loadRatio: 300 })).toThrow(
			'from 4 to 6'
		);
	});
});
