import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import { nodeDatabase } from '../../src/lib/db/node';
import { buildReport, type ReportDocument } from '../../src/lib/report';
import {
	binomialCdf,
	binomialLimits,
	funnelFlag,
	interpolatedQuantile,
	normalLimits,
	poissonCdf,
	poissonLimits,
	poissonRateInterval,
	pooledSd,
	type FunnelLimits
} from '../../src/lib/outcomes/funnel';

// ---------------------------------------------------------------------------------------------
// An independent implementation: straight sums of the probability mass (log-factorials by summing
// logs, no incomplete beta or gamma), and a linear scan for r_p. outcomes.md section 5:
// r_p = the smallest r with F(r) >= p; α = (F(r_p) - p) / (F(r_p) - F(r_p - 1)); limit = (r_p - α) / n.

const logFactorial = (n: number) => {
	let s = 0;
	for (let i = 2; i <= n; i++) s += Math.log(i);
	return s;
};

function binomialCdfBySum(r: number, n: number, p: number): number {
	let sum = 0;
	for (let i = 0; i <= Math.min(r, n); i++) {
		sum += Math.exp(
			logFactorial(n) - logFactorial(i) - logFactorial(n - i) + i * Math.log(p) + (n - i) * Math.log1p(-p)
		);
	}
	return sum;
}

function poissonCdfBySum(r: number, mu: number): number {
	let term = Math.exp(-mu);
	let sum = 0;
	for (let i = 0; i <= r; i++) {
		sum += term;
		term *= mu / (i + 1);
	}
	return sum;
}

function scanQuantile(cdf: (r: number) => number, p: number): number {
	let r = 0;
	while (cdf(r) < p) r++;
	const at = cdf(r);
	const below = r === 0 ? 0 : cdf(r - 1);
	return r - (at - p) / (at - below);
}

const PROBABILITIES = [0.001, 0.025, 0.975, 0.999] as const;

const asList = (l: FunnelLimits) => [l.limits998[0], l.limits95[0], l.limits95[1], l.limits998[1]];

describe('binomial funnel limits, exact (Spiegelhalter interpolation)', () => {
	test('the CDF through the incomplete beta equals the summed binomial masses', () => {
		for (const [n, p] of [
			[10, 0.5],
			[25, 0.3],
			[118, 0.54],
			[40, 0.9],
			[300, 0.07]
		] as const) {
			for (let r = -1; r <= n; r += Math.max(1, Math.floor(n / 13))) {
				expect(binomialCdf(r, n, p), `F(${r}; ${n}, ${p})`).toBeCloseTo(
					r < 0 ? 0 : binomialCdfBySum(r, n, p),
					12
				);
			}
		}
	});

	test.each([
		// n, θ0: a small unit, a low target, the demo's 12-month target at Lexington's n, a high target,
		// a large unit with a rare event.
		[10, 0.5],
		[25, 0.3],
		[118, 155 / 286],
		[40, 0.9],
		[300, 0.07],
		[3, 0.2]
	])('n = %i, θ0 = %f agrees with a straight CDF sum and a linear scan', (n, theta) => {
		const expected = PROBABILITIES.map((p) => scanQuantile((r) => binomialCdfBySum(r, n, theta), p) / n);
		const got = asList(binomialLimits(n, theta, 'exact'));
		got.forEach((x, i) => expect(x, `p = ${PROBABILITIES[i]}`).toBeCloseTo(expected[i]!, 10));
	});

	test('n = 10, θ0 = 0.5 by hand', () => {
		// F(r) = sum of C(10, i) / 1024: F(0) = 1/1024, F(1) = 11/1024, F(2) = 56/1024, F(7) = 968/1024,
		// F(8) = 1013/1024, F(9) = 1023/1024.
		// p = 0.025: r = 2, α = (56/1024 - 0.025) / (45/1024) = 0.675556; (2 - α) / 10 = 0.132444.
		// p = 0.975: r = 8, α = (1013/1024 - 0.975) / (45/1024) = 0.324444; (8 - α) / 10 = 0.767556.
		// p = 0.001: r = 1, α = (11/1024 - 0.001) / (10/1024) = 0.9976; (1 - α) / 10 = 0.00024.
		// p = 0.999: r = 9, α = (1023/1024 - 0.999) / (10/1024) = 0.0024; (9 - α) / 10 = 0.89976.
		// The interpolation spreads P(X = r) over (r - 1, r], so the limits are not symmetric about 0.5.
		const l = binomialLimits(10, 0.5, 'exact');
		expect(l.limits95[0]).toBeCloseTo(0.132444, 6);
		expect(l.limits95[1]).toBeCloseTo(0.767556, 6);
		expect(l.limits998[0]).toBeCloseTo(0.00024, 8);
		expect(l.limits998[1]).toBeCloseTo(0.89976, 8);
	});

	test('a target of 0 or 1 gives limits on the target, so no unit is flagged', () => {
		for (const theta of [0, 1]) {
			const l = binomialLimits(20, theta, 'exact');
			expect(asList(l)).toEqual([theta, theta, theta, theta]);
			expect(funnelFlag(theta, l)).toBe('in_control');
		}
	});

	test('rejects an n that is not a positive whole number', () => {
		expect(() => binomialLimits(0, 0.5, 'exact')).toThrow(/whole n > 0/);
		expect(() => binomialLimits(2.5, 0.5, 'exact')).toThrow(/whole n > 0/);
		expect(() => binomialLimits(10, 1.2, 'exact')).toThrow(/proportion/);
	});
});

