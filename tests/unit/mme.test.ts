import { beforeAll, describe, expect, test } from 'vitest';
import { ORAL_DRUGS } from '../../src/lib/contract';
import type { Database } from '../../src/lib/db';
import { loadDataset } from '../../src/lib/dataset';
import { nodeDatabase } from '../../src/lib/db/node';
import {
	EXCLUDED_OUD,
	MME_FACTOR_VERSIONS,
	NO_CDC_FACTOR,
	mmeOnDay,
	prescriptionMme,
	type MmeExclusion,
	type MmeFactors,
	type OralDrug,
	type Prescription
} from '../../src/lib/outcomes/mme';
import { deriveMme } from '../../src/lib/sql/deriveMme';
import { Random } from '../../src/lib/synth';
import { files } from './helpers';

interface Case {
	name: string;
	rx: Omit<Prescription, 'start_day'>;
	expected: Record<MmeFactors, number | null>;
	reason?: MmeExclusion;
}

const both = (v: number | null) => ({ cdc2022: v, cdc2016: v });

// Expected values by hand: strength x units/day x factor (outcomes.md section 3), rounded to 0.1
// half away from zero. Every drug of the contract appears, under both factor tables.
const CASES: Case[] = [
	{ name: 'codeine 30 mg x 4', rx: { drug: 'codeine', strength: 30, units_per_day: 4 }, expected: both(18) },
	{
		name: 'fentanyl 25 mcg/hr, 10 patches for 30 days (outcomes.md example)',
		// 10 x 3 / 30 = 1 patch worn at a time; 25 x 1 x 2.4 = 60.0
		rx: { drug: 'fentanyl_transdermal', strength: 25, quantity: 10, days_supply: 30 },
		expected: both(60)
	},
	{
		name: 'fentanyl 12 mcg/hr, 2 patches worn',
		rx: { drug: 'fentanyl_transdermal', strength: 12, units_per_day: 2 },
		expected: both(57.6)
	},
	{
		name: 'hydrocodone 10 mg x 6',
		rx: { drug: 'hydrocodone', strength: 10, units_per_day: 6 },
		expected: both(60)
	},
	{
		name: 'hydromorphone 4 mg x 4: factor 5 (2022), 4 (2016)',
		rx: { drug: 'hydromorphone', strength: 4, units_per_day: 4 },
		expected: { cdc2022: 80, cdc2016: 64 }
	},
	{
		name: 'methadone 10 mg x 2: 4.7 (2022); 20 mg/day is the first 2016 tier, 4',
		rx: { drug: 'methadone', strength: 10, units_per_day: 2 },
		expected: { cdc2022: 94, cdc2016: 80 }
	},
	{
		name: 'morphine 15 mg x 3',
		rx: { drug: 'morphine', strength: 15, units_per_day: 3 },
		expected: both(45)
	},
	{
		name: 'oxycodone 5 mg x 3',
		rx: { drug: 'oxycodone', strength: 5, units_per_day: 3 },
		expected: both(22.5)
	},
	{
		name: 'oxymorphone 10 mg x 2',
		rx: { drug: 'oxymorphone', strength: 10, units_per_day: 2 },
		expected: both(60)
	},
	{
		name: 'tapentadol 50 mg x 3',
		rx: { drug: 'tapentadol', strength: 50, units_per_day: 3 },
		expected: both(60)
	},
	{
		name: 'tramadol 50 mg x 4: 0.2 (2022), 0.1 (2016)',
		rx: { drug: 'tramadol', strength: 50, units_per_day: 4 },
		expected: { cdc2022: 40, cdc2016: 20 }
	},
	{
		name: 'buprenorphine for pain',
		rx: { drug: 'buprenorphine', strength: 8, units_per_day: 2 },
		expected: both(null),
		reason: NO_CDC_FACTOR
	},
	{
		name: 'other',
		rx: { drug: 'other', strength: 10, units_per_day: 1 },
		expected: both(null),
		reason: NO_CDC_FACTOR
	},
	{
		name: 'morphine for opioid use disorder',
		rx: { drug: 'morphine', strength: 30, units_per_day: 1, indication: 'oud' },
		expected: both(null),
		reason: EXCLUDED_OUD
	},
	{
		name: 'buprenorphine for opioid use disorder: the OUD reason is named first',
		rx: { drug: 'buprenorphine', strength: 8, units_per_day: 2, indication: 'oud' },
		expected: both(null),
		reason: EXCLUDED_OUD
	},
	{
		name: 'rounds 11.25 up to 11.3 (half away from zero, not to even)',
		rx: { drug: 'hydrocodone', strength: 7.5, units_per_day: 1.5 },
		expected: both(11.3)
	},
	{
		name: 'rounds 1.35 to 1.4 although the double product is 1.3499999999999999',
		// 27 / 15 = 1.8 units; 5 x 1.8 = 9 mg; 9 x 0.15 = 1.35 exactly on paper.
		rx: { drug: 'codeine', strength: 5, quantity: 27, days_supply: 15 },
		expected: both(1.4)
	},
	{
		name: 'units from quantity / days supply: hydrocodone 10 mg, 100 over 30 days',
		// 100 / 30 = 3.333 units; 33.33 mg -> 33.3
		rx: { drug: 'hydrocodone', strength: 10, quantity: 100, days_supply: 30 },
		expected: both(33.3)
	},
	{
		name: 'quantity / days supply wins over a units_per_day given beside them',
		rx: { drug: 'morphine', strength: 10, units_per_day: 4, quantity: 60, days_supply: 30 },
		expected: both(20)
	}
];

