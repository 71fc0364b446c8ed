import { describe, expect, test } from 'vitest';
import { nodeDatabase } from '../../src/lib/db/node';
import {
	csvCell,
	problemsCsv,
	problemsPage,
	type ImportOptions,
	type ImportReport
} from '../../src/lib/ingest';
import { deriveSql } from '../../src/lib/sql';
import { files, importChecked } from './helpers';

/** The rules of docs/import-rules.md that span columns and files, and the mapping step. */
async function load(map: Record<string, string>, options: ImportOptions = {}) {
	const db = await nodeDatabase();
	const report = await importChecked(db, files(map), options);
	for (const f of report.files)
		expect(f.read, `${f.file} reconciles`).toBe(f.loaded + f.rejected + f.skipped);
	return { db, report };
}
const file = (report: ImportReport, name: string) => report.files.find((f) => f.file === name)!;

const PATIENTS =
	'patient_id,office,diagnosis,implant_year,trial_day,followup_end_day\n' +
	'P1,Lexington,fbss,2020,-20,400\nP2,Danville,crps,,0,30\nP1,Maysville,fbss,2021,-10,100\n';

describe('rules across files (docs/import-rules.md)', () => {
	test('a duplicate patient_id keeps the first row and rejects the others with its line', async () => {
		const { db, report } = await load({ 'patients.csv': PATIENTS });
		expect(file(report, 'patients.csv').problems).toEqual([
			{
				line: 4,
				column: 'patient_id',
				value: 'P1',
				rule: 'duplicate patient_id (first on line 2); the first row is kept'
			}
		]);
		expect(await db.query('SELECT office FROM patients WHERE patient_id = ?', ['P1'])).toEqual([
			{ office: 'Lexington' }
		]);
	});

	test.each([
		['sorted by patient and day (found in the scan)', 'P1,10,5\nP1,30,6\nP1,30,7\nP2,5,3\n', 4, 3],
		['in any order (found in the database)', 'P1,30,6\nP2,5,3\nP1,10,5\nP1,30,7\n', 5, 2]
	])('a second assessment on the same day is kept with a warning: %s', async (_, rows, line, first) => {
		const { db, report } = await load({
			'patients.csv': PATIENTS,
			'pain.csv': `patient_id,day,pain_avg\n${rows}`
		});
		expect(file(report, 'pain.csv').problems).toEqual([]);
		expect(file(report, 'pain.csv').warnings).toContain(
			`1 assessment repeats a patient's assessment day (kept; outcomes use the later line): line ${line} (same day as line ${first})`
		);
		expect(await db.query(`SELECT pain_avg FROM pain_scores WHERE day = 30 ORDER BY _line`)).toEqual([
			{ pain_avg: 6 },
			{ pain_avg: 7 }
		]);
	});

	test('one rule for two assessments on one day: the importer keeps both, the outcomes use the later line', async () => {
		// P1 (implanted, trial day -20, follow-up to 400): two scores on day -40 (baseline) and two
		// on day 90 (the 3m window's target), each pair in file order 6 then 8 (avg) and 7 then 9 (worst).
		const pain =
			'patient_id,day,pain_avg,pain_worst\n' +
			'P1,-40,6,7\nP1,-40,8,9\nP1,-60,5,5\nP1,90,2,3\nP1,120,1,1\nP1,90,4,5\nP1,60,3,3\n';
		const { db, report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': pain });
		const f = file(report, 'pain.csv');
		expect({ loaded: f.loaded, rejected: f.rejected }).toEqual({ loaded: 7, rejected: 0 });
		expect(f.warnings).toContain(
			"2 assessments repeat a patient's assessment day (kept; outcomes use the later line): " +
				'line 3 (same day as line 2), line 7 (same day as line 5)'
		);
		for (const sql of deriveSql()) await db.query(sql);
		// Baseline: the last day in [-90, -1] before the trial is -40; of its two lines, line 3.
		expect(
			await db.query(
				"SELECT measure, baseline, baseline_day, worst FROM pain_baseline WHERE patient_id = 'P1' ORDER BY measure"
			)
		).toEqual([
			{ measure: 'pain_avg', baseline: 8, baseline_day: -40, worst: 9 },
			{ measure: 'pain_worst', baseline: 9, baseline_day: -40, worst: 9 }
		]);
		// 3m window [45, 135): day 90 is closest to the target 90; of its two lines, line 7.
		expect(
			await db.query(
				"SELECT measure, day, score FROM pain_window WHERE patient_id = 'P1' AND label = '3m' ORDER BY measure"
			)
		).toEqual([
			{ measure: 'pain_avg', day: 90, score: 4 },
			{ measure: 'pain_worst', day: 90, score: 5 }
		]);
	});

	test('rows after follow-up end are kept with a warning naming their lines', async () => {
		const pain = 'patient_id,day,pain_avg\nP1,10,5\nP1,401,4\nP2,31,3\nP2,30,3\n';
		const { report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': pain });
		expect(file(report, 'pain.csv').loaded).toBe(4);
		expect(file(report, 'pain.csv').warnings).toContain(
			"2 rows after the patient's followup_end_day (kept; outcome windows end at follow-up end): line 3, line 4"
		);
	});

	test('pump rows for a patient who was never implanted are rejected, except trial and complication rows', async () => {
		const pump =
			'patient_id,day,event,drug,daily_dose,daily_dose_unit,complication\n' +
			'P2,0,trial,morphine,,,\nP2,3,complication,,,,infection\nP2,10,refill,morphine,1,mg/day,\nP1,0,implant,morphine,1,mg/day,\n';
		const { report } = await load({ 'patients.csv': PATIENTS, 'pump.csv': pump });
		expect(file(report, 'pump.csv').problems).toEqual([
			{
				line: 4,
				column: 'event',
				value: 'refill',
				rule: 'a pump event for a patient who was never implanted (the patients file has no implant for them)'
			}
		]);
	});

	test('an implanted patient without an implant row, and dosing before the implant, are warned about', async () => {
		const patients =
			'patient_id,office,diagnosis,implant_year\nP1,Lexington,fbss,2020\nP3,Danville,fbss,2021\n';
		const pump =
			'patient_id,day,event,drug,daily_dose,daily_dose_unit\nP1,0,implant,morphine,1,mg/day\nP3,-5,refill,morphine,1,mg/day\n';
		const { report } = await load({ 'patients.csv': patients, 'pump.csv': pump });
		expect(file(report, 'pump.csv').warnings).toEqual([
			'1 row dosing rows dated before the implant (day < 0) (kept): line 3',
			'1 implanted patient has no implant row in pump.csv'
		]);
	});

	test('dates for a patient with no implant or trial date are rejected; date files need date patients', async () => {
		const patients =
			'patient_id,office,diagnosis,implant_date,trial_date\nA,Lexington,fbss,2024-03-01,2024-02-10\nB,Danville,crps,,\n';
		const pain = 'patient_id,date,pain_avg\nA,2024-03-05,4\nB,2024-03-05,4\n';
		const { report } = await load({ 'patients.csv': patients, 'pain.csv': pain });
		expect(file(report, 'pain.csv').problems).toEqual([
			{
				line: 3,
				column: 'patient_id',
				value: 'B',
				rule: "dates need the patient's implant_date (or trial_date) in the patients file"
			}
		]);
		const mixed = await load({ 'patients.csv': PATIENTS, 'pain.csv': pain });
		expect(mixed.report.refused).toEqual([
			{
				file: 'pain.csv',
				reason:
					'pain.csv gives calendar dates, but the patients file gives days from implant (implant_year): give the patients file implant_date and trial_date, or give this file days'
			}
		]);
	});
});

describe('mapping and units', () => {
	const PAIN = 'Subject ID,Study Day,Average Pain (NRS),Comment\nP1,10,5,\n';

	test('synonyms are matched and shown; the app asks to confirm, then loads with the confirmed mapping', async () => {
		const before = await load({ 'patients.csv': 'patient_id,office,diagnosis\nEARLIER,Lexington,fbss\n' });
		const asked = await load({ 'patients.csv': PATIENTS, 'pain.csv': PAIN }, { interactive: true });
		const p = asked.report.pending.find((x) => x.file === 'pain.csv')!;
		expect(p.mapping.columns).toEqual([
			{ header: 'Subject ID', target: 'patient_id', via: 'synonym' },
			{ header: 'Study Day', target: 'day', via: 'synonym' },
			{ header: 'Average Pain (NRS)', target: 'pain_avg', via: 'synonym' },
			{ header: 'Comment', target: null, via: null }
		]);
		expect(p.mappingReason).toBe('columns were matched by synonym; check the mapping');
		// Nothing was loaded while a question was open: the database still holds what it had.
		expect(await before.db.query('SELECT patient_id FROM patients')).toEqual([{ patient_id: 'EARLIER' }]);
		const choices = { [p.key]: { mapping: ['patient_id', 'day', 'pain_avg', null] } };
		const { report } = await load(
			{ 'patients.csv': PATIENTS, 'pain.csv': PAIN },
			{ interactive: true, choices }
		);
		// Confirmed as suggested: each column keeps how it was matched.
		expect(file(report, 'pain.csv').mapping.columns.map((c) => c.via)).toEqual([
			'synonym',
			'synonym',
			'synonym',
			null
		]);
	});

	test('the user may edit the mapping: an ignored column becomes pain_worst', async () => {
		const pain = 'patient_id,day,pain_avg,Highest\nP1,10,5,8\n';
		const key = 'patient_id|day|pain_avg|highest';
		const { db } = await load(
			{ 'patients.csv': PATIENTS, 'pain.csv': pain },
			{ interactive: true, choices: { [key]: { mapping: ['patient_id', 'day', 'pain_avg', 'pain_worst'] } } }
		);
		expect(await db.query('SELECT pain_worst FROM pain_scores')).toEqual([{ pain_worst: 8 }]);
	});

	test('a unit in a header is checked against the unit column, or stands for it (mcg vs mg)', async () => {
		const pump =
			'patient_id,day,event,drug,Daily Dose (mcg/day),daily_dose_unit\nP1,0,implant,fentanyl,100,mcg/day\nP1,30,refill,fentanyl,2,mg/day\n';
		const { report } = await load({ 'patients.csv': PATIENTS, 'pump.csv': pump });
		// Fentanyl in mg/day breaks the drug's unit too: both reasons are reported.
		expect(file(report, 'pump.csv').problems).toEqual([
			{
				line: 3,
				column: 'daily_dose_unit',
				value: 'mg/day',
				rule: 'disagrees with the unit in the header of its value column (mcg/day)'
			},
			{
				line: 3,
				column: 'daily_dose_unit',
				value: 'mg/day',
				rule: 'unit does not fit the drug (outcomes.md section 4)'
			}
		]);
		const noUnit =
			'patient_id,day,event,drug,Dose (mcg/day)\nP1,0,implant,fentanyl,100\nP1,30,refill,morphine,2\n';
		const r2 = await load({ 'patients.csv': PATIENTS, 'pump.csv': noUnit });
		expect(file(r2.report, 'pump.csv').problems).toEqual([
			{
				line: 3,
				column: 'daily_dose_unit',
				value: 'mcg/day',
				rule: 'unit does not fit the drug (outcomes.md section 4)'
			}
		]);
		expect(await r2.db.query('SELECT daily_dose, daily_dose_unit FROM pump_events')).toEqual([
			{ daily_dose: 100, daily_dose_unit: 'mcg/day' }
		]);
	});
});

describe('problems: paged and exported', () => {
	test('pages walk every problem in line order', async () => {
		const rows = Array.from({ length: 25 }, (_, i) => `P1,${i},${i % 2 ? 'x' : 5}`).join('\n');
		const { db } = await load({ 'patients.csv': PATIENTS, 'pain.csv': `patient_id,day,pain_avg\n${rows}\n` });
		const pages = [await problemsPage(db, 'pain.csv', 0, 5), await problemsPage(db, 'pain.csv', 10, 5)];
		expect(pages.map((p) => p.map((x) => x.line))).toEqual([
			[3, 5, 7, 9, 11],
			[23, 25]
		]);
		const csv = await problemsCsv(db, 'pain.csv');
		expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1 + 12);
	});

	test.each([
		['=SUM(A1)', `"'=SUM(A1)"`],
		['+1', `"'+1"`],
		['-1', `"'-1"`],
		['@x', `"'@x"`],
		['\tx', `"'\tx"`],
		['\rx', `"'\rx"`],
		['\nx', `"'\nx"`],
		['say "hi"', '"say ""hi"""'],
		[12, '12'],
		[-3.5, '-3.5'],
		[null, '']
	])('csvCell(%j) is %s', (value, cell) => {
		expect(csvCell(value)).toBe(cell);
	});
});
