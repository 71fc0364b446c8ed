import * as Plot from '@observablehq/plot';
import { formatNumber, MME_WINDOW_DAYS, type MmeFactors } from '$lib/outcomes';
import type { MmeReductionPatient, MmeSummary } from '$lib/sql';
import { MME_FACTORS_LABEL } from './mmeLabels';
import type { ChartSpec } from './types';
import { plural } from '$lib/ingest';

export interface MmeReductionContext {
	filters: string;
	factors: MmeFactors;
	/** The window's label and target day, as chosen in the settings. */
	window: string;
	targetDay: number;
	/** `mmeReduction`'s summary for this window: the cohort numbers the caption states. */
	summary: MmeSummary;
	/** Patients with an MME value at the window but no baseline MME > 0. */
	leftOut: number;
}

export interface ReductionBin {
	bin: string;
	/** Drawn from x1 to x2 on the percent axis; the open-ended bin is drawn left of -100. */
	x1: number;
	x2: number;
	patients: number;
}

const WIDTH = 10;
/** Where the "more than doubled" bin is drawn: left of the axis' -100, with a gap. */
const BELOW = { x1: -125, x2: -107 };

const minus = (x: number) => (x < 0 ? `−${-x}` : String(x));

/**
 * 10-point bins from -100 to 100 ([a, a + 10), the last one closed so that 100%, no opioid in the
 * window, lands in it), and one bin for reductions below -100% (the dose more than doubled).
 */
export function reductionBins(rows: readonly MmeReductionPatient[]): ReductionBin[] {
	const bins: ReductionBin[] = [{ bin: 'below −100% (dose more than doubled)', ...BELOW, patients: 0 }];
	for (let a = -100; a < 100; a += WIDTH) {
		bins.push({ bin: `${minus(a)}% to ${minus(a + WIDTH)}%`, x1: a, x2: a + WIDTH, patients: 0 });
	}
	for (const { pct } of rows) {
		const i = pct < -100 ? 0 : 1 + Math.min(Math.floor((pct + 100) / WIDTH), 200 / WIDTH - 1);
		bins[i]!.patients++;
	}
	return bins;
}

/** Distribution of the per-patient % reduction in oral MME from baseline at one window. */
export function mmeReductionHistogram(
	rows: readonly MmeReductionPatient[],
	ctx: MmeReductionContext
): ChartSpec<ReductionBin> {
	const bins = reductionBins(rows);
	const free = rows.filter((r) => r.pct === 100).length;
	const increased = rows.filter((r) => r.pct < 0).length;
	const { summary: s } = ctx;
	const caption =
		`Per patient, (baseline − ${ctx.window}) / baseline × 100, where baseline is the mean daily MME over days ` +
		`−180 to −91 and ${ctx.window} the mean over the ${MME_WINDOW_DAYS} days up to day ${ctx.targetDay}; ` +
		`n = ${rows.length} patients (implanted, not spasticity) with baseline MME > 0 and followed through day ` +
		`${ctx.targetDay}; ${ctx.leftOut} with an MME value at ${ctx.window} but no baseline MME > 0 are left out. ` +
		`100% means no oral opioid in the window; below 0 the dose rose. Median ${formatNumber(s.median)}% ` +
		`(IQR ${formatNumber(s.q1)}% to ${formatNumber(s.q3)}%). ${MME_FACTORS_LABEL[ctx.factors]}. ` +
		`Filters: ${ctx.filters}.`;
	const ticks = [(BELOW.x1 + BELOW.x2) / 2, -100, -50, 0, 50, 100];
	return {
		id: `mme-reduction-${ctx.window}`,
		title: `Reduction in oral MME from baseline at ${ctx.window}`,
		caption,
		ariaDescription:
			rows.length === 0
				? `No patient has both a baseline MME above 0 and an MME value at ${ctx.window}.`
				: `Histogram of the percent reduction in daily oral MME from baseline to ${ctx.window} for ` +
					`${plural(rows.length, 'patient')} (${MME_FACTORS_LABEL[ctx.factors]}): median ${formatNumber(s.median)}% ` +
					`(IQR ${formatNumber(s.q1)}% to ${formatNumber(s.q3)}%); ${free} reached 100% (no oral opioid ` +
					`in the window); ${increased} took more than at baseline. Patients per bin: ` +
					`${bins
						.filter((b) => b.patients > 0)
						.map((b) => `${b.bin}: ${b.patients}`)
						.join(', ')}.`,
		options: {
			width: 760,
			height: 320,
			marginLeft: 56,
			marginTop: 32,
			x: {
				label: `Reduction from baseline (%), ${ctx.window}`,
				labelAnchor: 'center',
				domain: [BELOW.x1, 100],
				ticks,
				tickFormat: (t: number) => (t < -100 ? '< −100' : minus(t))
			},
			y: { label: 'Patients', grid: true },
			marks: [
				Plot.rectY(bins, { x1: 'x1', x2: 'x2', y: 'patients', fill: '#4e79a7', inset: 0.5 }),
				Plot.ruleY([0]),
				Plot.ruleX([0], { stroke: '#555', strokeDasharray: '3,3' }),
				...(s.median === null
					? []
					: [
							Plot.ruleX([s.median], { stroke: '#c0392b', strokeWidth: 2 }),
							Plot.text([s.median], {
								x: (d: number) => d,
								frameAnchor: 'top',
								text: () => `median ${formatNumber(s.median)}%`,
								dy: -4,
								textAnchor: 'end',
								dx: -4,
								fill: '#c0392b'
							})
						]),
				Plot.tip(
					bins,
					Plot.pointerX({
						x: (b: ReductionBin) => (b.x1 + b.x2) / 2,
						y: 'patients',
						title: (b: ReductionBin) => `${b.bin}\n${b.patients} patients`
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'bin', label: 'Reduction from baseline' },
				{ key: 'patients', label: 'Patients' }
			],
			rows: bins
		}
	};
}
