import { describe, expect, test } from 'vitest';
import {
	escalationBins,
	itDoseEscalation,
	itDoseTrend,
	opioidLoadTrend,
	type ItDoseEscalationContext
} from '../../src/lib/charts';
import type { ItDoseEscalation, ItDoseMonth, OpioidLoadMonth } from '../../src/lib/sql';
import { expectSnapshot, renderSvg } from './chart-svg';

const FILTERS = 'diagnosis: crps';

const MONTHS: ItDoseMonth[] = [
	{ series: 'morphine_eq', unit: 'mg/day', month: 0, n: 5, median: 1.005, q1: 0.5, q3: 2 },
	{ series: 'morphine_eq', unit: 'mg/day', month: 1, n: 5, median: 1.2, q1: 0.6, q3: 2.2 },
	{ series: 'morphine_eq', unit: 'mg/day', month: 12, n: 3, median: 2.5, q1: 1.25, q3: 3.125 },
	{ series: 'morphine', unit: 'mg/day', month: 0, n: 4, median: 1, q1: 0.5, q3: 2 },
	{ series: 'ziconotide', unit: 'mcg/day', month: 0, n: 2, median: 2.4, q1: 1.8, q3: 3 },
	{ series: 'ziconotide', unit: 'mcg/day', month: 3, n: 1, median: 3.6, q1: 3.6, q3: 3.6 }
];

describe('itDoseTrend', () => {
	test('charts one series in its own unit and describes its milestone months', () => {
		const spec = itDoseTrend(MONTHS, 'ziconotide', { filters: FILTERS, hydromorphoneFactor: 5 });
		expect(spec.title).toBe('IT ziconotide (mcg/day) by month from implant');
		expect(spec.ariaDescription).toBe(
			"Step chart of the cohort's IT ziconotide in mcg/day by month from implant. " +
				'month 0: median 2.40 (IQR 1.80 to 3.00), n = 2; month 3: median 3.60 (IQR 3.60 to 3.60), n = 1.'
		);
		expect(spec.table.rows.map((r) => [r.series, r.month, r.n])).toEqual([
			['ziconotide', 0, 2],
			['ziconotide', 3, 1]
		]);
		expect(spec.table.columns.map((c) => c.label)).toEqual([
			'Month',
			'Patients',
			'Median (mcg/day)',
			'Q1',
			'Q3'
		]);
		expect(spec.caption).toContain('n = 2 patients at month 0');
		expect(spec.caption).toMatch(/Filters: diagnosis: crps\.$/);
	});

	test('names the hydromorphone factor on the morphine-equivalent chart', () => {
		const spec = itDoseTrend(MONTHS, 'morphine_eq', { filters: FILTERS, hydromorphoneFactor: 4.5 });
		expect(spec.caption).toMatch(/^IT morphine-equivalent = morphine \+ hydromorphone × 4\.5 \(mg\/day\)/);
		// 1.005 -> 1.01 (half away from zero, guarded against 1.00499999...).
		expect(spec.ariaDescription).toBe(
			"Step chart of the cohort's IT morphine-equivalent in mg/day by month from implant. " +
				'month 0: median 1.01 (IQR 0.50 to 2.00), n = 5; month 12: median 2.50 (IQR 1.25 to 3.13), n = 3.'
		);
		expect(spec.table.rows).toHaveLength(3);
	});

	test('renders as committed (tests/charts/it-dose-trend.svg)', () => {
		expectSnapshot(
			'it-dose-trend',
			renderSvg(itDoseTrend(MONTHS, 'morphine_eq', { filters: FILTERS, hydromorphoneFactor: 5 }))
		);
	});
});

describe('escalationBins', () => {
	test('bins the central 96% in round steps and keeps the tail in an open bin', () => {
		// 0..49 and one outlier at 1000: 2nd percentile 1, 98th 49 (R type 7 on 51 values); 48 / 20 = 2.4
		// -> step 2.5 from 0 to 50. Nothing is below 0, so there is no lower open bin.
		const values = [...Array.from({ length: 50 }, (_, i) => i), 1000];
		const bins = escalationBins(values);
		expect(bins).toHaveLength(21);
		expect(bins[0]).toEqual({ bin: '0.0 to 2.5', x1: 0, x2: 2.5, patients: 3 });
		expect(bins[1]).toEqual({ bin: '2.5 to 5.0', x1: 2.5, x2: 5, patients: 2 });
		expect(bins[19]).toMatchObject({ bin: '47.5 to 50.0', patients: 2 });
		expect(bins[20]).toMatchObject({ bin: 'above 50.0', patients: 1 });
		expect(bins.reduce((s, b) => s + b.patients, 0)).toBe(51);
	});

	test('a value on the upper edge stays in the last closed bin; none gives no bins', () => {
		const bins = escalationBins([0, 1, 2]);
		expect(bins.reduce((s, b) => s + b.patients, 0)).toBe(3);
		expect(bins.at(-1)!.bin.startsWith('above')).toBe(false);
		expect(escalationBins([])).toEqual([]);
	});
});

