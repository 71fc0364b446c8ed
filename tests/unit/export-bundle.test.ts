import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { parquetReadObjects } from 'hyparquet';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import {
	aggregateExport,
	buildBundle,
	ExportBlocked,
	NO_COARSENING,
	recordedInputFiles,
	recordInputFiles,
	type BundleRequest,
	type Manifest
} from '../../src/lib/export';
import { rekeyPatients, type RandomInt } from '../../src/lib/export/rekey';
import { DEFAULT_SETTINGS } from '../../src/lib/outcomes';
import { NO_FILTERS } from '../../src/lib/sql';
import { files } from './helpers';

/*
 * The bundle built in Node (the page builds the same one; tests/e2e/export.spec.ts downloads it).
 * The CSV files are read back with DuckDB's CSV reader and the Parquet files with hyparquet: two
 * readers that share no code with the writers.
 */

let db: Database;

type Files = Record<string, Uint8Array>;
type Row = Record<string, unknown>;

const NOW = new Date('2030-01-02T03:04:05Z');

function request(over: Partial<BundleRequest> = {}): BundleRequest {
	return {
		filters: NO_FILTERS,
		settings: DEFAULT_SETTINGS,
		coarsening: NO_COARSENING,
		confirmation: null,
		source: 'upload',
		report: null,
		inputs: null,
		now: NOW,
		...over
	};
}

async function readCsvWithDuckDb(bytes: Uint8Array, name: string): Promise<Row[]> {
	await db.registerBuffer(name, bytes);
	try {
		return await db.query(
			`SELECT * FROM read_csv('${name}', header = true, all_varchar = true, auto_detect = false,
			   delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = ${await columnsOf(bytes)})`
		);
	} finally {
		await db.dropBuffer(name);
	}
}

/** read_csv needs the column list when auto-detection is off: take it from the header line. */
async function columnsOf(bytes: Uint8Array): Promise<string> {
	const header = strFromU8(bytes)
		.replace(/^\uFEFF/, '')
		.split('\r\n')[0]!;
	return `{${header
		.split(',')
		.map((c) => `'${c}': 'VARCHAR'`)
		.join(', ')}}`;
}

