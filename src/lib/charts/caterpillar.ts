import * as Plot from '@observablehq/plot';
import { formatNumber } from '$lib/outcomes';
import type { FunnelView } from '$lib/sql';
import { scaleOf, type FunnelContext } from './funnel';
import type { ChartSpec } from './types';

export interface CaterpillarRow {
	office: string;
	value: number;
	lo: number | null;
	hi: number | null;
	flag: string;
}

/**
 * A caterpillar plot of the funnel's measure: offices ranked by value, each with its 95% interval
 * (Wilson, Kaplan-Meier log-log, exact Poisson or t, by measure), the target as a vertical line
 * and the funnel flag in words beside each office.
 */
export function caterpillarChart(f: FunnelView, ctx: FunnelContext): ChartSpec<CaterpillarRow> {
	const k = scaleOf(f);
	const digits = f.info.percent ? 1 : 2;
	const unit = f.info.percent ? '%' : '';
	const rows: CaterpillarRow[] = [...f.points]
		.sort((a, b) => a.value - b.value || a.label.localeCompare(b.label))
		.map((p) => ({
			office: p.label,
			value: p.value * k,
			lo: p.ci ? p.ci[0] * k : null,
			hi: p.ci ? p.ci[1] * k : null,
			flag: p.words
		}));
	const withCi = rows.filter((r) => r.lo !== null && r.hi !== null);
	const extent = [
		...rows.flatMap((r) => [r.value, r.lo ?? r.value, r.hi ?? r.value]),
		...(f.target === null ? [] : [f.target * k])
	];
	const domain = f.info.percent
		? [0, 100]
		: extent.length
			? [Math.min(0, ...extent), Math.max(...extent) * 1.05]
			: [0, 1];
	const target = f.target === null ? 'none' : `${formatNumber(f.target * k, digits)}${unit}`;
	return {
		id: `offices-caterpillar-${f.metric}`,
		title: `Caterpillar plot: ${f.info.label} at ${f.window}`,
		caption:
			`Offices ranked by value with 95% intervals (n = ${rows.length} offices plotted); the vertical line is the ` +
			`practice target (${target}). The words beside each office are its funnel flag. Filters: ${ctx.filters}.`,
		ariaDescription:
			rows.length === 0
				? `Caterpillar plot of ${f.info.label}: no office can be plotted.`
				: `Caterpillar plot of ${f.info.label}. ` +
					rows
						.map(
							(r) =>
								`${r.office} ${formatNumber(r.value, digits)}${unit}` +
								(r.lo === null ? '' : ` (${formatNumber(r.lo, digits)} to ${formatNumber(r.hi, digits)})`)
						)
						.join('; ') +
					'.',
		options: {
			width: 520,
			height: Math.max(140, 60 + rows.length * 42),
			marginLeft: 90,
			// Room for the flag words of an office at the right end of the axis.
			marginRight: 90,
			marginBottom: 40,
			x: { label: f.info.valueLabel, domain, grid: true },
			y: { label: null, domain: rows.map((r) => r.office) },
			marks: [
				...(f.target === null
					? []
					: [Plot.ruleX([f.target * k], { stroke: '#1f4e79', strokeDasharray: '4,3' })]),
				Plot.ruleY(withCi, { y: 'office', x1: 'lo', x2: 'hi', stroke: '#4e79a7', strokeWidth: 2 }),
				Plot.dot(rows, { y: 'office', x: 'value', r: 4.5, fill: '#1f4e79' }),
				Plot.text(rows, { y: 'office', x: 'value', text: 'flag', dy: -12, fontSize: 10, fill: '#333' })
			]
		},
		table: {
			columns: [
				{ key: 'office', label: 'Office' },
				{ key: 'value', label: f.info.valueLabel, digits },
				{ key: 'lo', label: '95% CI lower', digits },
				{ key: 'hi', label: '95% CI upper', digits },
				{ key: 'flag', label: 'Flag' }
			],
			rows
		}
	};
}
