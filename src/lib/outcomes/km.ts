/**
 * Kaplan-Meier survival (outcomes.md section 3, time to opioid-free). Input is grouped by time, so
 * SQL can send one row per distinct day instead of one per patient.
 *
 * Conventions: at a time with both, events come before censorings, so a patient censored on day t
 * is still at risk for the events of day t; `atRisk(t)` counts patients whose time >= t; S(t)
 * includes the events of day t. Variance is Greenwood's; the 95% interval is built on the
 * log(-log S) scale, which stays inside [0, 1], and is undefined (null) where S is 0 or 1, as in R's
 * survival package (`conf.type = "log-log"`).
 */

import { WILSON_Z as Z95 } from './stats';

export interface TimeCount {
	time: number;
	events: number;
	censored: number;
}

/** The curve at one distinct time. */
export interface KmStep {
	time: number;
	atRisk: number;
	events: number;
	censored: number;
	/** S(time), events of this time included. */
	survival: number;
	/** Greenwood's sum of d / (n (n - d)) over event times <= time: Var(log S). */
	greenwoodSum: number;
}

export interface KaplanMeier {
	n: number;
	steps: KmStep[];
	/** The largest time observed (event or censoring); the curve is undefined beyond it. */
	lastTime: number | null;
	/** The smallest event time with S <= 0.5; null when the curve never gets there. */
	median: number | null;
}

export interface KmPoint {
	time: number;
	atRisk: number;
	survival: number | null;
	/** Greenwood standard error of S. */
	se: number | null;
	lower: number | null;
	upper: number | null;
}

export function kaplanMeier(rows: readonly TimeCount[]): KaplanMeier {
	const byTime = new Map<number, { events: number; censored: number }>();
	for (const r of rows) {
		const t = byTime.get(r.time) ?? { events: 0, censored: 0 };
		t.events += r.events;
		t.censored += r.censored;
		byTime.set(r.time, t);
	}
	const times = [...byTime.keys()].sort((a, b) => a - b);
	const n = rows.reduce((s, r) => s + r.events + r.censored, 0);
	const steps: KmStep[] = [];
	let atRisk = n;
	let survival = 1;
	let greenwoodSum = 0;
	for (const time of times) {
		const { events, censored } = byTime.get(time)!;
		if (events > 0) {
			survival *= 1 - events / atRisk;
			// Infinite once everyone at risk has the event (S = 0); the interval is then null anyway.
			greenwoodSum += events / (atRisk * (atRisk - events));
		}
		steps.push({ time, atRisk, events, censored, survival, greenwoodSum });
		atRisk -= events + censored;
	}
	const median = steps.find((s) => s.events > 0 && s.survival <= 0.5)?.time ?? null;
	return { n, steps, lastTime: times.at(-1) ?? null, median };
}

/** The curve at any time t, with its interval; survival, se and bounds are null beyond lastTime. */
export function kmPoint(km: KaplanMeier, time: number, z = Z95): KmPoint {
	const atRisk = km.steps.filter((s) => s.time >= time).reduce((sum, s) => sum + s.events + s.censored, 0);
	if (km.lastTime === null || time > km.lastTime) {
		return { time, atRisk, survival: null, se: null, lower: null, upper: null };
	}
	const last = km.steps.findLast((s) => s.time <= time);
	const survival = last?.survival ?? 1;
	const greenwoodSum = last?.greenwoodSum ?? 0;
	if (survival === 0) return { time, atRisk, survival, se: null, lower: null, upper: null };
	const se = survival * Math.sqrt(greenwoodSum);
	if (survival === 1) return { time, atRisk, survival, se, lower: null, upper: null };
	// SE of log(-log S) by the delta method: sqrt(Var log S) / |log S|.
	const seLogLog = Math.sqrt(greenwoodSum) / Math.abs(Math.log(survival));
	return {
		time,
		atRisk,
		survival,
		se,
		lower: survival ** Math.exp(z * seLogLog),
		upper: survival ** Math.exp(-z * seLogLog)
	};
}

/** Events on or before `day`: what small-cell rules check beside the number at risk. */
export function eventsUpTo(rows: readonly TimeCount[], day: number): number {
	return rows.filter((t) => t.time <= day).reduce((s, t) => s + t.events, 0);
}
