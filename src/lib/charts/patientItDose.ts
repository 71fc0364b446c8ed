import * as Plot from '@observablehq/plot';
import { formatNumber } from '$lib/outcomes';
import type { ItDoseStep } from '$lib/sql';
import { patientFrame, type PatientChartContext } from './patientAxis';
import { landmarks } from './patientPain';
import type { ChartSpec } from './types';

interface DosePoint {
	day: number;
	dose: number;
}

/**
 * Step points for one drug: each step's dose from its first day; after the last step, the dose
 * drops to 0 the day after an explant, and otherwise simply stops being known.
 */
export function doseSteps(steps: readonly ItDoseStep[]): DosePoint[] {
	const points = steps.map((s) => ({ day: s.from_day, dose: s.daily_dose }));
	const last = steps[steps.length - 1];
	if (last) points.push({ day: last.to_day + 1, dose: last.ended_by === 'explant' ? 0 : last.daily_dose });
	return points;
}

/**
 * One drug's programmed intrathecal daily dose for one patient (itDoseTimeline), in the drug's own
 * unit; the page draws one such chart per drug, since units differ between drugs.
 */
export function patientItDose(steps: ItDoseStep[], ctx: PatientChartContext): ChartSpec<ItDoseStep> {
	const drug = steps[0]?.drug ?? 'none';
	const unit = steps[0]?.unit ?? '';
	const points = doseSteps(steps);
	const last = steps[steps.length - 1];
	const caption =
		`Intrathecal ${drug}, ${unit}, as programmed: each dose holds from its pump event until the next. ` +
		(last?.ended_by === 'explant'
			? `Drops to 0 after the explant on day ${last.to_day}.`
			: last
				? `Known until day ${last.to_day} (${(last.ended_by ?? 'end').replaceAll('_', ' ')}).`
				: '');
	return {
		id: `patient-it-${drug}`,
		title: `Intrathecal ${drug} (${unit})`,
		caption,
		ariaDescription: describe(steps, ctx),
		options: {
			...patientFrame(ctx, 180),
			marginTop: 24,
			y: { label: unit, zero: true, grid: true, nice: true },
			marks: [
				...landmarks(ctx),
				Plot.lineY(points, { x: 'day', y: 'dose', curve: 'step-after', stroke: '#2a7f62', strokeWidth: 2 }),
				Plot.dot(steps, { x: 'from_day', y: 'daily_dose', fill: '#2a7f62', r: 2.5 }),
				Plot.tip(
					steps,
					Plot.pointerX({
						x: 'from_day',
						y: 'daily_dose',
						title: (d: ItDoseStep) =>
							`days ${d.from_day} to ${d.to_day}\n${formatNumber(d.daily_dose, 3)} ${d.unit}`
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'from_day', label: 'From day' },
				{ key: 'to_day', label: 'To day' },
				{ key: 'daily_dose', label: `Daily dose (${unit})`, digits: 3 },
				{ key: 'ended_by', label: 'Ended by' }
			],
			rows: steps
		}
	};
}

function describe(steps: ItDoseStep[], ctx: PatientChartContext): string {
	if (steps.length === 0) return `Patient ${ctx.patientId} has no programmed intrathecal doses.`;
	const first = steps[0]!;
	const last = steps[steps.length - 1]!;
	const max = Math.max(...steps.map((s) => s.daily_dose));
	return (
		`Step chart of patient ${ctx.patientId}'s intrathecal ${first.drug} in ${first.unit}: ` +
		`${steps.length} programmed dose${steps.length === 1 ? '' : 's'} from day ${first.from_day} to day ${last.to_day}, ` +
		`starting at ${formatNumber(first.daily_dose, 3)}, at most ${formatNumber(max, 3)}, ` +
		`last ${formatNumber(last.daily_dose, 3)}` +
		(last.ended_by === 'explant' ? `, explanted on day ${last.to_day}.` : '.')
	);
}
