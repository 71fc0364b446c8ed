import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { beforeAll, describe, expect, test } from 'vitest';
import { columnsOf, type FileKind } from '../../src/lib/contract';
import { loadDataset } from '../../src/lib/dataset';
import { parquetAsCsv, shortestFloat32 } from '../../src/lib/dataset/parquet';
import { nodeDatabase } from '../../src/lib/db/node';
import { buildBundle, NO_COARSENING } from '../../src/lib/export';
import { importFiles, type InputFile } from '../../src/lib/ingest';
import { DEFAULT_SETTINGS } from '../../src/lib/outcomes';
import { buildReport } from '../../src/lib/report';
import { NO_FILTERS } from '../../src/lib/sql';

/*
 * Parquet input to the command-line report: a Parquet file becomes the CSV text of the same table
 * (src/lib/dataset/parquet.ts) and goes through the CSV importer. The Parquet files here are written
 * with hyparquet-writer and read with hyparquet: the expectations are hand-written CSV text, the
 * CSV import of the same rows, and the report on the demo CSVs.
 */

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const DEMO = path.join(ROOT, 'data/demo');
const KINDS: FileKind[] = ['patients', 'pain_scores', 'oral_opioids', 'pump_events'];
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const parquet = (columnData: ColumnSource[], options: { codec?: 'ZSTD' } = {}) =>
	new Uint8Array(
		parquetWriteBuffer({
			columnData,
			...(options.codec ? { codec: options.codec, compressors: { ZSTD: (x: Uint8Array) => x } } : {})
		})
	);

async function csvOf(name: string, bytes: Uint8Array): Promise<string> {
	const r = await parquetAsCsv(name, bytes);
	if (!r.ok) throw new Error(r.reason);
	expect(r.file.name).toBe(name);
	return text(r.file.bytes);
}

/** The contract's own types: integer columns INT32, number columns DOUBLE, everything else text. */
function contractParquet(kind: FileKind, csv: string): Uint8Array {
	const [header, ...lines] = csv.trimEnd().split(/\r?\n/);
	const names = header!.split(',');
	const rows = lines.map((l) => l.split(','));
	expect(
		rows.every((r) => r.length === names.length),
		'the demo has no quoted commas'
	).toBe(true);
	const spec = new Map(columnsOf(kind).map((c) => [c.name, c.kind]));
	return parquet(
		names.map((name, j) => {
			const kindOf = spec.get(name);
			const values = rows.map((r) => (r[j] === '' ? null : r[j]!));
			if (kindOf === 'integer')
				return { name, type: 'INT32', data: values.map((v) => (v === null ? null : Number(v))) };
			if (kindOf === 'number')
				return { name, type: 'DOUBLE', data: values.map((v) => (v === null ? null : Number(v))) };
			return { name, type: 'STRING', data: values };
		})
	);
}

