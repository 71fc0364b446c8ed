import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import { nodeDatabase } from '../../src/lib/db/node';
import { buildReport, reportSchema, suppressedReportSchema, suppressReport } from '../../src/lib/report';

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const DEMO = path.join(ROOT, 'data/demo');

/** Run `npm run report` as a user would, returning stdout, stderr and the exit code. */
async function report(...args: string[]) {
	try {
		const { stdout, stderr } = await exec(
			path.join(ROOT, 'node_modules/.bin/tsx'),
			['scripts/report.ts', ...args],
			{
				cwd: ROOT,
				maxBuffer: 64 * 1024 * 1024
			}
		);
		return { stdout, stderr, code: 0 };
	} catch (e) {
		const err = e as { stdout: string; stderr: string; code: number };
		return { stdout: err.stdout, stderr: err.stderr, code: err.code };
	}
}

function folder(files: Record<string, string | Uint8Array>): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'report-'));
	for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), body);
	return dir;
}

const PATIENTS = 'patient_id,office,diagnosis,implant_year\nP1,Lexington,fbss,2020\n';

describe('npm run report', () => {
	let json: ReturnType<typeof JSON.parse>;
	let stderr: string;
	beforeAll(async () => {
		const r = await report(DEMO, '--json');
		expect(r.code).toBe(0);
		json = JSON.parse(r.stdout);
		stderr = r.stderr;
	});

	test('--json prints exactly one JSON document that matches the documented schema', () => {
		const parsed = reportSchema.safeParse(json);
		expect(parsed.success, parsed.error?.message).toBe(true);
		// Strict: a field the schema (and report.md) does not list, or one missing, fails.
		const added = structuredClone(json);
		added.pain.pain_avg.windows[0].wilcoxon.ties = 3;
		expect(reportSchema.safeParse(added).success).toBe(false);
		const renamed = structuredClone(json);
		renamed.pain.pain_avg.baseline.absent = renamed.pain.pain_avg.baseline.missing;
		delete renamed.pain.pain_avg.baseline.missing;
		expect(reportSchema.safeParse(renamed).success).toBe(false);
		expect(json.oral_mme.factors).toBe('cdc2022');
		expect(json.oral_mme.opioid_free.points.map((p: { day: number }) => p.day)).toEqual(
			expect.arrayContaining([30, 365, 1825])
		);
	});

	test('prints the column mapping it used to standard error, not standard output', () => {
		expect(stderr).toContain(
			'pain_scores.csv: pain_scores; patient_id -> patient_id, day -> day, pain_avg -> pain_avg'
		);
	});

	test('gives the same numbers as the query builders the app calls, on the same files', async () => {
		const db = await nodeDatabase();
		const inputs = readdirSync(DEMO).map((name) => ({
			name,
			bytes: new Uint8Array(readFileSync(path.join(DEMO, name)))
		}));
		const inApp = await buildReport(db, await loadDataset(db, inputs));
		expect(JSON.parse(JSON.stringify(inApp))).toEqual(json);
	});

	test('counts the demo cohort as the files hold it (read = data lines, nothing rejected)', () => {
		for (const f of json.import.files) {
			const lines = readFileSync(path.join(DEMO, f.file), 'utf8').trimEnd().split('\n').length - 1;
			expect([f.file, f.read, f.loaded, f.rejected, f.skipped]).toEqual([f.file, lines, lines, 0, 0]);
		}
	});
});

describe('npm run report --suppress and the readable summary', () => {
	test('--suppress prints the suppressed document: its schema, and the same as in-process', async () => {
		const r = await report(DEMO, '--json', '--suppress');
		expect(r.code).toBe(0);
		const json = JSON.parse(r.stdout);
		const parsed = suppressedReportSchema.safeParse(json);
		expect(parsed.success, parsed.error?.message).toBe(true);
		expect(json.settings).toMatchObject({ suppressed: 'all', suppression_threshold: 11 });
		const db = await nodeDatabase();
		const inputs = readdirSync(DEMO).map((name) => ({
			name,
			bytes: new Uint8Array(readFileSync(path.join(DEMO, name)))
		}));
		const inApp = suppressReport(await buildReport(db, await loadDataset(db, inputs)));
		expect(JSON.parse(JSON.stringify(inApp))).toEqual(json);
		// The demo's 36-month window has fewer than 11 completers left out of the % metrics.
		const w36 = json.pain.pain_avg.windows.find((w: { label: string }) => w.label === '36m');
		expect(w36.excluded_low_baseline).toBe('<11');
	});

	test('the summary names every office with its numbers or as suppressed, and says when all is suppressed', async () => {
		const [plain, small, json] = await Promise.all([
			report(DEMO),
			report(DEMO, '--suppress'),
			report(DEMO, '--json')
		]);
		expect([plain.code, small.code, json.code]).toEqual([0, 0, 0]);
		const offices = JSON.parse(json.stdout).offices;
		const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
		expect(plain.stdout).toContain('Offices: >=30% responders at 12m, all implanted');
		for (const u of offices.units) {
			expect(plain.stdout).toContain(
				u.suppressed ? `${u.office}: suppressed` : `${u.office}: ${u.k}/${u.n}, ${pct(u.rate)}`
			);
		}
		expect(plain.stdout).not.toContain('Small cells suppressed throughout');
		expect(small.stdout).toContain('Small cells suppressed throughout (--suppress)');
	});
});

