import { describe, expect, test } from 'vitest';
import { nodeDatabase } from '../../src/lib/db/node';
import { problemsPage, uniqueNames } from '../../src/lib/ingest';
import { enc, importChecked, load } from './helpers';

/** The rules of an upload as a whole: which of its files are taken, and how each is named. */

const PATIENTS = 'patient_id,office,diagnosis,implant_year\nP1,Lexington,fbss,2020\nP2,Danville,crps,2021\n';
// Renamed columns: the app asks before it loads a file with this header.
const PAIN_RENAMED = 'Patient ID,Days from implant,Pain Score (0-10)\n';

describe('one file of a kind', () => {
	test('refuses a second pain file, the first given is loaded', async () => {
		const { report } = await load({
			'patients.csv': PATIENTS,
			'pain_2023.csv': 'patient_id,day,pain_avg\nP1,1,3\n',
			'pain_2024.csv': 'patient_id,day,pain_avg\nP2,5,4\n'
		});
		expect(report.files.map((f) => f.file)).toEqual(['patients.csv', 'pain_2023.csv']);
		expect(report.refused).toEqual([
			{
				file: 'pain_2024.csv',
				reason:
					'pain_2024.csv is a second pain_scores file (pain_2023.csv is the first); combine them into one'
			}
		]);
	});

	test('asks about one of two pain files that need a question and share a header, refusing the other', async () => {
		const inputs = {
			'patients.csv': PATIENTS,
			'pain_2023.csv': `${PAIN_RENAMED}P1,1,3\n`,
			'pain_2024.csv': `${PAIN_RENAMED}P2,5,4\n`
		};
		const second = {
			file: 'pain_2024.csv',
			reason: 'pain_2024.csv is a second pain_scores file (pain_2023.csv is the first); combine them into one'
		};
		const asked = await load(inputs, { interactive: true });
		expect(asked.report.pending.map((p) => p.file)).toEqual(['pain_2023.csv']);
		expect(asked.report.refused).toEqual([second]);

		// Answered, the same rule as for files that need no question: the first is loaded.
		const key = asked.report.pending[0]!.key;
		const mapping = asked.report.pending[0]!.mapping.columns.map((c) => c.target);
		const { db, report } = await load(inputs, { interactive: true, choices: { [key]: { mapping } } });
		expect(report.pending).toEqual([]);
		expect(report.files.map((f) => [f.file, f.loaded])).toEqual([
			['patients.csv', 2],
			['pain_2023.csv', 1]
		]);
		expect(report.refused).toEqual([second]);
		expect(await db.query('SELECT patient_id, day, pain_avg FROM pain_scores')).toEqual([
			{ patient_id: 'P1', day: 1, pain_avg: 3 }
		]);
	});
});

describe('files of one name', () => {
	test('imports both, each under its own name, with its own rejected rows and problems', async () => {
		const db = await nodeDatabase();
		// a/export.csv and b/export.csv, as a browser hands them over: names without folders.
		const report = await importChecked(db, [
			{ name: 'export.csv', bytes: enc(`${PATIENTS}P3,Lexington,not_a_diagnosis,2020\n`) },
			{ name: 'export.csv', bytes: enc('patient_id,day,pain_avg\nP1,1,3\nP1,2,11\nP2,3,12\nP2,4,5\n') }
		]);
		expect(report.refused).toEqual([]);
		// By hand: patients line 4 has no such diagnosis; pain lines 3 and 4 are over 10.
		expect(report.files.map((f) => [f.file, f.kind, f.read, f.loaded, f.rejected])).toEqual([
			['export.csv (1st file of that name)', 'patients', 3, 2, 1],
			['export.csv (2nd file of that name)', 'pain_scores', 4, 2, 2]
		]);
		const problems = async (file: string) =>
			(await problemsPage(db, file, 0, 10)).map((p) => [p.line, p.column]);
		expect(await problems('export.csv (1st file of that name)')).toEqual([[4, 'diagnosis']]);
		expect(await problems('export.csv (2nd file of that name)')).toEqual([
			[3, 'pain_avg'],
			[4, 'pain_avg']
		]);
	});

	test('names a file by its place among those of its name only when the name repeats', () => {
		const names = uniqueNames(
			['a.csv', 'b.csv', 'a.csv', 'a.csv', 'a.csv (2nd file of that name)'].map((name) => ({
				name,
				bytes: new Uint8Array(0)
			}))
		).map((f) => f.name);
		expect(names).toEqual([
			'a.csv (1st file of that name)',
			'b.csv',
			'a.csv (2nd file of that name, 2)',
			'a.csv (3rd file of that name)',
			'a.csv (2nd file of that name)'
		]);
	});
});

describe('an upload that loads nothing', () => {
	test('takes nothing away: the dataset loaded before stays, rows and problems', async () => {
		const db = await nodeDatabase();
		const first = await importChecked(db, [
			{ name: 'patients.csv', bytes: enc(`${PATIENTS}P3,Lexington,not_a_diagnosis,2020\n`) }
		]);
		expect(first.replaced).toBe(true);
		const state = async () => [
			await db.query('SELECT patient_id FROM patients ORDER BY 1'),
			await db.query('SELECT file, line FROM import_problems')
		];
		const before = await state();
		expect(before).toEqual([
			[{ patient_id: 'P1' }, { patient_id: 'P2' }],
			[{ file: 'patients.csv', line: 4 }]
		]);
		// A file with no header, and a pain file without a patients file: both refused.
		for (const upload of [
			[{ name: 'x.csv', bytes: enc('hello\nworld\n') }],
			[{ name: 'pain.csv', bytes: enc('patient_id,day,pain_avg\nP1,1,3\n') }]
		]) {
			const report = await importChecked(db, upload);
			expect(report.files).toEqual([]);
			expect(report.refused).toHaveLength(1);
			expect(report.replaced).toBe(false);
			expect(await state()).toEqual(before);
		}
	});
});
