import { describe, expect, test } from 'vitest';
import {
	kmCurve,
	kmOpioidFree,
	kmTicks,
	mmeByWindow,
	mmeOpioidFree,
	mmeReductionHistogram,
	reductionBins
} from '../../src/lib/charts';
import { kaplanMeier } from '../../src/lib/outcomes';
import type { MmeReductionPatient, OralMmeReport } from '../../src/lib/sql';
import { expectSnapshot, renderSvg } from './chart-svg';

const FILTERS = 'office: Lexington';

const REPORT: Pick<OralMmeReport, 'factors' | 'baseline' | 'at_implant' | 'windows'> = {
	factors: 'cdc2022',
	baseline: { n: 4, mean: 72.25, median: 60, q1: 45, q3: 90.05 },
	at_implant: { n: 5, mean: 40, median: 30, q1: 15, q3: 60 },
	windows: [
		{
			label: '3m',
			target_day: 90,
			n: 3,
			mean: 20,
			median: 15,
			q1: 0,
			q3: 30,
			opioid_free: { n: 3, k: 1, rate: 1 / 3 }
		},
		{
			label: '6m',
			target_day: 180,
			n: 0,
			mean: null,
			median: null,
			q1: null,
			q3: null,
			opioid_free: { n: 0, k: 0, rate: null }
		}
	]
};

describe('mmeByWindow', () => {
	const spec = mmeByWindow(REPORT, { filters: FILTERS });

	test('describes every time point with its median, IQR, mean and n, rounded half away from zero', () => {
		// 90.05 -> 90.1 and 72.25 -> 72.3 (half away from zero, not to even).
		expect(spec.ariaDescription).toBe(
			'Chart of daily oral MME (CDC 2022 factors) by time point. ' +
				'Baseline: median 60.0 (IQR 45.0 to 90.1), mean 72.3, n = 4; ' +
				'At implant: median 30.0 (IQR 15.0 to 60.0), mean 40.0, n = 5; ' +
				'3m: median 15.0 (IQR 0.0 to 30.0), mean 20.0, n = 3; 6m: no patients.'
		);
	});

	test('its table twin has a row per time point with the days averaged', () => {
		expect(spec.table.rows.map((r) => [r.timepoint, r.days, r.n, r.median])).toEqual([
			['Baseline', '-180 to -91', 4, 60],
			['At implant', '-30 to -1', 5, 30],
			['3m', '61 to 90', 3, 15],
			['6m', '151 to 180', 0, null]
		]);
		expect(spec.table.columns.map((c) => c.label)).toEqual([
			'Time point',
			'Days',
			'Patients',
			'Mean (MME/day, CDC 2022)',
			'Median',
			'Q1',
			'Q3'
		]);
	});

	test('names the factor table and the filters, and states n', () => {
		expect(spec.caption).toContain('n = 4 patients at baseline, 5 at implant');
		expect(spec.caption).toMatch(/CDC 2022 factors\. Filters: office: Lexington\.$/);
		const in2016 = mmeByWindow({ ...REPORT, factors: 'cdc2016' }, { filters: FILTERS });
		expect(in2016.title).toContain('CDC 2016');
		expect(in2016.ariaDescription).toContain('CDC 2016 factors (tramadol from CDC’s conversion file)');
	});

	test('renders as committed (tests/charts/mme-by-window.svg)', () => {
		expectSnapshot('mme-by-window', renderSvg(spec));
	});
});

describe('mmeOpioidFree', () => {
	const spec = mmeOpioidFree(REPORT, { filters: FILTERS });

	test('states k of n with the Wilson interval (1 of 3: 6.1% to 79.2%, Newcombe 1998)', () => {
		expect(spec.ariaDescription).toBe(
			'Bar chart of the percentage of patients opioid-free at each window (CDC 2022 factors). ' +
				'3m: 1 of 3 (33.3%, 95% CI 6.1 to 79.2); 6m: nobody followed.'
		);
		const [m3, m6] = spec.table.rows;
		expect(m3).toMatchObject({ label: '3m', target_day: 90, n: 3, k: 1 });
		expect(m3!.lo).toBeCloseTo(6.1492, 3);
		expect(m3!.hi).toBeCloseTo(79.234, 2);
		expect(m6).toEqual({ label: '6m', target_day: 180, n: 0, k: 0, pct: null, lo: null, hi: null });
	});

	test('its caption says who is in the denominator, and n', () => {
		expect(spec.caption).toContain('who were followed through that day; n = 3 patients at the first window');
		expect(spec.caption).toContain('Filters: office: Lexington.');
	});

	test('renders as committed (tests/charts/mme-opioid-free.svg)', () => {
		expectSnapshot('mme-opioid-free', renderSvg(spec));
	});
});

// Six patients: events on days 10, 20 and 400; censored on 20, 40 and 500.
// S(10) = 5/6; S(20) = 5/6 x 4/5 = 2/3 (the day-20 censoring still at risk for the day-20 event);
// S(400) = 2/3 x 1/2 = 1/3. Greenwood at 20: 1/30 + 1/20; log-log 95% CI for 1 - S(20):
// 1 - (2/3)^exp(-+1.96 x sqrt(1/12) / ln 1.5) = 9.6% to 80.5% (computed by hand in Python).
const KM = kaplanMeier([
	{ time: 10, events: 1, censored: 0 },
	{ time: 20, events: 1, censored: 1 },
	{ time: 40, events: 0, censored: 1 },
	{ time: 400, events: 1, censored: 0 },
	{ time: 500, events: 0, censored: 1 }
]);

