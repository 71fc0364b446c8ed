import {
	DEMO_KINDS,
	demoPath,
	expect,
	expectedDemoN,
	fileRow,
	nPatients,
	painChart,
	readCsv,
	test
} from './fixtures';

test('the start page offers demo data and a CSV upload', async ({ page }) => {
	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1, name: 'Intrathecal pump outcomes' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Use demo data' })).toBeEnabled();
	const input = page.getByLabel('Choose CSV files');
	await expect(input).toHaveAttribute('type', 'file');
	await expect(input).toHaveAttribute('multiple', '');
	await expect(input).toHaveAttribute('accept', /\.csv/);
	await expect(page.getByRole('status')).toBeAttached();
});

test('a page asked for by its file name opens the page; an unknown address says so and links to the start', async ({
	page
}) => {
	// Static hosts serve the prerendered files under their own names too.
	await page.goto('/index.html');
	await expect(page.getByRole('button', { name: 'Use demo data' })).toBeEnabled();
	await page.goto('/dictionary.html');
	await expect(page.getByRole('heading', { level: 1, name: 'Data dictionary' })).toBeVisible();
	// The browser notes the 404 status of the page itself; the app adds nothing to the console.
	const logged: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error') logged.push(m.text());
	});
	await page.goto('/no-such-page');
	await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
	await expect(page.getByText('There is no page at /no-such-page.')).toBeVisible();
	expect(logged.filter((t) => !t.startsWith('Failed to load resource'))).toEqual([]);
	await page.getByRole('link', { name: 'Go to the start page' }).click();
	await expect(page.getByRole('button', { name: 'Use demo data' })).toBeEnabled();
});

test('the demo loads four files and the pain chart counts the outcome population', async ({ page }) => {
	const n = expectedDemoN();
	expect(n, 'patients the pain chart should count').toBeGreaterThan(0);

	await page.goto('/');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	const caption = await painChart(page);
	await expect(page).toHaveURL(/\/dashboard$/);
	await expect(caption).toHaveText(nPatients(n));

	const report = page.getByTestId('import-report');
	await expect(report.getByRole('heading', { name: 'Import report' })).toBeVisible();
	await expect(report.locator('[data-testid^="file-"]')).toHaveCount(DEMO_KINDS.length);
	for (const kind of DEMO_KINDS) {
		const row = await fileRow(page, kind);
		expect(row.file).toBe(`${kind}.csv`);
		expect(row.kind).toBe(kind);
		expect(row.read, `${kind}: read = loaded + rejected + skipped`).toBe(
			row.loaded + row.rejected + row.skipped
		);
		expect(row.read, `${kind}: data rows in data/demo/${kind}.csv`).toBe(readCsv(demoPath(kind)).length);
		expect(row.loaded, `${kind}: rows loaded`).toBeGreaterThan(0);
	}
});

test('"Show as table" reveals the pain chart as a table with one row per month', async ({ page }) => {
	const n = expectedDemoN();
	await page.goto('/');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	const chart = page.getByTestId('pain-chart');
	await expect(await painChart(page)).toHaveText(nPatients(n));

	const twin = page
		.getByRole('table')
		.filter({ has: page.getByRole('columnheader', { name: 'Month', exact: true }) });
	await expect(twin).toBeHidden();
	// The chart's own button when it sits in the figure, else the page's only one.
	const inChart = chart.getByRole('button', { name: 'Show as table' });
	const button = (await inChart.count()) > 0 ? inChart : page.getByRole('button', { name: 'Show as table' });
	await button.click();
	await expect(twin).toBeVisible();
	await expect(twin.getByRole('columnheader')).toHaveText([
		'Month',
		'Patients',
		'Mean',
		'Median',
		'Q1',
		'Q3'
	]);

	const rows = twin.locator('tbody tr');
	await expect(rows.first()).toBeVisible();
	const months: number[] = [];
	for (const cells of await rows.evaluateAll((trs) =>
		trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim()))
	)) {
		const [month, patients] = cells.map((c) => Number(c.replace('\u2212', '-')));
		expect(Number.isInteger(month) && month! >= -6 && month! <= 36, `month ${cells[0]}`).toBe(true);
		expect(Number.isInteger(patients) && patients! >= 1 && patients! <= n, `patients ${cells[1]}`).toBe(true);
		months.push(month!);
	}
	expect(new Set(months).size, 'one row per month').toBe(months.length);
});
