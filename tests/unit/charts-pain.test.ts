import { describe, expect, test } from 'vitest';
import {
	painResponders,
	painSlope,
	painTrajectory,
	responderBars,
	slopeSummary,
	type PainSlopeContext
} from '../../src/lib/charts';
import type { PainLinePoint, PainMonth, PainPair, PainWindowReport, Proportion } from '../../src/lib/sql';
import { expectSnapshot, renderSvg } from './chart-svg';

const FILTERS = 'office: Lexington';

// ---------------------------------------------------------------------------------------------
// Trajectory

const MONTHS: PainMonth[] = [
	{ month: -2, n: 3, mean: 7.6, median: 8, q1: 7, q3: 8.5 },
	{ month: -1, n: 4, mean: 7.25, median: 7.5, q1: 6.75, q3: 8 },
	{ month: 0, n: 4, mean: 6, median: 6, q1: 5, q3: 7 },
	{ month: 3, n: 3, mean: 4.333333, median: 4, q1: 3.5, q3: 5 },
	{ month: 12, n: 2, mean: 3.95, median: 3.95, q1: 3.475, q3: 4.425 }
];

const LINES: PainLinePoint[] = [
	{ patient_id: 'A', day: -40, pain: 8, scores: 1 },
	{ patient_id: 'A', day: 91.5, pain: 4.5, scores: 2 },
	{ patient_id: 'A', day: 365, pain: 3, scores: 1 },
	{ patient_id: 'B', day: -20, pain: 7, scores: 1 },
	{ patient_id: 'B', day: 100, pain: 5, scores: 1 }
];

describe('painTrajectory', () => {
	test('describes the milestone months it shows, rounded half away from zero', () => {
		const spec = painTrajectory(MONTHS, { patients: 4, filters: FILTERS });
		// Milestones -1, 3, 6, 12, 24, 36: 6, 24 and 36 are absent. 3.95 -> 4.0 (half away from zero).
		expect(spec.ariaDescription).toBe(
			'Line chart of average pain (0-10) by month from implant for 4 patients. ' +
				'month -1: mean 7.3, median 7.5 (n = 4); month 3: mean 4.3, median 4.0 (n = 3); ' +
				'month 12: mean 4.0, median 4.0 (n = 2).'
		);
		expect(spec.caption).toMatch(/n = 4 patients/);
		expect(spec.caption).toMatch(/Filters: office: Lexington\.$/);
		expect(spec.select).toBeUndefined();
	});

	test('its table twin has one row per month, as given', () => {
		const spec = painTrajectory(MONTHS, { patients: 4, filters: FILTERS });
		expect(spec.table.columns.map((c) => c.label)).toEqual([
			'Month',
			'Patients',
			'Mean',
			'Median',
			'Q1',
			'Q3'
		]);
		expect(spec.table.rows.map((r) => [r.month, r.n])).toEqual([
			[-2, 3],
			[-1, 4],
			[0, 4],
			[3, 3],
			[12, 2]
		]);
	});

	test('with individual lines it says how many patients they show and makes a line selectable', () => {
		const spec = painTrajectory(MONTHS, {
			patients: 4,
			filters: FILTERS,
			lines: { points: LINES, shown: 2, total: 4 }
		});
		expect(spec.caption).toContain('Grey lines: 2 of 4 patients (a fixed sample), one point per pixel.');
		expect(spec.ariaDescription).toMatch(/Individual lines shown for 2 of 4 patients/);
		expect(spec.select).toEqual({ key: 'patient_id', hint: 'Click a grey line to open that patient.' });
	});

	test('says so when there is nothing to show', () => {
		expect(painTrajectory([], { patients: 0, filters: FILTERS }).ariaDescription).toBe(
			'No pain scores between months -6 and 36.'
		);
	});

	test('renders as committed (tests/charts/pain-trajectory*.svg)', () => {
		expectSnapshot('pain-trajectory', renderSvg(painTrajectory(MONTHS, { patients: 4, filters: FILTERS })));
		const withLines = painTrajectory(MONTHS, {
			patients: 4,
			filters: FILTERS,
			lines: { points: LINES, shown: 2, total: 2 }
		});
		const svg = renderSvg(withLines);
		// One path per patient, A and B, in the group of grey lines.
		const grey = svg.slice(svg.indexOf('stroke="#7a7a7a"'));
		expect(grey.slice(0, grey.indexOf('</g>')).match(/<path /g)).toHaveLength(2);
		expectSnapshot('pain-trajectory-lines', svg);
	});
});

