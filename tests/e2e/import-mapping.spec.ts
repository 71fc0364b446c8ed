import { demoPath, expect, fileRow, painChart, test } from './fixtures';

/**
 * Column mapping and the identifier guard through the real file input (data-contract.md
 * "Matching headers"; docs/import-rules.md "Decisions"): the suggested mapping is shown, the user
 * edits it, the edit is what gets loaded, and it is remembered in localStorage under the file's
 * header, never with a data value.
 */
const csv = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

const PATIENTS = csv(
	'patients.csv',
	'patient_id,office,diagnosis,implant_year\nP001,Lexington,fbss,2020\nP002,Danville,crps,2021\n'
);
// Synonyms (Subject ID, Study Day, Average Pain (NRS)) and a column no synonym matches (Max Score).
const PAIN = csv(
	'visits.csv',
	'Subject ID,Study Day,Average Pain (NRS),Max Score,Visit Type\n' +
		'P001,-30,7,9,clinic\nP001,30,4,6,phone\nP002,-20,6,8,clinic\n'
);
const STORE = 'it-pump-outcomes:import:v1:';

const stored = (page: import('@playwright/test').Page) =>
	page.evaluate((prefix) => {
		const out: Record<string, string> = {};
		for (let i = 0; i < localStorage.length; i++) {
			const k = localStorage.key(i)!;
			if (k.startsWith(prefix)) out[k] = localStorage.getItem(k)!;
		}
		return out;
	}, STORE);

test('the suggested mapping is shown, edited by the user, loaded as edited, and remembered', async ({
	page
}) => {
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([PATIENTS, PAIN]);
	const review = page.getByTestId('review-pain_scores');
	await expect(review).toBeVisible({ timeout: 45_000 });
	await expect(review).toContainText('columns were matched by synonym; check the mapping');
	const select = (header: string) => review.getByRole('combobox', { name: `Load column ${header} as` });
	// The suggestion: three synonyms matched, the other two columns ignored.
	await expect(select('Subject ID')).toHaveValue('patient_id');
	await expect(select('Study Day')).toHaveValue('day');
	await expect(select('Average Pain (NRS)')).toHaveValue('pain_avg');
	await expect(select('Max Score')).toHaveValue('');
	await expect(select('Visit Type')).toHaveValue('');
	// Nothing is loaded while the question is open.
	await expect(page).toHaveURL(/\/$/);

	await select('Max Score').selectOption('pain_worst');
	await page.getByTestId('import-review').getByRole('button', { name: 'Import' }).click();
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	const row = await fileRow(page, 'pain_scores');
	expect(row).toMatchObject({ read: 3, loaded: 3, rejected: 0, skipped: 0 });
	expect(row.read).toBe(row.loaded + row.rejected + row.skipped);
	const details = page.getByTestId('details-pain_scores');
	const mapped = (header: string) => details.locator('table.mapping tr', { hasText: header });
	await expect(mapped('Max Score')).toContainText('pain_worst');
	await expect(mapped('Max Score')).toContainText('your choice');
	// Confirmed as suggested: matched by synonym, not "your choice".
	await expect(mapped('Average Pain (NRS)')).toContainText('synonym');
	await expect(mapped('Visit Type')).toContainText('ignored');

	// Remembered under the normalised header, with the targets only: no data value.
	const memory = await stored(page);
	const keys = Object.keys(memory);
	expect(keys).toHaveLength(1);
	expect(keys[0]).toContain('subject_id');
	expect(JSON.parse(memory[keys[0]!]!)).toEqual({
		mapping: ['patient_id', 'day', 'pain_avg', 'pain_worst', null]
	});
	for (const value of ['P001', 'P002', 'clinic', 'phone', '-30'])
		expect(memory[keys[0]!]).not.toContain(value);

	// A fresh page, the same headers: no question, the remembered mapping applies.
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([PATIENTS, PAIN]);
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	await expect(
		page.getByTestId('details-pain_scores').locator('table.mapping tr', { hasText: 'Max Score' })
	).toContainText('pain_worst');

	// "Edit the mapping" (on the load page, same tab) asks again, starting from the remembered
	// mapping; the new answer replaces the remembered one.
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Load data' }).click();
	// The file's details (mapping, warnings) open from its summary line.
	await page.getByTestId('details-pain_scores').locator('summary').click();
	await page.getByRole('button', { name: 'Edit the mapping of visits.csv' }).click();
	const again = page.getByTestId('review-pain_scores');
	await expect(again).toBeVisible({ timeout: 45_000 });
	const select2 = (header: string) => again.getByRole('combobox', { name: `Load column ${header} as` });
	await expect(select2('Max Score')).toHaveValue('pain_worst');
	await select2('Max Score').selectOption('');
	await page.getByTestId('import-review').getByRole('button', { name: 'Import' }).click();
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	await expect(
		page.getByTestId('details-pain_scores').locator('table.mapping tr', { hasText: 'Max Score' })
	).toContainText('ignored');
	expect(JSON.parse(Object.values(await stored(page))[0]!)).toEqual({
		mapping: ['patient_id', 'day', 'pain_avg', null, null]
	});
});

