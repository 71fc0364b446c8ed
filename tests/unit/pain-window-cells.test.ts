import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import { DEFAULT_WINDOW_SETTINGS, type WindowSettings } from '../../src/lib/outcomes';
import {
	NO_FILTERS,
	PAIN_MEASURES,
	painWindowResponders,
	run,
	type Filters,
	type PainWindowRespondersRow
} from '../../src/lib/sql';
import { generateCohortCsv } from '../../src/lib/synth';
import { files } from './helpers';

// With only office and diagnosis filters, painWindowResponders sums pain_window_cells; with any
// other filter it reads each patient's windows. A lower implant-year bound of year 1 keeps every
// outcome patient (all are implanted, so all have an implant year) and sends the same question
// down the per-patient path: the two must give the same integers.
const everyone = (f: Filters): Filters => ({ ...f, implantYearFrom: 1 });

const fromCells = (f: Filters, s: WindowSettings, m: (typeof PAIN_MEASURES)[number]) =>
	/FROM pain_window_cells\b/.test(painWindowResponders(f, s, m).sql);

async function values(db: Database, column: string): Promise<string[]> {
	const rows = await db.query<{ v: string }>(
		`SELECT DISTINCT ${column} AS v FROM patient_facts WHERE ${column} IS NOT NULL ORDER BY v`
	);
	return rows.map((r) => r.v);
}

async function expectCellsMatchPatients(db: Database) {
	const offices = await values(db, 'office');
	const diagnoses = await values(db, 'diagnosis');
	const sets: Filters[] = [
		NO_FILTERS,
		{ ...NO_FILTERS, offices: offices.slice(0, 1) },
		{ ...NO_FILTERS, offices: offices.slice(1) },
		{ ...NO_FILTERS, diagnoses: diagnoses.slice(0, 2) },
		{ ...NO_FILTERS, offices: offices.slice(0, 2), diagnoses: diagnoses.slice(1) },
		{ ...NO_FILTERS, offices: ['no such office'] }
	];
	const custom: WindowSettings = {
		...DEFAULT_WINDOW_SETTINGS,
		windows: DEFAULT_WINDOW_SETTINGS.windows.slice(1, 3)
	};
	let responders = 0;
	for (const settings of [DEFAULT_WINDOW_SETTINGS, custom])
		for (const measure of PAIN_MEASURES)
			for (const f of sets) {
				expect(fromCells(f, settings, measure)).toBe(true);
				expect(fromCells(everyone(f), settings, measure)).toBe(false);
				const cells = await run<PainWindowRespondersRow>(db, painWindowResponders(f, settings, measure));
				const patients = await run<PainWindowRespondersRow>(
					db,
					painWindowResponders(everyone(f), settings, measure)
				);
				expect(cells, `${measure} ${JSON.stringify(f)}`).toEqual(patients);
				expect(cells.map((r) => r.label)).toEqual(settings.windows.map((w) => w.label));
				responders += cells.reduce((t, r) => t + r.responders30_all_implanted, 0);
			}
	// The comparison covered real responders, not only empty windows.
	expect(responders).toBeGreaterThan(0);
}

describe('pain_window_cells answers the responder counts as the per-patient windows do', () => {
	test('on the demo cohort, both measures, two window settings, six office/diagnosis filters', async () => {
		const db = await nodeDatabase();
		const DIR = new URL('../../data/demo/', import.meta.url);
		const texts = Object.fromEntries(
			readdirSync(DIR)
				.filter((n) => n.endsWith('.csv'))
				.map((n) => [n, readFileSync(new URL(n, DIR), 'utf8')])
		);
		await loadDataset(db, files(texts));
		await expectCellsMatchPatients(db);
	});

	test('on a seeded cohort', async () => {
		const db = await nodeDatabase();
		const cohort = generateCohortCsv({ seed: 'window-cells', patients: 300 });
		await loadDataset(
			db,
			files({
				'patients.csv': cohort.patients,
				'pain_scores.csv': cohort.painScores,
				'pump_events.csv': cohort.pumpEvents
			})
		);
		await expectCellsMatchPatients(db);
	});
});

describe('pain_window_cells, hand-computed', () => {
	// P1 (A): baseline 8, 12m score 4 -> 50% and 2-point responder. P2 (A): baseline 3 (below 4, not
	// eligible), 12m score 1. P3 (B): baseline 6, no 12m score, follow-up to day 500 -> due, not a
	// completer. P4 (B): baseline 9, 12m 7 -> 22% and 2 points: a 2-point responder only.
	const PATIENTS = `patient_id,office,diagnosis,implant_year,followup_end_day
P1,A,fbss,2020,800
P2,A,crps,2020,800
P3,B,fbss,2020,500
P4,B,crps,2020,800
`;
	const PAIN = `patient_id,day,pain_avg
P1,-10,8
P1,365,4
P2,-10,3
P2,365,1
P3,-10,6
P4,-10,9
P4,370,7
`;
	let db: Database;
	beforeAll(async () => {
		db = await nodeDatabase();
		await loadDataset(db, files({ 'patients.csv': PATIENTS, 'pain_scores.csv': PAIN }));
	});

	test('counts each flag combination per office, diagnosis and window', async () => {
		const rows = await db.query(
			`SELECT office, diagnosis, due, completer, eligible, responders30, responders50, responders2pt, k
			 FROM pain_window_cells WHERE measure = 'pain_avg' AND label = '12m' ORDER BY office, diagnosis`
		);
		expect(rows).toEqual([
			{
				office: 'A',
				diagnosis: 'crps',
				due: true,
				completer: true,
				eligible: false,
				responders30: true,
				responders50: true,
				responders2pt: true,
				k: 1
			},
			{
				office: 'A',
				diagnosis: 'fbss',
				due: true,
				completer: true,
				eligible: true,
				responders30: true,
				responders50: true,
				responders2pt: true,
				k: 1
			},
			{
				office: 'B',
				diagnosis: 'crps',
				due: true,
				completer: true,
				eligible: true,
				responders30: false,
				responders50: false,
				responders2pt: true,
				k: 1
			},
			{
				office: 'B',
				diagnosis: 'fbss',
				due: true,
				completer: false,
				eligible: true,
				responders30: false,
				responders50: false,
				responders2pt: false,
				k: 1
			}
		]);
	});

	test('sums them for an office filter: office B has two eligible due patients, one completer', async () => {
		const [b] = (
			await run<PainWindowRespondersRow>(db, painWindowResponders({ ...NO_FILTERS, offices: ['B'] }))
		).filter((r) => r.label === '12m');
		expect(b).toMatchObject({
			completers_n: 1,
			all_implanted_n: 2,
			excluded_completers: 0,
			excluded_all_implanted: 0,
			responders30_completers: 0,
			responders2pt_completers: 1,
			responders2pt_all_implanted: 1
		});
	});
});
