import * as Plot from '@observablehq/plot';
import { formatNumber, TRAJECTORY_MONTHS } from '$lib/outcomes';
import type { PainMonth } from '$lib/sql';
import type { ChartSpec } from './types';

export interface PainTrajectoryContext {
	/** Distinct patients behind the chart. */
	patients: number;
	/** The active filters in words. */
	filters: string;
}

const MILESTONES = [-1, 3, 6, 12, 24, 36];

/** Average pain by month from implant: IQR band, median and mean lines, n per month. */
export function painTrajectory(rows: PainMonth[], ctx: PainTrajectoryContext): ChartSpec<PainMonth> {
	const title = 'Average pain by month from implant';
	const caption =
		`Months ${TRAJECTORY_MONTHS.from} to ${TRAJECTORY_MONTHS.to}; n = ${ctx.patients} patients ` +
		`(implanted, not spasticity; each patient's scores averaged per month). Band: interquartile range; ` +
		`solid line: median; dashed line: mean. Filters: ${ctx.filters}.`;
	return {
		id: 'pain-trajectory',
		title,
		caption,
		ariaDescription: describe(rows, ctx),
		options: {
			width: 760,
			height: 360,
			marginLeft: 48,
			marginTop: 28,
			x: { label: 'Months from implant', domain: [TRAJECTORY_MONTHS.from, TRAJECTORY_MONTHS.to], ticks: 14 },
			y: { label: 'Pain (NRS 0-10)', domain: [0, 10], grid: true },
			marks: [
				Plot.ruleX([0], { stroke: '#888', strokeDasharray: '2,3' }),
				Plot.text([0], { x: (d: number) => d, y: 10, text: () => 'implant', dy: -16, fill: '#555' }),
				Plot.areaY(rows, {
					x: 'month',
					y1: 'q1',
					y2: 'q3',
					fill: '#4e79a7',
					fillOpacity: 0.22,
					curve: 'step'
				}),
				Plot.lineY(rows, { x: 'month', y: 'median', stroke: '#1f4e79', strokeWidth: 2, curve: 'step' }),
				Plot.lineY(rows, { x: 'month', y: 'mean', stroke: '#c0392b', strokeDasharray: '5,3' }),
				Plot.dot(rows, { x: 'month', y: 'mean', r: 2, fill: '#c0392b' }),
				Plot.tip(
					rows,
					Plot.pointerX({
						x: 'month',
						y: 'mean',
						title: (d: PainMonth) =>
							`month ${d.month}\nn = ${d.n}\nmean ${formatNumber(d.mean)}\nmedian ${formatNumber(d.median)} (IQR ${formatNumber(d.q1)}-${formatNumber(d.q3)})`
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'month', label: 'Month' },
				{ key: 'n', label: 'Patients' },
				{ key: 'mean', label: 'Mean', digits: 1 },
				{ key: 'median', label: 'Median', digits: 1 },
				{ key: 'q1', label: 'Q1', digits: 1 },
				{ key: 'q3', label: 'Q3', digits: 1 }
			],
			rows
		}
	};
}

/** A sentence a screen reader can use instead of the picture, built from the numbers shown. */
function describe(rows: PainMonth[], ctx: PainTrajectoryContext): string {
	if (rows.length === 0)
		return `No pain scores between months ${TRAJECTORY_MONTHS.from} and ${TRAJECTORY_MONTHS.to}.`;
	const at = MILESTONES.map((m) => rows.find((r) => r.month === m)).filter((r): r is PainMonth => !!r);
	const parts = at.map(
		(r) => `month ${r.month}: mean ${formatNumber(r.mean)}, median ${formatNumber(r.median)} (n = ${r.n})`
	);
	return `Line chart of average pain (0-10) by month from implant for ${ctx.patients} patients. ${parts.join('; ')}.`;
}