test('a mapping is remembered once its import succeeds, and never applied to the demo', async ({
	page,
	context
}) => {
	const nav = page.getByRole('navigation', { name: 'Main' });
	const providerRow = (p: typeof page) =>
		p.getByTestId('details-patients').locator('table.mapping tr', { hasText: 'provider_id' });
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([demoPath('patients')]);
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	await nav.getByRole('link', { name: 'Load data' }).click();
	await page.getByTestId('details-patients').locator('summary').click();
	await page.getByRole('button', { name: 'Edit the mapping of patients.csv' }).click();
	const review = page.getByTestId('review-patients');
	const select = (header: string) => review.getByRole('combobox', { name: `Load column ${header} as` });
	await expect(review).toBeVisible({ timeout: 45_000 });

	// A required column ignored: the review says why and Import waits; nothing is remembered.
	await select('office').selectOption('');
	await expect(page.getByTestId('mapping-problems-patients')).toHaveText(
		'no column is loaded as office, which a patients file needs'
	);
	await expect(page.getByTestId('import-review').getByRole('button', { name: 'Import' })).toBeDisabled();
	expect(await stored(page)).toEqual({});

	// A mapping the importer can use is remembered once it has loaded the file.
	await select('office').selectOption('office');
	await select('provider_id').selectOption('');
	await page.getByTestId('import-review').getByRole('button', { name: 'Import' }).click();
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	await expect(providerRow(page)).toContainText('ignored');
	expect(Object.values(await stored(page)).map((v) => JSON.parse(v).mapping.includes('provider_id'))).toEqual(
		[false]
	);

	// Another tab: the demo loads with the contract's mapping, every file, provider_id included.
	const demo = await context.newPage();
	await demo.goto('/');
	await demo.getByRole('button', { name: 'Use demo data' }).click();
	await painChart(demo);
	await expect(demo.getByTestId('import-report').locator('[data-testid^="file-"]')).toHaveCount(4);
	await expect(demo.getByTestId('refused')).toHaveCount(0);
	await expect(providerRow(demo)).toContainText('same name');
});

test('"Forget remembered mappings" on the start page forgets every remembered choice', async ({ page }) => {
	await page.goto('/');
	await expect(page.getByRole('button', { name: 'Forget remembered mappings' })).toHaveCount(0);
	// As an import remembers them: two headers, a mapping each.
	await page.evaluate((prefix) => {
		localStorage.setItem(
			`${prefix}subject_id,study_day,average_pain`,
			'{"mapping":["patient_id","day","pain_avg"]}'
		);
		localStorage.setItem(`${prefix}id,site,dx`, '{"mapping":["patient_id","office","diagnosis"]}');
		localStorage.setItem('another-app', 'kept');
	}, STORE);
	await page.reload();
	await expect(page.getByTestId('remembered')).toContainText('for files with 2 headers');
	await page.getByRole('button', { name: 'Forget remembered mappings' }).click();
	await expect(page.getByText('Remembered mappings forgotten')).toBeVisible();
	await expect(page.getByRole('button', { name: 'Forget remembered mappings' })).toHaveCount(0);
	expect(await stored(page)).toEqual({});
	expect(await page.evaluate(() => localStorage.getItem('another-app'))).toBe('kept');
});

