import { describe, expect, test } from 'vitest';
import {
	logGamma,
	meanConfidenceInterval,
	normalCdf,
	normalQuantile,
	regularizedGammaQ,
	regularizedIncompleteBeta,
	studentTCdf,
	studentTQuantile,
	wilcoxonSignedRank,
	wilsonInterval
} from '../../src/lib/outcomes/stats';

describe('special functions', () => {
	test('log gamma matches factorials and Γ(1/2) = √π', () => {
		expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
		expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 12);
		expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
		expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12); // Γ(0.1), reflection branch
	});

	test('incomplete beta and gamma reduce to closed forms', () => {
		for (const x of [0.05, 0.3, 0.5, 0.77, 0.99]) {
			expect(regularizedIncompleteBeta(x, 1, 1)).toBeCloseTo(x, 14); // uniform
			expect(regularizedIncompleteBeta(x, 3, 1)).toBeCloseTo(x ** 3, 14); // I_x(a, 1) = x^a
			expect(regularizedIncompleteBeta(x, 1, 4)).toBeCloseTo(1 - (1 - x) ** 4, 14);
			expect(regularizedGammaQ(1, 10 * x)).toBeCloseTo(Math.exp(-10 * x), 14); // exponential tail
		}
		expect(regularizedIncompleteBeta(0.5, 7.5, 7.5)).toBeCloseTo(0.5, 14); // symmetry
		expect(() => regularizedIncompleteBeta(1.5, 1, 1)).toThrow(RangeError);
	});
});

describe('normal distribution', () => {
	test('CDF matches the printed table and far tails', () => {
		expect(normalCdf(0)).toBe(0.5);
		expect(normalCdf(1.96)).toBeCloseTo(0.975002, 6);
		expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
		// Φ(-8) = 6.22096e-16: relative, not absolute, accuracy in the tail.
		expect(normalCdf(-8) / 6.22096057427e-16).toBeCloseTo(1, 9);
	});

	test('quantile matches the printed table and inverts the CDF', () => {
		expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
		expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
		expect(normalQuantile(0.999)).toBeCloseTo(3.090232, 6);
		expect(normalQuantile(0.5)).toBe(0);
		expect(normalQuantile(1e-10)).toBeCloseTo(-6.361341, 6);
		for (const p of [0.001, 0.2, 0.6, 0.9999])
			expect(normalQuantile(p)).toBeCloseTo(-normalQuantile(1 - p), 9);
		// Relative accuracy deep in the tail, where 1 - p is no longer representable.
		for (const p of [1e-12, 1e-100, 0.001, 0.2]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 12);
		expect(() => normalQuantile(1)).toThrow(RangeError);
	});
});

describe('Student t distribution', () => {
	test('CDF matches the closed forms for 1, 2 and 3 degrees of freedom', () => {
		for (const t of [-30, -2.5, -0.3, 0, 0.7, 1.96, 12.7]) {
			expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
			expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
			const u = t / Math.sqrt(3);
			expect(studentTCdf(t, 3)).toBeCloseTo(0.5 + (u / (1 + u * u) + Math.atan(u)) / Math.PI, 13);
		}
	});

	test('quantile matches the printed t table', () => {
		const table: [p: number, df: number, t: number][] = [
			[0.975, 1, 12.7062],
			[0.975, 2, 4.3027],
			[0.975, 4, 2.7764],
			[0.975, 10, 2.2281],
			[0.975, 30, 2.0423],
			[0.975, 120, 1.9799],
			[0.995, 5, 4.0321],
			[0.95, 3, 2.3534]
		];
		for (const [p, df, t] of table) expect(studentTQuantile(p, df), `t(${p}, ${df})`).toBeCloseTo(t, 4);
	});

	test('quantile matches the closed forms for 1, 2 and 4 degrees of freedom to 1e-9', () => {
		for (const p of [0.0005, 0.1, 0.6, 0.975, 0.9995]) {
			expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
			expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 9);
			// df 4: α = 4p(1 - p), q = cos(arccos(√α) / 3) / √α, t = sign(p - 1/2) x 2√(q - 1).
			const alpha = 4 * p * (1 - p);
			const q = Math.cos(Math.acos(Math.sqrt(alpha)) / 3) / Math.sqrt(alpha);
			expect(studentTQuantile(p, 4)).toBeCloseTo(Math.sign(p - 0.5) * 2 * Math.sqrt(q - 1), 9);
		}
	});

	test('quantile inverts the CDF for fractional and large degrees of freedom', () => {
		for (const df of [0.5, 2.5, 17, 1000]) {
			for (const p of [0.001, 0.3, 0.975])
				expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
		}
		expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 5); // tends to the normal
	});
});

