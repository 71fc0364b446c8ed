import * as Plot from '@observablehq/plot';
import { formatNumber, IT_ESCALATION } from '$lib/outcomes';
import type { ItDoseEscalation, ItDoseEscalationSummary } from '$lib/sql';
import type { ChartSpec } from './types';
import { plural } from '$lib/ingest';

export type EscalationMeasure = 'per_year' | 'pct_per_year';

export interface ItDoseEscalationContext {
	filters: string;
	hydromorphoneFactor: number;
	/** `itDoseEscalationSummary`: the cohort numbers the caption states. */
	summary: ItDoseEscalationSummary;
}

export interface EscalationBin {
	bin: string;
	x1: number;
	x2: number;
	patients: number;
}

const MEASURE = {
	per_year: {
		unit: 'mg/day per year',
		short: 'mg/day/yr',
		label: 'Change in IT morphine-eq (mg/day per year)'
	},
	pct_per_year: { unit: '% per year', short: '%/yr', label: 'Change in IT morphine-eq (% per year)' }
} as const;

/** R type 7 quantile of sorted values. */
function quantile(sorted: readonly number[], p: number): number {
	const h = (sorted.length - 1) * p;
	const i = Math.floor(h);
	return sorted[i]! + (h - i) * ((sorted[i + 1] ?? sorted[i]!) - sorted[i]!);
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
	const power = 10 ** Math.floor(Math.log10(raw));
	return ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw - 1e-12) ?? 10) * power;
}

function decimals(step: number): number {
	for (let d = 0; d < 10; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9) return d;
	return 10;
}

/**
 * About 20 equal bins over the values inside Tukey's far-out fences (Q1 - 3 IQR, Q3 + 3 IQR),
 * widened to round numbers, plus an open bin at each end for the rest: slopes have long tails,
 * and one patient with a steep short fit must not squeeze everyone else into one bar. Bins are
 * [a, b) except the last, [a, b].
 */
export function escalationBins(values: readonly number[]): EscalationBin[] {
	if (values.length === 0) return [];
	const sorted = [...values].sort((a, b) => a - b);
	const q1 = quantile(sorted, 0.25);
	const q3 = quantile(sorted, 0.75);
	const inside = sorted.filter((v) => v >= q1 - 3 * (q3 - q1) && v <= q3 + 3 * (q3 - q1));
	let lo = inside[0]!;
	let hi = inside.at(-1)!;
	if (hi - lo < 1e-9) {
		lo -= 1;
		hi += 1;
	}
	const step = niceStep((hi - lo) / 20);
	const start = Math.floor(lo / step + 1e-9) * step;
	const count = Math.max(1, Math.ceil((hi - start) / step - 1e-9));
	const end = start + count * step;
	const digits = decimals(step);
	const fmt = (x: number) => formatNumber(x, digits).replace(/^-/, '−');
	const gap = step * 0.6;
	const bins: EscalationBin[] = [];
	bins.push({ bin: `below ${fmt(start)}`, x1: start - gap - step, x2: start - gap, patients: 0 });
	for (let i = 0; i < count; i++) {
		const a = start + i * step;
		bins.push({ bin: `${fmt(a)} to ${fmt(a + step)}`, x1: a, x2: a + step, patients: 0 });
	}
	bins.push({ bin: `above ${fmt(end)}`, x1: end + gap, x2: end + gap + step, patients: 0 });
	for (const v of sorted) {
		const i = v < start ? 0 : v > end ? count + 1 : 1 + Math.min(Math.floor((v - start) / step), count - 1);
		bins[i]!.patients++;
	}
	// An empty open bin says nothing: drop it.
	return bins.filter((b, i) => b.patients > 0 || (i > 0 && i <= count));
}

