import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Download, Page } from '@playwright/test';
import { DEMO_KINDS, demoPath, expect, test } from './fixtures';

/**
 * Issue 4: the app and the command-line report give identical numbers for the same files and
 * filters. The dashboard's "Download report (JSON)" builds the document in the browser
 * (duckdb-wasm in a worker); `npm run report` builds it in Node (duckdb-wasm's Node build). Both
 * from data/demo, no filters, the same code (src/lib/report).
 *
 * No field is left out: the document holds no timestamp, no path (file names only) and no engine
 * name. Should one be added, list it here with the reason.
 *
 * What may differ, and only that: the last bits of numbers computed in JavaScript with
 * transcendental functions (Kaplan-Meier log-log intervals, funnel limits through the incomplete
 * beta, the Wilcoxon p from the normal approximation; 34 numbers on the demo): Math.exp, Math.log and Math.pow are not correctly rounded, and Chromium's V8 and Node's
 * differ in places. So counts, strings, nulls and booleans must be equal, and every other number
 * equal to within 1e-12 of its size; and only numbers JavaScript computes may differ at all (the
 * first test checks it): what DuckDB computes (the same wasm) comes out bit for bit the same.
 */
const LEGITIMATELY_DIFFERENT: string[] = [];
const RELATIVE_TOLERANCE = 1e-12;
/** Numbers JavaScript computes from DuckDB's counts and moments: intervals, limits, tests, KM. */
const COMPUTED_IN_JAVASCRIPT =
	/(ci\[[01]\]|\.(lo|hi|cum_free|target|rate|statistic|z|p)|limits(95|998)\[[01]\])$/;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEMO_DIR = path.join(ROOT, 'data/demo');
const exec = promisify(execFile);

async function cli(...args: string[]): Promise<unknown> {
	const { stdout } = await exec(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/report.ts', ...args], {
		cwd: ROOT,
		maxBuffer: 64 * 1024 * 1024
	});
	return JSON.parse(stdout);
}

/** The document without the listed fields (dotted paths). */
function without(doc: unknown, fields: readonly string[]): unknown {
	const copy = structuredClone(doc) as Record<string, unknown>;
	for (const field of fields) {
		const keys = field.split('.');
		let at: Record<string, unknown> | undefined = copy;
		for (const k of keys.slice(0, -1)) at = at?.[k] as Record<string, unknown> | undefined;
		if (at) delete at[keys.at(-1)!];
	}
	return copy;
}

interface Difference {
	path: string;
	app: unknown;
	cli: unknown;
}

/** Where two documents differ: `beyond` the tolerance (or in kind), and `lastBits` within it. */
function compare(
	app: unknown,
	cli: unknown,
	path = '',
	out = { beyond: [] as Difference[], lastBits: [] as Difference[] }
) {
	if (typeof app === 'number' && typeof cli === 'number') {
		if (app === cli) return out;
		const close =
			!(Number.isInteger(app) && Number.isInteger(cli)) &&
			Math.abs(app - cli) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(app), Math.abs(cli));
		(close ? out.lastBits : out.beyond).push({ path, app, cli });
	} else if (Array.isArray(app) && Array.isArray(cli) && app.length === cli.length) {
		app.forEach((x, i) => compare(x, cli[i], `${path}[${i}]`, out));
	} else if (
		app &&
		cli &&
		typeof app === 'object' &&
		typeof cli === 'object' &&
		!Array.isArray(app) &&
		!Array.isArray(cli)
	) {
		const keys = new Set([...Object.keys(app), ...Object.keys(cli)]);
		for (const k of keys) {
			compare(
				(app as Record<string, unknown>)[k],
				(cli as Record<string, unknown>)[k],
				path ? `${path}.${k}` : k,
				out
			);
		}
	} else if (app !== cli) out.beyond.push({ path, app, cli });
	return out;
}

/** The app's document equals the command line's, field for field (see the header for numbers). */
function expectSameReport(app: unknown, cli: unknown): Difference[] {
	const { beyond, lastBits } = compare(
		without(app, LEGITIMATELY_DIFFERENT),
		without(cli, LEGITIMATELY_DIFFERENT)
	);
	expect(beyond, 'fields where the app and the command line differ').toEqual([]);
	return lastBits;
}

async function readJson(download: Download): Promise<unknown> {
	return JSON.parse(readFileSync((await download.path())!, 'utf8'));
}

async function downloadReport(page: Page, suppress: boolean): Promise<{ name: string; doc: unknown }> {
	const section = page.getByTestId('report-download');
	await section.getByRole('checkbox', { name: /Suppress small cells/ }).setChecked(suppress);
	const [download] = await Promise.all([
		page.waitForEvent('download', { timeout: 60_000 }),
		section.getByRole('button', { name: 'Download report (JSON)' }).click()
	]);
	return { name: download.suggestedFilename(), doc: await readJson(download) };
}

async function dashboardReady(page: Page) {
	await expect(page).toHaveURL(/\/dashboard/, { timeout: 45_000 });
	await expect(page.getByTestId('report-download')).toBeVisible({ timeout: 45_000 });
	await expect(page.getByTestId('report-download')).toContainText('now: no filters');
}

