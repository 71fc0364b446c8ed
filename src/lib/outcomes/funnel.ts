/**
 * Funnel-plot control limits for comparing units (offices, providers): outcomes.md section 5,
 * after Spiegelhalter, "Funnel plots for comparing institutional performance", Stat Med 2005.
 *
 * Every limit is a pair of 95% limits (probabilities 0.025 and 0.975) and a pair of 99.8% limits
 * (0.001 and 0.999) around a target. A unit is flagged only when its value is strictly outside a
 * limit: a value exactly on a limit is in control.
 */

import { WILSON_Z, regularizedGammaQ, regularizedIncompleteBeta, type Interval } from './stats';

export type FunnelMethod = 'exact' | 'normal';
export const FUNNEL_METHODS: readonly FunnelMethod[] = ['exact', 'normal'];

/** Two-sided z for the 95% and 99.8% limits, as outcomes.md fixes them. */
export const FUNNEL_Z = { z95: WILSON_Z, z998: 3.090232 } as const;

/** Lower and upper tail probabilities of the two limits. */
export const FUNNEL_PROBABILITIES = { lo998: 0.001, lo95: 0.025, hi95: 0.975, hi998: 0.999 } as const;

/** Over-dispersion is not estimated with fewer units than this (outcomes.md section 5). */
export const OVERDISPERSION_MIN_UNITS = 10;

export interface FunnelLimits {
	limits95: Interval;
	limits998: Interval;
}

export type FunnelFlag = 'in_control' | 'high_95' | 'low_95' | 'high_99.8' | 'low_99.8';

/**
 * The flag of a value against its limits. Strict comparisons: on a limit is in control. The
 * 99.8% limits lie outside the 95% ones, so the outer test comes first.
 */
export function funnelFlag(value: number, { limits95, limits998 }: FunnelLimits): FunnelFlag {
	if (value > limits998[1]) return 'high_99.8';
	if (value < limits998[0]) return 'low_99.8';
	if (value > limits95[1]) return 'high_95';
	if (value < limits95[0]) return 'low_95';
	return 'in_control';
}

// ---------------------------------------------------------------------------------------------
// Discrete distributions

/** Binomial CDF P(X <= r), X ~ Bin(n, p), through the incomplete beta: I_{1-p}(n - r, r + 1). */
export function binomialCdf(r: number, n: number, p: number): number {
	if (r < 0) return 0;
	if (r >= n) return 1;
	if (p <= 0) return 1;
	if (p >= 1) return 0;
	return regularizedIncompleteBeta(1 - p, n - r, r + 1);
}

/** Poisson CDF P(X <= r), X ~ Poisson(mu), through the upper incomplete gamma: Q(r + 1, mu). */
export function poissonCdf(r: number, mu: number): number {
	if (r < 0) return 0;
	if (mu <= 0) return 1;
	return regularizedGammaQ(r + 1, mu);
}

/**
 * Spiegelhalter's interpolated quantile of a discrete distribution on 0, 1, 2, ...: r_p is the
 * smallest r with F(r) >= p, α = (F(r_p) - p) / (F(r_p) - F(r_p - 1)), and the result is r_p - α.
 * `upper` bounds the search (F(upper) must reach p); the CDF is monotone, so bisection finds r_p.
 */
export function interpolatedQuantile(cdf: (r: number) => number, p: number, upper: number): number {
	let lo = 0;
	let hi = Math.max(1, upper);
	while (cdf(hi) < p) hi *= 2;
	// Invariant: cdf(hi) >= p, and cdf(lo - 1) < p.
	while (lo < hi) {
		const mid = Math.floor((lo + hi) / 2);
		if (cdf(mid) >= p) hi = mid;
		else lo = mid + 1;
	}
	const at = cdf(hi);
	const below = cdf(hi - 1);
	return hi - (at - p) / (at - below);
}

function limitsFrom(quantile: (p: number) => number): FunnelLimits {
	const P = FUNNEL_PROBABILITIES;
	return {
		limits95: [quantile(P.lo95), quantile(P.hi95)],
		limits998: [quantile(P.lo998), quantile(P.hi998)]
	};
}

// ---------------------------------------------------------------------------------------------
// Limits per kind of measure

/**
 * Limits for a proportion k/n around the target θ0 (the pooled Σk / Σn). `exact`: binomial
 * quantiles with Spiegelhalter's interpolation, (r_p - α) / n; `normal`:
 * θ0 ± z sqrt(θ0 (1 - θ0) / n), not clipped to [0, 1] (the formula as outcomes.md gives it).
 */