describe('binomial funnel limits, normal approximation', () => {
	test.each([
		[50, 0.3],
		[10, 0.5],
		[118, 155 / 286],
		[7, 0.9]
	])('n = %i, θ0 = %f: θ0 ± z sqrt(θ0 (1 - θ0) / n) with z = 1.959964 and 3.090232', (n, theta) => {
		const se = Math.sqrt((theta * (1 - theta)) / n);
		const expected = [
			theta - 3.090232 * se,
			theta - 1.959964 * se,
			theta + 1.959964 * se,
			theta + 3.090232 * se
		];
		const got = asList(binomialLimits(n, theta, 'normal'));
		got.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 12));
	});

	test('n = 50, θ0 = 0.3 by hand', () => {
		// se = sqrt(0.21 / 50) = 0.0648074; 1.959964 x se = 0.127020: [0.172980, 0.427020].
		const l = binomialLimits(50, 0.3, 'normal');
		expect(l.limits95[0]).toBeCloseTo(0.17298, 5);
		expect(l.limits95[1]).toBeCloseTo(0.42702, 5);
	});

	test('is not clipped to [0, 1]: the formula as written', () => {
		// θ0 = 0.9, n = 7: se = sqrt(0.09 / 7) = 0.113389; upper 99.8% = 0.9 + 3.090232 x 0.113389 = 1.250.
		expect(binomialLimits(7, 0.9, 'normal').limits998[1]).toBeCloseTo(1.2504, 3);
	});
});

describe('Poisson funnel limits (explants per patient-year)', () => {
	test('the CDF through the incomplete gamma equals the summed Poisson masses', () => {
		for (const mu of [0.3, 2, 11.5, 60]) {
			for (let r = 0; r <= 3 * mu + 5; r++) expect(poissonCdf(r, mu)).toBeCloseTo(poissonCdfBySum(r, mu), 12);
		}
	});

	test.each([
		[100, 0.02],
		[250, 0.015],
		[40, 0.05],
		[1000, 0.012]
	])('%f patient-years at a pooled rate of %f per year agree with a straight sum', (years, rate) => {
		const mu = years * rate;
		const expected = PROBABILITIES.map((p) => scanQuantile((r) => poissonCdfBySum(r, mu), p) / years);
		asList(poissonLimits(years, rate)).forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 10));
	});

	test('100 patient-years at 0.02 per year (μ = 2) by hand', () => {
		// F(4) = 0.947347, F(5) = 0.983436: p = 0.975 gives r = 5, α = (0.983436 - 0.975) / 0.036089
		// = 0.233764, so 4.766236 explants, 0.04766 per patient-year. F(7) = 0.998903, F(8) = 0.999763:
		// p = 0.999 gives r = 8, α = 0.887441, 7.112559 explants.
		const l = poissonLimits(100, 0.02);
		expect(l.limits95[1]).toBeCloseTo(0.04766236, 7);
		expect(l.limits998[1]).toBeCloseTo(0.07112559, 7);
		// F(0) = e^-2 = 0.135335 >= 0.025 already: r = 0 and the lower limit is below 0, so no unit
		// can fall under it.
		expect(l.limits95[0]).toBeLessThan(0);
	});

	test('a pooled rate of 0 flags nobody', () => {
		expect(asList(poissonLimits(50, 0))).toEqual([0, 0, 0, 0]);
	});

	test('exact (Garwood) 95% interval of a rate matches the published table', () => {
		// Poisson 95% limits for an observed count: 0 -> [0, 3.689], 5 -> [1.6235, 11.6683],
		// 10 -> [4.7954, 18.3904] (e.g. Ulm, Am J Epidemiol 1990; chi-square quantiles / 2).
		const cases: [number, number, number][] = [
			[0, 0, 3.6889],
			[5, 1.6235, 11.6683],
			[10, 4.7954, 18.3904]
		];
		for (const [k, lo, hi] of cases) {
			const [l, h] = poissonRateInterval(k, 10)!;
			expect(l * 10).toBeCloseTo(lo, 3);
			expect(h * 10).toBeCloseTo(hi, 3);
		}
		expect(poissonRateInterval(3, 0)).toBeNull();
	});
});

