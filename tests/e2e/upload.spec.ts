import { DEMO_KINDS, demoPath, expect, expectedDemoN, nPatients, painChart, test } from './fixtures';

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
