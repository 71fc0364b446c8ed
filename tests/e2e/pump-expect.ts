import { demoPath, readCsv } from './fixtures';

/**
 * outcomes.md sections 0 and 4, from the demo CSV files in plain TypeScript: outcome-population
 * patients with an IT morphine dose in effect on day `target`. The dose on day t is set by the last
 * implant / refill / dose_change row for the drug with day <= t; it is undefined after explant or
 * follow-up end (without either, after the patient's last pump event). `pumpEvents`: another
 * pump_events.csv for the demo patients.
 */
export function expectedOnMorphine(target: number, pumpEvents = demoPath('pump_events')): number {
	const patients = readCsv(demoPath('patients'));
	const events = readCsv(pumpEvents);
	const population = new Set(
		patients.filter((p) => p.implant_year !== '' && p.diagnosis !== 'spasticity').map((p) => p.patient_id)
	);
	const followupEnd = new Map(
		patients.map((p) => [p.patient_id, p.followup_end_day === '' ? null : Number(p.followup_end_day)])
	);
	const byPatient = new Map<string, Record<string, string>[]>();
	for (const e of events) byPatient.set(e.patient_id!, [...(byPatient.get(e.patient_id!) ?? []), e]);
	let n = 0;
	for (const [id, rows] of byPatient) {
		if (!population.has(id)) continue;
		const explants = rows.filter((r) => r.event === 'explant').map((r) => Number(r.day));
		const explant = explants.length ? Math.min(...explants) : null;
		const fe = followupEnd.get(id) ?? null;
		const end =
			explant !== null && explant <= (fe ?? explant)
				? explant
				: fe !== null
					? fe
					: Math.max(...rows.map((r) => Number(r.day)));
		const dosed = rows.some(
			(r) =>
				['implant', 'refill', 'dose_change'].includes(r.event!) &&
				r.drug === 'morphine' &&
				r.daily_dose !== '' &&
				Number(r.day) <= target
		);
		if (dosed && end >= target) n++;
	}
	return n;
}
