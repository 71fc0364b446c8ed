import type { Page } from '@playwright/test';
import { audit, expect, test } from './fixtures';
import { expectWindow } from './pain-expect';

/** Loads the demo from the start page and opens the pain page through the navigation. */
async function openPain(page: Page) {
	await page.goto('/');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	await expect(page).toHaveURL(/\/dashboard/, { timeout: 45_000 });
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pain' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Pain' })).toBeVisible();
}

const windowRow = (page: Page, label: string) => page.getByTestId(`pain-avg-${label}`);
const cell = (page: Page, label: string, col: string) =>
	windowRow(page, label).locator(`[data-col="${col}"]`);

test('the 12m row agrees with the baseline and closest-visit rules applied to the CSV files', async ({
	page
}) => {
	const e = expectWindow(365);
	expect(e.n, 'completers at 12m in the demo').toBeGreaterThan(20);
	await openPain(page);

	await expect(cell(page, '12m', 'n')).toHaveText(String(e.n), { timeout: 30_000 });
	await expect(cell(page, '12m', 'due')).toHaveText(String(e.due));
	await expect(cell(page, '12m', 'n_pct')).toHaveText(String(e.completersN));
	const responders = page.getByTestId('pain-avg-responders-12m');
	await expect(responders.locator('[data-col="responders30-completers"]')).toHaveText(
		new RegExp(`^${e.responders30}/${e.completersN}, `)
	);
	await expect(responders.locator('[data-col="responders30-all"]')).toHaveText(
		new RegExp(`^${e.responders30}/${e.allImplantedN}, `)
	);

	// Every chart states its n and its filters, and draws.
	for (const id of ['pain-trajectory', 'pain-slope', 'pain-responders']) {
		const figure = page.getByTestId(id);
		await expect(figure.locator('svg').first()).toBeVisible();
		await expect(figure.locator('figcaption')).toContainText('Filters: no filters.');
	}
	await expect(page.getByTestId('pain-responders').locator('figcaption')).toContainText(
		`(n = ${e.completersN})`
	);
	await audit(page);

	// Both downloads are drawn in the page: an SVG document and a PNG from a canvas.
	const slope = page.getByTestId('pain-slope');
	for (const [button, name, magic] of [
		['Download SVG', 'pain-slope-average-pain-12m.svg', '<svg'],
		['Download PNG', 'pain-slope-average-pain-12m.png', '\x89PNG']
	] as const) {
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			slope.getByRole('button', { name: button }).click()
		]);
		expect(download.suggestedFilename()).toBe(name);
		const chunks: Buffer[] = [];
		for await (const chunk of (await download.createReadStream())!) chunks.push(chunk as Buffer);
		const bytes = Buffer.concat(chunks);
		expect(bytes.subarray(0, 4).toString('latin1'), name).toBe(magic);
		if (name.endsWith('.png')) {
			// Twice the 520 x 380 chart (legend aside): the width is bytes 16-19 of the IHDR chunk.
			expect(bytes.readUInt32BE(16)).toBe(1040);
		}
	}

	// Printed, the page keeps its findings and leaves its controls out; its tables fit A4.
	await page.emulateMedia({ media: 'print' });
	await page.setViewportSize({ width: 703, height: 1000 });
	for (const control of [
		page.getByTestId('filter-bar'),
		page.getByRole('navigation', { name: 'Main' }),
		page.getByText('Show individual lines'),
		slope.getByRole('button', { name: 'Download SVG' })
	])
		await expect(control).toBeHidden();
	await expect(windowRow(page, '12m')).toBeVisible();
	await expect(slope.locator('figcaption')).toContainText('Filters: no filters.');
	const wide = await page.evaluate(() =>
		[...document.querySelectorAll('main table')]
			.filter((t) => t.getBoundingClientRect().right > 703.5 && (t as HTMLElement).offsetParent !== null)
			.map((t) => t.querySelector('caption')?.textContent ?? t.className)
	);
	expect(wide, 'tables wider than the printed page').toEqual([]);
});

test('a filter changes the numbers, and the copied link reproduces them in a new tab', async ({ page }) => {
	const all = expectWindow(365);
	const lexington = expectWindow(365, (p) => p.office === 'Lexington');
	expect(lexington.n).not.toBe(all.n);
	await openPain(page);
	await expect(cell(page, '12m', 'n')).toHaveText(String(all.n), { timeout: 30_000 });

	const bar = page.getByTestId('filter-bar');
	await bar.locator('summary', { hasText: 'Office' }).click();
	await bar.getByRole('checkbox', { name: /^Lexington/ }).check();
	await expect(cell(page, '12m', 'n')).toHaveText(String(lexington.n));
	await expect(cell(page, '12m', 'n_pct')).toHaveText(String(lexington.completersN));
	await expect(page).toHaveURL(/\/pain\?office=Lexington$/);
	await expect(page.getByTestId('pain-slope').locator('figcaption')).toContainText(
		'Filters: office: Lexington.'
	);

	const copied = page.url();
	const second = await page.context().newPage();
	await second.goto(copied);
	// A new tab has the view but not the data: load the demo where the link landed.
	await second.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
	await expect(second.getByTestId(`pain-avg-12m`).locator('[data-col="n"]')).toHaveText(String(lexington.n), {
		timeout: 45_000
	});
	await expect(second.getByTestId(`pain-avg-12m`).locator('[data-col="n_pct"]')).toHaveText(
		String(lexington.completersN)
	);
	await expect(second).toHaveURL(copied);
	await second.getByTestId('filter-bar').locator('summary', { hasText: 'Office' }).click();
	await expect(second.getByTestId('filter-bar').getByRole('checkbox', { name: /^Lexington/ })).toBeChecked();
	await second.close();
});

