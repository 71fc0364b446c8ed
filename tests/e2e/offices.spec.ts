import type { Locator, Page } from '@playwright/test';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { fixtureCounts, fixtureCsv, recoverable } from '../unit/offices-fixture';
import { audit, expect, test } from './fixtures';

const OFFICES = ['Cynthiana', 'Danville', 'Lexington', 'Maysville'];

/** Opens /offices and loads the demo there (a client-side load: the data lives in the tab). */
async function openWithDemo(page: Page) {
	await page.goto('/offices');
	await page.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
	await expect(page.getByTestId('funnel-chart').locator('svg').first()).toBeVisible({ timeout: 60_000 });
}

/** The text of each cell of a table body, row by row. */
async function cells(table: Locator): Promise<string[][]> {
	return table
		.locator('tbody tr')
		.evaluateAll((trs) =>
			trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim()))
		);
}

/** Page text of a PDF, page by page (pdf.js, no canvas needed for text). */
async function pdfPages(bytes: Uint8Array): Promise<string[]> {
	const doc = await getDocument({ data: bytes, useSystemFonts: false, isEvalSupported: false }).promise;
	const pages: string[] = [];
	for (let i = 1; i <= doc.numPages; i++) {
		const content = await (await doc.getPage(i)).getTextContent();
		// Items carry their own spaces; a line end becomes a space.
		pages.push(
			content.items
				.map((item) => ('str' in item ? item.str + (item.hasEOL ? ' ' : '') : ''))
				.join('')
				.replace(/\s+/g, ' ')
		);
	}
	return pages;
}

/** Each row's unit (the row carries it) as the fixture names it: practice, office:X, provider:X/Y. */
async function unitKeys(table: Locator): Promise<string[]> {
	const units = await table
		.locator('tbody tr')
		.evaluateAll((trs) =>
			trs.map((tr) => JSON.parse(tr.getAttribute('data-unit')!) as [string, string, string])
		);
	return units.map(([level, office, provider]) =>
		level === 'practice'
			? 'practice'
			: level === 'office'
				? `office:${office}`
				: `provider:${office}/${provider}`
	);
}

test('the leadership page on the demo shows four offices, a funnel plot and flags in words', async ({
	page
}, testInfo) => {
	// Four funnel measures, an audit and a screenshot: about 45 s here, more on a busy machine.
	test.setTimeout(120_000);
	await openWithDemo(page);
	await expect(page.getByRole('heading', { level: 1, name: 'Office comparison' })).toBeVisible();

	// Four offices in every table, after the practice row.
	const volume = page.getByTestId('table-volume');
	for (const office of OFFICES) await expect(volume.getByTestId(`unit-office-${office}`)).toBeVisible();
	const rows = await cells(volume);
	expect(rows.filter((r) => OFFICES.includes(r[0]!)).length).toBe(4);
	expect(rows[0]![0]).toBe('All offices');

	// Published counts are never 1-10: either <11, a dash, 0 or at least 11.
	for (const row of rows) {
		for (const cell of [row[1], row[3], row[4]]) {
			expect(cell === '<11' || cell === '–' || /^(0|[1-9]\d+)$/.test(cell!), `${row[0]}: ${cell}`).toBe(true);
			if (/^\d+$/.test(cell!)) expect(Number(cell) === 0 || Number(cell) >= 11).toBe(true);
		}
	}
	// The demo's smallest provider (DR-MAY-3, 5 outcome patients) shows as <11.
	const may3 = rows.find((r) => r[0]!.endsWith('DR-MAY-3'))!;
	expect(may3[1]).toBe('<11');

	// The funnel plot, with one flag in words per office and the over-dispersion note.
	const funnel = page.getByTestId('funnel-chart');
	await expect(funnel.locator('svg[role="img"]')).toHaveAttribute('aria-label', /Funnel plot/);
	const flags = page.getByTestId('funnel-flags');
	for (const office of OFFICES) {
		await expect(flags.getByTestId(`flag-${office}`)).toHaveText(
			new RegExp(
				`^${office}: (Within the 95% limits|(Above|Below) the (upper|lower) (95|99\\.8)% limit|not plotted)`
			)
		);
	}
	// At 12 months Danville has 8 responders and is suppressed, Maysville with it (next smallest).
	await expect(flags.getByTestId('flag-Danville')).toContainText('suppressed');
	await expect(page.getByTestId('overdispersion-note')).toHaveText(
		/Over-dispersion is not estimated with fewer than 10 units \(here 4\)/
	);
	await expect(page.getByTestId('caterpillar-chart').locator('svg').first()).toBeVisible();

	// Mean pain change: Danville is shown, and above the upper 99.8% limit (less improvement).
	await page.getByTestId('funnel-metric').selectOption('pain_change');
	// The measure is in the address, so a copied link shows it (the next test opens such a link).
	await expect(page).toHaveURL(/\/offices\?funnel=pain_change$/);
	await expect(flags.getByTestId('flag-Danville')).toHaveText(
		'Danville: Above the upper 99.8% limit (worse than expected)'
	);
	await expect(page.getByTestId('funnel-chart').locator('figcaption')).toContainText(
		'pooled within-office SD'
	);

	// Case mix beside every comparison, and the threshold shown as a setting.
	for (const id of ['case-mix-funnel', 'case-mix-table', 'case-mix-trend']) {
		await expect(page.getByTestId(id)).toBeVisible();
	}
	await expect(page.getByTestId('suppression-threshold')).toHaveValue('11');
	await expect(page.getByTestId('report-header')).toContainText('Suppression threshold: 11');
	await expect(page.getByTestId('trend-chart').locator('svg').first()).toBeVisible();

	await page.screenshot({ path: testInfo.outputPath('offices.png'), fullPage: true });
	await audit(page);
	// Every id once, and no two landmarks of one name (a region is named by its heading's id).
	const ids = await page.evaluate(() => [...document.querySelectorAll('[id]')].map((e) => e.id));
	expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
	const regions = await page
		.locator('section[aria-labelledby], [role=region], aside[aria-label]')
		.evaluateAll((all) =>
			all.map(
				(e) =>
					e.getAttribute('aria-label') ??
					document.getElementById(e.getAttribute('aria-labelledby')!)?.textContent
			)
		);
	expect(regions.filter((name, i) => regions.indexOf(name) !== i)).toEqual([]);
});

