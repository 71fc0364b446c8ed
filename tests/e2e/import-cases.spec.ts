import { expect, fileRow, test } from './fixtures';

/**
 * Cases 1, 9, 10, 16, 24, 28 and 33 of ../shared/docs/import-cases.md through the real file input in
 * Chromium: what the user sees, and that read = loaded + rejected + skipped on the page.
 */
const csv = (name: string, text: string | Buffer) => ({
	name,
	mimeType: 'text/csv',
	buffer: typeof text === 'string' ? Buffer.from(text) : text
});

const PATIENTS = csv(
	'patients.csv',
	'patient_id,office,diagnosis,implant_year\nP001,Lexington,fbss,2020\nP002,Danville,crps,2021\n'
);

async function reconciled(page: Parameters<typeof fileRow>[0], kind: Parameters<typeof fileRow>[1]) {
	const row = await fileRow(page, kind);
	expect(row.read, `${kind}: read = loaded + rejected + skipped`).toBe(
		row.loaded + row.rejected + row.skipped
	);
	return row;
}

test('case 1: a 0-byte file and a BOM-only file are refused as empty', async ({ page }) => {
	await page.goto('/');
	await page
		.getByLabel('Choose CSV files')
		.setInputFiles([csv('x.csv', ''), csv('y.csv', Buffer.from([0xef, 0xbb, 0xbf]))]);
	const refused = page.getByTestId('refused');
	await expect(refused).toContainText('x.csv is empty', { timeout: 45_000 });
	await expect(refused).toContainText('y.csv is empty');
	await expect(page.getByRole('status').filter({ hasText: 'Nothing was loaded' })).toHaveText(
		'Nothing was loaded: every file was refused. The import report on the Load data page says why.'
	);
	await expect(page).toHaveURL(/\/$/);
});

test('case 9: a ";" file with decimal commas shows its dialect and the decimal-comma warning', async ({
	page
}) => {
	const pain = csv(
		'pain_scores.csv',
		'patient_id;day;pain_avg\r\nP001;-30;7,5\r\nP001;30;4\r\nP002;-20;6,5\r\n'
	);
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([PATIENTS, pain]);
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	expect(await reconciled(page, 'pain_scores')).toMatchObject({
		read: 3,
		loaded: 3,
		rejected: 0,
		skipped: 0
	});
	await expect(page.getByTestId('dialect-pain_scores')).toContainText(
		'semicolon-delimited, quote ", UTF-8, header on line 1, CRLF line ends, decimal comma in pain_avg'
	);
	await expect(page.getByTestId('details-pain_scores')).toContainText(
		'column "pain_avg" was read with a decimal comma (5,5 is 5.5)'
	);
});

test('case 9: a column mixing decimal commas and points is refused, listing the lines', async ({ page }) => {
	const pain = csv('pain_scores.csv', 'patient_id;day;pain_avg\nP001;1;5,5\nP001;2;5.5\n');
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([PATIENTS, pain]);
	await expect(page.getByTestId('refused')).toContainText(
		'pain_scores.csv: column "pain_avg" mixes decimal commas (line 2) and decimal points (line 3)',
		{ timeout: 45_000 }
	);
});

test('case 10: a row with too many fields is rejected with its line, and the others load', async ({
	page
}) => {
	const pain = csv(
		'pain_scores.csv',
		'patient_id,day,pain_avg\nP001,-30,7\nP001,30,4\nP001,60,3,4,5\nP002,-20,6\n'
	);
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([PATIENTS, pain]);
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	expect(await reconciled(page, 'pain_scores')).toMatchObject({
		read: 4,
		loaded: 3,
		rejected: 1,
		skipped: 0
	});
	await expect(page.getByTestId('problems-pain_scores.csv')).toContainText(
		'pain_scores.csv line 4: expected 3 fields, found 5'
	);
});

test('case 16: stray quotes reject their lines; on request the file is read again with them as text, with a warning', async ({
	page
}) => {
	const patients = csv(
		'patients.csv',
		'patient_id,office,diagnosis,implant_year,provider_id\n' +
			'P001,Lexington,fbss,2020,Dr "Bob"\n' +
			'P002,"Dan "the" ville",crps,2021,D2\n' +
			'P003,Maysville,fbss,2020,D3\n'
	);
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([patients]);
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	expect(await reconciled(page, 'patients')).toMatchObject({ read: 3, loaded: 1, rejected: 2, skipped: 0 });
	await expect(page.getByTestId('problems-patients.csv')).toContainText(
		'patients.csv line 2: a quote character inside a field that is not properly quoted'
	);
	const stray = page.getByTestId('stray-quotes-patients');
	await expect(stray).toContainText('2 lines were rejected for a quote character inside a field');
	await stray.getByRole('button', { name: 'Re-read patients.csv treating stray quotes as text' }).click();

	await expect(page.getByTestId('details-patients')).toContainText(
		'read with stray quotes as text, on request: 2 lines have a quote character inside a field that is not properly quoted, ' +
			'kept as part of the value (line 2, line 3); check those values',
		{ timeout: 45_000 }
	);
	expect(await reconciled(page, 'patients')).toMatchObject({ read: 3, loaded: 3, rejected: 0, skipped: 0 });
	await expect(page.getByTestId('stray-quotes-patients')).toHaveCount(0);
});

