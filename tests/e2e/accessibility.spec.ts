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
	await page.getByRole('button', { name: 'Show as table' }).first().click();
	await audit(page);
});

test('the data dictionary has no serious or critical WCAG 2 AA violations', async ({ page }) => {
	await page.goto('/dictionary');
	await expect(page.getByRole('heading', { name: 'Data dictionary', level: 1 })).toBeVisible();
	await expect(page.getByRole('rowheader', { name: 'pain_avg' })).toBeVisible();
	await audit(page);
});