/** Compares a CSV table with its Parquet twin cell by cell; returns the columns where a `'` was removed. */
function compareTables(csv: Row[], parquet: Row[], columns: string[]): Set<string> {
	expect(csv.length).toBe(parquet.length);
	const unquoted = new Set<string>();
	csv.forEach((row, i) => {
		for (const c of columns) {
			const text = row[c] as string | null;
			const value = parquet[i]![c];
			const where = `row ${i + 1}, ${c}`;
			if (value === null || value === undefined) expect(text, where).toBeNull();
			else if (typeof value === 'number') {
				expect(text, where).not.toMatch(/^'/);
				expect(Number(text), where).toBe(value);
			} else if (typeof value === 'boolean') expect(text, where).toBe(String(value));
			else {
				const restored = text!.startsWith("'") ? text!.slice(1) : text;
				if (restored !== text) unquoted.add(c);
				expect(restored, where).toBe(value);
			}
		}
	});
	return unquoted;
}

async function unpack(zip: Uint8Array) {
	const entries: Files = unzipSync(zip);
	const manifest = JSON.parse(strFromU8(entries['manifest.json']!)) as Manifest;
	return { entries, manifest };
}

describe('the bundle of the demo cohort', () => {
	const DEMO = readdirSync('data/demo').map((f) => ({ name: f, bytes: readFileSync(`data/demo/${f}`) }));
	const filters = { ...NO_FILTERS, offices: ['Lexington', 'Danville'], diagnoses: ['fbss', 'crps'] };

	beforeAll(async () => {
		db = await nodeDatabase();
		recordInputFiles(DEMO.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })));
		await loadDataset(db, files(Object.fromEntries(DEMO.map((f) => [f.name, new Uint8Array(f.bytes)]))));
	});

	test('is refused below the k-anonymity threshold without a confirmation', async () => {
		await expect(buildBundle(db, request({ filters }))).rejects.toBeInstanceOf(ExportBlocked);
	});

	test('round-trips every table between CSV and Parquet, with hashes and a full dictionary', async () => {
		const inputs = await recordedInputFiles();
		const bundle = await buildBundle(
			db,
			request({ filters, confirmation: 'I confirm', inputs, source: 'demo' })
		);
		const { entries, manifest } = await unpack(bundle.zip);
		expect(bundle.fileName).toBe('it-pump-export-20300102-030405Z.zip');
		expect(Object.keys(entries).sort()).toEqual(
			[
				'README.md',
				'manifest.json',
				'data_dictionary.md',
				'data_dictionary.csv',
				...['patients', 'pain_scores', 'oral_opioids', 'pump_events', 'analysis'].flatMap((t) => [
					`csv/${t}.csv`,
					`parquet/${t}.parquet`
				])
			].sort()
		);
		for (const f of DEMO) {
			const input = manifest.inputs!.find((i) => i.file === f.name)!;
			expect(input.sha256, f.name).toBe(createHash('sha256').update(f.bytes).digest('hex'));
			expect(input.status).toBe('unknown'); // no report given here
		}
		expect(manifest.k_anonymity.passed).toBe(false);
		expect(manifest.k_anonymity.confirmation).toEqual({ confirmed: true, statement: 'I confirm' });

		const dictionary = await readCsvWithDuckDb(entries['data_dictionary.csv']!, 'dict.csv');
		for (const t of manifest.tables) {
			const csv = await readCsvWithDuckDb(entries[t.csv]!, `${t.name}.csv`);
			const bytes = entries[t.parquet]!;
			const parquet = await parquetReadObjects({
				file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
			});
			expect(Object.keys(csv[0] ?? {})).toEqual(t.columns);
			expect(manifest.row_counts[t.name]).toBe(parquet.length);
			const unquoted = compareTables(csv, parquet, t.columns);
			expect([...unquoted]).toEqual(manifest.csv.quote_prefixed_columns[t.name]);
			expect(
				dictionary.filter((d) => d.table === t.name).map((d) => d.column),
				`${t.name} columns in the dictionary`
			).toEqual(t.columns);
			const file = createHash('sha256').update(entries[t.csv]!).digest('hex');
			expect(manifest.files.find((f) => f.path === t.csv)!.sha256).toBe(file);
		}
		// Every file but the manifest itself is listed with its hash, the README included.
		expect(manifest.files.map((f) => f.path).sort()).toEqual(
			Object.keys(entries)
				.filter((p) => p !== 'manifest.json')
				.sort()
		);
		for (const f of manifest.files) {
			expect(f.sha256, f.path).toBe(createHash('sha256').update(entries[f.path]!).digest('hex'));
		}
		// The build that wrote it: a commit and the versions of the libraries, from their package.json.
		const version = (name: string) =>
			(JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
		expect(manifest.app.build).toMatchObject({
			duckdb_wasm: version('@duckdb/duckdb-wasm'),
			hyparquet_writer: version('hyparquet-writer'),
			fflate: version('fflate')
		});
		const head = (() => {
			try {
				return execSync('git rev-parse --short=12 HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
					.toString()
					.trim();
			} catch {
				return null; // not a git checkout: the build records no commit
			}
		})();
		if (head === null) expect(manifest.app.build!.commit).toBeNull();
		else expect(manifest.app.build!.commit).toMatch(new RegExp(`^${head}(\\+changes)?$`));
		expect(manifest.row_counts.patients).toBeGreaterThan(0);
		expect(manifest.row_counts.analysis).toBe(
			6 *
				new Set((await readCsvWithDuckDb(entries['csv/analysis.csv']!, 'a.csv')).map((r) => r.patient_id))
					.size
		);
	});

	test('holds no source patient id, no calendar date, and new ids in every export', async () => {
		const a = await unpack((await buildBundle(db, request({ filters, confirmation: 'yes' }))).zip);
		const b = await unpack((await buildBundle(db, request({ filters, confirmation: 'yes' }))).zip);
		const sourceIds = readFileSync('data/demo/patients.csv', 'utf8')
			.split('\n')
			.slice(1)
			.map((l) => l.split(',')[0])
			.filter(Boolean) as string[];
		for (const [path, bytes] of Object.entries(a.entries)) {
			if (path === 'manifest.json' || path === 'README.md') continue;
			const text = path.endsWith('.parquet') ? Buffer.from(bytes).toString('latin1') : strFromU8(bytes);
			expect(text, path).not.toMatch(/\b(19|20)\d\d-[01]\d-[0-3]\d\b/);
			for (const id of sourceIds) if (text.includes(id)) throw new Error(`${path} holds source id ${id}`);
		}
		// Files are in the order of the new ids, so a new permutation shows as a new row order.
		const people = async (entries: Files) =>
			(await readCsvWithDuckDb(entries['csv/patients.csv']!, 'p.csv')).map(({ patient_id: _, ...rest }) =>
				JSON.stringify(rest)
			);
		const [first, second] = [await people(a.entries), await people(b.entries)];
		expect([...first].sort()).toEqual([...second].sort());
		expect(first).not.toEqual(second);
		// Every table: rows by new id, and within a patient in time order, as the queries gave them.
		for (const [file, time] of [
			['pain_scores', 'day'],
			['oral_opioids', 'start_day'],
			['pump_events', 'day'],
			['analysis', 'target_day']
		] as const) {
			const rows = await readCsvWithDuckDb(a.entries[`csv/${file}.csv`]!, `${file}.csv`);
			expect(rows.length, file).toBeGreaterThan(100);
			for (let i = 1; i < rows.length; i++) {
				const [p, r] = [rows[i - 1]!, rows[i]!];
				const [before, after] = [String(p.patient_id), String(r.patient_id)];
				if (before === after) expect(Number(r[time]) >= Number(p[time]), `${file} row ${i}`).toBe(true);
				else expect(before < after, `${file} row ${i}: ${before} then ${after}`).toBe(true);
			}
		}
	});
});