const SLOPES: ItDoseEscalation[] = [
	{ patient_id: 'A', days: 400, per_year: -0.5, pct_per_year: -20 },
	{ patient_id: 'B', days: 400, per_year: 0, pct_per_year: 0 },
	{ patient_id: 'C', days: 400, per_year: 0.25, pct_per_year: 10 },
	{ patient_id: 'D', days: 400, per_year: 1, pct_per_year: null },
	{ patient_id: 'E', days: 400, per_year: 1.5, pct_per_year: 40 }
];
const CTX: ItDoseEscalationContext = {
	filters: FILTERS,
	hydromorphoneFactor: 5,
	// % per year of A, B, C, E: -20, 0, 10, 40: median 5, q1 -20 + 0.75 x 20 = -5, q3 10 + 0.25 x 30 = 17.5.
	summary: {
		n: 5,
		median_per_year: 0.25,
		q1: 0,
		q3: 1,
		median_pct_per_year: 5,
		q1_pct_per_year: -5,
		q3_pct_per_year: 17.5
	}
};

describe('itDoseEscalation', () => {
	test('mg/day per year: states the summary given and counts rising, falling and unchanged', () => {
		const spec = itDoseEscalation(SLOPES, 'per_year', CTX);
		expect(spec.ariaDescription).toMatch(
			/^Histogram of IT morphine-equivalent escalation in mg\/day per year for 5 patients: median 0\.25 mg\/day per year \(IQR 0\.00 to 1\.00\); 3 rising, 1 falling, 1 unchanged\. Patients per bin: /
		);
		expect(spec.table.rows.reduce((s, b) => s + b.patients, 0)).toBe(5);
		expect(spec.caption).toContain('n = 5 patients');
		expect(spec.caption).toContain('hydromorphone × 5');
	});

	test('% per year leaves out the patient whose log dose does not exist', () => {
		const spec = itDoseEscalation(SLOPES, 'pct_per_year', CTX);
		expect(spec.ariaDescription).toMatch(
			/for 4 patients: median 5\.0% per year \(IQR -5\.0 to 17\.5\); 2 rising, 1 falling, 1 unchanged\./
		);
		expect(spec.table.rows.reduce((s, b) => s + b.patients, 0)).toBe(4);
		expect(spec.id).toBe('it-escalation-pct');
	});

	test('renders as committed (tests/charts/it-escalation.svg)', () => {
		expectSnapshot('it-escalation', renderSvg(itDoseEscalation(SLOPES, 'per_year', CTX)));
	});
});

const LOAD: OpioidLoadMonth[] = [
	{ month: 0, n: 3, median: 330, q1: 315, q3: 398.25 },
	{ month: 1, n: 3, median: 460, q1: 380, q3: 492.5 },
	{ month: 3, n: 1, median: 600, q1: 600, q3: 600 }
];

describe('opioidLoadTrend', () => {
	const spec = opioidLoadTrend(LOAD, {
		filters: FILTERS,
		factors: 'cdc2016',
		hydromorphoneFactor: 5,
		ratio: 100
	});

	test('is labelled as an assumption with its ratio, everywhere it is described', () => {
		expect(spec.title).toBe('Total opioid load, assuming IT:oral = 1:100 (an assumption, not a measurement)');
		expect(spec.caption).toMatch(
			/^Assumption: 1 mg\/day of IT morphine counted as 100 MME\/day of oral morphine/
		);
		expect(spec.caption).toContain('CDC 2016 factors');
		expect(spec.ariaDescription).toBe(
			'Step chart of the assumed total opioid load in MME/day, CDC 2016 by month from implant, with IT ' +
				'morphine-equivalent counted at 100 to 1. month 0: median 330 (IQR 315 to 398), n = 3; ' +
				'month 3: median 600 (IQR 600 to 600), n = 1.'
		);
		expect(spec.table.rows.map((r) => [r.month, r.n])).toEqual([
			[0, 3],
			[1, 3],
			[3, 1]
		]);
		expect(spec.caption).toContain('n = 3 patients at month 0');
	});

	test('renders as committed (tests/charts/opioid-load.svg)', () => {
		expectSnapshot('opioid-load', renderSvg(spec));
	});
});