test('case 24: undecidable dates are asked, and the answer is remembered for the same header', async ({
	page
}) => {
	const patients = csv(
		'patients.csv',
		'patient_id,office,diagnosis,implant_date,trial_date\nA,Lexington,fbss,01/02/2024,12/01/2024\nB,Danville,crps,03/04/2024,03/03/2024\n'
	);
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([patients]);
	const review = page.getByTestId('import-review');
	await expect(review).toBeVisible({ timeout: 45_000 });
	await expect(review).toContainText(
		'no date decides whether "implant_date", "trial_date" are month/day/year or day/month/year'
	);
	const importButton = review.getByRole('button', { name: 'Import' });
	await expect(importButton).toBeDisabled();
	await review.getByLabel(/Day first/).check();
	await importButton.click();
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	await expect(page.getByTestId('dialect-patients')).toContainText('dates D/M/YYYY (your choice)');
	expect(await reconciled(page, 'patients')).toMatchObject({ read: 2, loaded: 2 });

	// The same header again, in a fresh page: no question, the remembered order applies.
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([patients]);
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	await expect(page.getByTestId('dialect-patients')).toContainText('dates D/M/YYYY (your choice)');
});

test('case 24, two files: the date order chosen for one is offered for the other, which can differ', async ({
	page
}) => {
	const patients = csv(
		'patients.csv',
		'patient_id,office,diagnosis,implant_date,trial_date\nA,Lexington,fbss,01/02/2024,12/01/2024\nB,Danville,crps,03/04/2024,03/03/2024\n'
	);
	const pain = csv(
		'pain_scores.csv',
		'patient_id,date,pain_avg\nA,01/01/2024,8\nA,02/03/2024,4\nB,01/03/2024,7\n'
	);
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([patients, pain]);
	const review = page.getByTestId('import-review');
	await expect(review).toBeVisible({ timeout: 45_000 });
	const painOrder = review.getByTestId('review-pain_scores');
	await expect(painOrder.getByLabel(/Day first/)).not.toBeChecked();
	await review
		.getByTestId('review-patients')
		.getByLabel(/Day first/)
		.check();
	await expect(painOrder.getByLabel(/Day first/)).toBeChecked();
	await expect(painOrder.getByTestId('order-from-pain_scores')).toContainText('As chosen for patients.csv');
	// This file writes them the other way: its own answer stands, the first file's too.
	await painOrder.getByLabel(/Month first/).check();
	await expect(painOrder.getByTestId('order-from-pain_scores')).toHaveCount(0);
	await expect(review.getByTestId('review-patients').getByLabel(/Day first/)).toBeChecked();
	await review.getByRole('button', { name: 'Import' }).click();
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	await expect(page.getByTestId('dialect-patients')).toContainText('dates D/M/YYYY (your choice)');
	await expect(page.getByTestId('dialect-pain_scores')).toContainText('dates M/D/YYYY (your choice)');
	expect(await reconciled(page, 'pain_scores')).toMatchObject({ read: 3, loaded: 3, rejected: 0 });
});

test('case 28: a bad value on line 30,002 is rejected by line and column', async ({ page }) => {
	const rows = Array.from({ length: 30001 }, (_, i) => `P001,${i},${i === 30000 ? 'N/A' : i % 10}`);
	const pain = csv('pain_scores.csv', `patient_id,day,pain\n${rows.join('\n')}\n`);
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([PATIENTS, pain]);
	// `pain` is a synonym of pain_avg: the app asks to confirm the mapping first.
	const review = page.getByTestId('import-review');
	await expect(review).toBeVisible({ timeout: 45_000 });
	await expect(review.getByRole('combobox', { name: 'Load column pain as' })).toHaveValue('pain_avg');
	await review.getByRole('button', { name: 'Import' }).click();
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	expect(await reconciled(page, 'pain_scores')).toMatchObject({
		read: 30001,
		loaded: 30000,
		rejected: 1,
		skipped: 0
	});
	await expect(page.getByTestId('problems-pain_scores.csv')).toContainText(
		'pain_scores.csv line 30002, column pain: required value missing'
	);
});

test('case 33: identifier columns are shown with counts, never values, and dropped before import', async ({
	page
}) => {
	const values = [
		'Jane Doe',
		'(859) 555-0101',
		'jane@example.org',
		'123-45-6789',
		'1950-03-04',
		'40502',
		'NGP123456H'
	];
	const patients = csv(
		'patients.csv',
		'patient_id,office,diagnosis,implant_year,name,phone,email,ssn,dob,zip,device_serial,rxnorm,ndc\n' +
			`P001,Lexington,fbss,2020,${values[0]},${values[1]},${values[2]},${values[3]},${values[4]},${values[5]},${values[6]},1049625,00409-1234-01\n` +
			'P002,Danville,crps,2021,John Roe,859.555.0102,john@example.org,987-65-4321,1961-07-08,40422,NGP654321H,835603,0409-1234-01\n'
	);
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([patients]);
	const found = page.getByTestId('identifiers');
	await expect(found).toBeVisible({ timeout: 45_000 });
	for (const h of ['name', 'phone', 'email', 'ssn', 'dob', 'zip', 'device_serial'])
		await expect(found).toContainText(`column "${h}"`);
	await expect(found).not.toContainText('rxnorm');
	await expect(found).not.toContainText('ndc');
	await expect(found).toContainText(
		'column "ssn": its name says Social Security numbers (2 non-empty values)'
	);
	for (const v of values) expect(await page.content()).not.toContain(v);

	await page.getByRole('button', { name: 'Drop those columns and import' }).click();
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	expect(await reconciled(page, 'patients')).toMatchObject({ read: 2, loaded: 2, rejected: 0 });
	await expect(page.getByTestId('details-patients')).toContainText(
		'dropped 7 columns that may identify a person'
	);
	for (const v of values) expect(await page.content()).not.toContain(v);
});