test('clicking an individual line opens that patient, whose id stays out of the URL', async ({ page }) => {
	await openPain(page);
	await page.getByLabel('Show individual lines').check();
	const figure = page.getByTestId('pain-trajectory');
	await expect(figure.locator('figcaption')).toContainText('Grey lines:');
	const lines = figure.locator('g[stroke="#7a7a7a"] path');
	await expect(lines.first()).toBeAttached();
	expect(await lines.count()).toBeGreaterThan(100);

	// The first point of the first line, in viewport coordinates (so the chart must be in view).
	// The chart may be drawn once more as the page's later queries land (a new SVG, which has not
	// seen the pointer): hover again until the tip shows, as a hand would move the mouse again.
	let id: string | undefined;
	await expect(async () => {
		await figure.locator('svg').first().scrollIntoViewIfNeeded();
		const point = await lines.first().evaluate((path: SVGPathElement) => {
			const svg = path.ownerSVGElement!;
			const [x, y] = path.getAttribute('d')!.slice(1).split(/[L,]/).map(Number);
			const p = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM()!);
			return { x: p.x, y: p.y };
		});
		// Approach the point as a hand would: Plot's pointer follows pointermove events.
		await page.mouse.move(point.x - 20, point.y - 20);
		await page.mouse.move(point.x, point.y, { steps: 5 });
		// The tip names the patient under the pointer; the click opens that one.
		await expect(figure.locator('svg').first()).toContainText(/patient P\d+/, { timeout: 2000 });
		id = /patient (P\d+)/.exec((await figure.locator('svg').first().textContent()) ?? '')?.[1];
		await page.mouse.click(point.x, point.y);
		await expect(page).toHaveURL(/\/patient(\?|$)/, { timeout: 2000 });
	}).toPass({ timeout: 30_000 });

	await expect(page.getByRole('heading', { level: 2, name: `Patient ${id}` })).toBeVisible({
		timeout: 30_000
	});
	expect(page.url()).not.toContain(id!);
	await expect(page.getByTestId('patient-pain').locator('svg').first()).toBeVisible();
});

test('the patient list and a typed id open the timeline on one day axis', async ({ page }) => {
	await openPain(page);
	const list = page.getByTestId('pain-patients');
	const first = list.locator('tbody tr').first().getByRole('link');
	const id = (await first.textContent())!.trim();
	await first.click();
	await expect(page.getByRole('heading', { level: 2, name: `Patient ${id}` })).toBeVisible({
		timeout: 30_000
	});
	expect(page.url()).not.toContain(id);

	// P000001 has pain scores, oral opioids and a fentanyl pump in the demo files.
	await page.getByLabel('Pseudonymous patient id').fill('P000001');
	await page.getByRole('button', { name: 'Show timeline' }).click();
	await expect(page.getByRole('heading', { level: 2, name: 'Patient P000001' })).toBeVisible();
	for (const chart of ['patient-pain', 'patient-mme', 'patient-it-fentanyl', 'patient-events']) {
		await expect(page.getByTestId(chart).locator('svg').first(), chart).toBeVisible();
	}
	// The shared axis: four charts of one width, each on days from implant (the unit tests check
	// that the domains are equal).
	const svgs = page.locator('figure[data-testid^="patient-"] svg[role="img"]');
	expect(await svgs.count()).toBe(4);
	const widths = await svgs.evaluateAll((all) => all.map((svg) => svg.getAttribute('width')));
	expect(new Set(widths).size, `widths ${widths.join(', ')}`).toBe(1);
	for (const svg of await svgs.all()) await expect(svg).toContainText('Days from implant');
	expect(page.url()).not.toContain('P000001');
	await audit(page);

	// P000002 failed its trial: the files count its days from the trial, and no implant is drawn.
	await page.getByLabel('Pseudonymous patient id').fill('P000002');
	await page.getByRole('button', { name: 'Show timeline' }).click();
	await expect(page.getByRole('heading', { level: 2, name: 'Patient P000002' })).toBeVisible();
	await expect(page.getByText('All charts share one axis: days from the trial (day 0)')).toBeVisible();
	const pain = page.getByTestId('patient-pain').locator('svg[role="img"]');
	await expect(pain).toContainText('Days from trial');
	await expect(pain).not.toContainText('implant');

	await page.getByLabel('Pseudonymous patient id').fill('NOPE');
	await page.getByRole('button', { name: 'Show timeline' }).click();
	await expect(page.getByRole('alert')).toHaveText('No patient with id "NOPE" is loaded.');
});
