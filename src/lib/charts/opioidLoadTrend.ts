import * as Plot from '@observablehq/plot';
import { formatNumber, type MmeFactors, type TotalOpioidLoadRatio } from '$lib/outcomes';
import type { OpioidLoadMonth } from '$lib/sql';
import { MME_FACTORS_LABEL, mmeUnit } from './mmeLabels';
import type { ChartSpec } from './types';

export interface OpioidLoadContext {
	filters: string;
	factors: MmeFactors;
	hydromorphoneFactor: number;
	ratio: TotalOpioidLoadRatio;
}

const MILESTONES = [0, 3, 6, 12, 24, 36];

/** The assumption, in words, wherever the series appears. */
export const opioidLoadAssumption = (ratio: TotalOpioidLoadRatio) =>
	`Assumption: 1 mg/day of IT morphine counted as ${ratio} MME/day of oral morphine ` +
	`(observed oral:IT ratios range from 10:1 to 300:1)`;

/** "Total opioid load" by month: its own series, labelled as the assumption it rests on. */
export function opioidLoadTrend(
	rows: readonly OpioidLoadMonth[],
	ctx: OpioidLoadContext
): ChartSpec<OpioidLoadMonth> {
	const unit = mmeUnit(ctx.factors);
	const first = rows[0];
	const caption =
		`${opioidLoadAssumption(ctx.ratio)}. Per day: oral MME + IT morphine-equivalent (morphine + hydromorphone ` +
		`× ${ctx.hydromorphoneFactor}) × ${ctx.ratio}, on days with IT morphine or hydromorphone in effect; days ` +
		`with no prescription count as 0 oral MME, days covered only by excluded prescriptions are left out. ` +
		`Each patient counts once a month (time-weighted mean). n = ${first?.n ?? 0} patients at month ` +
		`${first?.month ?? 0}; n per month in the table (implanted, not spasticity). Line: median; band: ` +
		`interquartile range. Not a measured quantity: it is not oral MME and not an IT dose. ` +
		`${MME_FACTORS_LABEL[ctx.factors]}. Filters: ${ctx.filters}.`;
	const at = MILESTONES.map((m) => rows.find((r) => r.month === m)).filter((r): r is OpioidLoadMonth => !!r);
	return {
		id: `opioid-load-${ctx.ratio}`,
		title: `Total opioid load, assuming IT:oral = 1:${ctx.ratio} (an assumption, not a measurement)`,
		caption,
		ariaDescription:
			rows.length === 0
				? 'No patient had IT morphine or hydromorphone in effect with a known oral MME.'
				: `Step chart of the assumed total opioid load in ${unit} by month from implant, with IT ` +
					`morphine-equivalent counted at ${ctx.ratio} to 1. ` +
					at
						.map(
							(r) =>
								`month ${r.month}: median ${formatNumber(r.median, 0)} (IQR ${formatNumber(r.q1, 0)} to ` +
								`${formatNumber(r.q3, 0)}), n = ${r.n}`
						)
						.join('; ') +
					'.',
		options: {
			width: 760,
			height: 280,
			marginLeft: 64,
			marginTop: 24,
			x: { label: 'Months from implant', domain: [0, 36], ticks: [0, 6, 12, 18, 24, 30, 36] },
			y: { label: `Assumed total load (${unit})`, grid: true, zero: true },
			marks: [
				Plot.areaY(rows, {
					x: 'month',
					y1: 'q1',
					y2: 'q3',
					curve: 'step',
					fill: '#b07aa1',
					fillOpacity: 0.22
				}),
				Plot.lineY(rows, {
					x: 'month',
					y: 'median',
					curve: 'step',
					stroke: '#7b3f6e',
					strokeWidth: 2,
					strokeDasharray: '6,3'
				}),
				Plot.text([`Assumption: IT × ${ctx.ratio}`], {
					frameAnchor: 'top-left',
					dx: 8,
					dy: 4,
					textAnchor: 'start',
					fill: '#7b3f6e'
				}),
				Plot.tip(
					rows,
					Plot.pointerX({
						x: 'month',
						y: 'median',
						title: (d: OpioidLoadMonth) =>
							`month ${d.month}\nn = ${d.n}\nmedian ${formatNumber(d.median, 0)} (assumed)\n` +
							`IQR ${formatNumber(d.q1, 0)}-${formatNumber(d.q3, 0)}`
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'month', label: 'Month' },
				{ key: 'n', label: 'Patients' },
				{ key: 'median', label: `Median assumed load (${unit})`, digits: 0 },
				{ key: 'q1', label: 'Q1', digits: 0 },
				{ key: 'q3', label: 'Q3', digits: 0 }
			],
			rows: [...rows]
		}
	};
}