test('an address with a funnel measure opens that measure once the data is loaded', async ({ page }) => {
	// As a link copied from the page above (its address after choosing "Mean pain change").
	await page.goto('/offices?funnel=pain_change');
	await page.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
	await expect(page.getByTestId('funnel-metric')).toHaveValue('pain_change', { timeout: 60_000 });
	await expect(page.getByTestId('funnel-flags').getByTestId('flag-Danville')).toHaveText(
		'Danville: Above the upper 99.8% limit (worse than expected)'
	);
	await expect(page).toHaveURL(/\/offices\?funnel=pain_change$/);
});

test('printing gives a paginated PDF with the header and every section, and no cut tables', async ({
	page
}, testInfo) => {
	await openWithDemo(page);
	// The button opens the browser's print dialog; record the call instead of opening one.
	await page.evaluate(() => {
		(window as unknown as { printed: number }).printed = 0;
		window.print = () => {
			(window as unknown as { printed: number }).printed++;
		};
	});
	await page.getByRole('button', { name: 'Print report' }).click();
	expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);

	await page.emulateMedia({ media: 'print' });
	// A4 less the page margins (210 - 2 x 12 mm = 186 mm = 703 px at 96 px/in): nothing may be wider.
	await page.setViewportSize({ width: 703, height: 1000 });
	const wide = await page.evaluate(() =>
		[...document.querySelectorAll('.offices-report table, .offices-report svg')]
			.filter((el) => el.getBoundingClientRect().width > 703.5 && (el as HTMLElement).offsetParent !== null)
			.map((el) => `${el.tagName} ${el.closest('[data-testid]')?.getAttribute('data-testid')}`)
	);
	expect(wide, 'tables or charts wider than the printed page').toEqual([]);
	expect(
		await page.evaluate(
			() => getComputedStyle(document.querySelector('.offices-report tbody tr')!).breakInside
		)
	).toBe('avoid');

	const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
	const path = testInfo.outputPath('offices.pdf');
	const { writeFileSync } = await import('node:fs');
	writeFileSync(path, pdf);
	const pages = await pdfPages(new Uint8Array(pdf));
	expect(pages.length, 'pages').toBeGreaterThan(3);
	const first = pages[0]!;
	expect(first).toContain('Office comparison');
	expect(first).toMatch(/Filters: no filters/);
	expect(first).toMatch(/Data version: [0-9a-f]{12}/);
	expect(first).toMatch(/Date: \d{4}-\d{2}-\d{2}/);
	expect(first).toMatch(/Suppression threshold: 11/);
	const all = pages.join('\n');
	for (const section of [
		'Funnel and caterpillar plots',
		'Funnel plot: Responder rate',
		'Caterpillar plot',
		'Over-dispersion is not estimated with fewer than 10 units',
		'Volume and follow-up at 12m',
		'Pain (0-10) and responders',
		'Oral opioids and intrathecal dose',
		'Explants and complications per 100 patient-years',
		'Trend: implant cohorts by year',
		'Case mix by office and provider'
	]) {
		expect(all, section).toContain(section);
	}
	// Screen-only controls stay off paper.
	for (const control of [
		'Clear filters',
		'patients match',
		'Print report',
		'Download table',
		'Show as table',
		'Download SVG',
		'Use demo data'
	]) {
		expect(all, control).not.toContain(control);
	}
	// The table heads repeat on a continuation page: every page that holds a provider row of the
	// volume table also holds its column heads.
	for (const text of pages.filter((p) => p.includes('DR-LEX-1') && p.includes('Implants per year'))) {
		expect(text).toContain('Patients');
	}
});

