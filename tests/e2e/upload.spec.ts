import { readFileSync, writeFileSync } from 'node:fs';
import { DEMO_KINDS, demoPath, expect, expectedDemoN, nPatients, painChart, test } from './fixtures';
import { expectedOnMorphine } from './pump-expect';

test('uploading the four demo files counts the same patients as the demo button', async ({ page }) => {
	const n = expectedDemoN();
	expect(n, 'patients the pain chart should count').toBeGreaterThan(0);

	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles(DEMO_KINDS.map(demoPath));
	const caption = await painChart(page);
	await expect(page).toHaveURL(/\/dashboard$/);
	await expect(caption).toHaveText(nPatients(n));
	await expect(page.getByTestId('import-report').locator('[data-testid^="file-"]')).toHaveCount(
		DEMO_KINDS.length
	);
});

/**
 * The demo with the pump events of every tenth patient left out, and its patients on IT morphine
 * at 12 months. The page's demo read ahead builds the IT dose tables of the whole demo first: a
 * page that read those would count other patients.
 */
function fewerPumpEvents(path: string): number {
	const lines = readFileSync(demoPath('pump_events'), 'utf8').split('\n');
	const kept = lines.filter((l, i) => i === 0 || !/^P\d*0,/.test(l));
	expect(kept.length).toBeLessThan(lines.length - 100);
	writeFileSync(path, kept.join('\n'));
	const at12 = expectedOnMorphine(365, path);
	expect(at12).toBeLessThan(expectedOnMorphine(365));
	return at12;
}

test("the pump page asks for the IT dose tables as the upload ends: it waits for this upload's", async ({
	page
}, testInfo) => {
	const pumpEvents = testInfo.outputPath('pump_events.csv');
	const at12 = fewerPumpEvents(pumpEvents);

	// `?debug` logs when the read ahead's later tables are built (src/lib/state/session.svelte.ts).
	const aheadBuilt = page.waitForEvent('console', {
		predicate: (m) => m.text().startsWith('later tables: built'),
		timeout: 60_000
	});
	await page.goto('/pump?debug');
	await aheadBuilt;
	// Uploaded from the pump page itself: it queries the IT dose tables the moment the load is
	// ready, 400 ms before they would start to build by themselves.
	await page
		.getByTestId('needs-data')
		.locator('input[type=file]')
		.setInputFiles([demoPath('patients'), demoPath('pain_scores'), demoPath('oral_opioids'), pumpEvents]);
	await expect(page.getByTestId('it-dose-n-morphine-12m')).toHaveText(`n = ${at12}`, { timeout: 45_000 });
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Opioids' }).click();
	await expect(page.getByTestId('km-chart').locator('svg').first()).toBeVisible({ timeout: 45_000 });
});

test('questions opened and dismissed after an upload keep its IT dose tables', async ({ page }, testInfo) => {
	const pumpEvents = testInfo.outputPath('pump_events.csv');
	const at12 = fewerPumpEvents(pumpEvents);
	await page.goto('/');
	await page
		.getByLabel('Choose CSV files')
		.setInputFiles([demoPath('patients'), demoPath('pain_scores'), demoPath('oral_opioids'), pumpEvents]);
	await painChart(page);
	// Back on the start page, the mapping question stops the IT dose build of this upload; its
	// Cancel keeps the upload, whose tables are then built again.
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Load data' }).click();
	await page.getByTestId('details-pump_events').locator('summary').click();
	await page.getByRole('button', { name: 'Edit the mapping of pump_events.csv' }).click();
	await expect(page.getByTestId('review-pump_events')).toBeVisible({ timeout: 45_000 });
	await page.getByRole('button', { name: 'Cancel', exact: true }).click();
	await expect(page.getByText('Import cancelled; the data loaded before is still there.')).toBeVisible();
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pump' }).click();
	await expect(page.getByTestId('it-dose-n-morphine-12m')).toHaveText(`n = ${at12}`, { timeout: 45_000 });
});
