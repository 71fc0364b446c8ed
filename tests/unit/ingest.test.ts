import { describe, expect, test } from 'vitest';
import { isAgeOver89 } from '../../src/lib/ingest/identifiers';
import { load } from './helpers';

const PATIENTS = `patient_id,office,diagnosis,implant_year,trial_day,followup_end_day
P1,Lexington,fbss,2020,-20,400
P2,Danville,crps,,0,30
P3,Maysville,spasticity,2021,-10,100
`;

describe('importFiles', () => {
	test('loads a clean file and reconciles read = loaded + rejected + skipped', async () => {
		const { db, report } = await load({ 'patients.csv': PATIENTS });
		expect(report.refused).toEqual([]);
		const f = report.files[0]!;
		expect(f).toMatchObject({ kind: 'patients', read: 3, loaded: 3, rejected: 0, skipped: 0 });
		const rows = await db.query(
			'SELECT patient_id, implanted, implant_year FROM patients ORDER BY patient_id'
		);
		expect(rows).toEqual([
			{ patient_id: 'P1', implanted: true, implant_year: 2020 },
			{ patient_id: 'P2', implanted: false, implant_year: null },
			{ patient_id: 'P3', implanted: true, implant_year: 2021 }
		]);
	});

	test('rejects a pain score of 11 with its line number, and counts blank lines as skipped', async () => {
		const pain = 'patient_id,day,pain_avg\nP1,-30,8\n\nP1,30,11\nP1,60,4.25\nP9,90,3\nP1,"120",5\n';
		const { db, report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': pain });
		const f = report.files.find((x) => x.kind === 'pain_scores')!;
		expect(f).toMatchObject({ read: 6, loaded: 2, rejected: 3, skipped: 1 });
		expect(f.skippedLines).toEqual([{ line: 3, reason: 'blank line' }]);
		expect(f.problems).toEqual([
			{ line: 4, column: 'pain_avg', value: '11', rule: 'expected 0-10' },
			{ line: 5, column: 'pain_avg', value: '4.25', rule: 'expected at most 1 decimal' },
			{ line: 6, column: 'patient_id', value: 'P9', rule: 'unknown patient_id (not in the patients file)' }
		]);
		const days = await db.query('SELECT day FROM pain_scores ORDER BY day');
		expect(days).toEqual([{ day: -30 }, { day: 120 }]);
	});

	test('keeps physical line numbers across quoted newlines and rejects a row with too many fields', async () => {
		const p =
			'patient_id,office,diagnosis,icd10\nP1,"Lex\nington",fbss,M96.1\nP2,Danville,crps,x,extra\nP3,Maysville,fbss,\n';
		const { report } = await load({ 'patients.csv': p });
		const f = report.files[0]!;
		expect(f).toMatchObject({ read: 3, loaded: 2, rejected: 1, skipped: 0 });
		expect(f.problems).toEqual([{ line: 4, column: null, value: null, rule: 'expected 4 fields, found 5' }]);
	});

	test('gives every loaded row its physical line, past 9, 99 and 999 and across skipped lines', async () => {
		// The scan writes each staged record's line number (LineDigits, counted up from the last);
		// a blank line makes the file load from those staged records rather than as written.
		const unknown = new Set([9, 10, 11, 99, 100, 101, 999, 1000, 1001, 1205]);
		const lines = ['patient_id,day,pain_avg'];
		for (let line = 2; line <= 1205; line++)
			lines.push(line === 500 ? '' : `${unknown.has(line) ? 'P9' : 'P1'},${line},5`);
		const { db, report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': lines.join('\n') + '\n' });
		const f = report.files.find((x) => x.kind === 'pain_scores')!;
		expect(f).toMatchObject({ read: 1204, loaded: 1193, rejected: 10, skipped: 1 });
		expect(f.problems.map((p) => p.line)).toEqual([...unknown]);
		const loaded = await db.query<{ _line: number; day: number }>(
			'SELECT _line, day FROM pain_scores ORDER BY _line'
		);
		const expected = Array.from({ length: 1204 }, (_, k) => k + 2).filter(
			(l) => l !== 500 && !unknown.has(l)
		);
		expect(loaded.map((r) => r._line)).toEqual(expected);
		// Each row's day is its line in this file: the line number belongs to that row.
		expect(loaded.every((r) => r.day === r._line)).toBe(true);
	});

	test('reads enum values in any case as the contract spells them, and rejects near misses', async () => {
		// csf_leak and catheter share a length and a first letter: both are compared (cells.ts enumKey).
		const pump =
			'patient_id,day,event,drug,daily_dose,daily_dose_unit,complication\n' +
			'P1,0,IMPLANT,Morphine,1.5,MG/DAY,\n' +
			'P1,10,complication,,,,CSF_Leak\n' +
			'P1,20,Complication,,,,CATHETER\n' +
			'P1,30,complication,,,,catheters\n' +
			'P1,40,refil,,,,\n' +
			'P1,50,complication,,,,csf_leaK\n';
		const { db, report } = await load({ 'patients.csv': PATIENTS, 'pump.csv': pump });
		const f = report.files.find((x) => x.kind === 'pump_events')!;
		expect(f).toMatchObject({ read: 6, loaded: 4, rejected: 2, skipped: 0 });
		expect(f.problems.map((p) => [p.line, p.column, p.value])).toEqual([
			[5, 'complication', 'catheters'],
			[6, 'event', 'refil']
		]);
		const rows = await db.query(
			'SELECT event, drug, daily_dose_unit, complication FROM pump_events ORDER BY day'
		);
		expect(rows).toEqual([
			{ event: 'implant', drug: 'morphine', daily_dose_unit: 'mg/day', complication: null },
			{ event: 'complication', drug: null, daily_dose_unit: null, complication: 'csf_leak' },
			{ event: 'complication', drug: null, daily_dose_unit: null, complication: 'catheter' },
			{ event: 'complication', drug: null, daily_dose_unit: null, complication: 'csf_leak' }
		]);
	});

	test('refuses a file whose required column has no match, naming the headers found', async () => {
		const { report } = await load({ 'p.csv': 'patient_id,office\nP1,Lexington\n' });
		expect(report.files).toEqual([]);
		expect(report.refused[0]!.reason).toBe('p.csv: no column for diagnosis; found: "patient_id", "office"');
	});

	test('accepts the age 90+ and ages 18-89, and rejects 17 with its line', async () => {
		const p =
			'patient_id,office,diagnosis,age_at_implant\nA,Lexington,fbss,90+\nB,Lexington,fbss,18\nC,Lexington,fbss,17\n';
		const { db, report } = await load({ 'patients.csv': p });
		expect(report.files[0]!.problems).toEqual([
			{ line: 4, column: 'age_at_implant', value: '17', rule: 'expected 18-89' }
		]);
		expect(await db.query('SELECT patient_id, age_at_implant, age FROM patients ORDER BY 1')).toEqual([
			{ patient_id: 'A', age_at_implant: '90+', age: 90 },
			{ patient_id: 'B', age_at_implant: '18', age: 18 }
		]);
	});

	test('treats an ungrouped age over 89 as an identifier: the file is refused and the age never shown', async () => {
		const p = 'patient_id,office,diagnosis,age_at_implant\nA,Lexington,fbss,44\nD,Lexington,fbss,91\n';
		const { report } = await load({ 'patients.csv': p });
		expect(report.files).toEqual([]);
		expect(report.refused[0]!.reason).toBe(
			'patients.csv has columns that look like direct identifiers: column "age_at_implant": 1 of 2 values look like ages over 89 not grouped as 90+. ' +
				'Remove them from the export, or drop them in the app, before importing'
		);
		expect(JSON.stringify(report)).not.toContain('91');
	});

	test('refuses an empty file', async () => {
		const { report } = await load({ 'x.csv': '' });
		expect(report.refused).toEqual([{ file: 'x.csv', reason: 'x.csv is empty' }]);
	});

	test('converts the date form to days from implant', async () => {
		const p =
			'patient_id,office,diagnosis,implant_date,trial_date\nA,Lexington,fbss,2024-03-01,2024-02-10\nB,Danville,fbss,,2024-01-05\n';
		const pain = 'patient_id,visit_date,pain_avg\nA,2024-02-29,7\nA,2024-06-01,3\nB,2024-01-06,6\n';
		const { db, report } = await load({ 'patients.csv': p, 'pain.csv': pain });
		expect(report.files.map((f) => f.dialect.timeForm)).toEqual(['date', 'date']);
		expect(await db.query('SELECT patient_id, trial_day, implant_year FROM patients ORDER BY 1')).toEqual([
			{ patient_id: 'A', trial_day: -20, implant_year: 2024 },
			{ patient_id: 'B', trial_day: 0, implant_year: null }
		]);
		// 2024 is a leap year: 2024-02-29 is the day before 2024-03-01; 2024-06-01 is 92 days after.
		expect(await db.query('SELECT patient_id, day FROM pain_scores ORDER BY 1, 2')).toEqual([
			{ patient_id: 'A', day: -1 },
			{ patient_id: 'A', day: 92 },
			{ patient_id: 'B', day: 1 }
		]);
	});
});

describe('isAgeOver89', () => {
	test('a whole number 90-130 of two or three digits, nothing else', () => {
		const over = (text: string) => {
			const b = new TextEncoder().encode(` ${text} `);
			return isAgeOver89(b, 1, b.length - 1);
		};
		expect(['90', '090', '99', '100', '130'].filter(over)).toEqual(['90', '090', '99', '100', '130']);
		expect(['89', '131', '9', '1000', '9a', '-95', '95.0', ''].filter(over)).toEqual([]);
	});
});
