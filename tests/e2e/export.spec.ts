import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { parquetReadObjects } from 'hyparquet';
import type { Page } from '@playwright/test';
import { audit, DEMO_KINDS, demoPath, expect, parseCsv, readCsv, test } from './fixtures';

/*
 * The export page end to end: filters from the link, the demo or a small upload loaded on the
 * page, the bundle downloaded and unpacked here. The CSV files are read with the fixtures' own
 * RFC 4180 parser and the Parquet files with hyparquet, both independent of the app's writers.
 */

interface Manifest {
	filters: Record<string, unknown>;
	inputs: { file: string; sha256: string; bytes: number; status: string }[] | null;
	tables: { name: string; rows: number; columns: string[]; csv: string; parquet: string }[];
	row_counts: Record<string, number>;
	csv: { quote_prefixed_columns: Record<string, string[]> };
	k_anonymity: {
		quasi_identifiers: string[];
		smallest_class: number | null;
		threshold: number;
		passed: boolean;
		confirmation: { confirmed: boolean; statement: string } | null;
	};
	suppression_threshold: number;
	settings: Record<string, unknown>;
	app: { version: string };
	contract: { version: string };
	exported_at: string;
}

type Entries = Record<string, Uint8Array>;

const sha256 = (bytes: Uint8Array | Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Clicks a button that starts a download and returns the downloaded bytes. */
async function download(page: Page, name: string): Promise<{ bytes: Buffer; fileName: string }> {
	const [file] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name }).click()
	]);
	return { bytes: readFileSync((await file.path())!), fileName: file.suggestedFilename() };
}

async function unpack(bytes: Buffer): Promise<{ entries: Entries; manifest: Manifest }> {
	const entries = unzipSync(new Uint8Array(bytes));
	const manifest = JSON.parse(strFromU8(entries['manifest.json']!)) as Manifest;
	return { entries, manifest };
}

async function readParquet(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
	const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
	return parquetReadObjects({ file });
}

