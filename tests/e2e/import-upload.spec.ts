import { expect, fileRow, test } from './fixtures';

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
