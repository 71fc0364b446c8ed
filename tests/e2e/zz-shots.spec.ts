import { expect, test } from './fixtures';

test('screenshots', async ({ page }) => {
	test.setTimeout(120_000);
	await page.setViewportSize({ width: 1280, height: 900 });
	await page.goto('/pain?office=Lexington');
	await page.screenshot({ path: '/tmp/shots/pain-empty.png', fullPage: true });
	await page.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
	await expect(page.getByTestId('pain-avg-12m')).toBeVisible({ timeout: 45_000 });
	await page.getByLabel('Show individual lines').check();
	await expect(page.getByTestId('pain-trajectory').locator('figcaption')).toContainText('Grey lines');
	await page.waitForTimeout(500);
	await page.screenshot({ path: '/tmp/shots/pain.png', fullPage: true });
	for (const id of ['pain-trajectory', 'pain-slope', 'pain-responders', 'pain-secondary', 'pain-patients'])
		await page.getByTestId(id).screenshot({ path: `/tmp/shots/el-${id}.png` });
	await page.getByTestId('filter-bar').screenshot({ path: '/tmp/shots/el-filter-bar.png' });
	await page.getByTestId('filter-bar').locator('summary', { hasText: 'Office' }).click();
	await page.screenshot({ path: '/tmp/shots/filterbar-open.png' });
	await page.keyboard.press('Escape');
	await page.getByTestId('settings-panel').locator('summary').click();
	await page.screenshot({ path: '/tmp/shots/settings-open.png' });
	await page.getByTestId('settings-panel').locator('summary').click();
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
	await expect(page.getByTestId('pain-chart').locator('svg').first()).toBeVisible();
	await page.screenshot({ path: '/tmp/shots/dashboard.png', fullPage: true });
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pain' }).click();
	await page.getByTestId('pain-patients').locator('tbody tr').first().getByRole('link').click();
	await expect(page.getByTestId('patient-pain').locator('svg').first()).toBeVisible({ timeout: 30_000 });
	await page.waitForTimeout(500);
	await page.screenshot({ path: '/tmp/shots/patient.png', fullPage: true });
	await page.goto('/dashboard?sex=Q&hm=9&id=P000001');
	await page.screenshot({ path: '/tmp/shots/notice.png' });
});
