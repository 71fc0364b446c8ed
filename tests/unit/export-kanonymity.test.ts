import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import {
	kAnonymity,
	kAnonymityOptions,
	passes,
	patientLevelCounts,
	type KAnonymity
} from '../../src/lib/export';
import { patientLevelRows } from '../../src/lib/export/tables';
import { NO_FILTERS, run, runOne } from '../../src/lib/sql';
import { files } from './helpers';

/*
 * Classes over (office, sex, age band, diagnosis, implant year), worked out by hand:
 *   Lexington F 50-59 fbss 2020: A, B, C (ages 50, 55, 59)          -> 3
 *   Lexington F 60-69 fbss 2020: D (61)                              -> 1
 *   Danville  F 50-59 fbss 2020: E (52)                              -> 1
 *   Danville  M 90+   crps 2021: F (90+), G (90+)                    -> 2
 *   Danville  M 80-89 crps 2021: H (85)                              -> 1
 *   Danville  (no sex) 40-49 other (never implanted): I, J           -> 2
 * Smallest class 1 (D, E and H); classes below 2: 3, holding 3 patients.
 * Without office: F 50-59 fbss 2020 = A, B, C, E -> 4; D 1; F, G 2; H 1; I, J 2: smallest 1.
 * 20-year bands: Lexington F 40-59 fbss 2020 = 3 and F 60-79 = 1 (D); Danville F 40-59 = 1 (E);
 *   M 80+ crps 2021 = F, G, H -> 3; I, J 2: smallest 1.
 * Both: F 40-59 fbss 2020 = A, B, C, E -> 4; D 1; F, G, H 3; I, J 2: smallest 1 (D).
 * Filtered to crps: F, G, H only: 2 and 1 as is; 3 with 20-year bands.
 */
const PATIENTS = `patient_id,office,sex,age_at_implant,diagnosis,implant_year
A,Lexington,F,50,fbss,2020
B,Lexington,F,55,fbss,2020
C,Lexington,F,59,fbss,2020
D,Lexington,F,61,fbss,2020
E,Danville,F,52,fbss,2020
F,Danville,M,90+,crps,2021
G,Danville,M,90+,crps,2021
H,Danville,M,85,crps,2021
I,Danville,,45,other,
J,Danville,,41,other,
`;

let db: Database;
const check = (filters = NO_FILTERS, dropOffice = false, wideAgeBands = false, threshold = 2) =>
	runOne<KAnonymity>(db, kAnonymity(filters, { dropOffice, wideAgeBands }, threshold));

describe('k-anonymity over office, sex, age band, diagnosis and implant year', () => {
	beforeAll(async () => {
		db = await nodeDatabase();
		await loadDataset(db, files({ 'patients.csv': PATIENTS }));
	});

	test('reports the smallest class and the classes below the threshold', async () => {
		const k = await check();
		expect(k).toEqual({ patients: 10, classes: 6, smallest: 1, classes_below: 3, patients_below: 3 });
		expect(passes(k, 2)).toBe(false);
		expect(passes(k, 1)).toBe(true);
	});

	test('groups patients without a sex or implant year together', async () => {
		const k = await check({ ...NO_FILTERS, diagnoses: ['other'] });
		expect(k).toMatchObject({ patients: 2, classes: 1, smallest: 2 });
	});

	test('recomputes the classes for each coarsening', async () => {
		expect(await check(NO_FILTERS, true, false)).toMatchObject({ classes: 5, smallest: 1, classes_below: 2 });
		expect(await check(NO_FILTERS, false, true)).toMatchObject({ classes: 5, smallest: 1, classes_below: 2 });
		expect(await check(NO_FILTERS, true, true)).toMatchObject({ classes: 4, smallest: 1, classes_below: 1 });
		const crps = { ...NO_FILTERS, diagnoses: ['crps'] };
		expect(await check(crps)).toMatchObject({ patients: 3, classes: 2, smallest: 1 });
		const wide = await check(crps, false, true);
		expect(wide).toMatchObject({ patients: 3, classes: 1, smallest: 3, classes_below: 0, patients_below: 0 });
		expect(passes(wide, 2)).toBe(true);
	});

	test('offers the four coarsenings with their results', async () => {
		const options = await kAnonymityOptions(db, NO_FILTERS, 2);
		expect(options.map((o) => [o.label, o.result.smallest, o.result.classes])).toEqual([
			['as is', 1, 6],
			['without office', 1, 5],
			['20-year age bands', 1, 5],
			['without office, 20-year age bands', 1, 4]
		]);
	});

	test('passes an empty cohort', async () => {
		const k = await check({ ...NO_FILTERS, offices: ['Nowhere'] });
		expect(k).toEqual({ patients: 0, classes: 0, smallest: null, classes_below: 0, patients_below: 0 });
		expect(passes(k, 11)).toBe(true);
	});
});

describe('the patient-level rows behind the check', () => {
	test('carry the same bands the check used, without provider, ICD-10 or exact age', async () => {
		const ten = await run(
			db,
			patientLevelRows('patients', NO_FILTERS, { dropOffice: false, wideAgeBands: false })
		);
		expect(ten.map((r) => [r.source_id, r.office, r.age_band])).toEqual([
			['A', 'Lexington', '50-59'],
			['B', 'Lexington', '50-59'],
			['C', 'Lexington', '50-59'],
			['D', 'Lexington', '60-69'],
			['E', 'Danville', '50-59'],
			['F', 'Danville', '90+'],
			['G', 'Danville', '90+'],
			['H', 'Danville', '80-89'],
			['I', 'Danville', '40-49'],
			['J', 'Danville', '40-49']
		]);
		for (const hidden of ['provider_id', 'icd10', 'age', 'age_at_implant', '_line', 'patient_id']) {
			expect(Object.keys(ten[0]!)).not.toContain(hidden);
		}
		const wide = await run(
			db,
			patientLevelRows('patients', NO_FILTERS, { dropOffice: true, wideAgeBands: true })
		);
		expect(wide.map((r) => r.age_band)).toEqual([
			'40-59',
			'40-59',
			'40-59',
			'60-79',
			'40-59',
			'80+',
			'80+',
			'80+',
			'40-59',
			'40-59'
		]);
		expect(Object.keys(wide[0]!)).not.toContain('office');
	});

	test('are counted per table for the filtered cohort', async () => {
		const counts = await runOne(db, patientLevelCounts({ ...NO_FILTERS, offices: ['Danville'] }));
		// E..J; nobody has pain, opioid or pump rows; I and J were never implanted.
		expect(counts).toEqual({
			patients: 6,
			pain_scores: 0,
			oral_opioids: 0,
			pump_events: 0,
			outcome_patients: 4
		});
	});
});
