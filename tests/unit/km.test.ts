import { describe, expect, test } from 'vitest';
import { kaplanMeier, kmPoint, type TimeCount } from '../../src/lib/outcomes/km';

const subjects = (list: [number, 'E' | 'C'][]): TimeCount[] =>
	list.map(([time, kind]) => ({ time, events: kind === 'E' ? 1 : 0, censored: kind === 'C' ? 1 : 0 }));

// Eight patients, worked by hand (E = event, C = censored). Day 3 has an event and a censoring.
//   t  at risk  d  S(t)                       Greenwood sum d / (n (n - d))
//   1     8     1  7/8            = 0.875     1/56                          = 0.0178571
//   2     7     0  (censored)
//   3     6     1  7/8 x 5/6      = 35/48     1/56 + 1/30   = 43/840        = 0.0511905
//   4     4     1  35/48 x 3/4    = 35/64     43/840 + 1/12 = 113/840       = 0.1345238
//   5     3     1  35/64 x 2/3    = 35/96     113/840 + 1/6 = 253/840       = 0.3011905
//   6, 8  2, 1  0  (censored)
// The naive proportion is 4 events / 8 = 0.5; the Kaplan-Meier 1 - S(8) = 61/96 = 0.635.
const EIGHT = subjects([
	[1, 'E'],
	[2, 'C'],
	[3, 'E'],
	[3, 'C'],
	[4, 'E'],
	[5, 'E'],
	[6, 'C'],
	[8, 'C']
]);

describe('kaplanMeier', () => {
	const km = kaplanMeier(EIGHT);

	test('multiplies conditional survival at each event time, events before censorings', () => {
		expect(km.n).toBe(8);
		expect(km.steps.map((s) => [s.time, s.atRisk, s.events, s.censored])).toEqual([
			[1, 8, 1, 0],
			[2, 7, 0, 1],
			// The patient censored on day 3 is still at risk for day 3's event: 6, not 5 (which would
			// give S(3) = 7/8 x 4/5 = 0.7).
			[3, 6, 1, 1],
			[4, 4, 1, 0],
			[5, 3, 1, 0],
			[6, 2, 0, 1],
			[8, 1, 0, 1]
		]);
		const survival = [7 / 8, 7 / 8, 35 / 48, 35 / 64, 35 / 96, 35 / 96, 35 / 96];
		km.steps.forEach((s, i) => expect(s.survival).toBeCloseTo(survival[i]!, 12));
		expect(km.steps[4]!.greenwoodSum).toBeCloseTo(253 / 840, 12);
	});

	test('differs from the naive proportion under censoring', () => {
		const cumulative = 1 - kmPoint(km, 8).survival!;
		expect(cumulative).toBeCloseTo(61 / 96, 12);
		expect(cumulative - 4 / 8).toBeGreaterThan(0.13);
	});

	test('median is the smallest event time with S <= 0.5', () => {
		// S(4) = 0.547 > 0.5; S(5) = 0.365.
		expect(km.median).toBe(5);
		// S(1) = 1/2 exactly counts.
		expect(
			kaplanMeier(
				subjects([
					[1, 'E'],
					[2, 'C']
				])
			).median
		).toBe(1);
		expect(
			kaplanMeier(
				subjects([
					[1, 'E'],
					[2, 'C'],
					[3, 'C']
				])
			).median
		).toBeNull();
	});

	test('Greenwood standard error and the log(-log S) interval', () => {
		// t = 4: S = 0.546875, Greenwood sum 113/840 = 0.1345238.
		//   SE(S) = S x sqrt(sum) = 0.546875 x 0.3667749 = 0.2005800
		//   log S = -0.6035350; SE(log(-log S)) = 0.3667749 / 0.6035350 = 0.6077110
		//   z x SE = 1.959964 x 0.6077110 = 1.1910917; exp(+-1.1910917) = 3.2907, 0.30389
		//   lower = S ^ 3.2907 = 0.137238; upper = S ^ 0.30389 = 0.832429
		const p4 = kmPoint(km, 4);
		expect(p4.survival).toBeCloseTo(0.546875, 12);
		expect(p4.se).toBeCloseTo(0.20058, 5);
		expect(p4.lower).toBeCloseTo(0.137238, 5);
		expect(p4.upper).toBeCloseTo(0.832429, 5);
		// t = 1: S = 0.875, sum 1/56; SE(S) = 0.875 x 0.1336306 = 0.1169268; log S = -0.1335314;
		//   SE(log(-log S)) = 1.0007431; z x SE = 1.9614205; lower = 0.875 ^ exp(1.9614205) = 0.387000,
		//   upper = 0.875 ^ exp(-1.9614205) = 0.981393.
		const p1 = kmPoint(km, 1);
		expect([p1.se, p1.lower, p1.upper].map((v) => v!.toFixed(5))).toEqual(['0.11693', '0.38700', '0.98139']);
		// Between event times the curve holds its last value: day 7 is S(5) = 35/96 with its interval
		// (sum 253/840: SE(log(-log S)) = 0.5488 / 1.0090 = 0.5439; lower 0.053396, upper 0.706476).
		const p7 = kmPoint(km, 7);
		expect(p7.survival).toBeCloseTo(35 / 96, 12);
		expect(p7.lower).toBeCloseTo(0.053396, 5);
		expect(p7.upper).toBeCloseTo(0.706476, 5);
	});

	test('counts at risk as patients whose time >= t, including those censored on t', () => {
		expect([0, 1, 3, 4, 6, 7, 8, 9].map((t) => kmPoint(km, t).atRisk)).toEqual([8, 8, 6, 4, 2, 1, 1, 0]);
	});

	test('before the first event S = 1 with no interval; beyond the last time everything is null', () => {
		expect(kmPoint(km, 0)).toEqual({ time: 0, atRisk: 8, survival: 1, se: 0, lower: null, upper: null });
		expect(kmPoint(km, 9)).toEqual({
			time: 9,
			atRisk: 0,
			survival: null,
			se: null,
			lower: null,
			upper: null
		});
	});

	test('S = 0 once everyone at risk has the event: no standard error, no interval', () => {
		const all = kaplanMeier(
			subjects([
				[1, 'E'],
				[2, 'E']
			])
		);
		expect(kmPoint(all, 2)).toEqual({ time: 2, atRisk: 1, survival: 0, se: null, lower: null, upper: null });
	});

	test('accepts rows grouped by time, repeated or not', () => {
		const grouped = kaplanMeier([
			{ time: 3, events: 1, censored: 0 },
			{ time: 1, events: 1, censored: 0 },
			{ time: 3, events: 0, censored: 1 },
			{ time: 2, events: 0, censored: 1 },
			{ time: 4, events: 1, censored: 0 },
			{ time: 5, events: 1, censored: 0 },
			{ time: 6, events: 0, censored: 1 },
			{ time: 8, events: 0, censored: 1 }
		]);
		expect(grouped).toEqual(km);
	});

	test('an empty population has no curve', () => {
		const empty = kaplanMeier([]);
		expect(empty).toEqual({ n: 0, steps: [], lastTime: null, median: null });
		expect(kmPoint(empty, 30).survival).toBeNull();
	});
});