// Every drug the data contract accepts, from the contract itself.
const ALL_DRUGS: readonly OralDrug[] = ORAL_DRUGS;

describe('prescriptionMme (the TypeScript reference)', () => {
	test('the cases cover every drug of the contract', () => {
		expect(new Set(CASES.map((c) => c.rx.drug))).toEqual(new Set(ALL_DRUGS));
	});

	for (const factors of MME_FACTOR_VERSIONS) {
		test.each(CASES)(`${factors}: $name`, ({ rx, expected, reason }) => {
			const got = prescriptionMme({ ...rx, start_day: 0 }, factors);
			expect(got).toEqual({ mme: expected[factors], reason: reason ?? null });
		});
	}
});

// Two methadone prescriptions on the same days (mg/day each): CDC 2016 picks one factor from
// the day's total, then rounds each prescription. Edges of ">0-20: 4, >20-40: 8, >40-60: 10, >60: 12".
const METHADONE_PAIRS: { total: string; doses: [number, number][]; cdc2016: number; cdc2022: number }[] = [
	// 10 + 10 = 20 mg: factor 4 -> 40 + 40. 2022: 47 + 47.
	{
		total: '20',
		doses: [
			[10, 1],
			[10, 1]
		],
		cdc2016: 80,
		cdc2022: 94
	},
	// 10 + 10.1 = 20.1 mg: factor 8 -> 80 + 80.8. 2022: 47 + 47.47 -> 47.5.
	{
		total: '20.1',
		doses: [
			[10, 1],
			[10.1, 1]
		],
		cdc2016: 160.8,
		cdc2022: 94.5
	},
	// 20 + 20 = 40 mg: still 8 -> 160 + 160. 2022: 94 + 94.
	{
		total: '40',
		doses: [
			[20, 1],
			[20, 1]
		],
		cdc2016: 320,
		cdc2022: 188
	},
	// 30 + 30 = 60 mg: 10 -> 300 + 300. 2022: 141 + 141.
	{
		total: '60',
		doses: [
			[30, 1],
			[30, 1]
		],
		cdc2016: 600,
		cdc2022: 282
	},
	// 30 + 31 = 61 mg: 12 -> 360 + 372. 2022: 141 + 145.7.
	{
		total: '61',
		doses: [
			[30, 1],
			[31, 1]
		],
		cdc2016: 732,
		cdc2022: 286.7
	},
	// 39.9 + 0.1 = 40 mg on paper; as doubles 13.3 x 3 + 0.1 = 40.00000000000001. Still 8:
	// 319.2 + 0.8. 2022: 187.53 -> 187.5, plus 0.47 -> 0.5.
	{
		total: '40 (binary fractions)',
		doses: [
			[13.3, 3],
			[0.1, 1]
		],
		cdc2016: 320,
		cdc2022: 188
	}
];

const methadone = (strength: number, units: number, indication: 'pain' | 'oud' = 'pain'): Prescription => ({
	drug: 'methadone',
	strength,
	units_per_day: units,
	start_day: -5,
	end_day: 5,
	indication
});

describe('mmeOnDay (the TypeScript reference)', () => {
	test.each(METHADONE_PAIRS)('methadone totalling $total mg/day', ({ doses, cdc2016, cdc2022 }) => {
		const rxs = doses.map(([s, u]) => methadone(s, u));
		expect(mmeOnDay(rxs, 0, 'cdc2016')).toBe(cdc2016);
		expect(mmeOnDay(rxs, 0, 'cdc2022')).toBe(cdc2022);
	});

	test('methadone for OUD does not count toward the 2016 tier', () => {
		// 10 mg for pain alone: factor 4 -> 40. With the OUD 20 mg counted it would be 8 -> 80.
		expect(mmeOnDay([methadone(10, 1), methadone(20, 1, 'oud')], 0, 'cdc2016')).toBe(40);
	});

	test('a day with no prescription is 0, a day with only excluded ones is null', () => {
		const bup: Prescription = {
			drug: 'buprenorphine',
			strength: 8,
			units_per_day: 1,
			start_day: 0,
			days_supply: 10
		};
		expect(mmeOnDay([bup], -1, 'cdc2022')).toBe(0);
		expect(mmeOnDay([bup], 9, 'cdc2022')).toBeNull();
		expect(mmeOnDay([bup], 10, 'cdc2022')).toBe(0);
		expect(mmeOnDay([bup, methadone(10, 1)], 0, 'cdc2022')).toBe(47);
	});
});