describe('the bundle read as columns', () => {
	/** A seeded draw, so that two builds give the same permutation. */
	const seeded = (): RandomInt => {
		let state = 12345;
		return (bound) => {
			state = (state * 48271) % 2147483647;
			return state % bound;
		};
	};
	const everyone = () => request({ confirmation: 'I confirm', random: seeded() });

	test("every row is under its patient's new id, in time order; the analysis repeats the patients' columns", async () => {
		const { entries } = await unpack((await buildBundle(db, everyone())).zip);
		// The permutation the build drew (rekeyPatients is tested on its own): source id -> new id.
		const source = await db.query<{ patient_id: string }>(
			'SELECT patient_id FROM patient_facts ORDER BY patient_id'
		);
		const ids = rekeyPatients(
			source.map((r) => r.patient_id),
			seeded()
		);
		// The source rows, re-keyed and put in order here: a sort of the rows, stable within a patient.
		const columns = ['day', 'pain_avg', 'pain_worst', 'odi', 'pgic'];
		const expected = (
			await db.query<Row>(
				`SELECT patient_id, ${columns.join(', ')} FROM pain_scores ORDER BY patient_id, day, _line`
			)
		)
			.map((r) => [
				ids.get(r.patient_id as string)!,
				...columns.map((c) => (r[c] === null ? null : String(r[c])))
			])
			.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
		const written = (await readCsvWithDuckDb(entries['csv/pain_scores.csv']!, 'pain.csv')).map((r) => [
			r.patient_id,
			...columns.map((c) => r[c] as string | null)
		]);
		expect(written.length).toBe(7483);
		expect(written).toEqual(expected);

		const people = new Map(
			(await readCsvWithDuckDb(entries['csv/patients.csv']!, 'patients.csv')).map((r) => [r.patient_id, r])
		);
		const analysis = await readCsvWithDuckDb(entries['csv/analysis.csv']!, 'analysis.csv');
		expect(analysis.length).toBeGreaterThan(1000);
		for (const row of analysis) {
			const person = people.get(row.patient_id)!;
			for (const c of ['office', 'sex', 'age_band', 'diagnosis', 'program', 'implant_year'])
				expect(row[c], `${String(row.patient_id)} ${c}`).toBe(person[c]);
		}
	});

	test('an engine that gives rows only builds the same bundle, byte for byte', async () => {
		// The page's and the tests' engines read Arrow into columns (db/columns.ts); without
		// queryColumns the rows are packed by the declared types (export/pack.ts): two paths.
		const rowsOnly: Database = {
			query: (sql, params, options) => db.query(sql, params, options),
			registerBuffer: (name, bytes) => db.registerBuffer(name, bytes),
			dropBuffer: (name) => db.dropBuffer(name)
		};
		expect(db.queryColumns).toBeDefined();
		const fromColumns = await buildBundle(db, everyone());
		const fromRows = await buildBundle(rowsOnly, everyone());
		expect(fromRows.manifest).toEqual(fromColumns.manifest);
		expect(Buffer.from(fromRows.zip).equals(Buffer.from(fromColumns.zip))).toBe(true);
	});
});

