import { readFileSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import { DEFAULT_IT_DOSE_SETTINGS } from '../../src/lib/outcomes';
import {
	analysisTable,
	itDoseAtWindows,
	mmeReport,
	NO_FILTERS,
	painReport,
	run,
	type AnalysisRow,
	type Filters,
	type ItDoseWindowRow
} from '../../src/lib/sql';
import { files } from './helpers';

/*
 * A hand-made cohort; every expected value is worked out in these comments. Windows: defaults.
 *   A  baseline 7 (day -30); 12m: 4.9 on day 365. 10 x (70 - 49) = 210 >= 3 x 70 = 210: a 30%
 *      responder exactly; 2 x 21 = 42 < 70: not 50%; 21 tenths >= 20: a 2-point responder.
 *      Change -2.1, -30%. Oxycodone 20 mg once a day (x 1.5 = 30 MME/day) on days -200..-100:
 *      baseline [-180, -91] has 81 days at 30 and 9 at 0: mean 27. Nothing after: 0 at every
 *      window, opioid-free. IT: morphine 2 + hydromorphone 0.5 from day 0, morphine 3 from day
 *      200: 3m 2 + 0.5 x 5 = 4.5; 12m 3 + 2.5 = 5.5.
 *   B  baseline 3 (excluded from % and responders); 12m: 1 (change -2, flags null). No opioids:
 *      MME null, opioid-free null. No pump rows: IT null.
 *   C  no baseline (the only score before implant is on day -100); 12m: 5. Change null.
 *   D  baseline 8; transferred on day 200: not due at 12m, no score there. Morphine 30 mg twice a
 *      day (60 MME/day) days -200..300: baseline 60, 3m 60 (not opioid-free), 12m null (follow-up
 *      ended before 365). IT: ziconotide only, so no morphine-equivalent (null, not 0).
 *   E  spasticity and F never implanted: not in the table at all.
 */
const PATIENTS = `patient_id,office,sex,age_at_implant,diagnosis,trial_day,trial_result,implant_year,followup_end_day,followup_end_reason
A,Lexington,F,55,fbss,-20,pass,2020,800,ongoing
B,Lexington,M,61,crps,-5,pass,2021,800,ongoing
C,Danville,F,47,fbss,-5,pass,2021,800,ongoing
D,Danville,M,90+,fbss,-5,pass,2022,200,transferred
E,Danville,F,40,spasticity,-5,pass,2020,800,ongoing
F,Danville,F,40,fbss,-5,fail,,10,
`;
const PAIN = `patient_id,day,pain_avg
A,-30,7
A,365,4.9
B,-10,3
B,360,1
C,-100,6
C,370,5
D,-40,8
D,90,6
E,-30,8
E,365,2
`;
const OPIOIDS = `patient_id,start_day,end_day,drug,strength,strength_unit,units_per_day
A,-200,-100,oxycodone,20,mg,1
D,-200,300,morphine,30,mg,2
`;
const PUMP = `patient_id,day,event,drug,daily_dose,daily_dose_unit
A,0,implant,morphine,2,mg/day
A,0,implant,hydromorphone,0.5,mg/day
A,200,dose_change,morphine,3,mg/day
D,0,implant,ziconotide,2.4,mcg/day
`;

let db: Database;

const pick = (rows: AnalysisRow[], patient: string, window: string) => {
	const row = rows.find((r) => r.patient_id === patient && r.window === window);
	if (!row) throw new Error(`no row for ${patient} at ${window}`);
	return row;
};

describe('analysis table on a hand-made cohort', () => {
	let rows: AnalysisRow[];
	beforeAll(async () => {
		db = await nodeDatabase();
		await loadDataset(
			db,
			files({
				'patients.csv': PATIENTS,
				'pain_scores.csv': PAIN,
				'oral_opioids.csv': OPIOIDS,
				'pump_events.csv': PUMP
			})
		);
		rows = await run<AnalysisRow>(db, analysisTable(NO_FILTERS));
	});

	test('has one row per outcome-population patient and window, nobody else', () => {
		expect(rows).toHaveLength(4 * 6);
		expect([...new Set(rows.map((r) => r.patient_id))]).toEqual(['A', 'B', 'C', 'D']);
		expect(rows.slice(0, 6).map((r) => [r.window, r.target_day])).toEqual([
			['3m', 90],
			['6m', 180],
			['12m', 365],
			['18m', 545],
			['24m', 730],
			['36m', 1095]
		]);
	});

	test('flags an exact 30% reduction (7 -> 4.9) as a responder, in exact arithmetic', () => {
		expect(pick(rows, 'A', '12m')).toMatchObject({
			due: true,
			baseline_pain: 7,
			baseline_day: -30,
			followup_pain: 4.9,
			followup_day: 365,
			change: -2.1,
			pct_change: -30,
			responder_eligible: true,
			responder_30: true,
			responder_50: false,
			responder_2pt: true
		});
	});

	test('leaves responder flags null for a low or missing baseline and for non-completers', () => {
		expect(pick(rows, 'B', '12m')).toMatchObject({
			change: -2,
			pct_change: null,
			responder_eligible: false,
			responder_30: null,
			responder_50: null,
			responder_2pt: null
		});
		expect(pick(rows, 'C', '12m')).toMatchObject({
			baseline_pain: null,
			followup_pain: 5,
			change: null,
			responder_eligible: false,
			responder_30: null
		});
		expect(pick(rows, 'D', '12m')).toMatchObject({
			due: false,
			followup_pain: null,
			responder_eligible: true,
			responder_30: null
		});
		expect(pick(rows, 'D', '3m')).toMatchObject({ followup_pain: 6, change: -2, pct_change: -25 });
	});

	test('gives MME at baseline and window, null where follow-up or prescriptions are missing', () => {
		expect(pick(rows, 'A', '3m')).toMatchObject({ mme_baseline: 27, mme_window: 0, opioid_free: true });
		expect(pick(rows, 'A', '12m')).toMatchObject({ mme_baseline: 27, mme_window: 0, opioid_free: true });
		expect(pick(rows, 'D', '3m')).toMatchObject({ mme_baseline: 60, mme_window: 60, opioid_free: false });
		expect(pick(rows, 'D', '12m')).toMatchObject({ mme_baseline: 60, mme_window: null, opioid_free: null });
		expect(pick(rows, 'B', '3m')).toMatchObject({ mme_baseline: null, mme_window: null, opioid_free: null });
	});

	test('gives the IT morphine-equivalent on the target day, null without morphine or hydromorphone', () => {
		expect(pick(rows, 'A', '3m').it_morphine_eq).toBe(4.5);
		expect(pick(rows, 'A', '12m').it_morphine_eq).toBe(5.5);
		expect(pick(rows, 'D', '3m').it_morphine_eq).toBeNull();
		expect(pick(rows, 'B', '3m').it_morphine_eq).toBeNull();
	});

	test('applies the hydromorphone factor and the filters it is given', async () => {
		const four = await run<AnalysisRow>(
			db,
			analysisTable(
				{ ...NO_FILTERS, offices: ['Lexington'] },
				{ ...DEFAULT_IT_DOSE_SETTINGS, hydromorphoneFactor: 4 }
			)
		);
		expect([...new Set(four.map((r) => r.patient_id))]).toEqual(['A', 'B']);
		expect(pick(four, 'A', '12m').it_morphine_eq).toBe(5);
	});
});

// ---------------------------------------------------------------------------------------------
// The demo: the exported table must give the dashboard's (and the report's) numbers.

const DEMO_FILTERS: Record<string, Filters> = {
	'no filters': NO_FILTERS,
	'two offices, conventional program': {
		...NO_FILTERS,
		offices: ['Lexington', 'Danville'],
		programs: ['conventional']
	},
	'crps and fbss implanted 2019-2022, on morphine': {
		...NO_FILTERS,
		diagnoses: ['crps', 'fbss'],
		implantYearFrom: 2019,
		implantYearTo: 2022,
		itDrugs: ['morphine']
	}
};

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

describe('analysis table on the demo cohort', () => {
	beforeAll(async () => {
		db = await nodeDatabase();
		const map: Record<string, string> = {};
		for (const f of readdirSync('data/demo')) map[f] = readFileSync(`data/demo/${f}`, 'utf8');
		await loadDataset(db, files(map));
	});

	for (const [name, filters] of Object.entries(DEMO_FILTERS)) {
		test(`reproduces the dashboard's pain, MME and IT numbers with ${name}`, async () => {
			const rows = await run<AnalysisRow>(db, analysisTable(filters));
			const pain = await painReport(db, filters);
			const mme = await mmeReport(db, filters, 'cdc2022');
			const it = await run<ItDoseWindowRow>(db, itDoseAtWindows(filters));
			expect(rows.length, 'rows').toBeGreaterThan(0);

			for (const w of pain.windows) {
				const at = rows.filter((r) => r.window === w.label);
				const scores = at.flatMap((r) => (r.followup_pain === null ? [] : [r.followup_pain]));
				expect(scores.length, `${w.label} completers n`).toBe(w.n);
				if (w.mean === null) expect(mean(scores)).toBeNull();
				else expect(mean(scores), `${w.label} mean`).toBeCloseTo(w.mean, 10);
				expect(at.filter((r) => r.due).length, `${w.label} due`).toBe(w.due);
				const flags = at.filter((r) => r.responder_30 !== null);
				expect(flags.length, `${w.label} responders30 completers n`).toBe(w.responders30.completers.n);
				expect(flags.filter((r) => r.responder_30).length, `${w.label} responders30 k`).toBe(
					w.responders30.completers.k
				);
				expect(at.filter((r) => r.responder_50).length, `${w.label} responders50 k`).toBe(
					w.responders50.completers.k
				);
				expect(at.filter((r) => r.responder_2pt).length, `${w.label} responders2pt k`).toBe(
					w.responders2pt.completers.k
				);
				const changes = at.flatMap((r) => (r.change === null ? [] : [r.change]));
				expect(changes.length, `${w.label} n_change`).toBe(w.n_change);
				if (w.mean_change !== null) expect(mean(changes)).toBeCloseTo(w.mean_change, 10);
			}
			// The 12-month window is the one the issue names; make sure it is not empty.
			const twelve = pain.windows.find((w) => w.label === '12m')!;
			expect(twelve.n).toBeGreaterThan(0);
			expect(twelve.responders30.completers.k).toBeGreaterThan(0);

			const perPatient = new Map(rows.map((r) => [r.patient_id, r.mme_baseline]));
			const baselines = [...perPatient.values()].filter((v): v is number => v !== null);
			expect(baselines.length, 'MME baseline n').toBe(mme.baseline.n);
			expect(mean(baselines)!).toBeCloseTo(mme.baseline.mean!, 9);
			for (const w of mme.windows) {
				const at = rows.filter((r) => r.window === w.label);
				const values = at.flatMap((r) => (r.mme_window === null ? [] : [r.mme_window]));
				expect(values.length, `${w.label} MME n`).toBe(w.n);
				if (w.mean !== null) expect(mean(values)!).toBeCloseTo(w.mean, 9);
				expect(at.filter((r) => r.opioid_free !== null).length, `${w.label} opioid-free n`).toBe(
					w.opioid_free.n
				);
				expect(at.filter((r) => r.opioid_free).length, `${w.label} opioid-free k`).toBe(w.opioid_free.k);
			}
			for (const w of it.filter((r) => r.series === 'morphine_eq')) {
				const values = rows.filter((r) => r.window === w.label && r.it_morphine_eq !== null);
				expect(values.length, `${w.label} IT n`).toBe(w.n);
				if (w.mean !== null) expect(mean(values.map((r) => r.it_morphine_eq!))!).toBeCloseTo(w.mean, 9);
			}
		});
	}
});
