import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, painChart, test } from './fixtures';

/**
 * Case 35 of ../shared/docs/import-cases.md end to end: a 200 MB file under a 64 MB database
 * memory limit. Opt-in, because it takes minutes: `npm run test:large` sets IMPORT_LARGE=1; the
 * regular browser run defines no test here.
 */
const TARGET_BYTES = 200 * 1024 * 1024;

async function writeLargePain(file: string): Promise<number> {
	const out = createWriteStream(file);
	out.write('patient_id,day,pain_avg,pain_worst\n');
	let bytes = 0;
	let chunk = '';
	for (let i = 0; bytes < TARGET_BYTES; i++) {
		const line = `P${String(i % 400).padStart(6, '0')},${(i >> 4) - 200},${i % 11},${(i + 3) % 11}\n`;
		chunk += line;
		bytes += line.length;
		if (chunk.length > 1 << 20) {
			if (!out.write(chunk)) await once(out, 'drain');
			chunk = '';
		}
	}
	out.end(chunk);
	await once(out, 'finish');
	return bytes;
}

if (process.env.IMPORT_LARGE === '1') {
	test.describe('case 35: a file near the memory limit', () => {
		test.describe.configure({ mode: 'serial', timeout: 600_000 });
		let dir = '';
		let patients = '';
		let pain = '';

		test.beforeAll(async () => {
			dir = mkdtempSync(path.join(tmpdir(), 'import-large-'));
			patients = path.join(dir, 'patients.csv');
			pain = path.join(dir, 'pain_scores.csv');
			const rows = Array.from(
				{ length: 400 },
				(_, i) => `P${String(i).padStart(6, '0')},Lexington,fbss,2020`
			);
			writeFileSync(patients, `patient_id,office,diagnosis,implant_year\n${rows.join('\n')}\n`);
			expect(await writeLargePain(pain)).toBeGreaterThanOrEqual(TARGET_BYTES);
		});

		test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

		test('shows progress, refuses the file with a clear message, drops its rows, and the tab keeps working', async ({
			page
		}) => {
			await page.goto('/#memory_limit=64MB');
			await page.getByLabel('Choose CSV files').setInputFiles([patients, pain]);
			const progress = page.getByTestId('import-progress');
			await expect(progress).toBeVisible({ timeout: 60_000 });
			await expect(progress.getByRole('progressbar')).toBeVisible();
			const started = Date.now();
			await expect(progress).toContainText(/pain_scores\.csv/, { timeout: 120_000 });
			// Bytes and rows while the big file is checked.
			await expect(progress).toContainText(/pain_scores\.csv .*MB of .*MB, [\d,]+ rows/, {
				timeout: 120_000
			});
			const refused = page.getByTestId('refused');
			await expect(refused).toContainText(
				'pain_scores.csv is too large for the memory this browser tab can give the database; nothing of it was loaded',
				{ timeout: 480_000 }
			);
			// For the note: what the user saw, and when.
			console.log(
				`[case 35] after ${((Date.now() - started) / 1000).toFixed(1)} s: ${await refused.innerText()}`
			);
			await expect(page.getByTestId('file-patients')).toBeVisible();
			await expect(page.getByTestId('file-pain_scores')).toHaveCount(0);

			// The tab is alive, without a reload: the demo still loads and charts.
			await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Load data' }).click();
			await page.getByRole('button', { name: 'Use demo data' }).click();
			await painChart(page);
		});

		test('cancel stops the import and leaves nothing loaded', async ({ page }) => {
			await page.goto('/');
			await page.getByLabel('Choose CSV files').setInputFiles([patients, pain]);
			const progress = page.getByTestId('import-progress');
			await expect(progress).toContainText(/pain_scores\.csv/, { timeout: 120_000 });
			await progress.getByRole('button', { name: 'Cancel import' }).click();
			await expect(page.getByRole('status')).toHaveText('Import cancelled; nothing was loaded.', {
				timeout: 60_000
			});
			await expect(progress).toHaveCount(0);
			await expect(page).toHaveURL(/\/$/);
		});
	});
}