describe('normal limits (Kaplan-Meier estimates, means) and the pooled SD', () => {
	test('target ± z x se', () => {
		// 0.4 ± 1.959964 x 0.05 = [0.302002, 0.497998]; ± 3.090232 x 0.05 = [0.245488, 0.554512].
		const l = normalLimits(0.4, 0.05);
		expect(l.limits95[0]).toBeCloseTo(0.302002, 6);
		expect(l.limits95[1]).toBeCloseTo(0.497998, 6);
		expect(l.limits998[0]).toBeCloseTo(0.245488, 6);
		expect(l.limits998[1]).toBeCloseTo(0.554512, 6);
	});

	test('pooled within-unit SD weighs each variance by n - 1 and skips units below two', () => {
		// (9 x 4 + 19 x 1) / (9 + 19) = 55 / 28 -> sqrt = 1.401530.
		expect(
			pooledSd([
				{ n: 10, sd: 2 },
				{ n: 20, sd: 1 },
				{ n: 1, sd: null }
			])
		).toBeCloseTo(Math.sqrt(55 / 28), 12);
		expect(pooledSd([{ n: 1, sd: null }])).toBeNull();
	});
});

describe('flags', () => {
	const limits: FunnelLimits = { limits95: [0.3, 0.6], limits998: [0.2, 0.7] };
	const up = (x: number) => x + Math.abs(x) * Number.EPSILON * 2;
	const down = (x: number) => x - Math.abs(x) * Number.EPSILON * 2;

	test('a value exactly on a limit is not flagged; just beyond it is', () => {
		expect(funnelFlag(0.6, limits)).toBe('in_control');
		expect(funnelFlag(up(0.6), limits)).toBe('high_95');
		expect(funnelFlag(0.3, limits)).toBe('in_control');
		expect(funnelFlag(down(0.3), limits)).toBe('low_95');
		expect(funnelFlag(0.7, limits)).toBe('high_95');
		expect(funnelFlag(up(0.7), limits)).toBe('high_99.8');
		expect(funnelFlag(0.2, limits)).toBe('low_95');
		expect(funnelFlag(down(0.2), limits)).toBe('low_99.8');
	});

	test('on computed limits: the limit itself is in control, for both methods', () => {
		for (const method of ['exact', 'normal'] as const) {
			const l = binomialLimits(37, 0.42, method);
			expect(funnelFlag(l.limits95[1], l)).toBe('in_control');
			expect(funnelFlag(up(l.limits95[1]), l)).toBe('high_95');
			expect(funnelFlag(l.limits95[0], l)).toBe('in_control');
			expect(funnelFlag(down(l.limits95[0]), l)).toBe('low_95');
			expect(funnelFlag(l.limits998[1], l)).toBe('high_95');
			expect(funnelFlag(up(l.limits998[1]), l)).toBe('high_99.8');
		}
	});

	test('the interpolation lands exactly on r_p when F(r_p) = p, and such a rate is not flagged', () => {
		// A uniform CDF on {0, 1, 2, 3}: F(r) = (r + 1) / 4. For p = 0.25 and 0.75 (exact in binary)
		// α = 0, so the quantile is r_p itself: 0 and 2.
		const uniform = (r: number) => (r < 0 ? 0 : Math.min(1, (r + 1) / 4));
		expect(interpolatedQuantile(uniform, 0.25, 3)).toBe(0);
		expect(interpolatedQuantile(uniform, 0.75, 3)).toBe(2);
		// Halfway: p = 0.375 -> r_p = 1, α = (0.5 - 0.375) / 0.25 = 0.5 -> 0.5.
		expect(interpolatedQuantile(uniform, 0.375, 3)).toBe(0.5);
		const onLimit: FunnelLimits = { limits95: [0, 2 / 4], limits998: [0, 3 / 4] };
		expect(funnelFlag(2 / 4, onLimit)).toBe('in_control');
		expect(funnelFlag(3 / 4, onLimit)).toBe('high_95');
	});
});

// ---------------------------------------------------------------------------------------------
// Flags against independently computed limits, at every possible rate of a unit

/** Independent limits: the linear scan over summed masses (exact) or the formula (normal). */
function independentLimits(n: number, theta: number, method: 'exact' | 'normal'): number[] {
	if (method === 'exact')
		return PROBABILITIES.map((p) => scanQuantile((r) => binomialCdfBySum(r, n, theta), p) / n);
	const se = Math.sqrt((theta * (1 - theta)) / n);
	return [theta - 3.090232 * se, theta - 1.959964 * se, theta + 1.959964 * se, theta + 3.090232 * se];
}

