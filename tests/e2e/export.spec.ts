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
		coarsening: { drop_office: boolean; age_bands: string };
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

/** Rounds tenths/n half away from zero to an integer number of tenths, in integers only. */
function roundTenths(tenths: number, n: number): number {
	const q = Math.floor((2 * Math.abs(tenths) + n) / (2 * n));
	return tenths < 0 ? -q : q;
}

/** An integer number of tenths as the page prints it with one decimal ("-2.1", "0.0"). */
const tenthsText = (t: number) => `${t < 0 ? '-' : ''}${Math.floor(Math.abs(t) / 10)}.${Math.abs(t) % 10}`;

/** The numbers the pain page shows for one window, read from its table twin. */
async function painNumbers(page: Page, window: string) {
	const row = page.getByTestId(`pain-avg-${window}`);
	await expect(row).toBeVisible({ timeout: 45_000 });
	await expect(page.getByTestId('filter-match')).toHaveText(/patients match/);
	const cells = row.locator('td');
	const first = async (i: number) => (await cells.nth(i).innerText()).trim().split(' ')[0];
	return {
		match: (await page.getByTestId('filter-match').innerText()).trim(),
		due: (await row.locator('[data-col="due"]').innerText()).trim(),
		n: (await row.locator('[data-col="n"]').innerText()).trim(),
		mean: await first(2),
		n_change: (await row.locator('[data-col="n_change"]').innerText()).trim(),
		mean_change: await first(6),
		responders30: (
			await page
				.getByTestId(`pain-avg-responders-${window}`)
				.locator('[data-col="responders30-completers"]')
				.innerText()
		).trim()
	};
}

/** Wilson score interval without continuity correction (outcomes.md section 0), in percent. */
function wilson(k: number, n: number): string {
	const z = 1.959964;
	const p = k / n;
	const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
	const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
	return `${(100 * (centre - half)).toFixed(1)}-${(100 * (centre + half)).toFixed(1)}`;
}

/** The same numbers, computed here from the exported analysis table (integer tenths, no app code). */
function analysisNumbers(entries: Entries, window: string) {
	const [header, ...records] = csvRecords(entries['csv/analysis.csv']!);
	const at = records
		.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])))
		.filter((r) => r.window === window);
	const tenths = (column: string) =>
		at.filter((r) => r[column] !== '').map((r) => Math.round(Number(r[column]) * 10));
	const meanText = (xs: number[]) =>
		xs.length
			? tenthsText(
					roundTenths(
						xs.reduce((a, b) => a + b, 0),
						xs.length
					)
				)
			: '–';
	const scores = tenths('followup_pain');
	const changes = tenths('change');
	const flagged = at.filter((r) => r.responder_30 !== '');
	const k = flagged.filter((r) => r.responder_30 === 'true').length;
	return {
		due: String(at.filter((r) => r.due === 'true').length),
		n: String(scores.length),
		mean: meanText(scores),
		n_change: String(changes.length),
		mean_change: meanText(changes),
		// "k/n, p% (lo-hi)": the percent to one decimal (1000 k / n tenths of a percent), Wilson 95% CI.
		responders30: `${k}/${flagged.length}, ${tenthsText(roundTenths(1000 * k, flagged.length))}% (${wilson(k, flagged.length)})`
	};
}

/** The smallest group of rows sharing the given columns, counted in an exported table. */
function smallestClass(entries: Entries, table: string, columns: string[]): number {
	const [header, ...records] = csvRecords(entries[`csv/${table}.csv`]!);
	const index = columns.map((c) => header!.indexOf(c));
	expect(index, `${columns.join(', ')} in ${table}.csv`).not.toContain(-1);
	const sizes = new Map<string, number>();
	for (const r of records) {
		const key = JSON.stringify(index.map((i) => r[i]));
		sizes.set(key, (sizes.get(key) ?? 0) + 1);
	}
	return Math.min(...sizes.values());
}

