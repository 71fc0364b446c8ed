import * as Plot from '@observablehq/plot';
import { formatNumber } from '$lib/outcomes';
import { MORPHINE_EQ, type ItDoseMonth, type ItDoseSeries } from '$lib/sql';
import type { ChartSpec } from './types';

export interface ItDoseTrendContext {
	filters: string;
	/** IT hydromorphone to morphine factor in use (named on the morphine-equivalent chart). */
	hydromorphoneFactor: number;
}

const MILESTONES = [0, 3, 6, 12, 24, 36];

/** "morphine-equivalent" for the computed series, the drug name otherwise. */
export function itSeriesName(series: ItDoseSeries): string {
	return series === MORPHINE_EQ ? 'IT morphine-equivalent' : `IT ${series}`;
}

/**
 * Cohort trend of one IT series by month from implant, in its own unit: median as a step line
 * over the interquartile band. One chart per series, because the units (mg/day, mcg/day) and
 * magnitudes differ by drug and must not share an axis.
 */
export function itDoseTrend(
	rows: readonly ItDoseMonth[],
	series: ItDoseSeries,
	ctx: ItDoseTrendContext
): ChartSpec<ItDoseMonth> {
	const own = rows.filter((r) => r.series === series);
	const unit = own[0]?.unit ?? 'mg/day';
	const name = itSeriesName(series);
	const first = own[0];
	const largest = own.reduce<ItDoseMonth | undefined>((m, r) => (!m || r.n > m.n ? r : m), undefined);
	const definition =
		series === MORPHINE_EQ
			? `IT morphine-equivalent = morphine + hydromorphone × ${ctx.hydromorphoneFactor} (mg/day), on days when ` +
				`either is in effect. `
			: '';
	const caption =
		`${definition}Each patient counts once a month with the time-weighted mean of the programmed daily dose in ` +
		`effect that month (no dose after explant or follow-up end). n = ${first?.n ?? 0} patients at month ` +
		`${first?.month ?? 0}` +
		(largest && largest !== first ? `, at most ${largest.n} (month ${largest.month})` : '') +
		`; n per month in the table (implanted, not spasticity). Line: median; band: interquartile range. ` +
		`Filters: ${ctx.filters}.`;
	return {
		id: `it-dose-trend-${series}`,
		title: `${name[0]!.toUpperCase()}${name.slice(1)} (${unit}) by month from implant`,
		caption,
		ariaDescription: describe(own, name, unit),
		options: {
			width: 760,
			height: 280,
			marginLeft: 56,
			marginTop: 24,
			x: { label: 'Months from implant', domain: [0, 36], ticks: [0, 6, 12, 18, 24, 30, 36] },
			y: { label: `${name} (${unit})`, grid: true, zero: true },
			marks: [
				Plot.areaY(own, {
					x: 'month',
					y1: 'q1',
					y2: 'q3',
					curve: 'step',
					fill: '#4e79a7',
					fillOpacity: 0.22
				}),
				Plot.lineY(own, { x: 'month', y: 'median', curve: 'step', stroke: '#1f4e79', strokeWidth: 2 }),
				Plot.tip(
					own,
					Plot.pointerX({
						x: 'month',
						y: 'median',
						title: (d: ItDoseMonth) =>
							`month ${d.month}\nn = ${d.n}\nmedian ${formatNumber(d.median, 2)} ${unit}\n` +
							`IQR ${formatNumber(d.q1, 2)}-${formatNumber(d.q3, 2)}`
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'month', label: 'Month' },
				{ key: 'n', label: 'Patients' },
				{ key: 'median', label: `Median (${unit})`, digits: 2 },
				{ key: 'q1', label: 'Q1', digits: 2 },
				{ key: 'q3', label: 'Q3', digits: 2 }
			],
			rows: own
		}
	};
}

function describe(rows: readonly ItDoseMonth[], name: string, unit: string): string {
	if (rows.length === 0) return `No patient had ${name} in effect between months 0 and 36.`;
	const at = MILESTONES.map((m) => rows.find((r) => r.month === m)).filter((r): r is ItDoseMonth => !!r);
	const parts = at.map(
		(r) =>
			`month ${r.month}: median ${formatNumber(r.median, 2)} (IQR ${formatNumber(r.q1, 2)} to ` +
			`${formatNumber(r.q3, 2)}), n = ${r.n}`
	);
	return `Step chart of the cohort's ${name} in ${unit} by month from implant. ${parts.join('; ')}.`;
}
