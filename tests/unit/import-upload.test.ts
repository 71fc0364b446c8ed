import { describe, expect, test } from 'vitest';
import { load } from './helpers';

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
