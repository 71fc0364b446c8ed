import * as Plot from '@observablehq/plot';
import { formatNumber, MME_AT_IMPLANT_DAYS, MME_BASELINE_DAYS, MME_WINDOW_DAYS } from '$lib/outcomes';
import type { MmeSummary, OralMmeReport } from '$lib/sql';
import { MME_FACTORS_LABEL, mmeUnit } from './mmeLabels';
import type { ChartSpec } from './types';

export interface MmeTimepoint extends MmeSummary {
	timepoint: string;
	/** The days averaged, both included. */
	days: string;
}

export interface MmeByWindowContext {
	/** The active filters in words. */
	filters: string;
}

const range = (from: number, to: number) => `${from} to ${to}`;

/** The report's baseline, at-implant and window summaries as one row per time point. */
export function mmeTimepoints(
	report: Pick<OralMmeReport, 'baseline' | 'at_implant' | 'windows'>
): MmeTimepoint[] {
	const pick = ({ n, mean, median, q1, q3 }: MmeSummary) => ({ n, mean, median, q1, q3 });
	return [
		{
			timepoint: 'Baseline',
			days: range(MME_BASELINE_DAYS.from, MME_BASELINE_DAYS.to),
			...pick(report.baseline)
		},
		{
			timepoint: 'At implant',
			days: range(MME_AT_IMPLANT_DAYS.from, MME_AT_IMPLANT_DAYS.to),
			...pick(report.at_implant)
		},
		...report.windows.map((w) => ({
			timepoint: w.label,
			days: range(w.target_day - MME_WINDOW_DAYS + 1, w.target_day),
			...pick(w)
		}))
	];
}

/** Daily oral MME at baseline, at implant and per window: IQR bar, median tick, mean diamond. */
export function mmeByWindow(
	report: Pick<OralMmeReport, 'factors' | 'baseline' | 'at_implant' | 'windows'>,
	ctx: MmeByWindowContext
): ChartSpec<MmeTimepoint> {
	const rows = mmeTimepoints(report);
	const unit = mmeUnit(report.factors);
	const nOf = new Map(rows.map((r) => [r.timepoint, r.n]));
	const caption =
		`Each patient's mean daily oral MME over a range of days: baseline days ${MME_BASELINE_DAYS.from} to ` +
		`${MME_BASELINE_DAYS.to}, at implant ${MME_AT_IMPLANT_DAYS.from} to ${MME_AT_IMPLANT_DAYS.to}, and the ` +
		`${MME_WINDOW_DAYS} days up to each window's target day (patients followed through that day). ` +
		`n = ${report.baseline.n} patients at baseline, ${report.at_implant.n} at implant (n per time point under ` +
		`the axis; implanted, not spasticity). Bar: interquartile range; tick: median; diamond: mean. ` +
		`${MME_FACTORS_LABEL[report.factors]}. Filters: ${ctx.filters}.`;
	return {
		id: 'mme-by-window',
		title: `Oral MME per day (${report.factors === 'cdc2022' ? 'CDC 2022' : 'CDC 2016'}) before and after implant`,
		caption,
		ariaDescription: describe(rows, report.factors),
		options: {
			width: 760,
			height: 360,
			marginLeft: 56,
			marginBottom: 48,
			x: {
				label: null,
				domain: rows.map((r) => r.timepoint),
				tickFormat: (t: string) => `${t}\nn = ${nOf.get(t) ?? 0}`,
				padding: 0.3
			},
			y: { label: `Oral ${unit}`, grid: true, zero: true },
			marks: [
				Plot.ruleX(rows, {
					x: 'timepoint',
					y1: 'q1',
					y2: 'q3',
					stroke: '#4e79a7',
					strokeOpacity: 0.4,
					strokeWidth: 14
				}),
				Plot.tickY(rows, { x: 'timepoint', y: 'median', stroke: '#1f4e79', strokeWidth: 3 }),
				Plot.dot(rows, { x: 'timepoint', y: 'mean', symbol: 'diamond', fill: '#c0392b', r: 4 }),
				Plot.tip(
					rows,
					Plot.pointerX({
						x: 'timepoint',
						y: 'median',
						title: (d: MmeTimepoint) =>
							`${d.timepoint} (days ${d.days})\nn = ${d.n}\nmedian ${formatNumber(d.median)} (IQR ` +
							`${formatNumber(d.q1)}-${formatNumber(d.q3)})\nmean ${formatNumber(d.mean)}`
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'timepoint', label: 'Time point' },
				{ key: 'days', label: 'Days' },
				{ key: 'n', label: 'Patients' },
				{ key: 'mean', label: `Mean (${unit})`, digits: 1 },
				{ key: 'median', label: 'Median', digits: 1 },
				{ key: 'q1', label: 'Q1', digits: 1 },
				{ key: 'q3', label: 'Q3', digits: 1 }
			],
			rows
		}
	};
}

function describe(rows: MmeTimepoint[], factors: OralMmeReport['factors']): string {
	const parts = rows.map((r) =>
		r.n === 0
			? `${r.timepoint}: no patients`
			: `${r.timepoint}: median ${formatNumber(r.median)} (IQR ${formatNumber(r.q1)} to ${formatNumber(r.q3)}), ` +
				`mean ${formatNumber(r.mean)}, n = ${r.n}`
	);
	return `Chart of daily oral MME (${MME_FACTORS_LABEL[factors]}) by time point. ${parts.join('; ')}.`;
}