describe('npm run report through npm itself', () => {
	// npm prints "> it-pump-outcomes@… report" on standard output before a script unless run with -s.
	const npm = async (...args: string[]) => {
		const { stdout, stderr } = await exec('npm', args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
		return { stdout, stderr };
	};
	const tiny = () => folder({ 'patients.csv': PATIENTS });

	test('npm run -s report -- DIR --json holds the JSON alone; without -s the report says how to get that', async () => {
		const [silent, banner, plain] = await Promise.all([
			npm('run', '-s', 'report', '--', tiny(), '--json'),
			npm('run', 'report', '--', tiny(), '--json'),
			npm('run', 'report', '--', tiny())
		]);
		expect(JSON.parse(silent.stdout).cohort.patients).toBe(1);
		expect(silent.stderr).not.toContain('npm run -s report');
		// Without -s, npm's own lines come first and the report points to -s.
		expect(banner.stdout.trimStart().startsWith('>')).toBe(true);
		expect(banner.stderr).toContain('run npm run -s report -- DIR --json');
		// Without --json a person reads the summary: no hint.
		expect(plain.stderr).not.toContain('npm run -s report');
	});
});

describe('npm run report exit codes', () => {
	test('--mme cdc2016 labels the factors it used', async () => {
		const r = await report(folder({ 'patients.csv': PATIENTS }), '--json', '--mme', 'cdc2016');
		expect(r.code).toBe(0);
		expect(JSON.parse(r.stdout).oral_mme.factors).toBe('cdc2016');
	});

	test('exits 2 and names the file when a workbook is renamed .csv', async () => {
		const xlsx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
		const r = await report(folder({ 'patients.csv': PATIENTS, 'pain.csv': xlsx }), '--json');
		expect(r.code).toBe(2);
		expect(r.stdout).toBe('');
		expect(r.stderr).toContain(
			'pain.csv is an Excel workbook or zip archive, not a CSV file: export it as "CSV UTF-8"'
		);
	});

	test('exits 2 when a required column has no match, naming the column and the headers found', async () => {
		const r = await report(
			folder({ 'patients.csv': PATIENTS, 'pain.csv': 'patient_id,day,score_x\nP1,3,4\n' })
		);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('pain.csv: no column for pain_avg; found: "patient_id", "day", "score_x"');
	});

	test('exits 2 for a file without a header row, without printing its first line', async () => {
		const first = 'Smith, John,123-45-6789,john@x.com,(859) 555-0101,1950-03-04';
		const r = await report(folder({ 'patients.csv': PATIENTS, 'export.csv': `${first}\n` }));
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('export.csv: no header row matching the data contract');
		expect(r.stderr).toContain('has 6 comma-separated fields');
		for (const v of first.split(',')) expect(r.stderr + r.stdout).not.toContain(v.trim());
	});

	test('names every entry it does not read (a folder named .csv, a dangling link, another file), and reads the rest', async () => {
		const dir = folder({ 'patients.csv': PATIENTS, 'notes.md': 'hello\n' });
		mkdirSync(path.join(dir, 'extra.csv'));
		symlinkSync(path.join(dir, 'no-such-file'), path.join(dir, 'zz.csv'));
		const r = await report(dir, '--json');
		expect(r.code).toBe(0);
		expect(r.stderr).toContain('extra.csv: not read: a folder');
		expect(r.stderr).toContain('zz.csv: not read: a link to nothing');
		expect(r.stderr).toContain('notes.md: not read: not .csv, .tsv, .txt or .parquet');
		expect(JSON.parse(r.stdout).cohort.patients).toBe(1);
	});

	test('exits 0 when its reader closes the pipe early (report | head -1)', async () => {
		// A shell pipe, as a user types it: head exits after one line while the report still writes.
		const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
		const { stdout } = await exec(
			'bash',
			[
				'-c',
				`"${tsx}" scripts/report.ts "${DEMO}" --json 2>/dev/null | head -1; echo "exit \${PIPESTATUS[0]}"`
			],
			{ cwd: ROOT }
		);
		expect(stdout).toBe('{\nexit 0\n');
	});

	test('lists rejected and skipped lines by number, in the summary and the JSON, and says how many more there are', async () => {
		const patients =
			'patient_id,office,diagnosis,implant_year\nP1,Lexington,fbss,2020\n\n' +
			'patient_id,office,diagnosis,implant_year\nP2,Danville,crps,2021\n';
		// 12 scores of 11 on lines 2-13 (out of range), then one valid score.
		const pain =
			'patient_id,day,pain_avg\n' +
			Array.from({ length: 12 }, (_, i) => `P1,${i},11`).join('\n') +
			'\nP2,5,4\n';
		const dir = folder({ 'patients.csv': patients, 'pain.csv': pain });
		const text = await report(dir);
		expect(text.code).toBe(0);
		expect(text.stdout).toContain('    skipped line 3 (blank line), line 4 (repeated header)\n');
		expect(text.stdout).toContain('    line 2, pain_avg = "11": expected 0-10\n');
		expect(text.stdout).toContain('    line 11, pain_avg = "11": expected 0-10\n');
		expect(text.stdout).not.toContain('line 12, pain_avg');
		expect(text.stdout).toContain('    … and 2 more problems (--json lists the first 200)\n');
		const json = JSON.parse((await report(dir, '--json')).stdout);
		const [p, s] = json.import.files;
		expect(p.skipped_lines).toEqual([
			{ line: 3, reason: 'blank line' },
			{ line: 4, reason: 'repeated header' }
		]);
		expect([s.rejected, s.problem_count, s.problems.length]).toEqual([12, 12, 12]);
		expect(s.problems[11]).toEqual({ line: 13, column: 'pain_avg', value: '11', rule: 'expected 0-10' });
		const hidden = JSON.parse((await report(dir, '--json', '--suppress')).stdout).import.files;
		expect(hidden.map((f: { skipped_lines: unknown[] }) => f.skipped_lines)).toEqual([[], []]);
	});

	test('dates no value decides: refused with the option to pass, then read in the order --date-order gives', async () => {
		// Every date is valid both ways. Implant 01/02/2024 and a score on 05/04/2024: month first,
		// 2 January and 4 May; day first, 1 February and 5 April.
		const dir = folder({
			'patients.csv':
				'patient_id,office,diagnosis,implant_date,followup_end_date\nP1,Lexington,fbss,01/02/2024,12/12/2025\n',
			'pain.csv': 'patient_id,date,pain_avg\nP1,05/04/2024,4\n'
		});
		const refused = await report(dir);
		expect(refused.code).toBe(2);
		expect(refused.stderr).toContain('patients.csv: no date decides whether');
		expect(refused.stderr).toContain('run again with --date-order mdy');
		expect((await report(dir, '--date-order', 'ymd')).stderr).toContain(
			'--date-order takes mdy or dmy, got ymd'
		);

		const day = (to: number, from: number) => (to - from) / 86_400_000;
		const days = {
			mdy: day(Date.UTC(2024, 4, 4), Date.UTC(2024, 0, 2)),
			dmy: day(Date.UTC(2024, 3, 5), Date.UTC(2024, 1, 1))
		};
		expect(days).toEqual({ mdy: 123, dmy: 64 });
		for (const order of ['mdy', 'dmy'] as const) {
			const r = await report(dir, '--json', '--date-order', order);
			expect(r.code, r.stderr).toBe(0);
			const format = order === 'mdy' ? 'M/D/YYYY' : 'D/M/YYYY';
			expect(r.stderr).toContain(`patients.csv: dates read as ${format} (--date-order ${order})`);
			const json = JSON.parse(r.stdout);
			expect(reportSchema.safeParse(json).success).toBe(true);
			expect(json.import.files.map((f: { dates: unknown }) => f.dates)).toEqual([
				{ format, order_from: 'choice' },
				{ format, order_from: 'choice' }
			]);
			// The 3-month window (day 90 give or take the half-width) holds the score in one order only.
			const hw = json.settings.window_half_width;
			const w3 = json.pain.pain_avg.windows.find((w: { label: string }) => w.label === '3m');
			expect(w3.n, order).toBe(Math.abs(days[order] - 90) <= hw ? 1 : 0);
		}
		// A value that decides (13/02/2024 is day first) decides, whatever the option says.
		const decided = folder({
			'patients.csv':
				'patient_id,office,diagnosis,implant_date\nP1,Lexington,fbss,13/02/2024\nP2,Danville,crps,01/02/2024\n'
		});
		const d = await report(decided, '--json', '--date-order', 'mdy');
		expect(d.code, d.stderr).toBe(0);
		expect(JSON.parse(d.stdout).import.files[0].dates).toEqual({ format: 'D/M/YYYY', order_from: 'values' });
		expect(d.stderr).toContain('patients.csv: dates read as D/M/YYYY (the values decide it)');
	});

	test('exits 2 for a folder that does not exist', async () => {
		const r = await report(path.join(tmpdir(), 'no-such-folder-for-report'));
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('is not a folder');
	});
});