test('the identifier guard shows columns and counts, never values, and the user drops them to continue', async ({
	page
}) => {
	const values = ['jane@example.org', 'john@example.org', '(859) 555-0101', '859.555.0102'];
	const patients = csv(
		'patients.csv',
		'patient_id,office,diagnosis,implant_year,contact_email,home_phone,ndc\n' +
			`P001,Lexington,fbss,2020,${values[0]},${values[2]},00409-1234-01\n` +
			`P002,Danville,crps,2021,${values[1]},${values[3]},0409-1234-01\n`
	);
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([patients]);
	const found = page.getByTestId('identifiers');
	await expect(found).toBeVisible({ timeout: 45_000 });
	const items = found.locator('li');
	await expect(items).toHaveCount(2);
	await expect(items.nth(0)).toContainText('column "contact_email"');
	await expect(items.nth(0)).toContainText('2');
	await expect(items.nth(1)).toContainText('column "home_phone"');
	await expect(found).not.toContainText('ndc');
	// The review's mapping marks them dropped instead of offering a target.
	const review = page.getByTestId('review-patients');
	await expect(review.locator('tr', { hasText: 'contact_email' })).toContainText('dropped');
	await expect(review.getByRole('combobox', { name: 'Load column contact_email as' })).toHaveCount(0);
	for (const v of values) expect(await page.content()).not.toContain(v);
	await expect(page).toHaveURL(/\/$/);

	await page.getByRole('button', { name: 'Drop those columns and import' }).click();
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	const row = await fileRow(page, 'patients');
	expect(row).toMatchObject({ read: 2, loaded: 2, rejected: 0, skipped: 0 });
	const details = page.getByTestId('details-patients');
	await expect(details).toContainText('dropped 2 columns that may identify a person');
	await expect(details.locator('table.mapping tr', { hasText: 'contact_email' })).toContainText(
		'dropped (may identify a person)'
	);
	for (const v of values) expect(await page.content()).not.toContain(v);
	// The choice is remembered by column position, with no value.
	const memory = Object.values(await stored(page));
	expect(memory).toHaveLength(1);
	expect(JSON.parse(memory[0]!)).toMatchObject({ drop: [4, 5] });
	for (const v of values) expect(memory[0]).not.toContain(v);
});

test('a mapping without a required column says so and waits, instead of asking again', async ({ page }) => {
	const pain = csv('scores.csv', 'patient_id,day,score\nP001,-30,7\nP001,30,4\nP002,-20,6\n');
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([PATIENTS, pain]);
	const review = page.getByTestId('review-pain_scores');
	await expect(review).toBeVisible({ timeout: 45_000 });
	// Focus moves to the questions.
	await expect(page.getByRole('heading', { name: 'Check before importing' })).toBeFocused();
	const problems = page.getByTestId('mapping-problems-pain_scores');
	await expect(problems).toHaveText('no column is loaded as pain_avg, which a pain_scores file needs');
	const importButton = page.getByRole('button', { name: 'Import', exact: true });
	await expect(importButton).toBeDisabled();
	// Loading both day columns as one is a problem of its own.
	const day = review.getByRole('combobox', { name: 'Load column day as' });
	const score = review.getByRole('combobox', { name: 'Load column score as' });
	await score.selectOption('day');
	await expect(problems).toContainText('more than one column is loaded as day');
	await score.selectOption('pain_avg');
	await expect(problems).toHaveCount(0);
	await expect(day).toHaveValue('day');
	await importButton.click();
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	expect(await fileRow(page, 'pain_scores')).toMatchObject({ read: 3, loaded: 3, rejected: 0 });
});