// ---------------------------------------------------------------------------------------------
// Slope

/*
 * Seven patients: 3 go 8 -> 4, one stays at 6, two go 5 -> 7.5, one 7 -> 6.9.
 * Means: baseline (3 x 8 + 6 + 2 x 5 + 7) / 7 = 47 / 7 = 6.714; 12m (3 x 4 + 6 + 2 x 7.5 + 6.9) / 7
 * = 39.9 / 7 = 5.7; change -1.014. Improved 3 + 1 = 4 (6.9 < 7 by one tenth), unchanged 1, worse 2.
 */
const PAIRS: PainPair[] = [
	{ baseline: 5, score: 7.5, n: 2 },
	{ baseline: 6, score: 6, n: 1 },
	{ baseline: 7, score: 6.9, n: 1 },
	{ baseline: 8, score: 4, n: 3 }
];
const SLOPE_CTX: PainSlopeContext = {
	window: '12m',
	target: 365,
	halfWidth: 45,
	measure: 'average pain',
	filters: FILTERS
};

describe('painSlope', () => {
	test('counts patients, means and directions from the pairs', () => {
		const s = slopeSummary(PAIRS);
		expect(s.n).toBe(7);
		expect(s.meanBaseline).toBeCloseTo(47 / 7, 12);
		expect(s.meanScore).toBeCloseTo(5.7, 12);
		expect([s.improved, s.unchanged, s.worse]).toEqual([4, 1, 2]);
	});

	test('describes the paired means and directions', () => {
		const spec = painSlope(PAIRS, SLOPE_CTX);
		expect(spec.ariaDescription).toBe(
			'Slope chart of average pain at baseline and at 12m for 7 patients with both: mean 6.7 at baseline ' +
				'and 5.7 at 12m (change -1.0). 4 improved, 1 unchanged, 2 worse.'
		);
		expect(spec.caption).toBe(
			'n = 7 patients with a baseline and a 12m score (the visit closest to day 365 within 320 to 409). ' +
				'Line width: patients with that pair of scores. Black: the means of these 7 patients. ' +
				'Filters: office: Lexington.'
		);
	});

	test('its table twin lists each pair with an exact change', () => {
		const spec = painSlope(PAIRS, SLOPE_CTX);
		expect(spec.table.rows).toEqual([
			{ baseline: 5, score: 7.5, n: 2, change: 2.5, direction: 'worse' },
			{ baseline: 6, score: 6, n: 1, change: 0, direction: 'unchanged' },
			// 6.9 - 7 is -0.10000000000000053 in doubles; tenths give -0.1.
			{ baseline: 7, score: 6.9, n: 1, change: -0.1, direction: 'improved' },
			{ baseline: 8, score: 4, n: 3, change: -4, direction: 'improved' }
		]);
	});

	test('says so when nobody has both scores', () => {
		expect(painSlope([], SLOPE_CTX).ariaDescription).toBe(
			'No patient has both a baseline and a 12m score of average pain.'
		);
	});

	test('renders as committed (tests/charts/pain-slope.svg)', () => {
		const svg = renderSvg(painSlope(PAIRS, SLOPE_CTX));
		// Four pair lines plus the line of means, each a path from the baseline to the 12m column.
		expect(svg.match(/<path d="M[\d.]+,[\d.]+L[\d.]+,[\d.]+"/g)).toHaveLength(5);
		expectSnapshot('pain-slope', svg);
	});
});

// ---------------------------------------------------------------------------------------------
// Responders