/** outcomes.md section 5 in words: flagged only when strictly outside a limit, the outer one first. */
function independentFlag(rate: number, [lo998, lo95, hi95, hi998]: number[]): string {
	if (rate > hi998!) return 'high_99.8';
	if (rate < lo998!) return 'low_99.8';
	if (rate > hi95!) return 'high_95';
	if (rate < lo95!) return 'low_95';
	return 'in_control';
}

describe('flags at every k of a unit, both methods, against independent limits', () => {
	test.each([
		[10, 0.5],
		[25, 0.3],
		[61, 60 / 137],
		[118, 155 / 286],
		[40, 0.9]
	] as const)('n = %i, θ0 = %f', (n, theta) => {
		for (const method of ['exact', 'normal'] as const) {
			const mine = binomialLimits(n, theta, method);
			const theirs = independentLimits(n, theta, method);
			const flags = new Set<string>();
			for (let k = 0; k <= n; k++) {
				const rate = k / n;
				// No rate sits within rounding of a limit here, so the comparison decides every k.
				for (const l of theirs) expect(Math.abs(rate - l), `${method} k = ${k}`).toBeGreaterThan(1e-9);
				const flag = funnelFlag(rate, mine);
				expect(flag, `${method} k = ${k} of ${n}`).toBe(independentFlag(rate, theirs));
				flags.add(flag);
			}
			// The sweep crosses the edges: in control in the middle, flagged at both ends.
			expect(flags.has('in_control')).toBe(true);
			expect([...flags].some((f) => f.startsWith('low')) || theta * n < 3).toBe(true);
			expect([...flags].some((f) => f.startsWith('high'))).toBe(true);
		}
	});

	test('the first flagged k on each side is the first rate strictly beyond the independent limit', () => {
		// n = 50, θ0 = 0.3 (normal): limits95 = [0.172980, 0.427020] (by hand above): 9/50 = 0.18 is
		// inside, 8/50 = 0.16 below; 21/50 = 0.42 inside, 22/50 = 0.44 above.
		const l = binomialLimits(50, 0.3, 'normal');
		expect([8, 9, 21, 22].map((k) => funnelFlag(k / 50, l))).toEqual([
			'low_95',
			'in_control',
			'in_control',
			'high_95'
		]);
		// Exact, n = 10, θ0 = 0.5: limits95 = [0.132444, 0.767556], limits998 = [0.00024, 0.89976] (by
		// hand above): 0/10 is below the 99.8% limit, 1/10 below the 95% one, 2/10 and 7/10 inside,
		// 8/10 above the 95% limit, 9/10 above the 99.8% one.
		const e = binomialLimits(10, 0.5, 'exact');
		expect([0, 1, 2, 7, 8, 9].map((k) => funnelFlag(k / 10, e))).toEqual([
			'low_99.8',
			'low_95',
			'in_control',
			'in_control',
			'high_95',
			'high_99.8'
		]);
	});
});

describe('the report’s offices object on the demo: limits and flags as computed independently', () => {
	const docs: Partial<Record<'exact' | 'normal', ReportDocument>> = {};
	beforeAll(async () => {
		const db = await nodeDatabase();
		const inputs = readdirSync('data/demo').map((name) => ({
			name,
			bytes: new Uint8Array(readFileSync(`data/demo/${name}`))
		}));
		const imported = await loadDataset(db, inputs);
		for (const method of ['exact', 'normal'] as const) {
			docs[method] = await buildReport(db, imported, { funnelMethod: method });
		}
	});

	test.each(['exact', 'normal'] as const)('%s', (method) => {
		const doc = docs[method]!;
		const o = doc.offices;
		expect(o.method).toBe(method);
		// The target pools every office: the practice's 12-month all-implanted responders (pain section).
		const all = doc.pain.pain_avg.windows.find((w) => w.label === '12m')!.responders30.all_implanted;
		expect(o.target).toBeCloseTo(all.k / all.n, 14);
		const shown = o.units.filter((u) => !u.suppressed);
		expect(shown.length).toBeGreaterThanOrEqual(2);
		for (const u of shown) {
			const [n, k] = [u.n as number, u.k as number];
			const [lo998, lo95, hi95, hi998] = independentLimits(n, all.k / all.n, method);
			expect(u.rate).toBeCloseTo(k / n, 14);
			expect(u.limits95![0]).toBeCloseTo(lo95!, 10);
			expect(u.limits95![1]).toBeCloseTo(hi95!, 10);
			expect(u.limits998![0]).toBeCloseTo(lo998!, 10);
			expect(u.limits998![1]).toBeCloseTo(hi998!, 10);
			expect(u.flag, u.office).toBe(independentFlag(k / n, [lo998!, lo95!, hi95!, hi998!]));
		}
		// Hidden units carry no limits and no flag (limits depend on n alone and would give it back).
		for (const u of o.units.filter((x) => x.suppressed)) {
			expect([u.limits95, u.limits998, u.flag]).toEqual([null, null, null]);
		}
	});
});
