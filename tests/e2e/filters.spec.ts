import type { Page } from '@playwright/test';
import { audit, expect, test } from './fixtures';
import { expectMatch } from './pain-expect';

async function loadDemo(page: Page) {
	await page.goto('/');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	await expect(page).toHaveURL(/\/dashboard/, { timeout: 45_000 });
}

const matchText = (m: { patients: number; outcome: number }) =>
	`${m.patients} patients match (${m.outcome} in the outcome population).`;

const nav = (page: Page, name: string) =>
	page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

test('the filter bar sits on every analysis page, counts matching patients and works from the keyboard', async ({
	page
}) => {
	await loadDemo(page);
	const bar = page.getByTestId('filter-bar');
	const count = page.getByTestId('filter-match');
	await expect(count).toHaveText(matchText(expectMatch(() => true)), { timeout: 30_000 });
	// The dashboard with its filter bar is audited in accessibility.spec.ts; the open panel and the
	// settings' error below are audited here.

	for (const [name, present] of [
		['Pain', true],
		['Opioids', true],
		['Pump', true],
		['Dictionary', false],
		['Dashboard', true]
	] as const) {
		await nav(page, name).click();
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
		await expect(bar, `filter bar on ${name}`).toHaveCount(present ? 1 : 0);
	}

	// Keyboard only: open "Sex", tick the first choice, close with Escape.
	const sex = bar.locator('summary', { hasText: 'Sex' });
	await sex.focus();
	await page.keyboard.press('Enter');
	const female = bar.getByRole('checkbox', { name: /^F / });
	await expect(female).toBeVisible();
	await page.keyboard.press('Tab');
	await expect(female).toBeFocused();
	await page.keyboard.press('Space');
	await expect(female).toBeChecked();
	await page.keyboard.press('Escape');
	await expect(female).toBeHidden();
	await expect(sex).toBeFocused();

	await expect(count).toHaveText(matchText(expectMatch((p) => p.sex === 'F')));
	await expect(page).toHaveURL(/\/dashboard\?sex=F$/);
	await expect(page.getByTestId('active-filters')).toHaveText('Filters: sex: F.');

	// Filters follow the user to the next page, in the view and in the address.
	await nav(page, 'Pain').click();
	await expect(page).toHaveURL(/\/pain\?sex=F$/);
	await expect(count).toHaveText(matchText(expectMatch((p) => p.sex === 'F')));

	await bar.getByRole('button', { name: 'Clear filters' }).click();
	await expect(count).toHaveText(matchText(expectMatch(() => true)));
	await expect(page).toHaveURL(/\/pain$/);
});

test("Back and Forward bring back each page's own filters; Tab past the last choice closes a panel", async ({
	page
}) => {
	await loadDemo(page);
	const bar = page.getByTestId('filter-bar');
	const count = page.getByTestId('filter-match');
	const sex = bar.locator('summary', { hasText: 'Sex' });
	await sex.click();
	await bar.getByRole('checkbox', { name: /^F / }).check();
	await page.keyboard.press('Escape');
	await expect(count).toHaveText(matchText(expectMatch((p) => p.sex === 'F')));
	await nav(page, 'Pain').click();
	await expect(page).toHaveURL(/\/pain\?sex=F$/);

	// A changed filter on the second page, then Back and Forward.
	await sex.click();
	await bar.getByRole('checkbox', { name: /^M / }).check();
	await page.keyboard.press('Escape');
	const fOrM = matchText(expectMatch((p) => p.sex === 'F' || p.sex === 'M'));
	await expect(count).toHaveText(fOrM);
	await expect(page).toHaveURL(/\/pain\?sex=F&sex=M$/);
	await page.goBack();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
	await expect(count).toHaveText(matchText(expectMatch((p) => p.sex === 'F')));
	await expect(page).toHaveURL(/\/dashboard\?sex=F$/);
	await page.goForward();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pain');
	await expect(count).toHaveText(fOrM);
	await expect(page).toHaveURL(/\/pain\?sex=F&sex=M$/);

	// Keyboard: Tab from the last choice of an open panel moves on and closes the panel.
	const office = bar.locator('details', { hasText: 'Office' }).first();
	await office.locator('summary').focus();
	await page.keyboard.press('Enter');
	const boxes = office.getByRole('checkbox');
	await expect(boxes.first()).toBeVisible();
	await boxes.last().focus();
	await page.keyboard.press('Tab');
	await expect(office).not.toHaveAttribute('open');
	await expect(boxes.first()).toBeHidden();
});

