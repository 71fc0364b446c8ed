import * as Plot from '@observablehq/plot';
import { DAYS_PER_MONTH, formatNumber, TRAJECTORY_MONTHS } from '$lib/outcomes';
import type { PainLinePoint, PainMonth } from '$lib/sql';
import type { ChartSpec } from './types';
import { plural } from '$lib/ingest';

export interface PainTrajectoryContext {
	/** Distinct patients behind the chart. */
	patients: number;
	/** The active filters in words. */
	filters: string;
	/**
	 * Individual trajectories, drawn on demand under the summary: one point per patient and pixel
	 * column (`painLines`), for `shown` of the `total` patients with scores in range.
	 */
	lines?: { points: PainLinePoint[]; shown: number; total: number };
}

const MILESTONES = [-1, 3, 6, 12, 24, 36];
const WIDTH = 760;
const MARGIN = { left: 48, right: 20 };

/** Horizontal pixels of the plotting area: how many columns `painLines` reduces each patient to. */
export const TRAJECTORY_PIXELS = WIDTH - MARGIN.left - MARGIN.right;

/** Average pain by month from implant: IQR band, median and mean lines, n per month. */
export function painTrajectory(rows: PainMonth[], ctx: PainTrajectoryContext): ChartSpec<PainMonth> {
	const title = 'Average pain by month from implant';
	const lines = ctx.lines;
	const caption =
		`Months ${TRAJECTORY_MONTHS.from} to ${TRAJECTORY_MONTHS.to}; n = ${ctx.patients} patients ` +
		`(implanted, not spasticity; each patient's scores averaged per month). Band: interquartile range; ` +
		`solid line: median; dashed line: mean.` +
		(lines ? ` Grey lines: ${linesNote(lines.shown, lines.total)}.` : '') +
		` Filters: ${ctx.filters}.`;
	return {
		id: 'pain-trajectory',
		title,
		caption,
		ariaDescription: describe(rows, ctx),
		options: {
			width: WIDTH,
			height: 360,
			marginLeft: MARGIN.left,
			marginRight: MARGIN.right,
			marginTop: 28,
			x: { label: 'Months from implant', domain: [TRAJECTORY_MONTHS.from, TRAJECTORY_MONTHS.to], ticks: 14 },
			y: { label: 'Pain (NRS 0-10)', domain: [0, 10], grid: true },
			marks: [
				Plot.ruleX([0], { stroke: '#888', strokeDasharray: '2,3' }),
				Plot.text([0], { x: (d: number) => d, y: 10, text: () => 'implant', dy: -16, fill: '#555' }),
				lines ? individualLines(lines.points) : null,
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
				// One pointer at a time: with the lines shown, the pointer picks a patient.
				lines
					? Plot.tip(
							lines.points,
							Plot.pointer({
								x: lineX,
								y: 'pain',
								maxRadius: 12,
								title: (d: PainLinePoint) =>
									`patient ${d.patient_id}\nmonth ${formatNumber(lineX(d))}: pain ${formatNumber(d.pain)}\nclick to open the timeline`
							})
						)
					: Plot.tip(
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
		...(lines ? { select: { key: 'patient_id', hint: 'Click a grey line to open that patient.' } } : {}),
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

const lineX = (d: PainLinePoint) => d.day / DAYS_PER_MONTH;

function linesNote(shown: number, total: number): string {
	return shown < total
		? `${shown} of ${total} patients (a fixed sample), one point per pixel`
		: `each of the ${total} patients, one point per pixel`;
}

/** Per-patient lines, faint, under the summary: enough to see spread, not to read one patient. */
function individualLines(points: PainLinePoint[]) {
	return Plot.lineY(points, {
		x: lineX,
		y: 'pain',
		z: 'patient_id',
		stroke: '#7a7a7a',
		strokeOpacity: 0.25,
		strokeWidth: 1,
		// Month 36 runs to day 1126, past the axis's end at 36.
		clip: true
	});
}

/** A sentence a screen reader can use instead of the picture, built from the numbers shown. */
function describe(rows: PainMonth[], ctx: PainTrajectoryContext): string {
	if (rows.length === 0)
		return `No pain scores between months ${TRAJECTORY_MONTHS.from} and ${TRAJECTORY_MONTHS.to}.`;
	const at = MILESTONES.map((m) => rows.find((r) => r.month === m)).filter((r): r is PainMonth => !!r);
	const parts = at.map(
		(r) => `month ${r.month}: mean ${formatNumber(r.mean)}, median ${formatNumber(r.median)} (n = ${r.n})`
	);
	const lines = ctx.lines
		? ` Individual lines shown for ${linesNote(ctx.lines.shown, ctx.lines.total)}.`
		: '';
	return `Line chart of average pain (0-10) by month from implant for ${plural(ctx.patients, 'patient')}. ${parts.join('; ')}.${lines}`;
}
