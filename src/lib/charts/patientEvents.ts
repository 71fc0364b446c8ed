import * as Plot from '@observablehq/plot';
import { PUMP_EVENTS } from '$lib/contract';
import { formatNumber } from '$lib/outcomes';
import type { PatientPumpEvent } from '$lib/sql';
import { patientFrame, type PatientChartContext } from './patientAxis';
import { landmarks } from './patientPain';
import type { ChartSpec } from './types';

/** Events that change the device or signal harm stand out; refills are routine. */
const NOTABLE = new Set(['implant', 'catheter_revision', 'pump_replacement', 'complication', 'explant']);

/** One row per event (an admixture refill names each drug on its own row: one mark per day and event). */
export function uniqueEvents(rows: readonly PatientPumpEvent[]): PatientPumpEvent[] {
	const seen = new Set<string>();
	return rows.filter((r) => {
		const key = `${r.day}|${r.event}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/** One patient's pump events as a strip per event type, on the shared day axis. */
export function patientEvents(
	rows: PatientPumpEvent[],
	ctx: PatientChartContext
): ChartSpec<PatientPumpEvent> {
	const marks = uniqueEvents(rows);
	const types = PUMP_EVENTS.filter((e) => marks.some((m) => m.event === e));
	const label = (d: PatientPumpEvent) =>
		rows
			.filter((r) => r.day === d.day && r.event === d.event)
			.map((r) =>
				[
					r.drug,
					r.daily_dose === null ? null : `${formatNumber(r.daily_dose, 3)} ${r.daily_dose_unit}`,
					r.complication
				]
					.filter(Boolean)
					.join(' ')
			)
			.filter(Boolean)
			.join('\n');
	return {
		id: 'patient-events',
		title: 'Pump events',
		caption:
			`${marks.length} pump event${marks.length === 1 ? '' : 's'} (an admixture refill is one event). ` +
			`Filled: device changes and complications.`,
		ariaDescription: describe(marks, ctx),
		options: {
			...patientFrame(ctx, 40 + 26 * Math.max(1, types.length)),
			marginTop: 24,
			y: { label: null, domain: types },
			marks: [
				...landmarks(ctx),
				Plot.tickX(marks, { x: 'day', y: 'event', stroke: '#555', strokeWidth: 1.5 }),
				Plot.dot(
					marks.filter((m) => NOTABLE.has(m.event)),
					{ x: 'day', y: 'event', fill: '#b03a2e', r: 4.5 }
				),
				Plot.tip(
					marks,
					Plot.pointer({
						x: 'day',
						y: 'event',
						title: (d: PatientPumpEvent) => [`day ${d.day}: ${d.event}`, label(d)].filter(Boolean).join('\n')
					})
				)
			]
		},
		table: {
			columns: [
				{ key: 'day', label: 'Day' },
				{ key: 'event', label: 'Event' },
				{ key: 'drug', label: 'Drug' },
				{ key: 'daily_dose', label: 'Daily dose', digits: 3 },
				{ key: 'daily_dose_unit', label: 'Unit' },
				{ key: 'complication', label: 'Complication' }
			],
			rows
		}
	};
}

function describe(marks: PatientPumpEvent[], ctx: PatientChartContext): string {
	if (marks.length === 0) return `Patient ${ctx.patientId} has no pump events.`;
	const counts = PUMP_EVENTS.map((e) => [e, marks.filter((m) => m.event === e)] as const).filter(
		([, list]) => list.length > 0
	);
	const parts = counts.map(([e, list]) =>
		NOTABLE.has(e) || list.length <= 2
			? `${e} on day ${list.map((m) => m.day).join(', ')}`
			: `${list.length} ${e}s from day ${list[0]!.day} to ${list[list.length - 1]!.day}`
	);
	return `Event strip for patient ${ctx.patientId}: ${parts.join('; ')}.`;
}