// The same cases through the importer and the SQL: one patient per case, observed on day 0.
/** A row of oral_opioids.csv; with neither end nor days supply, the prescription ends on day 5. */
const csvLine = (id: string, rx: Prescription) => {
	const end = rx.end_day ?? (rx.days_supply ? null : 5);
	const unit = rx.drug === 'fentanyl_transdermal' ? 'mcg/hr' : 'mg';
	const cells = [
		id,
		rx.start_day,
		end,
		rx.days_supply,
		rx.drug,
		rx.strength,
		unit,
		rx.units_per_day,
		rx.quantity
	];
	return [...cells, rx.indication].map((c) => c ?? '').join(',');
};

describe('deriveMmeSql gives the same values as the hand table', () => {
	const pairIds = METHADONE_PAIRS.map((_, i) => `M${i}`);
	const ids = CASES.map((_, i) => `C${i}`);
	let db: Database;
	beforeAll(async () => {
		const patients = [...ids, ...pairIds, 'OUD'].map((id) => `${id},Lexington,fbss,2020,10`);
		const rows = [
			...CASES.map((c, i) => csvLine(ids[i]!, { start_day: -5, ...c.rx })),
			...METHADONE_PAIRS.flatMap((p, i) => p.doses.map(([s, u]) => csvLine(pairIds[i]!, methadone(s, u)))),
			csvLine('OUD', methadone(10, 1)),
			csvLine('OUD', methadone(20, 1, 'oud'))
		];
		db = await nodeDatabase();
		const report = await loadDataset(
			db,
			files({
				'patients.csv': `patient_id,office,diagnosis,implant_year,followup_end_day\n${patients.join('\n')}\n`,
				'oral_opioids.csv': `patient_id,start_day,end_day,days_supply,drug,strength,strength_unit,units_per_day,quantity,indication\n${rows.join('\n')}\n`
			})
		);
		expect(report.files.map((f) => f.rejected)).toEqual([0, 0]);
	});

	const dayZero = async () =>
		new Map(
			(
				await db.query<{ patient_id: string; mme: number | null }>(
					'SELECT patient_id, mme FROM mme_daily WHERE day = 0'
				)
			).map((r) => [r.patient_id, r.mme])
		);

	for (const factors of MME_FACTOR_VERSIONS) {
		test(`${factors}: every case, every methadone pair`, async () => {
			await deriveMme(db, factors);
			const got = await dayZero();
			const reasons = await db.query<{ patient_id: string; excluded_reason: string | null }>(
				'SELECT patient_id, excluded_reason FROM mme_prescriptions WHERE patient_id LIKE ? ORDER BY _line',
				['C%']
			);
			CASES.forEach((c, i) => {
				expect(got.get(ids[i]!), c.name).toBe(c.expected[factors]);
				expect(reasons[i]!.excluded_reason, c.name).toBe(c.reason ?? null);
			});
			METHADONE_PAIRS.forEach((p, i) => expect(got.get(pairIds[i]!), p.total).toBe(p[factors]));
			expect(got.get('OUD')).toBe(factors === 'cdc2016' ? 40 : 47);
		});
	}

	test('agrees with the reference on 300 seeded random prescriptions, both factor tables', async () => {
		const rng = new Random('mme-sql-vs-reference');
		const rxs: Prescription[] = Array.from({ length: 300 }, () => {
			const drug = rng.pick(ALL_DRUGS);
			const strength = rng.pick([0.5, 2, 2.5, 5, 7.5, 10, 12, 12.5, 15, 25, 30, 37.5, 50, 75, 100]);
			const days = rng.int(3, 30);
			return rng.chance(0.5)
				? { drug, strength, start_day: 0, days_supply: days, quantity: rng.int(1, 240) }
				: {
						drug,
						strength,
						start_day: 0,
						end_day: days,
						units_per_day: rng.pick([0.25, 0.5, 1, 1.5, 2, 3, 4.5, 6])
					};
		});
		const lines = rxs.map((rx) => csvLine('R', rx));
		await loadDataset(
			db,
			files({
				'patients.csv':
					'patient_id,office,diagnosis,implant_year,followup_end_day\nR,Lexington,fbss,2020,40\n',
				'oral_opioids.csv': `patient_id,start_day,end_day,days_supply,drug,strength,strength_unit,units_per_day,quantity,indication\n${lines.join('\n')}\n`
			})
		);
		for (const factors of MME_FACTOR_VERSIONS) {
			await deriveMme(db, factors);
			const sql = await db.query<{ mme_per_day: number | null }>(
				'SELECT mme_per_day FROM mme_prescriptions ORDER BY _line'
			);
			expect(sql.map((r) => r.mme_per_day)).toEqual(rxs.map((rx) => prescriptionMme(rx, factors).mme));
		}
	});
});
