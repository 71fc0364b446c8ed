import * as Plot from '@observablehq/plot';
import { formatNumber } from '$lib/outcomes';
import type { PainWindowReport, ResponderRule } from '$lib/sql';
import { slug } from './slug';
import type { ChartSpec } from './types';

export interface PainRespondersContext {
	/** The measure in words, e.g. 'average pain'. */
	measure: string;
	filters: string;
}

export const RESPONDER_RULE_LABELS: Record<ResponderRule, string> = {
	responders30: '≥30% reduction',
	responders50: '≥50% reduction',
	responders2pt: '≥2-point reduction'
};

export const DENOMINATOR_LABELS = { completers: 'completers', all_implanted: 'all implanted' } as const;
type Denominator = keyof typeof DENOMINATOR_LABELS;

export interface ResponderBar {
	rule: string;
	denominator: string;
	k: number;
	n: number;
	/** Percent (0-100); null when n = 0. */
	percent: number | null;
	lo: number | null;
	hi: number | null;
	/** Left out of this denominator: baseline missing or below 4. */
	excluded: number;
}

const RULES = Object.keys(RESPONDER_RULE_LABELS) as ResponderRule[];
const DENOMINATORS = Object.keys(DENOMINATOR_LABELS) as Denominator[];

/** The six bars: three IMMPACT rules, each under both denominators, with Wilson intervals in percent. */
export function responderBars(w: PainWindowReport): ResponderBar[] {
	return RULES.flatMap((rule) =>
		DENOMINATORS.map((den) => {
			const p = w[rule][den];
			return {
				rule: RESPONDER_RULE_LABELS[rule],
				denominator: DENOMINATOR_LABELS[den],
				k: p.k,
				n: p.n,
				percent: p.rate === null ? null : p.rate * 100,
				lo: p.ci ? p.ci[0] * 100 : null,
				hi: p.ci ? p.ci[1] * 100 : null,
				excluded: p.excluded
			};
		})
	);
}

/**
 * Responders at one window under both denominators of outcomes.md section 2, with Wilson 95%
 * intervals: completers (a score in the window) and all implanted (due, a missing score counting
 * as non-response). Both are shown side by side because either alone misleads.
 */
export function painResponders(w: PainWindowReport, ctx: PainRespondersContext): ChartSpec<ResponderBar> {
	const rows = responderBars(w);
	const completers = w.responders30.completers;
	const all = w.responders30.all_implanted;
	const title = `Responders at ${w.label} (${ctx.measure})`;
	const caption =
		`Completers: a score in the ${w.label} window and a baseline of 4 or more (n = ${completers.n}); ` +
		`all implanted: due at ${w.label} with a baseline of 4 or more, a missing score counting as ` +
		`non-response (n = ${all.n}). Left out for a baseline missing or below 4: ${completers.excluded} ` +
		`completers, ${all.excluded} of all implanted. Error bars: Wilson 95% intervals. Filters: ${ctx.filters}.`;
	return {
		id: `pain-responders-${slug(ctx.measure)}-${w.label}`,
		title,
		caption,
		ariaDescription: describe(w.label, rows),
		options: {
			width: 760,
			height: 340,
			marginLeft: 48,
			marginTop: 36,
			fx: { label: null, domain: RULES.map((r) => RESPONDER_RULE_LABELS[r]), axis: 'top' },
			x: { label: null, domain: DENOMINATORS.map((d) => DENOMINATOR_LABELS[d]), padding: 0.2 },
			y: { label: 'Responders (%)', domain: [0, 100], grid: true },
			color: { domain: DENOMINATORS.map((d) => DENOMINATOR_LABELS[d]), range: ['#4e79a7', '#b15928'] },
			marks: [
				Plot.barY(rows, { fx: 'rule', x: 'denominator', y: 'percent', fill: 'denominator' }),
				Plot.ruleX(rows, { fx: 'rule', x: 'denominator', y1: 'lo', y2: 'hi', stroke: '#222' }),
				// Caps a third of the bar wide: whiskers, not a second bar edge.
				Plot.tickY(rows, { fx: 'rule', x: 'denominator', y: 'lo', stroke: '#222', inset: 28 }),
				Plot.tickY(rows, { fx: 'rule', x: 'denominator', y: 'hi', stroke: '#222', inset: 28 }),
				Plot.text(rows, {
					fx: 'rule',
					x: 'denominator',
					y: (d: ResponderBar) => d.hi ?? 0,
					text: (d: ResponderBar) => `${formatNumber(d.percent, 0)}% (${d.k}/${d.n})`,
					dy: -8,
					fill: '#222'
				}),
				Plot.ruleY([0])
			]
		},
		table: {
			columns: [
				{ key: 'rule', label: 'Rule' },
				{ key: 'denominator', label: 'Denominator' },
				{ key: 'k', label: 'Responders' },
				{ key: 'n', label: 'n' },
				{ key: 'percent', label: '%', digits: 1 },
				{ key: 'lo', label: '95% CI low', digits: 1 },
				{ key: 'hi', label: '95% CI high', digits: 1 },
				{ key: 'excluded', label: 'Left out (baseline <4 or missing)' }
			],
			rows
		}
	};
}

function describe(label: string, rows: ResponderBar[]): string {
	if (rows.every((r) => r.n === 0)) return `No patient is assessable for response at ${label}.`;
	const parts = rows.map(
		(r) =>
			`${r.rule}, ${r.denominator}: ${formatNumber(r.percent)}% (${r.k} of ${r.n}` +
			(r.lo === null ? ')' : `, 95% CI ${formatNumber(r.lo)}-${formatNumber(r.hi)})`)
	);
	return `Bar chart of responders at ${label}. ${parts.join('; ')}.`;
}
