import type { ConsoleMessage, Page } from '@playwright/test';
import {
	expect,
	expectedDemoN,
	expectedPainChartN,
	fileRow,
	nPatients,
	painChart,
	parseCsv,
	test
} from './fixtures';

/**
 * The demo is imported behind the start page before anyone asks (issue 7, cold start). It must
 * never show as loaded before "Use demo data" is pressed, and the user's own files always win:
 * an upload while it runs, or after it finished, loads exactly those files.
 */

const csv = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
const PATIENTS =
	'patient_id,office,diagnosis,implant_year\nU001,Lexington,fbss,2020\nU002,Danville,crps,2021\nU003,Danville,spasticity,2021\n';
const PAIN = 'patient_id,day,pain_avg\nU001,-30,7\nU001,30,4\nU002,-20,6\nU002,400,3\nU003,10,5\n';

/** The table rows of a CSV text, as the fixtures' readCsv gives them for a file. */
function rows(text: string): Record<string, string>[] {
	const [head, ...body] = parseCsv(text);
	return body.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
}

/** Resolves when the `?debug` console log has a line containing `text`. */
function logged(page: Page, text: string): Promise<void> {
	return new Promise((resolve) => {
		const listen = (m: ConsoleMessage) => {
			if (m.text().includes(text)) {
				page.off('console', listen);
				resolve();
			}
		};
		page.on('console', listen);
	});
}

async function expectUsersFiles(page: Page) {
	const n = expectedPainChartN(rows(PATIENTS), rows(PAIN));
	expect(n, 'the outcome population with pain scores, counted by hand: U001 and U002').toBe(2);
	const caption = await painChart(page);
	await expect(page).toHaveURL(/\/dashboard/);
	await expect(caption).toHaveText(nPatients(n));
	const report = page.getByTestId('import-report');
	await expect(report.locator('[data-testid^="file-"]')).toHaveCount(2);
	expect(await fileRow(page, 'patients')).toMatchObject({ file: 'patients.csv', read: 3, loaded: 3 });
	expect(await fileRow(page, 'pain_scores')).toMatchObject({ file: 'pain_scores.csv', read: 5, loaded: 5 });
	// The cohort is the three uploaded patients in their two offices, no demo patient among them.
	const summary = page.getByTestId('cohort-summary');
	await expect(summary.locator('dt:text-is("Patients") + dd')).toHaveText('3');
	await expect(summary.locator('dt:text-is("Outcome population") + dd')).toHaveText('2');
	await expect
		.poll(async () => (await summary.locator('tbody th').allInnerTexts()).map((t) => t.trim()).sort())
		.toEqual(['Danville', 'Lexington']);
}

test('the demo read ahead is not shown as loaded until "Use demo data" is pressed', async ({ page }) => {
	const ready = logged(page, 'demo read ahead: ready');
	await page.goto('/?debug');
	await ready;
	await expect(page.getByRole('button', { name: 'Use demo data' })).toBeEnabled();
	await expect(page.getByTestId('import-report')).toHaveCount(0);
	await expect(page.getByText(/Loaded \d+ rows/)).toHaveCount(0);

	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
	await expect(page.getByTestId('needs-data')).toBeVisible();

	const adopted = logged(page, 'demo read ahead: adopted');
	await page.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
	await adopted;
	const caption = await painChart(page);
	await expect(caption).toHaveText(nPatients(expectedDemoN()));
	await expect(page.getByTestId('import-report').locator('[data-testid^="file-"]')).toHaveCount(4);
});

test('files uploaded while the demo is read ahead are what gets loaded', async ({ page }) => {
	const dbReady = logged(page, 'DuckDB ready');
	const stopped = logged(page, 'demo read ahead: stopped');
	await page.goto('/?debug');
	// The read ahead's statements start as soon as DuckDB is up: upload into the middle of them.
	await dbReady;
	await page
		.getByLabel('Choose CSV files')
		.setInputFiles([csv('patients.csv', PATIENTS), csv('pain_scores.csv', PAIN)]);
	await stopped;
	await expectUsersFiles(page);
});

test('files uploaded after the demo was read ahead replace it', async ({ page }) => {
	const ready = logged(page, 'demo read ahead: ready');
	await page.goto('/?debug');
	await ready;
	await page
		.getByLabel('Choose CSV files')
		.setInputFiles([csv('patients.csv', PATIENTS), csv('pain_scores.csv', PAIN)]);
	await expectUsersFiles(page);
});
