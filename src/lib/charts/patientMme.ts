import * as Plot from '@observablehq/plot';
import { formatNumber, type MmeFactors } from '$lib/outcomes';
import { MME_FACTORS_LABEL } from './mmeLabels';
import type { PatientMmeStep } from '$lib/sql';
import { patientFrame, type PatientChartContext } from './patientAxis';
import { landmarks } from './patientPain';
import type { ChartSpec } from './types';

export interface PatientMmeContext extends PatientChartContext {
	/** The factor table the MME tables were built with. */
	factors: MmeFactors;
}

/**
 * One patient's oral MME per day as steps: each run of equal days is a bar from its first day to
 * the day after its last, so a one-day gap shows as one day wide. Days covered only by
 * prescriptions without an MME (OUD treatment, no CDC factor) are hatched grey: not zero, unknown.
 */
export function patientMme(steps: PatientMmeStep[], ctx: PatientMmeContext): ChartSpec<PatientMmeStep> {
	const known = steps.filter((s) => s.mme !== null);
	const unknown = steps.filter((s) => s.mme === null);
	// Headroom above the highest run, so its top edge does not sit on the frame.
	const top = Math.max(10, ...known.map((s) => s.mme!)) * 1.1;
	const caption =
		`Oral morphine milligram equivalents per day (${MME_FACTORS_LABEL[ctx.factors]}), from the first prescription ` +
		`to the end of follow-up; 0 where no prescription covers a day.` +
		(unknown.length ? ' Grey: days covered only by prescriptions without an MME.' : '');
	return {
		id: 'patient-mme',
		title: 'Oral opioids (MME/day)',
		caption,
		ariaDescription: describe(steps, ctx),
		options: {
			...patientFrame(ctx, 200),
			marginTop: 24,
			y: { label: 'MME/day', domain: [0, top], grid: true, nice: true },
			marks: [
				Plot.rect(unknown, {
					x1: 'from_day',
					x2: (d: PatientMmeStep) => d.to_day + 1,
					y1: 0,
					y2: top,
					fill: '#999',
					fillOpacity: 0.35
				}),
				Plot.rectY(known, {
					x1: 'from_day',
					x2: (d: PatientMmeStep) => d.to_day + 1,
					y: 'mme',
					fill: '#8c5a9e',
					fillOpacity: 0.75
				}),
				...landmarks(ctx),
				Plot.tip(
					steps,
					Plot.pointerX({
						x1: 'from_day',
						x2: (d: PatientMmeStep) => d.to_day + 1,
						y: (d: PatientMmeStep) => d.mme ?? 0,
						title: (d: PatientMmeStep) =>
							`days ${d.from_day} to ${d.to_day}\n` +
							(d.mme === null ? 'no MME (excluded prescriptions only)' : `${formatNumber(d.mme)} MME/day`)
					})
				),
				Plot.ruleY([0])
			]
		},
		table: {
			columns: [
				{ key: 'from_day', label: 'From day' },
				{ key: 'to_day', label: 'To day' },
				{ key: 'mme', label: 'MME/day', digits: 1 }
			],
			rows: steps
		}
	};
}

/** The MME on a day, from the runs; undefined when the day is outside them. */
function mmeOn(steps: PatientMmeStep[], day: number): number | null | undefined {
	return steps.find((s) => s.from_day <= day && day <= s.to_day)?.mme;
}

function describe(steps: PatientMmeStep[], ctx: PatientMmeContext): string {
	if (steps.length === 0)
		return `Patient ${ctx.patientId} has no oral opioid prescriptions in the MME tables.`;
	const first = steps[0]!;
	const last = steps[steps.length - 1]!;
	const max = Math.max(...steps.map((s) => s.mme ?? 0));
	const atImplant = mmeOn(steps, -1);
	const value = (v: number | null | undefined) =>
		v === undefined
			? 'not observed'
			: v === null
				? 'unknown (excluded prescriptions only)'
				: `${formatNumber(v)}`;
	return (
		`Step chart of patient ${ctx.patientId}'s oral MME per day from day ${first.from_day} to day ${last.to_day}: ` +
		`${value(atImplant)} on the day before implant, at most ${formatNumber(max)}, ${value(last.mme)} on the last day.`
	);
}
