import { audit, demoPath, expect, readCsv, test } from './fixtures';

/**
 * outcomes.md sections 0 and 4, from the demo CSV files in plain TypeScript: outcome-population
 * patients with an IT morphine dose in effect on day `target`. The dose on day t is set by the last
 * implant / refill / dose_change row for the drug with day <= t; it is undefined after explant or
 * follow-up end (without either, after the patient's last pump event).
 */
function expectedOnMorphine(target: number): number {
	const patients = readCsv(demoPath('patients'));
	const events = readCsv(demoPath('pump_events'));
	const population = new Set(
		patients.filter((p) => p.implant_year !== '' && p.diagnosis !== 'spasticity').map((p) => p.patient_id)
	);
	const followupEnd = new Map(
		patients.map((p) => [p.patient_id, p.followup_end_day === '' ? null : Number(p.followup_end_day)])
	);
	const byPatient = new Map<string, Record<string, string>[]>();
	for (const e of events) byPatient.set(e.patient_id!, [...(byPatient.get(e.patient_id!) ?? []), e]);
	let n = 0;
	for (const [id, rows] of byPatient) {
		if (!population.has(id)) continue;
		const explants = rows.filter((r) => r.event === 'explant').map((r) => Number(r.day));
		const explant = explants.length ? Math.min(...explants) : null;
		const fe = followupEnd.get(id) ?? null;
		const end =
			explant !== null && explant <= (fe ?? explant)
				? explant
				: fe !== null
					? fe
					: Math.max(...rows.map((r) => Number(r.day)));
		const dosed = rows.some(
			(r) =>
				['implant', 'refill', 'dose_change'].includes(r.event!) &&
				r.drug === 'morphine' &&
				r.daily_dose !== '' &&
				Number(r.day) <= target
		);
		if (dosed && end >= target) n++;
	}
	return n;
}

test('the pump page shows the dose trend and the patients on IT morphine at 12 months', async ({ page }) => {
	const at12 = expectedOnMorphine(365);
	expect(at12, 'patients on IT morphine on day 365').toBeGreaterThan(20);

	await page.goto('/pump');
	await expect(page.getByRole('heading', { level: 1, name: 'Intrathecal dose' })).toBeVisible();
	await page.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
	const trend = page.getByTestId('it-trend-morphine_eq');
	await expect(trend.locator('svg').first()).toBeVisible({ timeout: 45_000 });
	await expect(trend.locator('figcaption')).toContainText('hydromorphone × 5');
	await expect(page.getByTestId('it-trend-morphine').locator('svg').first()).toBeVisible();

	await expect(page.getByTestId('it-dose-n-morphine-12m')).toHaveText(`n = ${at12}`);
	await expect(page.getByTestId('it-escalation-mg-chart').locator('svg').first()).toBeVisible();
	await expect(page.getByTestId('it-dose-warnings').getByRole('listitem').first()).toContainText(
		/\d+ doses?: morphine above 15 mg\/day/
	);

	// The total opioid load is off until asked for, then its own labelled series.
	await expect(page.getByTestId('opioid-load-chart')).toHaveCount(0);
	await page.getByLabel('Show the total opioid load assumption').check();
	const load = page.getByTestId('opioid-load-chart');
	await expect(load.locator('svg').first()).toBeVisible({ timeout: 20_000 });
	await expect(load.locator('figcaption')).toContainText(
		'Assumption: 1 mg/day of IT morphine counted as 300 MME/day'
	);

	const timing = await page.getByTestId('pump-timing').innerText();
	test.info().annotations.push({ type: 'timing', description: `/pump on the demo: ${timing}` });
	// For a reviewer's eye: the whole page as drawn, in this test's output folder.
	await page.screenshot({ path: test.info().outputPath('pump.png'), fullPage: true });
	await audit(page);
});
