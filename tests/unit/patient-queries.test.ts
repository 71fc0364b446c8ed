import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import { mmeOnDay, type Prescription } from '../../src/lib/outcomes';
import { itDoseTimeline, NO_FILTERS, run, type ItDoseStep } from '../../src/lib/sql';
import {
	patientFacts,
	patientIdsLike,
	patientInFilters,
	patientMme,
	patientPain,
	patientPainPicks,
	patientPumpEvents,
	type PatientMmeStep,
	type PatientPainPick,
	type PatientPainRow
} from '../../src/lib/sql/patient';
import { files } from './helpers';

/*
 * P1: implanted, trial on day -14, follow-up to day 200. P2 failed its trial (never implanted).
 * P3 is implanted for spasticity. Only P1 is in the outcome population.
 *   Pain: -30 (7, the baseline), -14 (5, on the trial day: not a baseline), 95 (4: the 3m visit),
 *   180 (3: 6m). The file lists P1's rows out of time order; the series comes back sorted.
 *   Oral: oxycodone 10 mg x 2 on days -60..-1 (x 1.5 = 30 MME), 5 mg x 2 on 0..29 (15 MME),
 *   buprenorphine for OUD on 30..39 (excluded: no MME), nothing after, to day 200 (0).
 *   Pump: trial (no dose), implant of morphine 0.5 mg/day and clonidine 30 mcg/day, a morphine
 *   change to 0.75 on day 100, a complication on day 150.
 */
const PATIENTS = `patient_id,office,provider_id,sex,age_at_implant,diagnosis,program,trial_day,trial_result,implant_year,followup_end_day,followup_end_reason
P1,Lexington,DR-1,F,57,fbss,conventional,-14,pass,2020,200,ongoing
P2,Danville,DR-2,M,44,crps,conventional,0,fail,,20,
P3,Lexington,DR-1,M,31,spasticity,conventional,-10,pass,2021,300,ongoing
`;

const PAIN = `patient_id,day,pain_avg,pain_worst,odi,pgic
P1,95,4,6,30,2
P1,-30,7,8,44,
P1,-14,5,,,
P1,180,3,,,1
P2,-5,8,9,,
P3,-20,6,,,
`;

const OPIOIDS = `patient_id,start_day,end_day,days_supply,drug,strength,strength_unit,units_per_day,quantity,indication
P1,-60,-1,,oxycodone,10,mg,2,,pain
P1,0,29,,oxycodone,5,mg,2,,pain
P1,30,39,,buprenorphine,8,mg,1,,oud
P2,-30,-1,,oxycodone,5,mg,2,,pain
`;

const PUMP = `patient_id,day,event,drug,daily_dose,daily_dose_unit,complication
P1,-14,trial,morphine,,,
P1,0,implant,morphine,0.5,mg/day,
P1,0,implant,clonidine,30,mcg/day,
P1,100,dose_change,morphine,0.75,mg/day,
P1,150,complication,,,,infection
P3,0,implant,baclofen,100,mcg/day,
`;

let db: Database;
beforeAll(async () => {
	db = await nodeDatabase();
	const report = await loadDataset(
		db,
		files({
			'patients.csv': PATIENTS,
			'pain_scores.csv': PAIN,
			'oral_opioids.csv': OPIOIDS,
			'pump_events.csv': PUMP
		})
	);
	expect(report.files.map((f) => [f.kind, f.rejected])).toEqual([
		['patients', 0],
		['pain_scores', 0],
		['oral_opioids', 0],
		['pump_events', 0]
	]);
});

describe('patientFacts', () => {
	test('returns the one patient, with the population flags', async () => {
		const [p1] = await run(db, patientFacts('P1'));
		expect(p1).toMatchObject({ patient_id: 'P1', age_band: '50-59', implanted: true, in_outcome: true });
		const [p3] = await run(db, patientFacts('P3'));
		expect(p3).toMatchObject({ implanted: true, in_outcome: false });
	});

	test('returns nothing for an unknown id, quotes included', async () => {
		expect(await run(db, patientFacts('P9'))).toEqual([]);
		expect(await run(db, patientFacts("P1' OR '1'='1"))).toEqual([]);
	});
});

describe('patientInFilters', () => {
	test('says whether the patient passes the filters the analysis pages apply', async () => {
		const inside = async (id: string, f: Partial<typeof NO_FILTERS>) =>
			(await run<{ inside: boolean }>(db, patientInFilters(id, { ...NO_FILTERS, ...f }))).map(
				(r) => r.inside
			);
		expect(await inside('P1', {})).toEqual([true]);
		expect(await inside('P1', { offices: ['Lexington'] })).toEqual([true]);
		expect(await inside('P1', { offices: ['Danville'] })).toEqual([false]);
		// P2 was never implanted: an implant-year filter leaves it out (its year is NULL, not a match).
		expect(await inside('P2', { implantYearFrom: 2019 })).toEqual([false]);
		expect(await inside('P2', { sexes: ['M'], diagnoses: ['crps'] })).toEqual([true]);
		expect(await inside('nobody', {})).toEqual([]);
	});
});