describe('intervals', () => {
	test('Wilson score interval matches Newcombe (1998), method 3', () => {
		const check = (k: number, n: number, lo: number, hi: number) => {
			const ci = wilsonInterval(k, n)!;
			expect(ci[0], `${k}/${n} lower`).toBeCloseTo(lo, 4);
			expect(ci[1], `${k}/${n} upper`).toBeCloseTo(hi, 4);
		};
		check(81, 263, 0.2553, 0.3662);
		check(15, 148, 0.0624, 0.1605);
		check(0, 20, 0, 0.1611);
		check(1, 29, 0.0061, 0.1718);
	});

	test('Wilson interval is null without a denominator and refuses k > n', () => {
		expect(wilsonInterval(0, 0)).toBeNull();
		expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
	});

	test('mean CI uses the t quantile', () => {
		// mean 10, SD 2, n 5: 10 +/- t(0.975, 4) x 2 / sqrt(5) = 10 +/- 2.7764 x 0.894427 = 10 +/- 2.4833.
		const [lo, hi] = meanConfidenceInterval(10, 2, 5)!;
		expect(lo).toBeCloseTo(7.5167, 4);
		expect(hi).toBeCloseTo(12.4833, 4);
		expect(meanConfidenceInterval(10, null, 1)).toBeNull();
	});
});

describe('Wilcoxon signed-rank test', () => {
	test("matches R's wilcox.test documentation example (exact)", () => {
		// x - y: 0.952 -0.147 1.022 0.43 0.62 0.59 0.49 -0.08 0.01; negative ranks 3 and 2, so
		// V = 45 - 5 = 40. R: V = 40, p-value = 0.03906 (two-sided; 2 x 10 / 512).
		const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
		const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
		const r = wilcoxonSignedRank(x.map((v, i) => v - y[i]!));
		expect(r).toMatchObject({ n: 9, statistic: 40, z: null, approximate: false });
		expect(r.p).toBeCloseTo(0.03906, 5);
	});

	test('uses the normal approximation with continuity and tie correction when ranks tie', () => {
		// 1, -1, 2, 2, 2, 3, 0: the zero is dropped (n = 6). |d| ranks: 1, 1 -> 1.5; 2, 2, 2 -> 4; 3 -> 6.
		// V = 1.5 + 3 x 4 + 6 = 19.5. Mean 6 x 7 / 4 = 10.5. Variance 6 x 7 x 13 / 24 minus the tie
		// term ((2^3 - 2) + (3^3 - 3)) / 48 = 22.75 - 0.625 = 22.125.
		// z = (19.5 - 10.5 - 0.5) / sqrt(22.125) = 1.807080; p = 2 x (1 - Phi(1.807080)) = 0.07075
		// (Phi(1.80) = 0.96407, Phi(1.81) = 0.96485: interpolated 0.96462).
		const r = wilcoxonSignedRank([1, -1, 2, 2, 2, 3, 0]);
		expect(r).toMatchObject({ n: 6, zeros: 1, statistic: 19.5, approximate: true });
		expect(r.z).toBeCloseTo(8.5 / Math.sqrt(22.125), 12);
		expect(r.p).toBeCloseTo(0.07075, 4);
	});

	test('is exact up to n = 25 and approximate above, without ties', () => {
		// All positive: V = n(n + 1) / 2, the most extreme value; exact p = 2 / 2^n.
		const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
		expect(wilcoxonSignedRank(upTo(25))).toMatchObject({
			statistic: 325,
			p: 2 / 2 ** 25,
			approximate: false
		});
		// n = 26: V = 351, mean 175.5, variance 26 x 27 x 53 / 24 = 1550.25; z = 175 / sqrt(1550.25).
		const r = wilcoxonSignedRank(upTo(26));
		expect(r).toMatchObject({ statistic: 351, approximate: true });
		expect(r.z).toBeCloseTo(175 / Math.sqrt(1550.25), 12);
	});

	test('drops zeros before ranking, and caps p at 1', () => {
		// 1, -2, 3 after the zeros: V = 1 + 3 = 4 > mean 3; P(V >= 4) = 3 of 8 subsets -> p = 0.75.
		expect(wilcoxonSignedRank([0, 0, 1, -2, 3])).toMatchObject({ n: 3, zeros: 2, statistic: 4, p: 0.75 });
		// 1, -2, -3, 4: V = 5, the centre; 2 x P(V <= 5) = 2 x 9 / 16 > 1.
		expect(wilcoxonSignedRank([1, -2, -3, 4]).p).toBe(1);
		expect(wilcoxonSignedRank([0, 0])).toEqual({
			n: 0,
			zeros: 2,
			statistic: null,
			z: null,
			p: null,
			approximate: false
		});
	});
});
