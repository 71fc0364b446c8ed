import * as Plot from '@observablehq/plot';
import { formatNumber } from '$lib/outcomes';
import type { PainPair } from '$lib/sql';
import { slug } from './slug';
import type { ChartSpec } from './types';
import { plural } from '$lib/ingest';

export interface PainSlopeContext {
	/** Window label, e.g. '12m'. */
	window: string;
	/** The window's target day and half-width, for the caption. */
	target: number;
	halfWidth: number;
	/** The measure in words, e.g. 'average pain'. */
	measure: string;
	filters: string;
}

export type Direction = 'improved' | 'unchanged' | 'worse';

export interface PainSlopeRow extends PainPair {
	change: number;
	direction: Direction;
}

const DIRECTIONS: Direction[] = ['improved', 'unchanged', 'worse'];
// Blue and orange stay apart for the common colour-vision deficiencies; grey means no change.
const COLORS = ['#245a9a', '#555555', '#8a3c10'];
const BASELINE = 'Baseline';

/** Scores carry at most one decimal: compare them as whole tenths, not as doubles. */
const tenths = (x: number) => Math.round(x * 10);

/** Totals the slope chart states: the paired n, the two means and the counts per direction. */
export function slopeSummary(pairs: readonly PainPair[]) {
	const n = pairs.reduce((s, p) => s + p.n, 0);
	const count = (d: Direction) => pairs.filter((p) => direction(p) === d).reduce((s, p) => s + p.n, 0);
	return {
		n,
		meanBaseline: n ? pairs.reduce((s, p) => s + p.n * p.baseline, 0) / n : null,
		meanScore: n ? pairs.reduce((s, p) => s + p.n * p.score, 0) / n : null,
		improved: count('improved'),
		unchanged: count('unchanged'),
		worse: count('worse')
	};
}

function direction(p: PainPair): Direction {
	const d = tenths(p.score) - tenths(p.baseline);
	return d < 0 ? 'improved' : d > 0 ? 'worse' : 'unchanged';
}

/**
 * Paired before/after at one window: a line from each completer's baseline to their window score.
 * Patients with the same pair share one line whose width grows with their number (as the square
 * root, so that area, not length, carries the count); the black line joins the two means.
 */
export function painSlope(pairs: PainPair[], ctx: PainSlopeContext): ChartSpec<PainSlopeRow> {
	const rows: PainSlopeRow[] = pairs.map((p) => ({
		...p,
		change: (tenths(p.score) - tenths(p.baseline)) / 10,
		direction: direction(p)
	}));
	const s = slopeSummary(pairs);
	const maxN = Math.max(1, ...pairs.map((p) => p.n));
	const after = ctx.window;
	const means =
		s.meanBaseline === null || s.meanScore === null ? [] : [{ baseline: s.meanBaseline, score: s.meanScore }];
	const title = `${capitalise(ctx.measure)}: baseline and ${after}, paired`;
	const caption =
		`n = ${s.n} patients with a baseline and a ${after} score (the visit closest to day ${ctx.target} ` +
		`within ${ctx.target - ctx.halfWidth} to ${ctx.target + ctx.halfWidth - 1}). Line width: patients ` +
		`with that pair of scores. Black: the means of these ${s.n} patients. Filters: ${ctx.filters}.`;
	return {
		id: `pain-slope-${slug(ctx.measure)}-${after}`,
		title,
		caption,
		ariaDescription: describe(s, ctx),
		options: {
			width: 520,
			height: 380,
			marginLeft: 48,
			marginRight: 90,
			x: { domain: [BASELINE, after], type: 'point', label: null, inset: 40 },
			y: { label: `${capitalise(ctx.measure)} (NRS 0-10)`, domain: [0, 10], grid: true },
			color: { domain: DIRECTIONS, range: COLORS, legend: true },
			marks: [
				Plot.link(rows, {
					x1: () => BASELINE,
					x2: () => after,
					y1: 'baseline',
					y2: 'score',
					stroke: 'direction',
					strokeOpacity: 0.7,
					strokeWidth: (d: PainSlopeRow) => 1 + 5 * Math.sqrt(d.n / maxN),
					title: (d: PainSlopeRow) =>
						`${d.n} patient${d.n === 1 ? '' : 's'}: ${formatNumber(d.baseline)} -> ${formatNumber(d.score)}`
				}),
				Plot.link(means, {
					x1: () => BASELINE,
					x2: () => after,
					y1: 'baseline',
					y2: 'score',
					stroke: '#111',
					strokeWidth: 3
				}),
				Plot.dot(means, { x: () => BASELINE, y: 'baseline', fill: '#111', r: 4 }),
				Plot.dot(means, { x: () => after, y: 'score', fill: '#111', r: 4 }),
				Plot.text(means, {
					x: () => after,
					y: 'score',
					text: (d: { score: number }) => `mean ${formatNumber(d.score)}`,
					textAnchor: 'start',
					dx: 8
				}),
				Plot.text(means, {
					x: () => BASELINE,
					y: 'baseline',
					text: (d: { baseline: number }) => `mean ${formatNumber(d.baseline)}`,
					textAnchor: 'end',
					dx: -8
				})
			]
		},
		table: {
			columns: [
				{ key: 'baseline', label: 'Baseline', digits: 1 },
				{ key: 'score', label: `${after} score`, digits: 1 },
				{ key: 'change', label: 'Change', digits: 1 },
				{ key: 'n', label: 'Patients' },
				{ key: 'direction', label: 'Direction' }
			],
			rows
		}
	};
}

function describe(s: ReturnType<typeof slopeSummary>, ctx: PainSlopeContext): string {
	if (s.n === 0) return `No patient has both a baseline and a ${ctx.window} score of ${ctx.measure}.`;
	const change = (s.meanScore ?? 0) - (s.meanBaseline ?? 0);
	return (
		`Slope chart of ${ctx.measure} at baseline and at ${ctx.window} for ${plural(s.n, 'patient')} with both: ` +
		`mean ${formatNumber(s.meanBaseline)} at baseline and ${formatNumber(s.meanScore)} at ${ctx.window} ` +
		`(change ${formatNumber(change)}). ${s.improved} improved, ${s.unchanged} unchanged, ${s.worse} worse.`
	);
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