test('a small provider cannot be recovered from what the page shows', async ({ page }) => {
	await page.goto('/offices');
	const csv = fixtureCsv();
	await page
		.getByTestId('needs-data')
		.locator('input[type="file"]')
		.setInputFiles(
			Object.entries(csv).map(([name, text]) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) }))
		);
	await expect(page.getByTestId('table-volume')).toBeVisible({ timeout: 60_000 });

	// Read n (due) and k (responders) as shown, per unit (each row carries its unit).
	const volume = await cells(page.getByTestId('table-volume'));
	const pain = await cells(page.getByTestId('table-pain'));
	const keys = await unitKeys(page.getByTestId('table-volume'));
	const number = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) : null);
	const truth = fixtureCounts();
	const groups = [
		{ total: 'practice', members: [...truth.keys()].filter((k) => k.startsWith('office:')) },
		...[...truth.keys()]
			.filter((k) => k.startsWith('office:'))
			.map((o) => ({
				total: o,
				members: [...truth.keys()].filter((k) => k.startsWith(`provider:${o.slice(7)}/`))
			}))
	];
	for (const [name, read] of [
		['due', (i: number) => number(volume[i]![3])],
		['responders', (i: number) => number(pain[i]![4])]
	] as const) {
		const values = new Map<string, number | null>([...truth.keys()].map((k) => [k, null]));
		keys.forEach((k, i) => values.set(k, read(i)));
		expect(recoverable(values, groups), `${name} recoverable from the page`).toEqual([]);
	}
	// DR-A3 (6 patients) shows <11 and no responder count; DR-A2 is hidden beside it.
	const a3 = keys.indexOf('provider:Alpha/DR-A3');
	expect([volume[a3]![1], pain[a3]![4]]).toEqual(['<11', '–']);
	expect(pain[keys.indexOf('provider:Alpha/DR-A2')]![4]).toBe('–');

	// The export holds the same published cells.
	const download = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Download table (.csv)' }).click();
	const file = await (await download).path();
	const { readFileSync } = await import('node:fs');
	const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
	const [header, ...lines] = text
		.trim()
		.split('\r\n')
		.map((l) => l.split(','));
	const a3line = lines.find((l) => l[header!.indexOf('provider_id')] === 'DR-A3')!;
	expect([a3line[header!.indexOf('due_n')], a3line[header!.indexOf('responders30_k')]]).toEqual(['<11', '']);
	expect(lines.every((l) => l[header!.indexOf('suppression_threshold')] === '11')).toBe(true);

	// Choosing offices in the filter bar shows fewer rows, not smaller totals: "All offices" minus a
	// total over Alpha, Beta and Gamma would be Delta's hidden count.
	const before = new Map(keys.map((k, i) => [k, volume[i]!.join('|')]));
	const bar = page.getByTestId('filter-bar');
	await bar.locator('summary', { hasText: 'Office' }).click();
	for (const o of ['Alpha', 'Beta', 'Gamma'])
		await bar.getByRole('checkbox', { name: new RegExp(`^${o} \\(`) }).check();
	await expect(page).toHaveURL(/\/offices\?office=Alpha&office=Beta&office=Gamma$/);
	await expect(page.getByTestId('report-header')).toContainText(
		"no filters; showing office: Alpha, Beta, Gamma (All offices, the funnel's target and the suppression count every office)"
	);
	const table = page.getByTestId('table-volume');
	await expect(table.getByTestId('unit-office-Alpha')).toBeVisible();
	await expect(table.getByTestId('unit-office-Delta')).toHaveCount(0);
	const after = await cells(table);
	const afterKeys = await unitKeys(table);
	expect(afterKeys.some((k) => k.includes('Delta'))).toBe(false);
	expect(after.length).toBe(keys.filter((k) => !k.includes('Delta')).length);
	// Every row left is exactly as before, the practice row included.
	for (const [i, k] of afterKeys.entries()) expect(after[i]!.join('|'), k).toBe(before.get(k));
	await expect(page.getByTestId('funnel-flags').getByTestId('flag-Delta')).toHaveCount(0);
});