// One worker runs the file, so the command-line reports are computed once.
test.describe.configure({ mode: 'serial' });

let exact: Record<string, unknown>;
let suppressed: Record<string, unknown>;

test.beforeAll(async () => {
	test.setTimeout(240_000);
	[exact, suppressed] = (await Promise.all([
		cli(DEMO_DIR, '--json'),
		cli(DEMO_DIR, '--json', '--suppress')
	])) as [Record<string, unknown>, Record<string, unknown>];
});

test('the demo button: the downloaded JSON equals the command-line report, exact and --suppress', async ({
	page
}) => {
	test.setTimeout(180_000);
	await page.goto('/');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	await dashboardReady(page);

	const plain = await downloadReport(page, false);
	expect(plain.name).toBe('report.json');
	const lastBits = expectSameReport(plain.doc, exact);
	// Only numbers computed in JavaScript may differ in their last bits, never a count or a number
	// DuckDB computed (means, SDs, quantiles: the same wasm in both).
	expect(lastBits.filter((d) => !COMPUTED_IN_JAVASCRIPT.test(d.path))).toEqual([]);
	console.log(
		`${lastBits.length} numbers differ in their last bits: ${[...new Set(lastBits.map((d) => d.path.replace(/\[\d+\]/g, '[]')))].join(', ')}`
	);

	const small = await downloadReport(page, true);
	expect(small.name).toBe('report-suppressed.json');
	expectSameReport(small.doc, suppressed);
	// The two documents differ where they should: the demo has small cells outside `offices`.
	expect(suppressed).not.toEqual(exact);
	expect(suppressed).toMatchObject({ settings: { suppressed: 'all' } });
});

test('uploading the demo CSV files: the downloaded JSON equals the command-line report', async ({ page }) => {
	test.setTimeout(180_000);
	await page.goto('/');
	await page.getByLabel('Choose CSV files').setInputFiles(DEMO_KINDS.map(demoPath));
	await dashboardReady(page);
	const plain = await downloadReport(page, false);
	expectSameReport(plain.doc, exact);
});

/** Half away from zero at `digits` decimals (outcomes.md section 0), written apart from the app's. */
function rounded(x: number, digits = 1): string {
	const f = 10 ** digits;
	return ((Math.sign(x) * Math.round(Math.abs(x) * f + 1e-9)) / f).toFixed(digits);
}

interface Proportion {
	n: number;
	k: number;
	rate: number;
	ci: [number, number];
	excluded: number;
}
interface PainWindow {
	label: string;
	due: number;
	n: number;
	mean: number;
	mean_ci: [number, number];
	sd: number;
	median: number;
	q1: number;
	q3: number;
	n_change: number;
	mean_change: number;
	n_pct: number;
	responders30: { completers: Proportion; all_implanted: Proportion };
	responders50: { completers: Proportion; all_implanted: Proportion };
	responders2pt: { completers: Proportion; all_implanted: Proportion };
}

test('the pain page shows the JSON’s 12-month numbers at display rounding', async ({ page }) => {
	test.setTimeout(120_000);
	const w12 = (exact as { pain: { pain_avg: { windows: PainWindow[] } } }).pain.pain_avg.windows.find(
		(w) => w.label === '12m'
	)!;
	await page.goto('/');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	await expect(page).toHaveURL(/\/dashboard/, { timeout: 45_000 });
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pain' }).click();

	// The window table: counts as integers, the mean with its interval, SD, median (IQR), change.
	const row = page.getByTestId('pain-avg-12m');
	await expect(row.locator('[data-col="n"]')).toHaveText(String(w12.n), { timeout: 30_000 });
	const cells = await row.locator('td').allInnerTexts();
	expect(cells.slice(0, 7).map((c) => c.trim())).toEqual([
		String(w12.due),
		String(w12.n),
		`${rounded(w12.mean)} (${rounded(w12.mean_ci[0])} to ${rounded(w12.mean_ci[1])})`,
		rounded(w12.sd),
		`${rounded(w12.median)} (${rounded(w12.q1)}-${rounded(w12.q3)})`,
		String(w12.n_change),
		rounded(w12.mean_change)
	]);

	// The responders chart's table twin (the chart uses the 12-month window by default).
	const figure = page.getByTestId('pain-responders');
	await figure.getByRole('button', { name: 'Show as table' }).click();
	const twin = figure.locator('table');
	const rows = await twin
		.locator('tbody tr')
		.evaluateAll((trs) =>
			trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? ''))
		);
	const labels = {
		responders30: '≥30% reduction',
		responders50: '≥50% reduction',
		responders2pt: '≥2-point reduction'
	};
	const expected = (Object.keys(labels) as (keyof typeof labels)[]).flatMap((rule) =>
		(['completers', 'all_implanted'] as const).map((den) => {
			const p = w12[rule][den];
			return [
				labels[rule],
				den === 'completers' ? 'completers' : 'all implanted',
				String(p.k),
				String(p.n),
				rounded(100 * p.rate),
				rounded(100 * p.ci[0]),
				rounded(100 * p.ci[1]),
				String(p.excluded)
			];
		})
	);
	expect(rows).toEqual(expected);
});
