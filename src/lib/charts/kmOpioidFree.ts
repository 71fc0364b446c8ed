import * as Plot from '@observablehq/plot';
import {
	DAYS_PER_MONTH,
	formatNumber,
	kmPoint,
	OPIOID_FREE_REPORT_DAYS,
	OPIOID_FREE_RUN_DAYS,
	roundHalfAway,
	type KaplanMeier,
	type MmeFactors
} from '$lib/outcomes';
import { MME_FACTORS_LABEL } from './mmeLabels';
import type { ChartSpec } from './types';
import { plural } from '$lib/ingest';

export interface KmOpioidFreeContext {
	filters: string;
	factors: MmeFactors;
}

/** The curve at one distinct time, as 1 - S in percent (events of that day included). */
export interface KmCurvePoint {
	day: number;
	month: number;
	atRisk: number;
	events: number;
	censored: number;
	pct: number;
	/** Log-log 95% interval, null while S = 1 or once S = 0. */
	lo: number | null;
	hi: number | null;
}

/** A tick of the x axis with the number still at risk there (time >= that day). */
export interface KmAtRisk {
	month: number;
	day: number;
	atRisk: number;
}

export const KM_CENSORING_NOTE = 'Death and explant are treated as non-informative censoring.';

const percent = (x: number | null) => (x === null ? null : 100 * x);

/** The step function: a point at day 0, then one per distinct time. */
export function kmCurve(km: KaplanMeier): KmCurvePoint[] {
	const points: KmCurvePoint[] = km.steps.map((s) => {
		const p = kmPoint(km, s.time);
		return {
			day: s.time,
			month: s.time / DAYS_PER_MONTH,
			atRisk: s.atRisk,
			events: s.events,
			censored: s.censored,
			pct: 100 * (1 - s.survival),
			// The interval for 1 - S is the interval for S turned over.
			lo: percent(p.upper === null ? null : 1 - p.upper),
			hi: percent(p.lower === null ? null : 1 - p.lower)
		};
	});
	if (km.n > 0 && points[0]?.day !== 0) {
		points.unshift({ day: 0, month: 0, atRisk: km.n, events: 0, censored: 0, pct: 0, lo: null, hi: null });
	}
	return points;
}

/** Month ticks every 3, 6 or 12 months, so that the at-risk row stays readable. */
export function kmTicks(km: KaplanMeier): KmAtRisk[] {
	const lastMonth = (km.lastTime ?? 0) / DAYS_PER_MONTH;
	const step = lastMonth <= 12 ? 3 : lastMonth <= 36 ? 6 : 12;
	const ticks: KmAtRisk[] = [];
	for (let month = 0; month <= lastMonth; month += step) {
		const day = roundHalfAway(month * DAYS_PER_MONTH);
		ticks.push({ month, day, atRisk: kmPoint(km, day).atRisk });
	}
	return ticks;
}