describe('kmOpioidFree', () => {
	const spec = kmOpioidFree(KM, { filters: FILTERS, factors: 'cdc2022' });

	test('describes the report days, the median, the numbers at risk and the censoring rule', () => {
		expect(spec.ariaDescription).toBe(
			'Kaplan-Meier curve of the cumulative percentage opioid-free after implant for 6 patients, ' +
				'3 of whom reached 90 opioid-free days (CDC 2022 factors): at 30 days 33.3% (95% CI 9.6% to 80.5%); ' +
				'at 365 days 33.3% (95% CI 9.6% to 80.5%); at 1825 days not estimable (follow-up ends earlier). ' +
				'Median time to opioid-free: 400 days. Numbers at risk: 6 at month 0, 2 at month 6, 2 at month 12. ' +
				'Death and explant are treated as non-informative censoring.'
		);
		expect(spec.caption).toContain('n = 6 patients');
		expect(spec.caption).toContain('Death and explant are treated as non-informative censoring.');
		expect(spec.caption).toMatch(/Filters: office: Lexington\.$/);
	});

	test('its table twin is the step function from day 0, one row per distinct time', () => {
		expect(spec.table.rows.map((r) => [r.day, r.atRisk, r.events, r.censored, +r.pct.toFixed(4)])).toEqual([
			[0, 6, 0, 0, 0],
			[10, 6, 1, 0, 16.6667],
			[20, 5, 1, 1, 33.3333],
			[40, 3, 0, 1, 33.3333],
			[400, 2, 1, 0, 66.6667],
			[500, 1, 0, 1, 66.6667]
		]);
		// No interval while S = 1 (day 0).
		expect(spec.table.rows[0]).toMatchObject({ lo: null, hi: null });
		expect(spec.table.rows[2]!.lo).toBeCloseTo(9.5566, 3);
		expect(spec.table.rows[2]!.hi).toBeCloseTo(80.5383, 3);
	});

	test('puts one at-risk number under each x tick, at whole days', () => {
		// 500 days = 16.4 months: ticks every 6 months; month 6 = day 182.625 -> 183.
		expect(kmTicks(KM)).toEqual([
			{ month: 0, day: 0, atRisk: 6 },
			{ month: 6, day: 183, atRisk: 2 },
			{ month: 12, day: 365, atRisk: 2 }
		]);
		expect(spec.options.x).toMatchObject({ ticks: [0, 6, 12] });
		const svg = renderSvg(spec);
		// The row's labels are drawn, left to right, under the ticks.
		expect(svg).toContain('>At risk<');
	});

	test('an empty population says so', () => {
		const empty = kmOpioidFree(kaplanMeier([]), { filters: FILTERS, factors: 'cdc2016' });
		expect(empty.ariaDescription).toBe('No patients were taking oral opioids in the 30 days before implant.');
		expect(kmCurve(kaplanMeier([]))).toEqual([]);
	});

	test('renders as committed (tests/charts/km-opioid-free.svg)', () => {
		expectSnapshot('km-opioid-free', renderSvg(spec));
	});
});

const REDUCTIONS: MmeReductionPatient[] = [-150, -100, -5, 0, 29.99, 30, 95, 100, 100].map((pct, i) => ({
	patient_id: `P${i}`,
	baseline: 40,
	mme: 40 - (40 * pct) / 100,
	pct
}));

describe('mmeReductionHistogram', () => {
	const spec = mmeReductionHistogram(REDUCTIONS, {
		filters: FILTERS,
		factors: 'cdc2022',
		window: '12m',
		targetDay: 365,
		summary: { n: 9, mean: 11, median: 29.99, q1: -5, q3: 95 },
		leftOut: 2
	});

	test('bins by 10 points, [a, a + 10), with 100% in the last bin and an open bin below -100%', () => {
		const counted = reductionBins(REDUCTIONS).filter((b) => b.patients > 0);
		expect(counted.map((b) => [b.bin, b.patients])).toEqual([
			['below −100% (dose more than doubled)', 1],
			['−100% to −90%', 1],
			['−10% to 0%', 1],
			['0% to 10%', 1],
			['20% to 30%', 1],
			['30% to 40%', 1],
			['90% to 100%', 3]
		]);
		expect(spec.table.rows).toHaveLength(21);
		expect(spec.table.rows.reduce((s, b) => s + b.patients, 0)).toBe(9);
	});

	test('describes n, the median and IQR given, the opioid-free and the increased', () => {
		expect(spec.ariaDescription).toBe(
			'Histogram of the percent reduction in daily oral MME from baseline to 12m for 9 patients ' +
				'(CDC 2022 factors): median 30.0% (IQR -5.0% to 95.0%); 2 reached 100% (no oral opioid in the ' +
				'window); 3 took more than at baseline. Patients per bin: below −100% (dose more than doubled): 1, ' +
				'−100% to −90%: 1, −10% to 0%: 1, 0% to 10%: 1, 20% to 30%: 1, 30% to 40%: 1, 90% to 100%: 3.'
		);
		expect(spec.caption).toContain('n = 9 patients');
		expect(spec.caption).toContain('2 with an MME value at 12m but no baseline MME > 0 are left out');
		expect(spec.caption).toMatch(/CDC 2022 factors\. Filters: office: Lexington\.$/);
	});

	test('renders as committed (tests/charts/mme-reduction.svg)', () => {
		expectSnapshot('mme-reduction', renderSvg(spec));
	});
});