describe('the filters an export records', () => {
	test('provider codes are withheld always, the offices chosen when the office is left out', async () => {
		const filters = {
			...NO_FILTERS,
			offices: ['Maysville'],
			providers: ['DR-MAY-1', 'DR-MAY-2'],
			sexes: ['F']
		};
		const kept = await buildBundle(db, request({ filters, confirmation: 'I confirm' }));
		expect(kept.manifest.filters).toMatchObject({
			offices: ['Maysville'],
			providers: ['(withheld)', '(withheld)'],
			sexes: ['F']
		});
		expect(kept.manifest.filters_text).toBe('office: Maysville; provider: 2 chosen, withheld; sex: F');
		expect(kept.manifest.filters_withheld).toEqual(['providers: provider codes are not exported']);

		const coarse = await buildBundle(
			db,
			request({ filters, coarsening: { dropOffice: true, wideAgeBands: false }, confirmation: 'I confirm' })
		);
		expect(coarse.manifest.filters).toMatchObject({ offices: ['(withheld)'], sexes: ['F'] });
		expect(coarse.manifest.filters_text).toBe(
			'office: 1 chosen, withheld; provider: 2 chosen, withheld; sex: F'
		);
		expect(coarse.manifest.de_identification.left_out).toContain('patients.office');
		// Nowhere in the bundle: not in the manifest, the README or a table.
		const { entries } = await unpack(coarse.zip);
		for (const [path, bytes] of Object.entries(entries)) {
			const text = path.endsWith('.parquet') ? Buffer.from(bytes).toString('latin1') : strFromU8(bytes);
			for (const secret of ['DR-MAY', 'Maysville'])
				expect(text.includes(secret), `${secret} in ${path}`).toBe(false);
		}
	});

	test('the aggregate export withholds provider codes too', async () => {
		const filters = { ...NO_FILTERS, providers: ['DR-MAY-1'] };
		const out = await aggregateExport(db, filters, DEFAULT_SETTINGS, new Date('2030-01-02T03:04:05Z'));
		expect(out.csv).not.toContain('DR-MAY-1');
		expect(out.csv).toContain('provider: 1 chosen, withheld');
	});
});

describe('a bundle with formula payloads in text columns', () => {
	const PATIENTS = `patient_id,office,provider_id,sex,age_at_implant,diagnosis,implant_year,followup_end_day
A,"=HYPERLINK(""http://x"",""y"")",+1,F,50,fbss,2020,400
B,@SUM(1),-2,M,60,fbss,2020,400
C,Lexington,DR-1,F,70,crps,2021,400
D,'quoted,DR-2,M,80,crps,2021,400
E,"-3",DR-3,F,90+,other,2022,400
`;
	const PAIN = `patient_id,day,pain_avg
A,-10,7
A,365,4
B,-5,8
`;
	test('neutralises risky text with one apostrophe and leaves numbers alone', async () => {
		db = await nodeDatabase();
		await loadDataset(db, files({ 'patients.csv': PATIENTS, 'pain_scores.csv': PAIN }));
		const { entries, manifest } = await unpack(
			(await buildBundle(db, request({ confirmation: 'small test cohort' }))).zip
		);
		const bytes = entries['csv/patients.csv']!;
		expect([...bytes.subarray(0, 3)], 'UTF-8 byte order mark').toEqual([0xef, 0xbb, 0xbf]);
		const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
		expect(text.startsWith('\uFEFFpatient_id,office,sex,age_band,')).toBe(true);
		expect(text).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
		expect(text).toContain(`,'@SUM(1),`);
		expect(text).toContain(`,''quoted,`);
		expect(text).toContain(`,'-3,`);
		expect(text).not.toMatch(/,[=+\-@]/);
		expect(text).not.toContain('DR-'); // provider_id is not exported
		expect(manifest.csv.quote_prefixed_columns).toEqual({
			patients: ['office'],
			pain_scores: [],
			oral_opioids: [],
			pump_events: [],
			analysis: ['office']
		});
		const analysis = strFromU8(entries['csv/analysis.csv']!);
		// A's 12m change, -3, is a number: written plain.
		expect(analysis).toMatch(/,-3,-42\.857142857142854?,true,/);
		expect(text).toMatch(/,90\+,other,/);
	});
});