test('a year range and a second filter narrow the count as the CSV says', async ({ page }) => {
	await loadDemo(page);
	const bar = page.getByTestId('filter-bar');
	await bar.getByLabel('Implant year from').selectOption('2018');
	await bar.getByLabel('Implant year to').selectOption('2020');
	await bar.locator('summary', { hasText: 'Diagnosis' }).click();
	// The readable name, with the code beside it; the address keeps the code.
	await bar.getByRole('checkbox', { name: /^Failed back surgery syndrome fbss \(\d+\)$/ }).check();
	const year = (p: { implant_year: string }) =>
		p.implant_year !== '' && +p.implant_year >= 2018 && +p.implant_year <= 2020;
	await expect(page.getByTestId('filter-match')).toHaveText(
		matchText(expectMatch((p) => year(p) && p.diagnosis === 'fbss'))
	);
	await expect(page).toHaveURL(/\/dashboard\?diagnosis=fbss&implant_from=2018&implant_to=2020$/);
	// The open panel covers the status line: it shows the same count.
	const count = (await page.getByTestId('filter-match').locator('strong').textContent())!;
	await expect(bar.getByTestId('panel-match').filter({ visible: true })).toHaveText(count);
	await audit(page);
});

test('invalid link parameters fall back to the defaults with a notice; a patient id is never echoed', async ({
	page
}) => {
	await page.goto('/dashboard?sex=Q&office=Danville&office=lexington&hm=9&window=99m&id=P000001');
	const notice = page.getByTestId('link-notice');
	await expect(notice).toBeVisible();
	await expect(notice).toContainText('sex = "Q": not one of F, M, X, U');
	await expect(notice).toContainText('hm = "9": above 6');
	await expect(notice).toContainText('window = "99m"');
	await expect(notice).toContainText('id: patients are never chosen by a link');
	await expect(notice).not.toContainText('P000001');
	// Only the valid, non-default choices are written back.
	await expect(page).toHaveURL(/\/dashboard\?office=Danville&office=lexington$/);

	await page.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
	await expect(page.getByTestId('filter-match')).toHaveText(
		matchText(expectMatch((p) => p.office === 'Danville')),
		{ timeout: 45_000 }
	);
	// An office the loaded data does not have matches nobody, and the bar says so.
	await expect(page.getByTestId('absent-filters')).toHaveText(
		'Not in the loaded data, so no patient has it: office "lexington" (did you mean "Lexington"?). Untick it in the lists above, or clear the filters.'
	);
	await notice.getByRole('button', { name: 'Dismiss' }).click();
	await expect(notice).toBeHidden();
});

test('settings change the single-window views and land in the URL only when not the default', async ({
	page
}) => {
	await loadDemo(page);
	await nav(page, 'Pain').click();
	await expect(page.getByRole('heading', { name: 'Before and after at 12m' })).toBeVisible();
	const settings = page.getByTestId('settings-panel');
	await settings.locator('summary').click();

	await settings.getByLabel('Window for single-window views').selectOption('6m');
	await expect(page.getByRole('heading', { name: 'Before and after at 6m' })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Responders at 6m' })).toBeVisible();
	await expect(page).toHaveURL(/\/pain\?window=6m$/);

	await settings.getByRole('radio', { name: /^CDC 2016/ }).check();
	await settings.getByRole('radio', { name: '100:1' }).check();
	const factor = settings.getByLabel(/IT hydromorphone to morphine factor/);
	await factor.fill('4.5');
	await expect(page).toHaveURL(/\/pain\?mme=cdc2016&hm=4.5&load=100&window=6m$/);
	await factor.fill('7');
	await expect(settings.getByText(/Enter a number from 4 to 6/)).toBeVisible();
	await expect(factor).toHaveAttribute('aria-invalid', 'true');
	await expect(page).toHaveURL(/hm=4.5/);
	await audit(page);

	await settings.getByLabel('Window for single-window views').selectOption('12m');
	await settings.getByRole('radio', { name: /^CDC 2022/ }).check();
	await settings.getByRole('radio', { name: '300:1' }).check();
	await factor.fill('5');
	await expect(page).toHaveURL(/\/pain$/);
});
