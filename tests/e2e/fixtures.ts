import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';

/**
 * Every test fails when the page sends a request off its origin (the app must work offline and
 * send no patient data anywhere) or throws an uncaught error.
 */
export const test = base.extend<{ offlineAndQuiet: void }>({
	offlineAndQuiet: [
		async ({ page, baseURL }, use) => {
			const origin = new URL(baseURL ?? 'http://127.0.0.1:4173').origin;
			const wsOrigin = origin.replace(/^http/, 'ws');
			const offOrigin: string[] = [];
			const errors: string[] = [];
			const local = (url: string) =>
				url.startsWith(origin + '/') || url === origin || url.startsWith('data:') || url.startsWith('blob:');
			// On the context, so requests of workers and popups are seen too.
			page.context().on('request', (request) => {
				if (!local(request.url())) offOrigin.push(`${request.method()} ${request.url()}`);
			});
			page.on('websocket', (ws) => {
				if (!ws.url().startsWith(wsOrigin + '/')) offOrigin.push(`WebSocket ${ws.url()}`);
			});
			// A thrown non-Error (a string, an event) arrives with an empty stack: say what it was.
			page.on('pageerror', (error) => errors.push(error.stack || String(error)));
			await use();
			expect(offOrigin, `requests that left ${origin}`).toEqual([]);
			expect(errors, 'uncaught errors in the page').toEqual([]);
		},
		{ auto: true }
	]
});

export { expect };

/** The WCAG 2 A/AA violations axe rates serious or critical on the page, each with its targets. */
export async function seriousViolations(page: Page): Promise<{ ids: string[]; details: string }> {
	// Violations only: axe then skips building a selector for every node that passes, about 15% of
	// an audit here (/offices 6.2 s instead of 7.3); the violations it reports are the same.
	const { violations } = await new AxeBuilder({ page })
		.options({ resultTypes: ['violations'] })
		.withTags(['wcag2a', 'wcag2aa'])
		.analyze();
	const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	const details = bad
		.map(
			(v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}`).join('\n')}`
		)
		.join('\n');
	return { ids: bad.map((v) => v.id), details };
}

/** Fails on any WCAG 2 A/AA violation axe rates serious or critical, naming each with its targets. */
export async function audit(page: Page): Promise<void> {
	const { ids, details } = await seriousViolations(page);
	expect(ids, `accessibility violations on ${page.url()}:\n${details}`).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// The demo data, read at test time, and expectations computed from it without the app's code.

export const DEMO_KINDS = ['patients', 'pain_scores', 'oral_opioids', 'pump_events'] as const;
export type Kind = (typeof DEMO_KINDS)[number];

export const demoPath = (kind: Kind): string =>
	fileURLToPath(new URL(`../../data/demo/${kind}.csv`, import.meta.url));

/** RFC 4180 records (quotes, doubled quotes, CRLF); blank lines are not records. */
export function parseCsv(text: string): string[][] {
	const records: string[][] = [];
	let record: string[] = [];
	let field = '';
	let quoted = false;
	const s = text.replace(/^\uFEFF/, '');
	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		if (quoted) {
			if (c === '"' && s[i + 1] === '"') field += s[++i];
			else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') {
			record.push(field);
			field = '';
		} else if (c === '\n' || c === '\r') {
			if (c === '\r' && s[i + 1] === '\n') i++;
			record.push(field);
			if (record.length > 1 || record[0] !== '') records.push(record);
			record = [];
			field = '';
		} else field += c;
	}
	record.push(field);
	if (record.length > 1 || record[0] !== '') records.push(record);
	return records;
}

/** The data rows of a CSV file as objects keyed by its header. */
export function readCsv(path: string): Record<string, string>[] {
	const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
	if (!header) throw new Error(`${path} has no header`);
	const names = header.map((h) => h.trim());
	return rows.map((row) => Object.fromEntries(names.map((name, i) => [name, (row[i] ?? '').trim()])));
}

