import { expect, fileRow, test } from './fixtures';

const csv = (name: string, lines: string[]) => ({
	name,
	mimeType: 'text/csv',
	buffer: Buffer.from(lines.join('\n') + '\n')
});

const patients = csv('patients.csv', [
	'patient_id,office,diagnosis,implant_year',
	'P001,Lexington,fbss,2020',
	'P002,Danville,crps,2021'
]);

test('a pain score of 11 is rejected with its file, line, column and value', async ({ page }) => {
	const pain = csv('pain_scores.csv', [
		'patient_id,day,pain_avg',
		'P001,-30,7',
		'P001,30,11', // line 3: out of range
		'P002,-20,6',
		'P002,60,3'
	]);
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([patients, pain]);

	const report = page.getByTestId('import-report');
	await expect(report).toBeVisible({ timeout: 45_000 });
	await expect(report.locator('li')).toContainText([
		'pain_scores.csv line 3, column pain_avg: expected 0-10, got "11"'
	]);
	expect(await fileRow(page, 'pain_scores')).toMatchObject({ read: 4, loaded: 3, rejected: 1, skipped: 0 });
	expect(await fileRow(page, 'patients')).toMatchObject({ read: 2, loaded: 2, rejected: 0 });
});

test('a 0-byte file is refused as empty while the other files load', async ({ page }) => {
	const pain = csv('pain_scores.csv', ['patient_id,day,pain_avg', 'P001,-30,7', 'P002,60,3']);
	const empty = { name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) };
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles([patients, empty, pain]);

	await expect(page.getByTestId('refused')).toContainText('empty.csv is empty', { timeout: 45_000 });
	expect(await fileRow(page, 'patients')).toMatchObject({ read: 2, loaded: 2, rejected: 0 });
	expect(await fileRow(page, 'pain_scores')).toMatchObject({ read: 2, loaded: 2, rejected: 0 });
});
