import * as Plot from '@observablehq/plot';
import { formatNumber, type FunnelFlag } from '$lib/outcomes';
import type { FunnelPoint, FunnelView } from '$lib/sql';
import type { ChartSpec } from './types';

export interface FunnelContext {
	/** The active filters in words. */
	filters: string;
}

export interface FunnelTableRow {
	office: string;
	x: number;
	value: number;
	lo95: number;
	hi95: number;
	lo998: number;
	hi998: number;
	flag: string;
}

/** Plot symbols by flag, so the flag reads without colour too (and the words sit beside it). */
const SYMBOL: Record<FunnelFlag, string> = {
	in_control: 'circle',
	high_95: 'triangle',
	'high_99.8': 'triangle',
	low_95: 'diamond',
	'low_99.8': 'diamond'
};
const FILL: Record<FunnelFlag, string> = {
	in_control: '#4e79a7',
	high_95: '#b15928',
	'high_99.8': '#8c2d04',
	low_95: '#b15928',
	'low_99.8': '#8c2d04'
};

type Point = FunnelPoint & { y: number };

/** Proportions are drawn in percent; other measures in their own unit. */
export const scaleOf = (f: FunnelView) => (f.info.percent ? 100 : 1);

/**
 * A funnel plot (Spiegelhalter 2005): each office's value against its precision, the target
 * line, and the 95% (dashed) and 99.8% (solid) limits. Offices left out (suppressed, no limits)
 * are named in the caption.
 */
export function funnelChart(f: FunnelView, ctx: FunnelContext): ChartSpec<FunnelTableRow> {
	const k = scaleOf(f);
	const digits = f.info.percent ? 1 : 2;
	const unit = f.info.percent ? '%' : '';
	const curve = f.curve.map((c) => ({
		x: c.x,
		lo95: c.lo95 * k,
		hi95: c.hi95 * k,
		lo998: c.lo998 * k,
		hi998: c.hi998 * k
	}));
	const points: Point[] = f.points.map((p) => ({ ...p, y: p.value * k }));
	const rows: FunnelTableRow[] = f.points.map((p) => ({
		office: p.label,
		x: p.x,
		value: p.value * k,
		lo95: p.limits.limits95[0] * k,
		hi95: p.limits.limits95[1] * k,
		lo998: p.limits.limits998[0] * k,
		hi998: p.limits.limits998[1] * k,
		flag: p.words
	}));
	const values = [...points.map((p) => p.y), ...curve.flatMap((c) => [c.lo998, c.hi998])];
	const domain = f.info.percent ? [0, 100] : values.length ? padded(values) : [0, 1];
	const clip = (y: number) => Math.min(domain[1]!, Math.max(domain[0]!, y));
	const leftOut = f.leftOut.length
		? ` Not plotted: ${f.leftOut.map((l) => `${l.label} (${l.reason})`).join('; ')}.`
		: '';
	const target = f.target === null ? 'none' : `${formatNumber(f.target * k, digits)}${unit}`;
	return {
		id: `offices-funnel-${f.metric}`,
		title: `Funnel plot: ${f.info.label} at ${f.window}`,
		caption:
			`Each point is an office (n = ${f.points.length} plotted of ${f.units}). Target (practice): ${target}. ` +
			`Limits: ${f.info.limitsText(f.method)}; dashed 95%, solid 99.8%. ` +
			`Triangles are above a limit, diamonds below; circles within.${leftOut} ${f.overdispersionNote} ` +
			`Filters: ${ctx.filters}.`,
		ariaDescription: describe(f, k, digits, unit),
		options: {
			width: 520,
			height: 380,
			marginLeft: 52,
			marginRight: 90,
			x: { label: f.info.xLabel, grid: true, domain: [0, Math.max(1, ...curve.map((c) => c.x))] },
			y: { label: f.info.valueLabel, domain, grid: true },
			marks: [
				Plot.areaY(curve, {
					x: 'x',
					y1: (c) => clip(c.lo998),
					y2: (c) => clip(c.hi998),
					fill: '#4e79a7',
					fillOpacity: 0.08
				}),
				...(['lo998', 'hi998'] as const).map((key) =>
					Plot.lineY(curve, { x: 'x', y: (c) => clip(c[key]), stroke: '#555', strokeWidth: 1.2 })
				),
				...(['lo95', 'hi95'] as const).map((key) =>
					Plot.lineY(curve, { x: 'x', y: (c) => clip(c[key]), stroke: '#555', strokeDasharray: '4,3' })
				),
				...(f.target === null ? [] : [Plot.ruleY([f.target * k], { stroke: '#1f4e79', strokeWidth: 1.5 })]),
				Plot.dot(points, {
					x: 'x',
					y: 'y',
					r: 5,
					symbol: (p: Point) => SYMBOL[p.flag],
					fill: (p: Point) => FILL[p.flag],
					stroke: '#fff'
				}),
				Plot.text(points, { x: 'x', y: 'y', text: 'label', dx: 8, textAnchor: 'start', fontSize: 11 }),
				Plot.tip(
					points,
					Plot.pointer({
						x: 'x',
						y: 'y',
						title: (p: Point) =>
							`${p.label}\n${formatNumber(p.y, digits)}${unit} (x = ${formatNumber(p.x, f.info.xDigits)})\n${p.words}`
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'office', label: 'Office' },
				{ key: 'x', label: f.info.xLabel, digits: f.info.xDigits },
				{ key: 'value', label: f.info.valueLabel, digits },
				{ key: 'lo95', label: '95% lower', digits },
				{ key: 'hi95', label: '95% upper', digits },
				{ key: 'lo998', label: '99.8% lower', digits },
				{ key: 'hi998', label: '99.8% upper', digits },
				{ key: 'flag', label: 'Flag' }
			],
			rows
		}
	};
}

function padded(values: number[]): [number, number] {
	const lo = Math.min(...values);
	const hi = Math.max(...values);
	const pad = (hi - lo) * 0.05 || 1;
	return [lo - pad, hi + pad];
}

function describe(f: FunnelView, k: number, digits: number, unit: string): string {
	if (f.points.length === 0) return `Funnel plot of ${f.info.label}: no office can be plotted.`;
	const parts = f.points.map(
		(p) => `${p.label} ${formatNumber(p.value * k, digits)}${unit}: ${p.words.toLowerCase()}`
	);
	const target = f.target === null ? '' : ` around a target of ${formatNumber(f.target * k, digits)}${unit}`;
	return `Funnel plot of ${f.info.label}${target}. ${parts.join('; ')}.`;
}
