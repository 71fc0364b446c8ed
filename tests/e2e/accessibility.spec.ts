import { audit, expect, painChart, seriousViolations, test } from './fixtures';

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

	// A hover draws the chart's tip anew: it must not bring back a labelled <g> without a role.
	const svg = page.getByTestId('pain-chart').locator('svg[role="img"]');
	const box = (await svg.boundingBox())!;
	await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
	await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
	await page.mouse.move(0, 0);
	expect(await svg.locator('g[aria-label]').count()).toBe(0);
	await audit(page);
});

test('the data dictionary has no serious or critical WCAG 2 AA violations', async ({ page }) => {
	await page.goto('/dictionary');
	await expect(page.getByRole('heading', { name: 'Data dictionary', level: 1 })).toBeVisible();
	await expect(page.getByRole('rowheader', { name: 'pain_avg' })).toBeVisible();
	await audit(page);
});

test('the audit finds violations planted in the page: pale text and an image without a text alternative', async ({
	page
}) => {
	await page.goto('/');
	await expect(page.getByRole('button', { name: 'Use demo data' })).toBeVisible();
	await page.evaluate(() => {
		const main = document.querySelector('main')!;
		const pale = document.createElement('p');
		pale.textContent = 'Pale text on white';
		pale.style.cssText = 'color: #ddd; background: #fff';
		const image = document.createElement('img');
		image.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
		image.width = image.height = 10;
		main.append(pale, image);
	});
	const { ids } = await seriousViolations(page);
	expect(ids).toEqual(expect.arrayContaining(['color-contrast', 'image-alt']));
});

test('the keyboard focus is never dropped to the page by a load or a dismissed notice', async ({ page }) => {
	const focused = () =>
		page.evaluate(() => {
			const a = document.activeElement;
			return a === document.body || !a ? 'body' : `${a.tagName.toLowerCase()}: ${a.textContent?.trim()}`;
		});
	// A shared link opened with no data: the panel's button, pressed from the keyboard, keeps the
	// focus while the demo loads, and the page's heading takes it when the panel goes.
	await page.goto('/pain?sex=F&nonsense=1');
	const demo = page.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' });
	await demo.focus();
	await page.keyboard.press('Enter');
	await expect(demo).toHaveAttribute('aria-disabled', 'true');
	expect(await focused()).toBe('button: Use demo data');
	await expect(page.getByTestId('needs-data')).toHaveCount(0, { timeout: 45_000 });
	await expect.poll(focused).toBe('h1: Pain');
	// The link notice (an unknown parameter) dismissed from the keyboard: the heading again.
	const dismiss = page.getByTestId('link-notice').getByRole('button', { name: 'Dismiss' });
	await dismiss.focus();
	await page.keyboard.press('Enter');
	await expect(page.getByTestId('link-notice')).toHaveCount(0);
	await expect.poll(focused).toBe('h1: Pain');
	await audit(page);
});

test('the analysis pages have one status region, present before a change: "Computing…", then "Updated."', async ({
	page
}) => {
	await page.goto('/');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	await painChart(page);
	const region = page.getByTestId('page-activity');
	await expect(region).toHaveAttribute('role', 'status');
	// Every text it takes from now on, in order; and every status the page itself shows in <main>
	// (a page's own "Computing…" as a status too would be said twice).
	await region.evaluate((el) => {
		const w = window as unknown as { __said: string[]; __pageStatus: string[] };
		w.__said = [];
		w.__pageStatus = [];
		new MutationObserver(() => w.__said.push(el.textContent ?? '')).observe(el, {
			childList: true,
			characterData: true,
			subtree: true
		});
		const main = document.querySelector('main')!;
		new MutationObserver(() => {
			for (const s of main.querySelectorAll('[role=status], [aria-live]'))
				if (s.textContent?.trim()) w.__pageStatus.push(s.textContent.trim());
		}).observe(main, { childList: true, characterData: true, subtree: true });
	});
	// A slow machine (the page's thread 20 times slower), then the pump page: its queries wait for
	// the IT dose tables, or run on them, well over the 300 ms after which the region speaks.
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: 20 });
	await page.getByRole('link', { name: 'Pump' }).first().click();
	await expect(page.getByTestId('pump-dose-timing')).toBeVisible({ timeout: 60_000 });
	await expect(region).toHaveText('Updated.', { timeout: 30_000 });
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
	const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said.filter(Boolean));
	// "Computing…" and "Updated." in turn (a dashboard query still running when the watch began
	// may end it first), ending with "Updated.": the same element throughout, never re-inserted.
	expect(said).toContain('Computing…');
	expect(said.at(-1)).toBe('Updated.');
	for (let i = 1; i < said.length; i++) expect(said[i], said.join(' / ')).not.toBe(said[i - 1]);
	// The pump page showed its own "Computing…" lines meanwhile (seen, data-busy), none as a status.
	const pageStatus = await page.evaluate(
		() => (window as unknown as { __pageStatus: string[] }).__pageStatus
	);
	expect(pageStatus.filter((t) => /Computing|Checking|Counting|Listing/.test(t))).toEqual([]);
});

test('at 320 CSS px no page scrolls sideways: wide tables scroll in their own regions, open lists wrap', async ({
	page
}) => {
	await page.setViewportSize({ width: 320, height: 700 });
	await page.goto('/');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	await painChart(page);
	const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	// Each page with the content that was widest before (tables, the funnel's controls and plots).
	for (const [link, last] of [
		['Dashboard', page.getByTestId('import-report')],
		['Pain', page.getByTestId('pain-avg-scores')],
		['Opioids', page.getByTestId('opioids-timing')],
		['Pump', page.getByTestId('pump-dose-timing')],
		['Offices', page.getByTestId('office-tables')],
		['Export', page.getByTestId('export-tables')],
		['Dictionary', page.getByRole('rowheader', { name: 'pain_avg' })]
	] as const) {
		await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
		await expect(last.first()).toBeVisible({ timeout: 30_000 });
		expect(await sideways(), link).toBeLessThanOrEqual(0);
	}
	// The wide tables are named regions that take the keyboard focus to scroll.
	await page.getByRole('navigation').getByRole('link', { name: 'Dashboard', exact: true }).click();
	const files = page.getByRole('region', { name: 'Records read, loaded, rejected and skipped per file' });
	await expect(files).toHaveAttribute('tabindex', '0');
	expect(await files.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
	// An open filter list and the settings stay within the screen.
	const bar = page.getByTestId('filter-bar');
	for (const open of [
		bar.locator('details', { hasText: 'Diagnosis' }).first(),
		page.getByTestId('settings-panel')
	]) {
		await open.locator('summary').click();
		const box = (await open.locator('.panel').boundingBox())!;
		expect(box.x).toBeGreaterThanOrEqual(0);
		expect(box.x + box.width).toBeLessThanOrEqual(320);
		expect(await sideways()).toBeLessThanOrEqual(0);
	}
});
