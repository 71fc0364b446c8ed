import { audit, expect, painChart, test } from './fixtures';

test('the start page and the dashboard have no serious or critical WCAG 2 AA violations', async ({
	page
}) => {
	await page.goto('/');
	await expect(page.getByRole('button', { name: 'Use demo data' })).toBeVisible();
	await audit(page);

	await page.getByRole('button', { name: 'Use demo data' }).click();
	await painChart(page);
	await expect(page).toHaveURL(/\/dashboard$/);
	await audit(page);
});