test('filters travel by link to a new page with the same numbers, and the bundle reproduces them', async ({
	page,
	context
}) => {
	// Two demo loads (one per page), an export and its round trip: 21 s alone on a quiet machine,
	// over 60 s on a busy CI machine with two workers. Three times the usual limit.
	test.slow();
	const offices = ['Lexington', 'Danville'];
	const diagnoses = ['fbss', 'crps'];
	await page.goto('/');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	await expect(page).toHaveURL(/\/dashboard/, { timeout: 45_000 });

	// Set the filters in the filter bar, as a user does.
	const bar = page.getByTestId('filter-bar');
	for (const [group, values] of [
		['Office', offices],
		['Diagnosis', diagnoses]
	] as const) {
		await bar.locator('summary', { hasText: group }).click();
		// A diagnosis shows its readable name with the code beside it: "Failed back surgery syndrome fbss (n)".
		for (const v of values) await bar.getByRole('checkbox', { name: new RegExp(`(^| )${v} \\(`) }).check();
	}
	const query = `office=${offices.join('&office=')}&diagnosis=${diagnoses.join('&diagnosis=')}`;
	await expect(page).toHaveURL(new RegExp(`/dashboard\\?${query}$`));
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: 'Pain', exact: true })
		.click();
	await expect(page).toHaveURL(new RegExp(`/pain\\?${query}$`));
	const shown = await painNumbers(page, '12m');

	// The patients the filters select, counted here from the demo file.
	const patients = readCsv(demoPath('patients'));
	const cohort = patients.filter((p) => offices.includes(p.office!) && diagnoses.includes(p.diagnosis!));
	const outcome = cohort.filter((p) => p.implant_year !== '' && p.diagnosis !== 'spasticity');
	expect(shown.match).toBe(`${cohort.length} patients match (${outcome.length} in the outcome population).`);

	// The copied link in a new page (same context: the fixture sees its requests) with nothing
	// loaded: load the data there, and the page shows the same numbers.
	const link = page.url();
	const second = await context.newPage();
	const errors: string[] = [];
	second.on('pageerror', (e) => errors.push(e.stack || String(e)));
	await second.goto(link);
	await second.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
	expect(await painNumbers(second, '12m'), 'the numbers of the copied link').toEqual(shown);
	expect(second.url()).toBe(link);
	await page.close();
	page = second;

	// On to the export, with the same filters.
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: 'Export', exact: true })
		.click();
	await expect(page).toHaveURL(new RegExp(`/export\\?${query}$`));
	await expect(page.getByTestId('export-tables')).toBeVisible({ timeout: 45_000 });
	await expect(page.getByTestId('export-filters')).toContainText(
		'office: Lexington, Danville; diagnosis: fbss, crps'
	);
	await expect(page.getByTestId('export-table-patients').locator('td').first()).toHaveText(
		String(cohort.length)
	);
	await expect(page.getByTestId('export-table-analysis').locator('td').first()).toHaveText(
		String(outcome.length * 6)
	);

	// Demo groups are small: the bundle waits for a confirmation, whose words the manifest keeps.
	const kResult = page.getByTestId('k-result');
	await expect(kResult).toContainText('Below the threshold');
	const smallestShown = Number((await kResult.innerText()).match(/Smallest group: (\d+)/)![1]);
	const button = page.getByRole('button', { name: 'Download bundle (.zip)' });
	await expect(button).toBeDisabled();
	const confirm = page.getByTestId('k-confirm');
	await confirm.check();
	const statement = (await confirm.locator('xpath=..').innerText()).trim();
	await expect(button).toBeEnabled();
	await audit(page);

	// The files are written by the bundle worker (src/lib/export/writerWorker.ts), not the page.
	const workerScripts: string[] = [];
	page.on('request', (r) => {
		if (/\/writer\.worker-[\w-]+\.js$/.test(r.url())) workerScripts.push(r.url());
	});
	const { bytes, fileName } = await download(page, 'Download bundle (.zip)');
	expect(fileName).toMatch(/^it-pump-export-\d{8}-\d{6}Z\.zip$/);
	await expect(page.getByTestId('export-status')).toContainText(/built in \d+ ms/);
	expect(workerScripts, 'the bundle written in its worker').toHaveLength(1);
	console.log(`demo bundle: ${bytes.length} bytes; ${await page.getByTestId('export-status').innerText()}`);
	const { entries, manifest } = await unpack(bytes);

	expect(manifest.filters).toMatchObject({ offices, diagnoses, sexes: [], implantYearFrom: null });
	expect(manifest.suppression_threshold).toBe(11);
	expect(manifest.row_counts.patients).toBe(cohort.length);
	expect(manifest.row_counts.analysis).toBe(outcome.length * 6);
	expect(manifest.k_anonymity).toMatchObject({ threshold: 11, passed: false });
	expect(manifest.k_anonymity.quasi_identifiers).toEqual([
		'office',
		'sex',
		'age_band',
		'diagnosis',
		'implant_year'
	]);
	// The smallest class, counted here in the exported patients table, is the one the page showed.
	const counted = smallestClass(entries, 'patients', manifest.k_anonymity.quasi_identifiers);
	expect(counted).toBeLessThan(11);
	expect(manifest.k_anonymity.smallest_class).toBe(counted);
	expect(smallestShown).toBe(counted);
	expect(manifest.k_anonymity.confirmation).toEqual({ confirmed: true, statement });

	// The manifest's hashes are those of the demo files, hashed here from disk.
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

	// The exported analysis table gives the pain page's 12-month numbers for the same filters.
	expect(
		{ ...analysisNumbers(entries, '12m'), match: shown.match },
		"the pain page's 12m numbers, from analysis.csv"
	).toEqual(shown);
	expect(Number(shown.n)).toBeGreaterThan(0);
	expect(errors, 'uncaught errors in the second page').toEqual([]);
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
	// The upload's files are hashed in a worker of the site (export/inputs.ts), not on the page.
	const hashWorker = page.waitForRequest(/\/hash\.worker-[^/]+\.js$/);
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
	await hashWorker;
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
	expect(coarse.manifest.k_anonymity.coarsening).toEqual({ drop_office: true, age_bands: '20-year' });
	expect(coarse.manifest.k_anonymity.smallest_class).toBe(
		smallestClass(coarse.entries, 'patients', coarse.manifest.k_anonymity.quasi_identifiers)
	);
	await expectRoundTrip(coarse.entries, coarse.manifest);
});

