import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, painChart, test } from './fixtures';

/**
 * Issue 7's 5M cohort, in small: the first tables fit in the database's memory, the pain windows,
 * IT dose and MME tables (built after the first chart, db/later.ts) do not. The data and the
 * dashboard stay; the views that need the missing tables say why; the next load that fits clears
 * the notice. A generated 100k-pain-row cohort under a 110 MB database limit: the whole load fits
 * from about 100 MB, the later tables from about 150 MB (measured with this engine build, which
 * always runs single-threaded here).
 */
const FILES = ['patients', 'pain_scores', 'oral_opioids', 'pump_events'] as const;

test.describe('later tables that do not fit', () => {
	test.describe.configure({ timeout: 120_000 });
	let dir = '';

	test.beforeAll(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'memory-later-'));
		execFileSync(
			'npx',
			['tsx', 'scripts/generate.ts', '--seed', '1', '--pain-rows', '100000', '--out', dir],
			{
				stdio: 'ignore'
			}
		);
	});

	test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

	test('keep the data and the dashboard, and say which views need more memory', async ({ page }) => {
		const rows = FILES.reduce(
			(s, f) =>
				s +
				readFileSync(path.join(dir, `${f}.csv`), 'utf8')
					.trimEnd()
					.split('\n').length -
				1,
			0
		);
		await page.goto('/#memory_limit=110MB');
		await page.getByLabel('Choose CSV files').setInputFiles(FILES.map((f) => path.join(dir, `${f}.csv`)));
		const notice = page.getByTestId('memory-notice');
		await page.getByRole('link', { name: 'Dashboard' }).click();
		await painChart(page);
		// Every row was loaded (nothing refused), and the notice counts them.
		await expect(notice).toContainText(`The ${rows.toLocaleString('en-US')} rows loaded are more than`, {
			timeout: 60_000
		});
		await expect(notice).toContainText('npm run report');
		await expect(page.getByRole('alert')).toHaveCount(0);
		await painChart(page);

		// A view on the missing tables says why, in the same words.
		await page.getByRole('link', { name: 'Pump' }).click();
		await expect(notice).toBeVisible();
		await expect(page.getByRole('alert').first()).toContainText('more than this browser tab can give');

		// The next load that fits builds them all: the notice goes, the pump charts come.
		await page.getByRole('link', { name: 'Load data' }).click();
		await page.getByRole('button', { name: 'Use demo data' }).click();
		// The start page opens the dashboard once the demo is loaded.
		await expect(page.getByText('Showing the synthetic demo cohort.')).toBeVisible({ timeout: 60_000 });
		await page.getByRole('link', { name: 'Pump' }).click();
		await expect(page.getByTestId('pump-timing')).toBeVisible({ timeout: 60_000 });
		await expect(notice).toHaveCount(0);
		await expect(page.getByRole('alert')).toHaveCount(0);
	});
});