describe('patientPain', () => {
	test('returns every assessment in time order', async () => {
		expect(await run<PatientPainRow>(db, patientPain('P1'))).toEqual([
			{ day: -30, pain_avg: 7, pain_worst: 8, odi: 44, pgic: null },
			{ day: -14, pain_avg: 5, pain_worst: null, odi: null, pgic: null },
			{ day: 95, pain_avg: 4, pain_worst: 6, odi: 30, pgic: 2 },
			{ day: 180, pain_avg: 3, pain_worst: null, odi: null, pgic: 1 }
		]);
	});

	test('marks the visits the outcome tables use: baseline before the trial, then each window', async () => {
		expect(await run<PatientPainPick>(db, patientPainPicks('P1'))).toEqual([
			{ label: 'baseline', day: -30, score: 7, target: null },
			{ label: '3m', day: 95, score: 4, target: 90 },
			{ label: '6m', day: 180, score: 3, target: 180 }
		]);
	});

	test('has no picks outside the outcome population', async () => {
		expect(await run(db, patientPainPicks('P2'))).toEqual([]);
		expect(await run(db, patientPainPicks('P3'))).toEqual([]);
		expect(await run<PatientPainRow>(db, patientPain('P2'))).toHaveLength(1);
	});
});

describe('patientMme', () => {
	test('returns the runs of equal daily MME from the first prescription to follow-up end', async () => {
		expect(await run<PatientMmeStep>(db, patientMme('P1'))).toEqual([
			{ from_day: -60, to_day: -1, mme: 30 },
			{ from_day: 0, to_day: 29, mme: 15 },
			{ from_day: 30, to_day: 39, mme: null },
			{ from_day: 40, to_day: 200, mme: 0 }
		]);
	});

	test('agrees day by day with mme_daily and with the TypeScript reference calculator', async () => {
		const steps = await run<PatientMmeStep>(db, patientMme('P1'));
		const expanded = steps.flatMap((s) =>
			Array.from({ length: s.to_day - s.from_day + 1 }, (_, i) => ({ day: s.from_day + i, mme: s.mme }))
		);
		const daily = await db.query<{ day: number; mme: number | null }>(
			`SELECT day, mme FROM mme_daily WHERE patient_id = 'P1' ORDER BY day`
		);
		expect(expanded).toEqual(daily);
		const rx: Prescription[] = [
			{ drug: 'oxycodone', strength: 10, start_day: -60, end_day: -1, units_per_day: 2, indication: 'pain' },
			{ drug: 'oxycodone', strength: 5, start_day: 0, end_day: 29, units_per_day: 2, indication: 'pain' },
			{ drug: 'buprenorphine', strength: 8, start_day: 30, end_day: 39, units_per_day: 1, indication: 'oud' }
		];
		for (const { day, mme } of expanded) expect(mme, `day ${day}`).toBe(mmeOnDay(rx, day, 'cdc2022'));
	});

	test('is empty outside the outcome population', async () => {
		expect(await run(db, patientMme('P2'))).toEqual([]);
	});
});

describe('patientPumpEvents and itDoseTimeline', () => {
	test('lists every event row in time order, one row per drug', async () => {
		const rows = await run(db, patientPumpEvents('P1'));
		expect(rows.map((r) => [r.day, r.event, r.drug, r.daily_dose, r.complication])).toEqual([
			[-14, 'trial', 'morphine', null, null],
			[0, 'implant', 'morphine', 0.5, null],
			[0, 'implant', 'clonidine', 30, null],
			[100, 'dose_change', 'morphine', 0.75, null],
			[150, 'complication', null, null, 'infection']
		]);
	});

	test('itDoseTimeline gives the dose steps the IT dose chart draws', async () => {
		const steps = await run<ItDoseStep>(db, itDoseTimeline('P1'));
		expect(steps.map((s) => [s.drug, s.from_day, s.to_day, s.daily_dose, s.ended_by])).toEqual([
			['morphine', 0, 99, 0.5, null],
			['morphine', 100, 200, 0.75, 'followup_end'],
			['clonidine', 0, 200, 30, 'followup_end']
		]);
	});
});

describe('patientIdsLike', () => {
	test('suggests ids by prefix, ignoring case, in order, up to the limit', async () => {
		const ids = async (prefix: string, limit?: number) =>
			(await run<{ patient_id: string }>(db, patientIdsLike(prefix, limit))).map((r) => r.patient_id);
		expect(await ids('p')).toEqual(['P1', 'P2', 'P3']);
		expect(await ids('P', 2)).toEqual(['P1', 'P2']);
		expect(await ids('x')).toEqual([]);
		// LIKE wildcards are not wildcards here.
		expect(await ids('%')).toEqual([]);
	});
});
