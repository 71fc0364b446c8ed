/**
 * Seeded random numbers for the synthetic cohort.
 *
 * Math.random() cannot be seeded, so every draw goes through sfc32 (Chris Doty-Humphrey's
 * Small Fast Counting generator, as in PractRand), seeded from a text key hashed with cyrb128.
 * Keys such as `42/P000017/pain` give every patient and every part of the model its own
 * stream: a patient's rows do not depend on how many patients are generated, and changing
 * the pump model does not reshuffle the pain scores.
 *
 * Besides exact arithmetic the model uses Math.log, exp, cos and pow, which ECMAScript lets
 * engines approximate differently. One seed therefore gives byte-identical CSV text within
 * one engine (Node and Chromium share V8's fdlibm port); another engine may, rarely, round a
 * value differently.
 */

/** cyrb128 (bryc, public domain): four 32-bit words from a string. */
function cyrb128(text: string): [number, number, number, number] {
	let h1 = 1779033703;
	let h2 = 3144134277;
	let h3 = 1013904242;
	let h4 = 2773480762;
	for (let i = 0; i < text.length; i++) {
		const k = text.charCodeAt(i);
		h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
		h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
		h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
		h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
	}
	h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
	h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
	h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
	h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
	h1 ^= h2 ^ h3 ^ h4;
	h2 ^= h1;
	h3 ^= h1;
	h4 ^= h1;
	return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class Random {
	private a: number;
	private b: number;
	private c: number;
	private d: number;

	constructor(key: string | number) {
		[this.a, this.b, this.c, this.d] = cyrb128(String(key));
		// The first outputs of sfc32 still correlate with the seed words: discard them.
		for (let i = 0; i < 12; i++) this.next();
	}

	/** A new independent stream, e.g. `rng.fork('pain')`. */
	static stream(...keyParts: (string | number)[]): Random {
		return new Random(keyParts.join('/'));
	}

	/** Uniform in [0, 1). */
	next(): number {
		const t = (((this.a + this.b) | 0) + this.d) | 0;
		this.d = (this.d + 1) | 0;
		this.a = this.b ^ (this.b >>> 9);
		this.b = (this.c + (this.c << 3)) | 0;
		this.c = (this.c << 21) | (this.c >>> 11);
		this.c = (this.c + t) | 0;
		return (t >>> 0) / 4294967296;
	}

	/** Uniform in [min, max). */
	uniform(min: number, max: number): number {
		return min + (max - min) * this.next();
	}

	/** Uniform integer in [min, max], both ends included. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	chance(probability: number): boolean {
		return this.next() < probability;
	}

	/** Box-Muller; the second variate is dropped so that a draw never depends on an earlier one. */
	normal(mean = 0, sd = 1): number {
		const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
		const v = this.next();
		return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
	}

	/** A normal draw clipped (not redrawn) to [min, max]. */
	clippedNormal(mean: number, sd: number, min: number, max: number): number {
		return Math.min(max, Math.max(min, this.normal(mean, sd)));
	}

	/** Lognormal parameterised by its median, the natural scale for doses and MME. */
	lognormal(median: number, sigma: number): number {
		return median * Math.exp(this.normal(0, sigma));
	}

	/** Time to an event with a constant hazard `rate` (per unit time). */
	exponential(rate: number): number {
		return rate <= 0 ? Infinity : -Math.log(1 - this.next()) / rate;
	}

	/** Knuth's multiplication method; exact and fast enough for the small means used here. */
	poisson(mean: number): number {
		if (mean > 30) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
		const limit = Math.exp(-mean);
		let count = 0;
		let product = this.next();
		while (product > limit) {
			count++;
			product *= this.next();
		}
		return count;
	}

	pick<T>(items: readonly T[]): T {
		const item = items[Math.floor(this.next() * items.length)];
		if (item === undefined) throw new Error('pick() from an empty list');
		return item;
	}

	/** A key drawn with probability proportional to its weight. */
	weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): K {
		return pickByCumulative(weights, this.next());
	}
}

/** The key whose cumulative weight interval contains u (u in [0, 1)). */
export function pickByCumulative<K extends string>(
	weights: Readonly<Partial<Record<K, number>>>,
	u: number
): K {
	const { keys, cumulative } = cumulativeTable(weights);
	const threshold = u * cumulative[cumulative.length - 1]!;
	for (let i = 0; i < keys.length; i++) if (threshold < cumulative[i]!) return keys[i] as K;
	const last = keys.at(-1);
	if (last === undefined) throw new Error('weighted pick from no weights');
	return last as K;
}

/** Weight tables are constants picked from millions of times: sum them once. */
const cumulativeTables = new WeakMap<object, { keys: string[]; cumulative: number[] }>();

function cumulativeTable(weights: Readonly<Partial<Record<string, number>>>) {
	let table = cumulativeTables.get(weights);
	if (!table) {
		const keys = Object.keys(weights);
		let total = 0;
		table = { keys, cumulative: keys.map((key) => (total += weights[key] ?? 0)) };
		cumulativeTables.set(weights, table);
	}
	return table;
}

/**
 * Point k of the R_d low-discrepancy sequence (Roberts, 2018), shifted by `offset`.
 *
 * Used for the few attributes whose shares the demo is meant to show (diagnosis mix, trial
 * failures, responders, program): with ~40 patients in an office, independent draws would
 * scatter those shares by +/- 7 points from one seed to the next, while successive points of
 * this sequence fill [0, 1)^d evenly, so each office's counts sit within about one patient of
 * the planted share whatever the seed. Within a patient the coordinates are still independent.
 */
export function lowDiscrepancyPoint(k: number, offset: readonly number[]): number[] {
	const alphas = sequenceSteps(offset.length);
	return offset.map((shift, i) => fraction(shift + (k + 1) * alphas[i]!));
}

const stepsByDimension = new Map<number, number[]>();

/** 1/g, 1/g^2, ... where g is the positive root of x^(d+1) = x + 1 (found by fixed-point iteration). */
function sequenceSteps(dimensions: number): number[] {
	let steps = stepsByDimension.get(dimensions);
	if (!steps) {
		let g = 2;
		for (let i = 0; i < 40; i++) g = Math.pow(1 + g, 1 / (dimensions + 1));
		steps = Array.from({ length: dimensions }, (_, i) => Math.pow(1 / g, i + 1));
		stepsByDimension.set(dimensions, steps);
	}
	return steps;
}

function fraction(x: number): number {
	return x - Math.floor(x);
}