/** Time to opioid-free after implant: Kaplan-Meier 1 - S with its 95% band and numbers at risk. */
export function kmOpioidFree(km: KaplanMeier, ctx: KmOpioidFreeContext): ChartSpec<KmCurvePoint> {
	const rows = kmCurve(km);
	const ticks = kmTicks(km);
	const events = km.steps.reduce((s, x) => s + x.events, 0);
	const lastMonth = Math.max((km.lastTime ?? 0) / DAYS_PER_MONTH, 1);
	const censoredRows = rows.filter((r) => r.censored > 0);
	const caption =
		`Time from implant to the first day of ${OPIOID_FREE_RUN_DAYS} consecutive days without oral opioids ` +
		`(within follow-up), for n = ${km.n} patients (implanted, not spasticity) taking oral opioids in the ` +
		`30 days before implant; ${events} reached it. Others are censored at follow-up end, or at the start of ` +
		`an opioid-free run still open then. ${KM_CENSORING_NOTE} Band: 95% interval (Greenwood, log-log); ` +
		`+: censored. Numbers at risk under the axis. ${MME_FACTORS_LABEL[ctx.factors]}. Filters: ${ctx.filters}.`;
	return {
		id: 'km-opioid-free',
		title: 'Time to opioid-free (Kaplan-Meier)',
		caption,
		ariaDescription: describe(km, ticks, events, ctx.factors),
		options: {
			width: 760,
			height: 400,
			marginLeft: 80,
			marginBottom: 76,
			marginTop: 24,
			x: {
				label: 'Months from implant',
				labelAnchor: 'center',
				labelOffset: 34,
				domain: [0, lastMonth],
				ticks: ticks.map((t) => t.month)
			},
			y: { label: 'Opioid-free (%)', domain: [0, 100], grid: true },
			marks: [
				Plot.areaY(rows, {
					x: 'month',
					y1: 'lo',
					y2: 'hi',
					curve: 'step-after',
					fill: '#59a14f',
					fillOpacity: 0.22
				}),
				Plot.lineY(rows, { x: 'month', y: 'pct', curve: 'step-after', stroke: '#2e7d32', strokeWidth: 2 }),
				Plot.dot(censoredRows, { x: 'month', y: 'pct', symbol: 'plus', r: 3, stroke: '#2e7d32' }),
				Plot.text([KM_CENSORING_NOTE], {
					frameAnchor: 'top-left',
					dx: 8,
					dy: 8,
					textAnchor: 'start',
					fill: '#444'
				}),
				// The numbers at risk, one under each tick of the x axis.
				Plot.text(ticks, {
					x: 'month',
					text: (t: KmAtRisk) => String(t.atRisk),
					frameAnchor: 'bottom',
					dy: 62,
					fill: '#222'
				}),
				Plot.text(['At risk'], {
					frameAnchor: 'bottom-left',
					dx: -24,
					dy: 62,
					textAnchor: 'end',
					fill: '#222'
				}),
				Plot.tip(
					rows,
					Plot.pointerX({
						x: 'month',
						y: 'pct',
						title: (d: KmCurvePoint) =>
							`day ${d.day} (month ${formatNumber(d.month)})\n${formatNumber(d.pct)}% opioid-free` +
							(d.lo === null ? '' : ` (95% CI ${formatNumber(d.lo)}-${formatNumber(d.hi)})`) +
							`\nat risk ${d.atRisk}, events ${d.events}, censored ${d.censored}`
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'day', label: 'Day' },
				{ key: 'month', label: 'Month', digits: 1 },
				{ key: 'atRisk', label: 'At risk' },
				{ key: 'events', label: 'Events' },
				{ key: 'censored', label: 'Censored' },
				{ key: 'pct', label: 'Opioid-free (%)', digits: 1 },
				{ key: 'lo', label: '95% CI low', digits: 1 },
				{ key: 'hi', label: '95% CI high', digits: 1 }
			],
			rows
		}
	};
}

function describe(km: KaplanMeier, ticks: KmAtRisk[], events: number, factors: MmeFactors): string {
	if (km.n === 0) return 'No patients were taking oral opioids in the 30 days before implant.';
	const at = OPIOID_FREE_REPORT_DAYS.map((day) => {
		const p = kmPoint(km, day);
		if (p.survival === null) return `at ${day} days not estimable (follow-up ends earlier)`;
		const ci =
			p.lower === null || p.upper === null
				? ''
				: ` (95% CI ${formatNumber(100 * (1 - p.upper))}% to ${formatNumber(100 * (1 - p.lower))}%)`;
		return `at ${day} days ${formatNumber(100 * (1 - p.survival))}%${ci}`;
	});
	const median = km.median === null ? 'not reached' : `${km.median} days`;
	const atRisk = ticks.map((t) => `${t.atRisk} at month ${t.month}`).join(', ');
	return (
		`Kaplan-Meier curve of the cumulative percentage opioid-free after implant for ${plural(km.n, 'patient')}, ` +
		`${events} of whom reached ${OPIOID_FREE_RUN_DAYS} opioid-free days (${MME_FACTORS_LABEL[factors]}): ` +
		`${at.join('; ')}. Median time to opioid-free: ${median}. Numbers at risk: ${atRisk}. ${KM_CENSORING_NOTE}`
	);
}