const csvRecords = (bytes: Uint8Array) => {
	expect([...bytes.subarray(0, 3)], 'UTF-8 byte order mark').toEqual([0xef, 0xbb, 0xbf]);
	return parseCsv(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
};

/**
 * Every table: the CSV equals the Parquet after removing the one `'` the exporter adds to risky
 * text (and only in the columns the manifest lists); numbers round-trip exactly and never carry a
 * `'`; the data dictionary lists exactly the table's columns.
 */
async function expectRoundTrip(entries: Entries, manifest: Manifest) {
	const [dictHeader, ...dictRows] = csvRecords(entries['data_dictionary.csv']!);
	expect(dictHeader!.slice(0, 2)).toEqual(['table', 'column']);
	const dictionaryMd = strFromU8(entries['data_dictionary.md']!);
	for (const t of manifest.tables) {
		const [header, ...records] = csvRecords(entries[t.csv]!);
		expect(header, `${t.name}.csv header`).toEqual(t.columns);
		const parquet = await readParquet(entries[t.parquet]!);
		expect(records.length, `${t.name} rows`).toBe(parquet.length);
		expect(manifest.row_counts[t.name], `${t.name} row count`).toBe(parquet.length);
		// Plain comparisons, one expect per table: a hundred thousand expect() calls take minutes.
		const unquoted = new Set<string>();
		const mismatches: string[] = [];
		records.forEach((record, i) => {
			t.columns.forEach((column, j) => {
				const text = record[j]!;
				const value = parquet[i]![column];
				let ok: boolean;
				if (value === null || value === undefined) ok = text === '';
				else if (typeof value === 'number') ok = !text.startsWith("'") && Number(text) === value;
				else if (typeof value === 'boolean') ok = text === String(value);
				else {
					const restored = text.startsWith("'") ? text.slice(1) : text;
					if (restored !== text) unquoted.add(column);
					ok = restored === value;
				}
				if (!ok && mismatches.length < 20)
					mismatches.push(
						`row ${i + 1} ${column}: CSV ${JSON.stringify(text)}, Parquet ${JSON.stringify(value)}`
					);
			});
		});
		expect(mismatches, `${t.name}: CSV cells that differ from the Parquet`).toEqual([]);
		expect([...unquoted], `${t.name}: columns where a ' was removed`).toEqual(
			manifest.csv.quote_prefixed_columns[t.name]
		);
		expect(
			dictRows.filter((r) => r[0] === t.name).map((r) => r[1]),
			`${t.name} in data_dictionary.csv`
		).toEqual(t.columns);
		for (const column of t.columns) {
			expect(dictionaryMd, `${t.name}.${column} in data_dictionary.md`).toContain(`| ${column} |`);
		}
	}
}

/** No calendar date and no source patient id in any file of the bundle. */
function expectDeidentified(entries: Entries, sourceIds: string[]) {
	for (const [path, bytes] of Object.entries(entries)) {
		const text = path.endsWith('.parquet') ? Buffer.from(bytes).toString('latin1') : strFromU8(bytes);
		// The manifest and README carry the time of the export itself, and nothing else dated.
		const own = path === 'manifest.json' || path === 'README.md';
		const dates = text.match(/\b(19|20)\d\d-[01]\d-[0-3]\d(T[\d:.]+Z)?\b/g) ?? [];
		expect(own ? dates.filter((d) => !d.includes('T')) : dates, `${path}: calendar dates`).toEqual([]);
		const leaked = sourceIds.filter((id) => text.includes(id));
		expect(leaked, `${path}: source patient ids`).toEqual([]);
	}
}

test('a filtered demo bundle round-trips between CSV and Parquet and records what it is', async ({
	page
}) => {
	const offices = ['Lexington', 'Danville'];
	const diagnoses = ['fbss', 'crps'];
	await page.goto(`/export?office=${offices.join('&office=')}&diagnosis=${diagnoses.join('&diagnosis=')}`);
	await page.getByRole('button', { name: 'Use demo data' }).click();
	const tables = page.getByTestId('export-tables');
	await expect(tables).toBeVisible({ timeout: 45_000 });
	await expect(page.getByTestId('export-filters')).toContainText(
		'office: Lexington, Danville; diagnosis: fbss, crps'
	);

	// The cohort, counted here from the demo file.
	const patients = readCsv(demoPath('patients'));
	const cohort = patients.filter((p) => offices.includes(p.office!) && diagnoses.includes(p.diagnosis!));
	await expect(page.getByTestId('export-table-patients').locator('td').first()).toHaveText(
		String(cohort.length)
	);

	// Demo groups are small: the bundle waits for a confirmation.
	await expect(page.getByTestId('k-result')).toContainText('Below the threshold');
	const button = page.getByRole('button', { name: 'Download bundle (.zip)' });
	await expect(button).toBeDisabled();
	await page.getByTestId('k-confirm').check();
	await expect(button).toBeEnabled();
	await audit(page);

	const { bytes, fileName } = await download(page, 'Download bundle (.zip)');
	expect(fileName).toMatch(/^it-pump-export-\d{8}-\d{6}Z\.zip$/);
	await expect(page.getByTestId('export-status')).toContainText(/built in \d+ ms/);
	console.log(`demo bundle: ${bytes.length} bytes; ${await page.getByTestId('export-status').innerText()}`);
	const { entries, manifest } = await unpack(bytes);

	expect(manifest.filters).toMatchObject({ offices, diagnoses, sexes: [], implantYearFrom: null });
	expect(manifest.suppression_threshold).toBe(11);
	expect(manifest.row_counts.patients).toBe(cohort.length);
	expect(manifest.k_anonymity).toMatchObject({ threshold: 11, passed: false });
	expect(manifest.k_anonymity.smallest_class).toBeLessThan(11);
	expect(manifest.k_anonymity.confirmation?.confirmed).toBe(true);
	expect(manifest.k_anonymity.quasi_identifiers).toEqual([
		'office',
		'sex',
		'age_band',
		'diagnosis',
		'implant_year'
	]);

	// The manifest's hashes are those of the files as loaded.
	expect(manifest.inputs, 'input files in the manifest').not.toBeNull();
	expect(manifest.inputs!.map((i) => i.file).sort()).toEqual(DEMO_KINDS.map((k) => `${k}.csv`).sort());
	for (const kind of DEMO_KINDS) {
		const input = manifest.inputs!.find((i) => i.file === `${kind}.csv`)!;
		expect(input.sha256, `${kind}.csv SHA-256`).toBe(sha256(readFileSync(demoPath(kind))));
		expect(input.status).toBe('loaded');
	}

	await expectRoundTrip(entries, manifest);
	expectDeidentified(
		entries,
		patients.map((p) => p.patient_id!)
	);
	// The analysis table has one row per outcome-population patient of the cohort and window.
	const outcome = cohort.filter((p) => p.implant_year !== '' && p.diagnosis !== 'spasticity');
	expect(manifest.row_counts.analysis).toBe(outcome.length * 6);
});

test('risky text in an upload is neutralised with one apostrophe, and coarsening drops the office', async ({
	page
}) => {
	const patientsCsv = [
		'patient_id,office,provider_id,sex,age_at_implant,diagnosis,implant_year,followup_end_day',
		'MRN-A,"=HYPERLINK(""http://example.com"",""x"")",+1,F,50,fbss,2020,400',
		'MRN-B,+Cynthiana,-2,M,62,fbss,2020,400',
		'MRN-C,@Maysville,@3,F,71,crps,2021,400',
		'MRN-D,-Danville,DR-4,M,90+,crps,2021,400',
		'MRN-E,Lexington,DR-5,F,45,other,2022,400'
	].join('\n');
	const painCsv = [
		'patient_id,day,pain_avg',
		'MRN-A,-10,7',
		'MRN-A,365,4.9',
		'MRN-B,-5,8',
		'MRN-B,370,2'
	].join('\n');
	const uploads = [
		{ name: 'patients.csv', mimeType: 'text/csv', buffer: Buffer.from(patientsCsv) },
		{ name: 'pain_scores.csv', mimeType: 'text/csv', buffer: Buffer.from(painCsv) }
	];
	await page.goto('/export');
	await page.getByLabel('Or choose your CSV export files:').setInputFiles(uploads);
	await expect(page.getByTestId('export-tables')).toBeVisible({ timeout: 45_000 });
	await page.getByTestId('k-confirm').check();

	const { entries, manifest } = await unpack((await download(page, 'Download bundle (.zip)')).bytes);
	const text = new TextDecoder().decode(entries['csv/patients.csv']!);
	expect(text).toContain(`"'=HYPERLINK(""http://example.com"",""x"")"`);
	expect(text).toContain(",'+Cynthiana,");
	expect(text).toContain(",'@Maysville,");
	expect(text).toContain(",'-Danville,");
	expect(text, 'provider_id is not exported').not.toContain('DR-4');
	// No field starts with a formula character: each one got its apostrophe.
	for (const [path, bytes] of Object.entries(entries).filter(([p]) => p.endsWith('.csv'))) {
		for (const record of csvRecords(bytes)) {
			for (const field of record) expect(field, path).not.toMatch(/^[=+@\t\r\n]/);
		}
	}
	// A's 12-month change is the number -2.1: plain, no apostrophe.
	expect(new TextDecoder().decode(entries['csv/analysis.csv']!)).toMatch(
		/,4\.9,365,-2\.1,-30,true,true,false,true,/
	);
	expect(manifest.csv.quote_prefixed_columns).toMatchObject({ patients: ['office'], analysis: ['office'] });
	for (const u of uploads) {
		expect(manifest.inputs!.find((i) => i.file === u.name)!.sha256, u.name).toBe(sha256(u.buffer));
	}
	await expectRoundTrip(entries, manifest);
	expectDeidentified(entries, ['MRN-A', 'MRN-B', 'MRN-C', 'MRN-D', 'MRN-E']);

	// Coarsened: no office column anywhere, 20-year age bands.
	await page.getByLabel('Leave out the office').check();
	await page.getByLabel(/Widen age bands to 20 years/).check();
	await page.getByTestId('k-confirm').check();
	const coarse = await unpack((await download(page, 'Download bundle (.zip)')).bytes);
	for (const t of coarse.manifest.tables) expect(t.columns, t.name).not.toContain('office');
	const ages = csvRecords(coarse.entries['csv/patients.csv']!)
		.slice(1)
		.map((r) => r[2]);
	expect(new Set(ages)).toEqual(new Set(['40-59', '60-79', '80+']));
	expect(coarse.manifest.k_anonymity.quasi_identifiers).toEqual([
		'sex',
		'age_band',
		'diagnosis',
		'implant_year'
	]);
	await expectRoundTrip(coarse.entries, coarse.manifest);
});

test('the aggregate tables download with no count from 1 to 10 in sight', async ({ page }) => {
	await page.goto('/export?office=Maysville');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	await expect(page.getByTestId('export-tables')).toBeVisible({ timeout: 45_000 });
	const { bytes, fileName } = await download(page, 'Download aggregate tables (.csv)');
	expect(fileName).toMatch(/^it-pump-aggregates-\d{8}-\d{6}Z\.csv$/);
	const [header, ...rows] = csvRecords(new Uint8Array(bytes));
	expect(header).toEqual(['table', 'group', 'statistic', 'value', 'suppressed']);
	expect(rows).toContainEqual(['about', 'export', 'suppression_threshold', '11', '']);
	expect(rows).toContainEqual(['about', 'export', 'filters', 'office: Maysville', '']);
	const isCount = (statistic: string) =>
		/^(n|due|missing|patients|implanted|trial_failed|spasticity|outcome_population|n_change|n_pct)$|_(n|k)$/.test(
			statistic
		);
	const counts = rows.filter((r) => isCount(r[2]!));
	expect(counts.length).toBeGreaterThan(50);
	for (const [table, group, statistic, value] of counts) {
		const where = `${table} ${group} ${statistic} = ${value}`;
		if (value === '<11' || value === '') continue;
		expect(Number(value), where).not.toBeNaN();
		expect(Number(value) === 0 || Number(value) >= 11, where).toBe(true);
	}
	expect(
		rows.some((r) => r[3] === '<11'),
		'a small cell in one office'
	).toBe(true);
});