test('files chosen on an analysis page that need a decision say so there, and are answered on the start page', async ({
	page
}) => {
	await page.goto('/export?sex=F');
	const patients = {
		name: 'patients.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(
			'patient_id,office,sex,diagnosis,implant_year,contact_email\n' +
				'P001,Lexington,F,fbss,2020,jane@example.org\nP002,Danville,F,crps,2021,joan@example.org\n'
		)
	};
	await page.getByTestId('needs-data').locator('input[type="file"]').setInputFiles([patients]);
	const review = page.getByTestId('needs-review');
	await expect(review).toContainText('The files you chose need a decision before they load', {
		timeout: 45_000
	});
	await review.getByRole('link', { name: 'Answer on the start page' }).click();
	await page.getByRole('button', { name: 'Drop those columns and import' }).click();
	await expect(page.getByTestId('filter-match')).toContainText('2 patients match', { timeout: 45_000 });
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
		/^(n|due|missing|patients|implanted|not_implanted|trial_failed|spasticity|outcome_population|n_change|n_pct|at_risk|events|left_out_pct|left_out_all_implanted|scored_without_baseline|due_without_score)$|_(n|k)$/.test(
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
	// Nor by subtraction: patients - implanted (the not implanted) is never a shown small count.
	const shown = (table: string, group: string, statistic: string) =>
		Number(rows.find((r) => r[0] === table && r[1] === group && r[2] === statistic)?.[3] || NaN);
	for (const [table, group] of [
		['cohort', 'all'],
		['offices', 'Maysville']
	] as const) {
		const d = shown(table, group, 'patients') - shown(table, group, 'implanted');
		if (Number.isFinite(d)) expect(d === 0 || d >= 11, `${table} ${group}: ${d}`).toBe(true);
	}
	// Numbers are never prefixed: months from implant before day 0 are plain negative numbers.
	const months = rows.filter((r) => r[0] === 'pain_by_month').map((r) => r[1]!);
	expect(months).toContain('-1');
	expect(months.filter((m) => !/^-?\d+$/.test(m))).toEqual([]);

	// From the keyboard, focus stays on the button while the file is built and after.
	const aggregate = page.getByRole('button', { name: 'Download aggregate tables (.csv)' });
	await aggregate.focus();
	const saved = page.waitForEvent('download');
	await page.keyboard.press('Enter');
	await saved;
	await expect(page.getByTestId('export-status')).toContainText('Saved the aggregate tables');
	await expect(aggregate).toBeFocused();

	// A cohort of nobody (Maysville and a Lexington provider) has nothing to export.
	const bar = page.getByTestId('filter-bar');
	await bar.locator('summary', { hasText: 'Provider' }).click();
	await bar.getByRole('checkbox', { name: /^DR-LEX-1 / }).check();
	await expect(page.getByTestId('export-empty')).toHaveText(
		'No patient matches the filters: there is nothing to export. Change the filters on the dashboard.'
	);
	await expect(page.getByRole('button', { name: 'Download bundle (.zip)' })).toBeDisabled();
	await expect(aggregate).toBeDisabled();
});
