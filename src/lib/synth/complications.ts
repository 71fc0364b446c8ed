/**
 * Device events that are not dosing: complications and their repairs, elective battery
 * replacement, and the explant that ends follow-up. Every day lies within follow-up.
 */
import { COMPLICATIONS, PUMP } from './params.ts';
import type { FollowUp } from './followup.ts';
import type { Random } from './random.ts';
import type { Complication, ExplantReason, PumpEventType } from './types.ts';

const DAYS_PER_YEAR = 365.25;

export interface DeviceEvent {
	day: number;
	event: PumpEventType;
	complication: Complication | null;
}

/** The repair that follows a complication, if any. */
const REPAIR: Partial<Record<Complication, PumpEventType>> = {
	catheter: 'catheter_revision',
	granuloma: 'catheter_revision',
	pump_failure: 'pump_replacement'
};

/** The complication recorded before an explant for this reason, if any. */
const EXPLANT_COMPLICATION: Partial<Record<ExplantReason, Complication>> = {
	infection: 'infection',
	granuloma: 'granuloma',
	device: 'pump_failure'
};

export function complicationEvents(rng: Random, followUp: FollowUp): DeviceEvent[] {
	const horizon = followUp.horizonDay;
	const events: DeviceEvent[] = [];
	const within = (day: number) => day >= 1 && day < horizon;

	const { csfLeak, perYear, repairDelayDays } = COMPLICATIONS;
	if (rng.chance(csfLeak.share)) {
		const day = rng.int(...csfLeak.day);
		if (within(day)) events.push({ day, event: 'complication', complication: 'csf_leak' });
	}
	// Later complications arrive as Poisson processes after the first month.
	for (const [complication, rate] of Object.entries(perYear) as [Complication, number][]) {
		const count = horizon > 31 ? rng.poisson((rate * horizon) / DAYS_PER_YEAR) : 0;
		for (let i = 0; i < count; i++) {
			const day = rng.int(31, horizon - 1);
			events.push({ day, event: 'complication', complication });
			const repair = REPAIR[complication];
			const repairDay = day + rng.int(...repairDelayDays);
			if (repair && within(repairDay)) events.push({ day: repairDay, event: repair, complication: null });
		}
	}
	const batteryDay = rng.int(...PUMP.batteryLifeDays);
	if (within(batteryDay)) events.push({ day: batteryDay, event: 'pump_replacement', complication: null });

	if (followUp.reason === 'explant') {
		const cause = followUp.explantReason ? EXPLANT_COMPLICATION[followUp.explantReason] : undefined;
		const causeDay = Math.max(1, horizon - rng.int(2, 14));
		if (cause) events.push({ day: causeDay, event: 'complication', complication: cause });
		events.push({ day: horizon, event: 'explant', complication: null });
	}
	return events;
}
