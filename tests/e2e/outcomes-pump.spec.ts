import { audit, expect, test } from './fixtures';
import { expectedOnMorphine } from './pump-expect';

test('the pump page shows the dose trend and the patients on IT morphine at 12 months', async ({ page }) => {
	const at12 = expectedOnMorphine(365);
	expect(at12, 'patients on IT morphine on day 365').toBeGreaterThan(20);

	await page.goto('/pump');
	await expect(page.getByRole('heading', { level: 1, name: 'Intrathecal dose' })).toBeVisible();
	await page.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
	const trend = page.getByTestId('it-trend-morphine_eq');
	await expect(trend.locator('svg').first()).toBeVisible({ timeout: 45_000 });
	await expect(trend.locator('figcaption')).toContainText('hydromorphone × 5');
	await expect(page.getByTestId('it-trend-morphine').locator('svg').first()).toBeVisible();

	await expect(page.getByTestId('it-dose-n-morphine-12m')).toHaveText(`n = ${at12}`);
	await expect(page.getByTestId('it-escalation-mg-chart').locator('svg').first()).toBeVisible();
	await expect(page.getByTestId('it-dose-warnings').getByRole('listitem').first()).toContainText(
		/\d+ doses?: morphine above 15 mg\/day/
	);

	// The total opioid load is off until asked for, then its own labelled series.
	await expect(page.getByTestId('opioid-load-chart')).toHaveCount(0);
	await page.getByLabel('Show the total opioid load assumption').check();
	const load = page.getByTestId('opioid-load-chart');
	await expect(load.locator('svg').first()).toBeVisible({ timeout: 20_000 });
	await expect(load.locator('figcaption')).toContainText(
		'Assumption: 1 mg/day of IT morphine counted as 300 MME/day'
	);

	const timing = await page.getByTestId('pump-timing').innerText();
	test.info().annotations.push({ type: 'timing', description: `/pump on the demo: ${timing}` });
	// For a reviewer's eye: the whole page as drawn, in this test's output folder.
	await page.screenshot({ path: test.info().outputPath('pump.png'), fullPage: true });
	await audit(page);

	// A warning's patient opens that patient's timeline.
	const warnings = page.getByTestId('it-dose-warnings');
	await warnings.getByText(/^List the \d+ warnings$/).click();
	const link = warnings.locator('tbody tr').first().getByRole('link');
	const id = (await link.innerText()).trim();
	expect(id).toMatch(/^P\d{6}$/);
	await link.click();
	await expect(page.getByRole('heading', { level: 2, name: `Patient ${id}` })).toBeVisible({
		timeout: 20_000
	});
	expect(page.url()).not.toContain(id);
});
