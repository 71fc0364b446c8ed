import * as Plot from '@observablehq/plot';
import { formatNumber, MME_WINDOW_DAYS, wilsonInterval, type MmeFactors } from '$lib/outcomes';
import type { OralMmeReport } from '$lib/sql';
import { MME_FACTORS_LABEL } from './mmeLabels';
import type { ChartSpec } from './types';

export interface OpioidFreeWindow {
	label: string;
	target_day: number;
	/** Patients with oral MME on file, observed through the target day. */
	n: number;
	/** Of those, with MME 0 on every day of [target - 29, target]. */
	k: number;
	/** Percentages, null when n = 0. */
	pct: number | null;
	lo: number | null;
	hi: number | null;
}

export interface MmeOpioidFreeContext {
	filters: string;
}

/** One row per window, with the Wilson 95% interval (outcomes.md section 0). */
export function opioidFreeWindows(windows: OralMmeReport['windows']): OpioidFreeWindow[] {
	return windows.map(({ label, target_day, opioid_free: { n, k } }) => {
		const ci = wilsonInterval(k, n);
		return {
			label,
			target_day,
			n,
			k,
			pct: n > 0 ? (100 * k) / n : null,
			lo: ci ? 100 * ci[0] : null,
			hi: ci ? 100 * ci[1] : null
		};
	});
}

/** Proportion opioid-free at each follow-up window: bars with Wilson 95% intervals. */
export function mmeOpioidFree(
	report: Pick<OralMmeReport, 'factors' | 'windows'>,
	ctx: MmeOpioidFreeContext
): ChartSpec<OpioidFreeWindow> {
	const rows = opioidFreeWindows(report.windows);
	const largest = Math.max(0, ...rows.map((r) => r.n));
	const caption =
		`Patients with no oral opioid (MME 0 on every day of the ${MME_WINDOW_DAYS} days up to the window's ` +
		`target day), among outcome-population patients with oral opioid records who were followed through ` +
		`that day; n = ${largest} patients at the first window, n per window under the axis. Days covered only ` +
		`by excluded prescriptions are not opioid-free: such a patient counts here but has no MME value, so ` +
		`this n can exceed the MME chart's n at the same window. A proportion among those still followed: the ` +
		`Kaplan-Meier curve accounts for censoring. Whiskers: Wilson 95% interval. ` +
		`${MME_FACTORS_LABEL[report.factors]}. Filters: ${ctx.filters}.`;
	const nOf = new Map(rows.map((r) => [r.label, r.n]));
	return {
		id: 'mme-opioid-free',
		title: 'Opioid-free at each follow-up window',
		caption,
		ariaDescription: describe(rows, report.factors),
		options: {
			width: 760,
			height: 320,
			marginLeft: 56,
			marginBottom: 48,
			x: {
				label: null,
				domain: rows.map((r) => r.label),
				tickFormat: (t: string) => `${t}\nn = ${nOf.get(t) ?? 0}`,
				padding: 0.35
			},
			y: { label: 'Opioid-free (%)', domain: [0, 100], grid: true },
			marks: [
				Plot.barY(rows, { x: 'label', y: 'pct', fill: '#3d7f38' }),
				Plot.ruleX(rows, { x: 'label', y1: 'lo', y2: 'hi', stroke: '#222', strokeWidth: 1.5 }),
				Plot.text(rows, {
					x: 'label',
					y: 'hi',
					text: (d: OpioidFreeWindow) => (d.pct === null ? '' : `${formatNumber(d.pct, 0)}%`),
					dy: -8,
					fill: '#222'
				}),
				Plot.tip(
					rows,
					Plot.pointerX({
						x: 'label',
						y: 'pct',
						title: (d: OpioidFreeWindow) =>
							`${d.label} (day ${d.target_day})\n${d.k} of ${d.n} opioid-free: ${formatNumber(d.pct)}%\n` +
							`95% CI ${formatNumber(d.lo)}-${formatNumber(d.hi)}%`
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'label', label: 'Window' },
				{ key: 'target_day', label: 'Target day' },
				{ key: 'n', label: 'Followed' },
				{ key: 'k', label: 'Opioid-free' },
				{ key: 'pct', label: '%', digits: 1 },
				{ key: 'lo', label: '95% CI low', digits: 1 },
				{ key: 'hi', label: '95% CI high', digits: 1 }
			],
			rows
		}
	};
}

function describe(rows: OpioidFreeWindow[], factors: MmeFactors): string {
	const parts = rows.map((r) =>
		r.n === 0
			? `${r.label}: nobody followed`
			: `${r.label}: ${r.k} of ${r.n} (${formatNumber(r.pct)}%, 95% CI ${formatNumber(r.lo)} to ${formatNumber(r.hi)})`
	);
	return `Bar chart of the percentage of patients opioid-free at each window (${MME_FACTORS_LABEL[factors]}). ${parts.join('; ')}.`;
}
