/**
 * The statistics of outcomes.md sections 0 and 2, in plain TypeScript so the dashboard, the
 * command-line report and the tests share one implementation: normal and Student t
 * distributions, the Wilson score interval, a mean's t interval and the Wilcoxon signed-rank test.
 */

/** z for a two-sided 95% interval, as outcomes.md fixes it (not 1.96). */
export const WILSON_Z = 1.959964;

// ---------------------------------------------------------------------------------------------
// Special functions

const LANCZOS_G = 7;
const LANCZOS = [
	0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
	12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7: relative error near 1e-15). */
export function logGamma(x: number): number {
	if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
	// Reflection keeps the series in the range where it is accurate.
	if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
	const z = x - 1;
	let sum = LANCZOS[0]!;
	for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
	const t = z + LANCZOS_G + 0.5;
	return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

// Relative tolerance of the series and continued fractions: a few ulps, so they stop reliably.
const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITERATIONS = 100_000;

/**
 * Modified Lentz evaluation of a continued fraction b0 + a1/(b1 + a2/(b2 + ...)) with b0 = 1
 * factored out by the callers (Numerical Recipes, 3rd ed., section 5.2).
 */
function lentz(term: (m: number) => [a: number, b: number]): number {
	let f = TINY;
	let c = f;
	let d = 0;
	for (let m = 1; m <= MAX_ITERATIONS; m++) {
		const [a, b] = term(m);
		d = b + a * d;
		if (Math.abs(d) < TINY) d = TINY;
		c = b + a / c;
		if (Math.abs(c) < TINY) c = TINY;
		d = 1 / d;
		const delta = c * d;
		f *= delta;
		if (Math.abs(delta - 1) < EPS) return f;
	}
	throw new Error('continued fraction did not converge');
}

/** Regularized incomplete beta I_x(a, b) (continued fraction, NR 6.4). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
	if (!(a > 0 && b > 0)) throw new RangeError(`incomplete beta needs a, b > 0, got ${a}, ${b}`);
	if (!(x >= 0 && x <= 1)) throw new RangeError(`incomplete beta needs 0 <= x <= 1, got ${x}`);
	if (x === 0 || x === 1) return x;
	const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
	// The fraction converges fast only below the mean; above it, use I_x(a, b) = 1 - I_{1-x}(b, a).
	if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
	return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
	// 1 / (1 + d1 / (1 + d2 / (1 + ...))) with NR's betacf coefficients:
	// d(2k+1) = -(a+k)(a+b+k)x / ((a+2k)(a+2k+1)), d(2k) = k(b-k)x / ((a+2k-1)(a+2k)).
	return lentz((m) => {
		if (m === 1) return [1, 1];
		const j = m - 1;
		const k = Math.floor(j / 2);
		const a2k = a + 2 * k;
		const d =
			j % 2 === 1 ? -((a + k) * (a + b + k) * x) / (a2k * (a2k + 1)) : (k * (b - k) * x) / ((a2k - 1) * a2k);
		return [d, 1];
	});
}

/** Upper regularized incomplete gamma Q(a, x) (series below a + 1, continued fraction above). */
export function regularizedGammaQ(a: number, x: number): number {
	if (!(a > 0 && x >= 0)) throw new RangeError(`incomplete gamma needs a > 0, x >= 0, got ${a}, ${x}`);
	if (x === 0) return 1;
	const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
	if (x < a + 1) {
		let term = 1 / a;
		let sum = term;
		for (let n = 1; n <= MAX_ITERATIONS && Math.abs(term) > Math.abs(sum) * EPS; n++) {
			term *= x / (a + n);
			sum += term;
		}
		return 1 - front * sum;
	}
	// Legendre's continued fraction for Γ(a, x), NR gcf.
	const fraction = lentz((m) => (m === 1 ? [1, x + 1 - a] : [-(m - 1) * (m - 1 - a), x + 2 * m - 1 - a]));
	return front * fraction;
}

// ---------------------------------------------------------------------------------------------
// Normal distribution

/** Standard normal upper tail 1 - Φ(z), accurate in relative terms far into the tail. */
export function normalUpperTail(z: number): number {
	const half = 0.5 * regularizedGammaQ(0.5, (z * z) / 2);
	return z >= 0 ? half : 1 - half;
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
	return normalUpperTail(-z);
}

/** Standard normal density. */
function normalPdf(z: number): number {
	return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * Standard normal quantile Φ⁻¹(p): the Abramowitz & Stegun 26.2.23 start (error < 4.5e-4),
 * polished by Halley steps on the accurate CDF (as Acklam recommends) to full double precision.
 */
export function normalQuantile(p: number): number {
	if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile needs 0 < p < 1, got ${p}`);
	if (p > 0.5) return -normalQuantile(1 - p);
	if (p === 0.5) return 0;
	const t = Math.sqrt(-2 * Math.log(p));
	let x =
		-t +
		(2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3);
	for (let i = 0; i < 4; i++) {
		// Lower tail, computed as an upper tail of -x so that tiny p keeps its relative accuracy.
		const e = normalUpperTail(-x) - p;
		const u = e / normalPdf(x);
		x -= u / (1 + (x * u) / 2);
	}
	return x;
}

// ---------------------------------------------------------------------------------------------
// Student t distribution

/** Upper tail P(T > t) of Student's t with `df` degrees of freedom (df > 0, not necessarily whole). */
export function studentTUpperTail(t: number, df: number): number {
	if (!(df > 0)) throw new RangeError(`t distribution needs df > 0, got ${df}`);
	const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
	return t >= 0 ? tail : 1 - tail;
}

/** CDF P(T <= t) of Student's t. */
export function studentTCdf(t: number, df: number): number {
	return studentTUpperTail(-t, df);
}

function studentTPdf(t: number, df: number): number {
	return Math.exp(
		logGamma((df + 1) / 2) -
			logGamma(df / 2) -
			0.5 * Math.log(df * Math.PI) -
			((df + 1) / 2) * Math.log1p((t * t) / df)
	);
}

/**
 * Quantile of Student's t: Newton steps on the upper tail, kept inside a bracket that bisection
 * shrinks whenever a step would leave it (heavy tails at df 1-2 make bare Newton overshoot).
 */
export function studentTQuantile(p: number, df: number): number {
	if (!(p > 0 && p < 1)) throw new RangeError(`t quantile needs 0 < p < 1, got ${p}`);
	if (!(df > 0)) throw new RangeError(`t quantile needs df > 0, got ${df}`);
	if (p < 0.5) return -studentTQuantile(1 - p, df);
	if (p === 0.5) return 0;
	const tail = 1 - p;
	let lo = 0;
	let hi = Math.max(1, normalQuantile(p));
	while (studentTUpperTail(hi, df) > tail) {
		lo = hi;
		hi *= 2;
	}
	let x = (lo + hi) / 2;
	for (let i = 0; i < 200; i++) {
		const excess = studentTUpperTail(x, df) - tail;
		if (excess === 0) return x;
		if (excess > 0) lo = x;
		else hi = x;
		let next = x + excess / studentTPdf(x, df);
		if (!(next > lo && next < hi)) next = (lo + hi) / 2;
		// Newton converges quadratically: a step this small leaves an error far below 1e-12.
		if (Math.abs(next - x) <= 1e-12 * Math.max(1, Math.abs(x))) return next;
		x = next;
	}
	return x;
}

// ---------------------------------------------------------------------------------------------
// Intervals

export type Interval = [lo: number, hi: number];

/** Wilson score interval for k of n, without continuity correction; null when n = 0. */
export function wilsonInterval(k: number, n: number, z: number = WILSON_Z): Interval | null {
	if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || k > n) {
		throw new RangeError(`Wilson interval needs whole 0 <= k <= n, got ${k} of ${n}`);
	}
	if (n === 0) return null;
	const z2 = z * z;
	const centre = (k + z2 / 2) / (n + z2);
	const half = (z * Math.sqrt((k * (n - k)) / n + z2 / 4)) / (n + z2);
	return [centre - half, centre + half];
}

/** mean +/- t(1 - (1 - level) / 2, n - 1) x SD / sqrt(n); null below two observations. */
export function meanConfidenceInterval(
	mean: number | null,
	sd: number | null,
	n: number,
	level = 0.95
): Interval | null {
	if (n < 2 || mean === null || sd === null) return null;
	const half = (studentTQuantile(1 - (1 - level) / 2, n - 1) * sd) / Math.sqrt(n);
	return [mean - half, mean + half];
}

// ---------------------------------------------------------------------------------------------
// Wilcoxon signed-rank test

export interface WilcoxonResult {
	/** Non-zero differences used. */
	n: number;
	/** Zero differences dropped before ranking. */
	zeros: number;
	/** V: sum of the ranks of the positive differences; null when nothing is left to rank. */
	statistic: number | null;
	/** The normal deviate with continuity and tie correction; null when p is exact. */
	z: number | null;
	/** Two-sided p-value. */
	p: number | null;
	approximate: boolean;
}

/** Largest n for which the exact null distribution is used (outcomes.md section 2). */
export const WILCOXON_EXACT_MAX_N = 25;

/**
 * Two-sided Wilcoxon signed-rank test on paired differences (follow-up - baseline), as R's
 * `wilcox.test(d, correct = TRUE)` computes it, except that zeros are dropped before deciding
 * whether the exact distribution applies: exact only without ties and with n <= 25.
 * Pass differences that compare exactly (e.g. integer tenths): ties are found by equality.
 */
export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonResult {
	const nonzero = differences.filter((d) => d !== 0);
	const zeros = differences.length - nonzero.length;
	const n = nonzero.length;
	if (n === 0) return { n, zeros, statistic: null, z: null, p: null, approximate: false };

	const { ranks, tieSizes } = averageRanks(nonzero.map(Math.abs));
	const statistic = nonzero.reduce((v, d, i) => (d > 0 ? v + ranks[i]! : v), 0);

	if (tieSizes.length === 0 && n <= WILCOXON_EXACT_MAX_N) {
		return { n, zeros, statistic, z: null, p: exactSignedRankP(statistic, n), approximate: false };
	}
	const mean = (n * (n + 1)) / 4;
	const tieTerm = tieSizes.reduce((s, t) => s + t ** 3 - t, 0);
	const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
	const z = (statistic - mean - Math.sign(statistic - mean) * 0.5) / sigma;
	const p = Math.min(1, 2 * normalUpperTail(Math.abs(z)));
	return { n, zeros, statistic, z, p, approximate: true };
}

/** Ranks 1..n of the values, tied values sharing their average rank; sizes of tie groups > 1. */
function averageRanks(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
	const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
	const ranks = new Array<number>(values.length);
	const tieSizes: number[] = [];
	for (let start = 0; start < order.length;) {
		let end = start + 1;
		while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
		const rank = (start + 1 + end) / 2;
		for (let j = start; j < end; j++) ranks[order[j]!] = rank;
		if (end - start > 1) tieSizes.push(end - start);
		start = end;
	}
	return { ranks, tieSizes };
}

/**
 * Exact two-sided p for V with n untied ranks: the number of subsets of {1..n} with each rank
 * sum, by dynamic programming (counts stay below 2^25, exact in doubles).
 */
function exactSignedRankP(statistic: number, n: number): number {
	const maxSum = (n * (n + 1)) / 2;
	const counts = new Array<number>(maxSum + 1).fill(0);
	counts[0] = 1;
	for (let rank = 1; rank <= n; rank++) {
		for (let s = maxSum; s >= rank; s--) counts[s]! += counts[s - rank]!;
	}
	const total = 2 ** n;
	// The distribution is symmetric about n(n+1)/4: double the smaller tail.
	const lower = statistic <= maxSum / 2;
	let tail = 0;
	for (let s = 0; s <= maxSum; s++) if (lower ? s <= statistic : s >= statistic) tail += counts[s]!;
	return Math.min(1, (2 * tail) / total);
}