export function binomialLimits(n: number, theta0: number, method: FunnelMethod): FunnelLimits {
	if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`funnel limits need a whole n > 0, got ${n}`);
	if (!(theta0 >= 0 && theta0 <= 1)) throw new RangeError(`target must be a proportion, got ${theta0}`);
	// A target of 0 or 1 leaves no room for chance: every unit sits on it. The interpolation would
	// put a limit at -(1 - p) / n and flag every unit at 0 as high.
	if (theta0 === 0 || theta0 === 1) return degenerate(theta0);
	if (method === 'normal') return normalLimits(theta0, Math.sqrt((theta0 * (1 - theta0)) / n));
	return limitsFrom((p) => interpolatedQuantile((r) => binomialCdf(r, n, theta0), p, n) / n);
}

/**
 * Limits for an event rate per unit of exposure (e.g. explants per patient-year) around the
 * pooled rate λ0 = Σ events / Σ exposure: exact Poisson quantiles of the count expected from the
 * unit's exposure, μ = λ0 x exposure, with the same interpolation, divided by the exposure.
 */
export function poissonLimits(exposure: number, rate0: number): FunnelLimits {
	if (!(exposure > 0)) throw new RangeError(`funnel limits need exposure > 0, got ${exposure}`);
	if (!(rate0 >= 0)) throw new RangeError(`pooled rate must be >= 0, got ${rate0}`);
	if (rate0 === 0) return degenerate(0);
	const mu = rate0 * exposure;
	const upper = Math.ceil(mu + 10 * Math.sqrt(mu) + 10);
	return limitsFrom((p) => interpolatedQuantile((r) => poissonCdf(r, mu), p, upper) / exposure);
}

function degenerate(target: number): FunnelLimits {
	return { limits95: [target, target], limits998: [target, target] };
}

/** target ± z x se: Kaplan-Meier estimates (se from Greenwood) and means (pooled SD / sqrt(n)). */
export function normalLimits(target: number, se: number): FunnelLimits {
	if (!(se >= 0)) throw new RangeError(`standard error must be >= 0, got ${se}`);
	const { z95, z998 } = FUNNEL_Z;
	return {
		limits95: [target - z95 * se, target + z95 * se],
		limits998: [target - z998 * se, target + z998 * se]
	};
}

/**
 * Pooled within-unit SD, sqrt(Σ (n_i - 1) s_i² / Σ (n_i - 1)), over units with n >= 2; null when
 * no unit has two observations.
 */
export function pooledSd(units: readonly { n: number; sd: number | null }[]): number | null {
	let ss = 0;
	let df = 0;
	for (const u of units) {
		if (u.n < 2 || u.sd === null) continue;
		ss += (u.n - 1) * u.sd * u.sd;
		df += u.n - 1;
	}
	return df > 0 ? Math.sqrt(ss / df) : null;
}

/**
 * Exact (Garwood) 95% interval for a Poisson rate, k events over `exposure`: the means μ at which
 * P(X >= k) = 0.025 and P(X <= k) = 0.025, found by bisection on the incomplete gamma.
 */
export function poissonRateInterval(k: number, exposure: number): Interval | null {
	if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`event count must be whole, got ${k}`);
	if (!(exposure > 0)) return null;
	const tail = FUNNEL_PROBABILITIES.lo95;
	// P(X >= k; μ) = 1 - Q(k, μ) rises with μ; P(X <= k; μ) = Q(k + 1, μ) falls with μ.
	const lower = k === 0 ? 0 : solveIncreasing((mu) => 1 - regularizedGammaQ(k, mu), tail, k);
	const upper = solveIncreasing((mu) => 1 - regularizedGammaQ(k + 1, mu), 1 - tail, k + 1);
	return [lower / exposure, upper / exposure];
}

/** The x > 0 with f(x) = target for an increasing f, by bisection from a starting guess. */
function solveIncreasing(f: (x: number) => number, target: number, guess: number): number {
	let lo = 0;
	let hi = Math.max(1, guess);
	while (f(hi) < target) hi *= 2;
	for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		const mid = (lo + hi) / 2;
		if (f(mid) < target) lo = mid;
		else hi = mid;
	}
	return (lo + hi) / 2;
}