/** Distribution of per-patient IT escalation (morphine-equivalent), in mg/day or % per year. */
export function itDoseEscalation(
	rows: readonly ItDoseEscalation[],
	measure: EscalationMeasure,
	ctx: ItDoseEscalationContext
): ChartSpec<EscalationBin> {
	const values = rows.map((r) => r[measure]).filter((v): v is number => v !== null);
	const bins = escalationBins(values);
	const m = MEASURE[measure];
	const s = ctx.summary;
	const stated =
		measure === 'per_year'
			? `median ${formatNumber(s.median_per_year, 2)} ${m.unit} (IQR ${formatNumber(s.q1, 2)} to ${formatNumber(s.q3, 2)})`
			: `median ${formatNumber(s.median_pct_per_year, 1)}% per year (IQR ${formatNumber(s.q1_pct_per_year, 1)} to ${formatNumber(s.q3_pct_per_year, 1)})`;
	const rising = values.filter((v) => v > 0).length;
	const falling = values.filter((v) => v < 0).length;
	const fit =
		measure === 'per_year'
			? 'the least-squares slope of the daily dose over years since implant'
			: 'exp(slope of ln dose per year) − 1, as a percentage (patients with a day at dose 0 have none)';
	const caption =
		`Per patient, ${fit}, on days ${IT_ESCALATION.titrationLastDay + 1} onward (titration left out) with a ` +
		`dose in effect; IT morphine-equivalent = morphine + hydromorphone × ${ctx.hydromorphoneFactor}. ` +
		`n = ${values.length} patients (implanted, not spasticity, at least two days after titration): ${stated}. ` +
		`Filters: ${ctx.filters}.`;
	const open = (b: EscalationBin) => b.bin.startsWith('below') || b.bin.startsWith('above');
	// Ticks on the closed bins' edges only, at most about eight of them.
	const edges = bins.filter((b) => !open(b)).flatMap((b, i) => (i === 0 ? [b.x1, b.x2] : [b.x2]));
	const every = Math.ceil(edges.length / 8);
	const ticks = edges.filter((_, i) => i % every === 0);
	const digits = Math.max(0, ...edges.map(decimals));
	return {
		id: `it-escalation-${measure === 'per_year' ? 'mg' : 'pct'}`,
		title: `IT dose escalation per patient (${m.unit})`,
		caption,
		ariaDescription:
			values.length === 0
				? 'No patient has an escalation slope.'
				: `Histogram of IT morphine-equivalent escalation in ${m.unit} for ${plural(values.length, 'patient')}: ` +
					`${stated}; ${rising} rising, ${falling} falling, ${values.length - rising - falling} unchanged. ` +
					`Patients per bin: ${bins
						.filter((b) => b.patients > 0)
						.map((b) => `${b.bin}: ${b.patients}`)
						.join(', ')}.`,
		options: {
			width: 760,
			height: 280,
			marginLeft: 56,
			x: {
				label: m.label,
				labelAnchor: 'center',
				ticks,
				tickFormat: (t: number) => formatNumber(t, digits).replace(/^-/, '−')
			},
			y: { label: 'Patients', grid: true },
			marks: [
				Plot.rectY(bins, { x1: 'x1', x2: 'x2', y: 'patients', fill: '#2f7d77', inset: 0.5 }),
				Plot.text(bins.filter(open), {
					x: (b: EscalationBin) => (b.x1 + b.x2) / 2,
					y: 'patients',
					text: 'bin',
					dy: -8,
					fill: '#333'
				}),
				Plot.ruleY([0]),
				Plot.ruleX([0], { stroke: '#555', strokeDasharray: '3,3' }),
				Plot.tip(
					bins,
					Plot.pointerX({
						x: (b: EscalationBin) => (b.x1 + b.x2) / 2,
						y: 'patients',
						title: (b: EscalationBin) => `${b.bin} ${m.short}\n${b.patients} patients`
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'bin', label: `Escalation (${m.unit})` },
				{ key: 'patients', label: 'Patients' }
			],
			rows: bins
		}
	};
}
