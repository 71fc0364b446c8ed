import * as Plot from '@observablehq/plot';
import { formatNumber } from '$lib/outcomes';
import type { PatientPainPick, PatientPainRow } from '$lib/sql';
import { dayZero, patientFrame, type PatientChartContext } from './patientAxis';
import type { ChartSpec } from './types';

export interface PatientPainTableRow extends PatientPainRow {
	/** 'baseline' or the window label when the outcome tables use this visit; '' otherwise. */
	used: string;
}

/** One patient's pain scores by day, with the visits the outcome tables use ringed and labelled. */
export function patientPain(
	rows: PatientPainRow[],
	picks: PatientPainPick[],
	ctx: PatientChartContext
): ChartSpec<PatientPainTableRow> {
	const worst = rows.filter((r) => r.pain_worst !== null);
	const used = new Map(picks.map((p) => [p.day, p.label]));
	const table = rows.map((r) => ({ ...r, used: used.get(r.day) ?? '' }));
	const caption =
		`${rows.length} assessment${rows.length === 1 ? '' : 's'} of patient ${ctx.patientId}. Solid: average ` +
		`pain` +
		(worst.length ? '; dashed, open dots: worst pain' : '') +
		`. Ringed: the visits the outcome tables use (baseline, and the closest visit in each window).`;
	return {
		id: `patient-pain`,
		title: 'Pain',
		caption,
		ariaDescription: describe(rows, picks, ctx),
		options: {
			...patientFrame(ctx, 260),
			marginTop: 24,
			y: { label: 'Pain (NRS 0-10)', domain: [0, 10], grid: true },
			marks: [
				...landmarks(ctx),
				Plot.lineY(worst, { x: 'day', y: 'pain_worst', stroke: '#c0392b', strokeDasharray: '4,3' }),
				Plot.dot(worst, { x: 'day', y: 'pain_worst', stroke: '#c0392b', fill: 'white', r: 3 }),
				Plot.lineY(rows, { x: 'day', y: 'pain_avg', stroke: '#1f4e79', strokeWidth: 2 }),
				Plot.dot(rows, { x: 'day', y: 'pain_avg', fill: '#1f4e79', r: 3 }),
				Plot.dot(picks, { x: 'day', y: 'score', r: 8, stroke: '#111', strokeWidth: 1.5 }),
				Plot.text(picks, { x: 'day', y: 'score', text: 'label', dy: -15, fill: '#111' }),
				Plot.tip(
					rows,
					Plot.pointerX({
						x: 'day',
						y: 'pain_avg',
						title: (d: PatientPainRow) =>
							[
								`day ${d.day}`,
								`average ${formatNumber(d.pain_avg)}`,
								d.pain_worst === null ? null : `worst ${formatNumber(d.pain_worst)}`,
								d.odi === null ? null : `ODI ${formatNumber(d.odi, 0)}`,
								d.pgic === null ? null : `PGIC ${d.pgic}`
							]
								.filter(Boolean)
								.join('\n')
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'day', label: 'Day' },
				{ key: 'pain_avg', label: 'Average pain', digits: 1 },
				{ key: 'pain_worst', label: 'Worst pain', digits: 1 },
				{ key: 'odi', label: 'ODI', digits: 0 },
				{ key: 'pgic', label: 'PGIC' },
				{ key: 'used', label: 'Used for' }
			],
			rows: table
		}
	};
}

/** Implant and trial rules, shared by the patient charts (day 0 is the trial when never implanted). */
export function landmarks(ctx: PatientChartContext) {
	const zero = dayZero(ctx);
	return [
		Plot.ruleX([0], { stroke: '#555', strokeDasharray: '2,3' }),
		// Implant labelled to the right of its rule, the trial to the left: they are often days apart.
		Plot.text([0], {
			x: (d: number) => d,
			frameAnchor: 'top',
			text: () => zero,
			textAnchor: 'start',
			dx: 3,
			dy: -14,
			fill: '#555'
		}),
		...(ctx.trialDay === null || ctx.trialDay === 0 || zero === 'trial'
			? []
			: [
					Plot.ruleX([ctx.trialDay], { stroke: '#767676', strokeDasharray: '1,3' }),
					Plot.text([ctx.trialDay], {
						x: (d: number) => d,
						frameAnchor: 'top',
						text: () => 'trial',
						textAnchor: 'end',
						dx: -3,
						dy: -14,
						fill: '#666'
					})
				])
	];
}

function describe(rows: PatientPainRow[], picks: PatientPainPick[], ctx: PatientChartContext): string {
	if (rows.length === 0) return `Patient ${ctx.patientId} has no pain scores.`;
	const first = rows[0]!;
	const last = rows[rows.length - 1]!;
	const used = picks.map((p) => `${p.label} ${formatNumber(p.score)} on day ${p.day}`);
	return (
		`Line chart of patient ${ctx.patientId}'s average pain: ${rows.length} scores from day ${first.day} ` +
		`(${formatNumber(first.pain_avg)}) to day ${last.day} (${formatNumber(last.pain_avg)}).` +
		(used.length
			? ` Used by the outcome tables: ${used.join('; ')}.`
			: ' No visit is used by the outcome tables.')
	);
}
