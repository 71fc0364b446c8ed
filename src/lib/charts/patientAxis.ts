import type { ScaleOptions } from '@observablehq/plot';
import type { ItDoseStep, PatientFacts, PatientMmeStep, PatientPainRow, PatientPumpEvent } from '$lib/sql';

/**
 * The drill-down's charts share one x axis (days from implant, or from the trial for a patient never
 * implanted): the same domain, width and
 * margins, so a day lines up across pain, MME, IT dose and pump events stacked on the page.
 */
export const PATIENT_LAYOUT = { width: 760, marginLeft: 120, marginRight: 24 } as const;

export interface PatientSeries {
	facts: PatientFacts;
	pain: readonly PatientPainRow[];
	mme: readonly PatientMmeStep[];
	dose: readonly ItDoseStep[];
	events: readonly PatientPumpEvent[];
}

/** Context every patient chart takes. */
export interface PatientChartContext {
	patientId: string;
	/** Shared x domain, days from implant. */
	domain: [number, number];
	/** Trial day, drawn as a dashed rule when known. */
	trialDay: number | null;
	/**
	 * False for a patient never implanted: the contract counts their days from the trial (day 0),
	 * so day 0 is labelled the trial, and the axis days from trial. Default true.
	 */
	implanted?: boolean;
}

/**
 * The first and last day any series of the patient covers, implant (day 0) and follow-up end
 * included, padded by 2% each side so end points are not drawn on the frame.
 */
export function patientDayDomain(s: PatientSeries): [number, number] {
	const days = [
		0,
		s.facts.trial_day,
		s.facts.followup_end_day,
		...s.pain.map((r) => r.day),
		...s.mme.flatMap((r) => [r.from_day, r.to_day + 1]),
		...s.dose.flatMap((r) => [r.from_day, r.to_day + 1]),
		...s.events.map((r) => r.day)
	].filter((d): d is number => d !== null && Number.isFinite(d));
	const lo = Math.min(...days);
	const hi = Math.max(...days);
	const pad = Math.max(5, Math.round((hi - lo) * 0.02));
	return [lo - pad, hi + pad];
}

/** What day 0 is for this patient: the implant, or the trial of a patient never implanted. */
export function dayZero(ctx: PatientChartContext): 'implant' | 'trial' {
	return ctx.implanted === false ? 'trial' : 'implant';
}

export function patientX(ctx: PatientChartContext): ScaleOptions {
	return { label: `Days from ${dayZero(ctx)}`, domain: ctx.domain, grid: true };
}

/** Plot options every patient chart starts from. */
export function patientFrame(ctx: PatientChartContext, height: number) {
	return { ...PATIENT_LAYOUT, height, x: patientX(ctx) };
}