function column(rows: Record<string, string>[], name: string, file: string): void {
	if (rows.length > 0 && !(name in rows[0]!)) throw new Error(`${file} has no column ${name}`);
}

/**
 * outcomes.md section 0: the outcome population is the implanted patients (non-empty
 * `implant_year`) whose diagnosis is not spasticity. The pain chart counts those of them with at
 * least one valid pain score (pain_avg 0-10) in months -6 to 36, month = floor(day / 30.4375).
 */
export function expectedPainChartN(
	patients: Record<string, string>[],
	pain: Record<string, string>[]
): number {
	column(patients, 'implant_year', 'patients.csv');
	column(patients, 'diagnosis', 'patients.csv');
	column(pain, 'day', 'pain_scores.csv');
	column(pain, 'pain_avg', 'pain_scores.csv');
	const population = new Set(
		patients.filter((p) => p.implant_year !== '' && p.diagnosis !== 'spasticity').map((p) => p.patient_id)
	);
	const counted = new Set<string>();
	for (const row of pain) {
		const day = Number(row.day);
		const score = Number(row.pain_avg);
		if (row.day === '' || !Number.isInteger(day)) continue;
		if (row.pain_avg === '' || !(score >= 0 && score <= 10)) continue;
		const month = Math.floor(day / 30.4375);
		if (month >= -6 && month <= 36 && population.has(row.patient_id!)) counted.add(row.patient_id!);
	}
	return counted.size;
}

/** The figcaption's expected `n` for the four demo files. */
export function expectedDemoN(): number {
	return expectedPainChartN(readCsv(demoPath('patients')), readCsv(demoPath('pain_scores')));
}

// ---------------------------------------------------------------------------------------------
// The dashboard, as the UI contract describes it.

export interface FileRow {
	file: string;
	kind: string;
	read: number;
	loaded: number;
	rejected: number;
	skipped: number;
}

function count(text: string | undefined, what: string): number {
	const t = (text ?? '').trim();
	if (!/^\d+$/.test(t)) throw new Error(`${what}: expected a plain integer, got "${t}"`);
	return Number(t);
}

const REPORT_COLUMNS = ['File', 'Kind', 'Read', 'Loaded', 'Rejected', 'Skipped'] as const;

/**
 * The import report's row for one file kind, its cells read by their column headers (File, Kind,
 * Read, Loaded, Rejected, Skipped, in that order; the report may add columns after them).
 */
export async function fileRow(page: Page, kind: Kind): Promise<FileRow> {
	const row = page.getByTestId('import-report').getByTestId(`file-${kind}`);
	await expect(row).toBeVisible();
	const headers = (await row.locator('xpath=ancestor::table[1]/thead//th').allInnerTexts()).map((h) =>
		h.trim()
	);
	expect(headers.slice(0, REPORT_COLUMNS.length), 'import report columns').toEqual([...REPORT_COLUMNS]);
	const cells = await row.locator('th, td').allInnerTexts();
	const [file, kindCell, read, loaded, rejected, skipped] = cells;
	return {
		file: (file ?? '').trim(),
		kind: (kindCell ?? '').trim(),
		read: count(read, `${kind} Read`),
		loaded: count(loaded, `${kind} Loaded`),
		rejected: count(rejected, `${kind} Rejected`),
		skipped: count(skipped, `${kind} Skipped`)
	};
}

/** Waits until Plot has drawn the pain chart; returns its caption. */
export async function painChart(page: Page) {
	const chart = page.getByTestId('pain-chart');
	// Loading starts DuckDB-wasm and imports four files: allow it most of the test's time.
	await expect(chart.locator('svg').first()).toBeVisible({ timeout: 45_000 });
	return chart.locator('figcaption').filter({ hasText: /n = \d+ patients/ });
}

/** The caption's `n = N patients`, as whole words (not the tail of `mean = N patients`). */
export const nPatients = (n: number): RegExp => new RegExp(`\\bn = ${n} patients\\b`);
