/**
 * When and why a patient's observation ends: competing hazards from implant (death, explant,
 * loss to follow-up, transfer), censored at the extract date.
 */
import { EXTRACT_DATE, FOLLOW_UP } from './params.ts';
import type { Random } from './random.ts';
import type { ExplantReason, FollowupEndReason, PatientProfile } from './types.ts';

const DAYS_PER_YEAR = 365.25;
const MS_PER_DAY = 86_400_000;

export interface FollowUp {
	/** Last day on which events may happen: the death, explant or transfer day, or the extract date. */
	horizonDay: number;
	reason: FollowupEndReason;
	explantReason: ExplantReason | null;
}

/** Days from an implant on day `dayOfYear` (0-based) of `year` to the extract date. */
export function daysToExtract(year: number, dayOfYear: number): number {
	const implant = Date.UTC(year, 0, 1) + dayOfYear * MS_PER_DAY;
	const extract = Date.UTC(EXTRACT_DATE.year, EXTRACT_DATE.month - 1, EXTRACT_DATE.day);
	return Math.round((extract - implant) / MS_PER_DAY);
}

export function drawFollowUp(rng: Random, profile: PatientProfile, daysUntilExtract: number): FollowUp {
	const rates = annualRates(profile);
	const candidates: [FollowupEndReason, number][] = [
		['death', rng.exponential(rates.death) * DAYS_PER_YEAR],
		['explant', rng.exponential(rates.explant) * DAYS_PER_YEAR],
		['lost', FOLLOW_UP.lostNotBeforeDay + rng.exponential(rates.lost) * DAYS_PER_YEAR],
		['transferred', rng.exponential(rates.transferred) * DAYS_PER_YEAR]
	];
	// Early pump-pocket infection is not a constant hazard: it clusters in the first weeks.
	const earlyInfection = rng.chance(FOLLOW_UP.earlyInfection.share);
	if (earlyInfection) candidates.push(['explant', rng.int(...FOLLOW_UP.earlyInfection.day)]);

	let [reason, day] = candidates.reduce((first, next) => (next[1] < first[1] ? next : first));
	if (day > daysUntilExtract) [reason, day] = ['ongoing', daysUntilExtract];
	const horizonDay = Math.max(1, Math.ceil(day));
	const explantReason =
		reason === 'explant' ? drawExplantReason(rng, profile, horizonDay, earlyInfection) : null;
	return { horizonDay, reason, explantReason };
}

function annualRates(profile: PatientProfile): Record<'death' | 'explant' | 'lost' | 'transferred', number> {
	const { annualRates: base, nonResponderFactor } = FOLLOW_UP;
	const decadesOver60 = Math.max(0, profile.ageYears - 60) / 10;
	const death =
		profile.diagnosis === 'cancer_pain'
			? FOLLOW_UP.cancerDeathRate
			: base.death * FOLLOW_UP.deathRatePerDecadeOver60 ** decadesOver60;
	const failing = !profile.responder;
	return {
		death,
		explant: base.explant * (failing ? nonResponderFactor.explant : 1),
		lost: base.lost * (failing ? nonResponderFactor.lost : 1),
		transferred: base.transferred
	};
}

function drawExplantReason(
	rng: Random,
	profile: PatientProfile,
	day: number,
	earlyInfection: boolean
): ExplantReason {
	if (earlyInfection && day <= FOLLOW_UP.earlyInfection.day[1]) return 'infection';
	const weights = { ...FOLLOW_UP.explantReasonWeights };
	// A pump that does not help is the usual reason to take it out.
	if (!profile.responder) weights.inefficacy *= 3;
	return rng.weighted(weights);
}
