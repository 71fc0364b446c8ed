import { expect, expectedDemoN, fileRow, nPatients, painChart, test } from './fixtures';

/**
 * An upload as a whole through the real file input: which of its files are taken, and how the
 * report and the review tell them apart. The fixture fails a test on any uncaught page error
 * (a Svelte `each_key_duplicate`, say).
 */
const csv = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

const PATIENTS =
	'patient_id,office,diagnosis,implant_year\nP001,Lexington,fbss,2020\nP002,Danville,crps,2021\n';
// Renamed columns: the app asks before it loads a file with this header.
const PAIN_RENAMED = 'Patient ID,Days from implant,Pain Score (0-10)\n';

test('two pain files that need a question and share a header: one is asked about, the other refused', async ({
	page
}) => {
	await page.goto('/');
	await page
		.getByLabel('Choose CSV files')
		.setInputFiles([
			csv('patients.csv', PATIENTS),
			csv('pain_2023.csv', `${PAIN_RENAMED}P001,1,3\n`),
			csv('pain_2024.csv', `${PAIN_RENAMED}P002,5,4\n`)
		]);
	const review = page.getByTestId('import-review');
	await expect(review).toBeVisible({ timeout: 45_000 });
	const second =
		'pain_2024.csv is a second pain_scores file (pain_2023.csv is the first); combine them into one';
	await expect(review.getByRole('alert')).toContainText(second);
	await expect(review.getByTestId('review-pain_scores')).toHaveCount(1);
	await expect(review.getByTestId('review-pain_scores').getByRole('heading')).toContainText('pain_2023.csv');
	await expect(page.getByLabel('Choose CSV files')).toBeEnabled();

	await review.getByRole('button', { name: 'Import' }).click();
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	expect(await fileRow(page, 'pain_scores')).toMatchObject({ file: 'pain_2023.csv', read: 1, loaded: 1 });
	await expect(page.getByTestId('import-report').getByTestId('refused')).toContainText(second);
});

test('two files of one name are both imported, each reported under its own name', async ({ page }) => {
	await page.goto('/');
	// a/export.csv and b/export.csv: the browser gives the names without their folders.
	await page
		.getByLabel('Choose CSV files')
		.setInputFiles([
			csv('export.csv', `${PATIENTS}P003,Lexington,not_a_diagnosis,2020\n`),
			csv('export.csv', 'patient_id,day,pain_avg\nP001,1,3\nP001,2,11\nP002,3,12\nP002,4,5\n')
		]);
	await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
	// By hand: patients line 4 has no such diagnosis; pain lines 3 and 4 are over 10.
	expect(await fileRow(page, 'patients')).toMatchObject({
		file: 'export.csv (1st file of that name)',
		read: 3,
		loaded: 2,
		rejected: 1
	});
	expect(await fileRow(page, 'pain_scores')).toMatchObject({
		file: 'export.csv (2nd file of that name)',
		read: 4,
		loaded: 2,
		rejected: 2
	});
	const painProblems = page.getByTestId('details-pain_scores').locator('ol li');
	await expect(painProblems).toHaveText([
		/^export\.csv \(2nd file of that name\) line 3, column pain_avg: /,
		/^export\.csv \(2nd file of that name\) line 4, column pain_avg: /
	]);
});

test('an upload whose every file is refused keeps the data loaded before, and says so', async ({ page }) => {
	await page.goto('/');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	await painChart(page);
	const nav = page.getByRole('navigation', { name: 'Main' });
	const input = page.getByLabel('Choose CSV files');
	const refused = page.getByTestId('refused-upload');
	// A file with no header, then a pain file without a patients file.
	for (const [file, reason] of [
		[csv('x.csv', 'hello\nworld\n'), 'x.csv: no header row matching the data contract'],
		[csv('pain.csv', 'patient_id,day,pain_avg\nP000001,1,3\n'), 'pain.csv not imported: a patients file']
	] as const) {
		await nav.getByRole('link', { name: 'Load data' }).click();
		await input.setInputFiles([file]);
		await expect(page.getByRole('status')).toHaveText(
			'Nothing new was loaded: every file was refused. The data loaded before is still there.',
			{ timeout: 30_000 }
		);
		await expect(refused).toContainText(reason);
		await expect(refused).toContainText('The data loaded before (the demo cohort) is still loaded');
		await expect(page.getByTestId('import-report').getByTestId('file-patients')).toBeVisible();
		await nav.getByRole('link', { name: 'Dashboard' }).click();
		await expect(await painChart(page)).toHaveText(nPatients(expectedDemoN()));
	}
});