describe('a Parquet file as CSV text', () => {
	test('each type is written as its text; null is an empty cell; text is quoted where CSV needs it', async () => {
		const bytes = parquet([
			{ name: 'patient_id', type: 'STRING', data: ['P1', 'P,2', 'say "hi"', null] },
			{ name: 'i32', type: 'INT32', data: [0, -3, null, 2147483647] },
			{ name: 'i64', type: 'INT64', data: [9007199254740993n, null, -1n, 0n] },
			{ name: 'f32', type: 'FLOAT', data: [0.1, 7.3, null, 1 / 3] },
			{ name: 'f64', type: 'DOUBLE', data: [7.25, 0.1 + 0.2, null, -0] },
			{ name: 'flag', type: 'BOOLEAN', data: [true, false, null, true] },
			{
				name: 'ts',
				type: 'TIMESTAMP',
				data: [new Date('2021-03-04T00:00:00Z'), new Date('2021-03-04T05:06:07.008Z'), null, null]
			},
			{ name: 'sp', type: 'STRING', data: [' 7', 'a\nb', '', null] }
		]);
		expect(await csvOf('x.parquet', bytes)).toBe(
			'patient_id,i32,i64,f32,f64,flag,ts,sp\n' +
				'P1,0,9007199254740993,0.1,7.25,true,2021-03-04," 7"\n' +
				'"P,2",-3,,7.3,0.30000000000000004,false,2021-03-04T05:06:07.008Z,"a\nb"\n' +
				'"say ""hi""",,-1,,,,,\n' +
				',2147483647,0,0.33333334,0,true,,\n'
		);
	});

	test('shortestFloat32 gives the shortest decimal that reads back as the same float32', () => {
		for (const [v, s] of [
			[0.1, '0.1'],
			[7.3, '7.3'],
			[1 / 3, '0.33333334'],
			[16777217, '16777216'],
			[2.5, '2.5']
		] as const)
			expect(shortestFloat32(Math.fround(v))).toBe(s);
	});

	test('a DATE column is YYYY-MM-DD', async () => {
		// hyparquet-writer has no DATE basic type: an INT32 column annotated DATE, as DuckDB writes it.
		const bytes = new Uint8Array(
			parquetWriteBuffer({
				columnData: [{ name: 'day', data: [0, 18690, null] }],
				schema: [
					{ name: 'root', num_children: 1 },
					{ name: 'day', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' }
				]
			})
		);
		// The null of a one-column row is quoted: an empty line would be skipped as blank.
		expect(await csvOf('d.parquet', bytes)).toBe('day\n1970-01-01\n2021-03-04\n""\n');
	});

	test('refuses what it cannot read faithfully, naming the file and the column or codec', async () => {
		expect(await parquetAsCsv('bad.parquet', new TextEncoder().encode('patient_id\nP1\n'))).toEqual({
			ok: false,
			reason: expect.stringMatching(/^bad\.parquet: not a readable Parquet file \(/)
		});
		const zstd = parquet([{ name: 'patient_id', type: 'STRING', data: ['P1'] }], { codec: 'ZSTD' });
		expect(await parquetAsCsv('z.parquet', zstd)).toEqual({
			ok: false,
			reason:
				"z.parquet: compressed with ZSTD, which this reader does not read; write it with Snappy or no compression (DuckDB: COPY ... TO 'z.parquet' (COMPRESSION snappy)), or as CSV"
		});
		const json = parquet([
			{ name: 'patient_id', type: 'STRING', data: ['P1'] },
			{ name: 'extra', type: 'JSON', data: [{ a: 1 }] }
		]);
		expect(await parquetAsCsv('j.parquet', json)).toEqual({
			ok: false,
			reason: 'j.parquet: line 2, column extra: a structured value, not text or a number'
		});
	});

	test('the import rules apply as to the CSV: the same loads, rejections (line, column, value) and counts', async () => {
		const patients =
			'patient_id,office,diagnosis,implant_year\nP1,Lexington,fbss,2020\nP2,Danville,crps,2021\n';
		const pain = 'patient_id,day,pain_avg\nP1,-10,8\nP1,90,12.5\nP2,-5,7.5\nP9,30,5\nP2,,6\nP2,400,4\n';
		const asParquet = (csv: string, types: Record<string, 'INT32' | 'DOUBLE'>) => {
			const [header, ...lines] = csv.trimEnd().split('\n');
			const names = header!.split(',');
			return parquet(
				names.map((name, j) => {
					const values = lines.map((l) => l.split(',')[j] ?? '');
					const type = types[name];
					return type
						? { name, type, data: values.map((v) => (v === '' ? null : Number(v))) }
						: { name, type: 'STRING', data: values.map((v) => (v === '' ? null : v)) };
				})
			);
		};
		const db = await nodeDatabase();
		const csv = await importFiles(db, [
			{ name: 'patients.csv', bytes: new TextEncoder().encode(patients) },
			{ name: 'pain_scores.csv', bytes: new TextEncoder().encode(pain) }
		]);
		const converted: InputFile[] = [];
		for (const [name, bytes] of [
			['patients.parquet', asParquet(patients, { implant_year: 'INT32' })],
			['pain_scores.parquet', asParquet(pain, { day: 'INT32', pain_avg: 'DOUBLE' })]
		] as const) {
			const r = await parquetAsCsv(name, bytes);
			if (!r.ok) throw new Error(r.reason);
			converted.push(r.file);
		}
		const pq = await importFiles(db, converted);
		const rename = (s: string) => s.replaceAll('.csv', '.parquet');
		expect(JSON.parse(rename(JSON.stringify(csv)))).toEqual(JSON.parse(JSON.stringify(pq)));
		// And the CSV import is what the rules say: 12.5 is out of range on line 3, P9 has no
		// patient (line 5), the empty day is missing (line 6).
		const painReport = pq.files.find((f) => f.kind === 'pain_scores')!;
		expect([painReport.read, painReport.loaded, painReport.rejected]).toEqual([6, 3, 3]);
		expect(painReport.problems.map((p) => [p.line, p.column])).toEqual([
			[3, 'pain_avg'],
			[5, 'patient_id'],
			[6, 'day']
		]);
	});
});

test('an id beginning with # is a value, not a comment line: every row is loaded', async () => {
	const bytes = parquet([
		{ name: 'patient_id', type: 'STRING', data: ['#P1', 'P2'] },
		{ name: 'office', type: 'STRING', data: ['Lexington', '#Danville'] },
		{ name: 'diagnosis', type: 'STRING', data: ['fbss', 'crps'] },
		{ name: 'implant_year', type: 'INT32', data: [2020, 2021] }
	]);
	const r = await parquetAsCsv('patients.parquet', bytes);
	if (!r.ok) throw new Error(r.reason);
	expect(text(r.file.bytes)).toBe(
		'patient_id,office,diagnosis,implant_year\n"#P1",Lexington,fbss,2020\nP2,"#Danville",crps,2021\n'
	);
	const report = await importFiles(await nodeDatabase(), [r.file]);
	const f = report.files[0]!;
	expect([f.read, f.loaded, f.rejected, f.skipped]).toEqual([2, 2, 0, 0]);
});

describe('npm run report on Parquet', () => {
	let csvReport: unknown;
	beforeAll(async () => {
		const db = await nodeDatabase();
		const inputs = readdirSync(DEMO).map((name) => ({
			name,
			bytes: new Uint8Array(readFileSync(path.join(DEMO, name)))
		}));
		csvReport = JSON.parse(JSON.stringify(await buildReport(db, await loadDataset(db, inputs))));
	});

	test('the demo written as Parquet gives the same document as its CSV files', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'report-parquet-'));
		for (const kind of KINDS)
			writeFileSync(
				path.join(dir, `${kind}.parquet`),
				contractParquet(kind, readFileSync(path.join(DEMO, `${kind}.csv`), 'utf8'))
			);
		const r = await exec(
			path.join(ROOT, 'node_modules/.bin/tsx'),
			['scripts/report.ts', dir, '--json', '--engine', 'wasm'],
			{ cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }
		);
		expect(r.stderr).toContain('patients.parquet: Parquet, read as CSV text for the import rules\n');
		const printed = JSON.parse(r.stdout);
		expect(printed.import.files.map((f: { file: string }) => f.file)).toEqual(
			KINDS.map((k) => `${k}.parquet`)
		);
		expect(JSON.parse(JSON.stringify(printed).replaceAll('.parquet"', '.csv"'))).toEqual(csvReport);
	}, 180_000);

	test("an export bundle's four Parquet tables give the same outcomes; providers are not in a bundle", async () => {
		const db = await nodeDatabase();
		const inputs = readdirSync(DEMO).map((name) => ({
			name,
			bytes: new Uint8Array(readFileSync(path.join(DEMO, name)))
		}));
		await loadDataset(db, inputs);
		const bundle = await buildBundle(db, {
			filters: NO_FILTERS,
			settings: DEFAULT_SETTINGS,
			coarsening: NO_COARSENING,
			confirmation: 'report-parquet.test.ts',
			source: 'upload',
			report: null,
			inputs: null,
			now: new Date('2030-01-02T03:04:05Z')
		});
		const zip = unzipSync(bundle.zip);
		const converted: InputFile[] = [];
		for (const kind of KINDS) {
			const r = await parquetAsCsv(`${kind}.parquet`, zip[`parquet/${kind}.parquet`]!);
			if (!r.ok) throw new Error(r.reason);
			converted.push(r.file);
		}
		const imported = await loadDataset(db, converted);
		expect(imported.refused).toEqual([]);
		const fromBundle = JSON.parse(JSON.stringify(await buildReport(db, imported)));
		const expected = csvReport as typeof fromBundle;
		expect(fromBundle.import.files.find((f: { kind: string }) => f.kind === 'patients').warnings).toEqual([
			'ignored column "age_band" (not in the data contract)',
			'ignored column "implanted" (not in the data contract)',
			'ignored column "in_outcome" (not in the data contract)'
		]);
		// Re-keyed ids put the rows in another order, so sums add in another order: numbers agree to
		// within 1e-12 of their size, counts and text exactly.
		const diffs: string[] = [];
		const walk = (a: unknown, b: unknown, at: string) => {
			if (typeof a === 'number' && typeof b === 'number') {
				if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a))) diffs.push(`${at}: ${a} vs ${b}`);
			} else if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) {
				diffs.push(`${at}: ${a.length} vs ${b.length} entries`);
			} else if (a && b && typeof a === 'object' && typeof b === 'object') {
				for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
					walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
			} else if (a !== b) diffs.push(`${at}: ${String(a)} vs ${String(b)}`);
		};
		for (const section of ['settings', 'filters', 'cohort', 'pain', 'oral_mme', 'it_dose', 'offices'])
			walk(expected[section], fromBundle[section], section);
		expect(diffs).toEqual([`offices.providers: ${expected.offices.providers.length} vs 0 entries`]);
		expect(expected.offices.providers.length).toBeGreaterThan(0);
	});

	test("a bundle's analysis table is refused as an input, with the reason", async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'report-parquet-'));
		writeFileSync(
			path.join(dir, 'analysis.parquet'),
			parquet([{ name: 'patient_id', type: 'STRING', data: ['X1'] }])
		);
		writeFileSync(
			path.join(dir, 'patients.csv'),
			'patient_id,office,diagnosis,implant_year\nP1,Lexington,fbss,2020\n'
		);
		const r = await exec(
			path.join(ROOT, 'node_modules/.bin/tsx'),
			['scripts/report.ts', dir, '--engine', 'wasm'],
			{
				cwd: ROOT
			}
		).then(
			() => ({ code: 0, stderr: '' }),
			(e: { code: number; stderr: string }) => e
		);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(
			"report: analysis.parquet is an export bundle's analysis table, not an input: report on a folder with the four patient-level tables only (patients, pain_scores, oral_opioids, pump_events)\n"
		);
	});
});