const prop = (k: number, n: number, ci: [number, number] | null, excluded: number): Proportion => ({
	k,
	n,
	rate: n ? k / n : null,
	ci,
	excluded
});

/*
 * 20 completers and 30 due (both with a baseline >= 4). Wilson 95% intervals (z = 1.959964), as
 * fractions worked out from the score formula by hand: 12/20 0.3866-0.7812, 12/30 0.2459-0.5768,
 * 5/20 0.1119-0.4687, 5/30 0.0734-0.3356, 14/20 0.4810-0.8545, 14/30 0.3023-0.6386.
 */
const WINDOW: PainWindowReport = {
	label: '12m',
	target_day: 365,
	n: 22,
	mean: 4.1,
	sd: 1.9,
	median: 4,
	q1: 3,
	q3: 5,
	mean_ci: [3.26, 4.94],
	due: 33,
	n_change: 21,
	mean_change: -2.6,
	n_pct: 20,
	mean_pct_change: -35.2,
	pct_change_of_means: -38.1,
	excluded_low_baseline: 2,
	responders30: {
		completers: prop(12, 20, [0.3866, 0.7812], 2),
		all_implanted: prop(12, 30, [0.2459, 0.5768], 3)
	},
	responders50: {
		completers: prop(5, 20, [0.1119, 0.4687], 2),
		all_implanted: prop(5, 30, [0.0734, 0.3356], 3)
	},
	responders2pt: {
		completers: prop(14, 20, [0.481, 0.8545], 2),
		all_implanted: prop(14, 30, [0.3023, 0.6386], 3)
	},
	wilcoxon: { n: 21, zeros: 1, statistic: 20, z: -3.1, p: 0.002, approximate: true }
};

describe('painResponders', () => {
	test('has one bar per rule and denominator, in percent', () => {
		const bars = responderBars(WINDOW);
		expect(bars.map((b) => [b.rule, b.denominator, b.k, b.n])).toEqual([
			['≥30% reduction', 'completers', 12, 20],
			['≥30% reduction', 'all implanted', 12, 30],
			['≥50% reduction', 'completers', 5, 20],
			['≥50% reduction', 'all implanted', 5, 30],
			['≥2-point reduction', 'completers', 14, 20],
			['≥2-point reduction', 'all implanted', 14, 30]
		]);
		expect(bars[0]!.percent).toBeCloseTo(60, 12);
		expect(bars[0]!.lo).toBeCloseTo(38.66, 12);
		expect(bars[1]!.excluded).toBe(3);
	});

	test('describes every bar with its interval', () => {
		expect(painResponders(WINDOW, { measure: 'average pain', filters: FILTERS }).ariaDescription).toBe(
			'Bar chart of responders at 12m. ' +
				'≥30% reduction, completers: 60.0% (12 of 20, 95% CI 38.7-78.1); ' +
				'≥30% reduction, all implanted: 40.0% (12 of 30, 95% CI 24.6-57.7); ' +
				'≥50% reduction, completers: 25.0% (5 of 20, 95% CI 11.2-46.9); ' +
				'≥50% reduction, all implanted: 16.7% (5 of 30, 95% CI 7.3-33.6); ' +
				'≥2-point reduction, completers: 70.0% (14 of 20, 95% CI 48.1-85.5); ' +
				'≥2-point reduction, all implanted: 46.7% (14 of 30, 95% CI 30.2-63.9).'
		);
	});

	test('states both denominators and what each left out in its caption', () => {
		const spec = painResponders(WINDOW, { measure: 'average pain', filters: FILTERS });
		expect(spec.caption).toContain('(n = 20)');
		expect(spec.caption).toContain('(n = 30)');
		expect(spec.caption).toContain('2 completers, 3 of all implanted');
		expect(spec.caption).toMatch(/Filters: office: Lexington\.$/);
	});

	test('renders as committed (tests/charts/pain-responders.svg)', () => {
		expectSnapshot(
			'pain-responders',
			renderSvg(painResponders(WINDOW, { measure: 'average pain', filters: FILTERS }))
		);
	});
});
