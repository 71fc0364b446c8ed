import { audit, demoPath, expect, readCsv, test } from './fixtures';
import type { Page } from '@playwright/test';

// ---------------------------------------------------------------------------------------------
// outcomes.md sections 0 and 3, from the demo CSV files, in plain TypeScript (no app code).

type Row = Record<string, string>;

/** CDC 2022 factors; buprenorphine and `other` have none. */
const FACTORS_2022: Record<string, number> = {
	codeine: 0.15,
	fentanyl_transdermal: 2.4,
	hydrocodone: 1,
	hydromorphone: 5,
	methadone: 4.7,
	morphine: 1,
	oxycodone: 1.5,
	oxymorphone: 3,
	tapentadol: 0.4,
	tramadol: 0.2
};

interface Rx {
	from: number;
	to: number;
	counted: boolean;
	/** MME/day before rounding (CDC 2022); 0 when excluded. */
	mme: number;
}

const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));

function prescriptions(rows: Row[]): Map<string, Rx[]> {
	const byPatient = new Map<string, Rx[]>();
	for (const r of rows) {
		const from = num(r.start_day)!;
		const to = num(r.end_day) ?? from + num(r.days_supply)! - 1;
		const quantity = num(r.quantity);
		const supply = num(r.days_supply);
		const perDay =
			quantity !== null && supply !== null
				? r.drug === 'fentanyl_transdermal'
					? (quantity * 3) / supply
					: quantity / supply
				: num(r.units_per_day)!;
		const factor = FACTORS_2022[r.drug!];
		const counted = r.indication !== 'oud' && factor !== undefined;
		const rx = { from, to, counted, mme: counted ? num(r.strength)! * perDay * factor! : 0 };
		byPatient.set(r.patient_id!, [...(byPatient.get(r.patient_id!) ?? []), rx]);
	}
	return byPatient;
}

function outcomePopulation(patients: Row[]): Row[] {
	return patients.filter((p) => p.implant_year !== '' && p.diagnosis !== 'spasticity');
}

/** Observed MME days: first prescription day to follow-up end (else the last covered day). */
function observed(p: Row, rx: Rx[]): { first: number; last: number } {
	const first = Math.min(...rx.map((r) => r.from));
	const last = num(p.followup_end_day) ?? Math.max(...rx.map((r) => r.to));
	return { first, last };
}

/** Kaplan-Meier population: MME > 0 (0.1 after rounding) on some observed day of [-30, -1]. */
function expectedKmN(): number {
	const rxs = prescriptions(readCsv(demoPath('oral_opioids')));
	return outcomePopulation(readCsv(demoPath('patients'))).filter((p) => {
		const rx = rxs.get(p.patient_id!);
		if (!rx) return false;
		const { first, last } = observed(p, rx);
		for (let d = -30; d <= -1; d++) {
			if (d < first || d > last) continue;
			if (rx.some((r) => r.counted && r.from <= d && d <= r.to && r.mme >= 0.05)) return true;
		}
		return false;
	}).length;
}

/** Baseline MME n: some observed day of [-180, -91] whose MME is known (not excluded-only). */
function expectedBaselineN(): number {
	const rxs = prescriptions(readCsv(demoPath('oral_opioids')));
	return outcomePopulation(readCsv(demoPath('patients'))).filter((p) => {
		const rx = rxs.get(p.patient_id!);
		if (!rx) return false;
		const { first, last } = observed(p, rx);
		for (let d = Math.max(-180, first); d <= Math.min(-91, last); d++) {
			const covering = rx.filter((r) => r.from <= d && d <= r.to);
			if (covering.length === 0 || covering.some((r) => r.counted)) return true;
		}
		return false;
	}).length;
}

// ---------------------------------------------------------------------------------------------

async function openWithDemo(page: Page, path: string) {
	await page.goto(path);
	await expect(page.getByRole('heading', { level: 1, name: 'Oral opioids' })).toBeVisible();
	await page.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
	// Loading starts DuckDB-wasm and imports four files: allow it most of the test's time.
	await expect(page.getByTestId('km-chart').locator('svg').first()).toBeVisible({ timeout: 45_000 });
}

test('the opioids page draws the Kaplan-Meier curve for the population outcomes.md defines', async ({
	page
}) => {
	const kmN = expectedKmN();
	const baselineN = expectedBaselineN();
	expect(kmN, 'patients on oral opioids in the month before implant').toBeGreaterThan(50);
	expect(baselineN).toBeGreaterThan(50);

	await openWithDemo(page, '/opioids');
	const km = page.getByTestId('km-chart');
	await expect(km.locator('figcaption')).toContainText(`for n = ${kmN} patients`);
	await expect(km.locator('figcaption')).toContainText(
		'Death and explant are treated as non-informative censoring.'
	);
	await expect(km.locator('svg').first()).toContainText('At risk');
	await expect(km.locator('svg').first()).toContainText(String(kmN));
	await expect(page.getByTestId('km-summary')).toContainText(`n = ${kmN} patients`);
	await expect(page.getByTestId('mme-baseline-n')).toHaveText(`n = ${baselineN}`);

	// Every number names its factor table; exclusions are listed with their counts.
	await expect(page.getByText('CDC 2022 factors', { exact: false }).first()).toBeVisible();
	await expect(page.getByTestId('mme-window-chart').locator('figcaption')).toContainText('CDC 2022 factors');
	await expect(page.getByTestId('mme-exclusions').getByRole('listitem').first()).toContainText(
		/\d+ prescriptions? excluded from MME: opioid use disorder treatment/
	);
	await expect(page.getByTestId('mme-reduction-chart').locator('svg').first()).toBeVisible();
	await expect(page.getByTestId('opioid-free-chart').locator('svg').first()).toBeVisible();

	const timing = await page.getByTestId('opioids-timing').innerText();
	test.info().annotations.push({ type: 'timing', description: `/opioids on the demo: ${timing}` });
	// For a reviewer's eye: the whole page as drawn, in this test's output folder.
	await page.screenshot({ path: test.info().outputPath('opioids.png'), fullPage: true });
	await audit(page);
});

test('a link asking for CDC 2016 factors rebuilds the MME tables and labels every chart so', async ({
	page
}) => {
	await openWithDemo(page, '/opioids?mme=cdc2016');
	for (const id of ['km-chart', 'mme-window-chart', 'opioid-free-chart', 'mme-reduction-chart']) {
		await expect(page.getByTestId(id).locator('figcaption')).toContainText('CDC 2016 factors');
	}
	await expect(page.getByTestId('mme-window-chart').locator('figcaption')).not.toContainText('CDC 2022');
	// The KM population needs MME > 0, which no factor change turns to 0.
	await expect(page.getByTestId('km-chart').locator('figcaption')).toContainText(
		`for n = ${expectedKmN()} patients`
	);
});

test('the KM chart has a table twin, one row per distinct time', async ({ page }) => {
	await openWithDemo(page, '/opioids');
	const km = page.getByTestId('km-chart');
	await km.getByRole('button', { name: 'Show as table' }).click();
	const table = km.getByRole('table');
	await expect(table.getByRole('columnheader')).toHaveText([
		'Day',
		'Month',
		'At risk',
		'Events',
		'Censored',
		'Opioid-free (%)',
		'95% CI low',
		'95% CI high'
	]);
	const first = await table.locator('tbody tr').first().locator('td').allInnerTexts();
	expect(first.slice(0, 3)).toEqual(['0', '0.0', String(expectedKmN())]);
});
