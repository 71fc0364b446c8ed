/**
 * Pain assessments: pre-implant visits (consult, pre-trial evaluation, trial day, pre-op),
 * then visits every one to three months until follow-up ends. A score is the patient's
 * expected pain plus visit noise, rounded to an integer NRS and clipped to 0-10.
 */
import { clamp } from './math.ts';
import { PAIN } from './params.ts';
import type { Random } from './random.ts';
import type { PainScoreRow, PatientProfile } from './types.ts';

const DAYS_PER_YEAR = 365.25;

export function generatePainScores(rng: Random, profile: PatientProfile, horizonDay: number): PainScoreRow[] {
	const trialRelief = clamp(
		rng.normal(profile.trialFailed ? PAIN.trialRelief.failed : PAIN.trialRelief.passed, PAIN.trialRelief.sd),
		-0.2,
		0.9
	);
	const rows: PainScoreRow[] = [];
	for (const day of preImplantVisitDays(rng, profile.trialDay)) {
		const relief = day === profile.trialDay ? trialRelief : 0;
		rows.push(assessment(rng, profile, day, profile.baselinePain * (1 - relief)));
	}
	if (profile.trialFailed) {
		// The visit that closes a failed trial: back to baseline, and the last day observed.
		rows.push(assessment(rng, profile, horizonDay, profile.baselinePain));
		return rows;
	}
	for (const day of postImplantVisitDays(rng, horizonDay)) {
		const expected = expectedPain(profile, day);
		if (rng.chance(missedVisitProbability(expected))) continue;
		rows.push(assessment(rng, profile, day, expected));
	}
	return rows;
}

/**
 * Baseline is the last score before the trial within 90 days of implant (outcomes.md
 * section 2), so the visits straddle that rule: a consult before day -90, a pre-trial
 * evaluation inside the range (missing for a few patients), a score on the trial day itself
 * (trial analgesia, not baseline) and a pre-op visit between trial and implant.
 * A patient without a trial is scored before implant only.
 */
function preImplantVisitDays(rng: Random, trialDay: number | null): number[] {
	const cutoff = trialDay ?? 0;
	const evaluationTo = cutoff - 1;
	// A trial more than 90 days before implant moves the baseline range back with it.
	const evaluationFrom = evaluationTo < -90 ? cutoff - 75 : Math.max(-90, cutoff - 75);
	const consultTo = Math.min(-91, evaluationFrom - 1);
	const days = new Set<number>([rng.int(consultTo - 89, consultTo)]);
	const { preImplant } = PAIN;
	if (!rng.chance(preImplant.missingBaselineShare)) days.add(rng.int(evaluationFrom, evaluationTo));
	if (rng.chance(preImplant.extraPreTrialVisitShare)) days.add(rng.int(evaluationFrom, evaluationTo));
	if (trialDay !== null && rng.chance(preImplant.trialDayScoreShare)) days.add(trialDay);
	if (trialDay !== null && trialDay <= -3 && rng.chance(preImplant.preOpVisitShare)) {
		days.add(rng.int(trialDay + 1, -1));
	}
	return [...days].sort((a, b) => a - b);
}

function postImplantVisitDays(rng: Random, horizonDay: number): number[] {
	const days: number[] = [];
	for (
		let day = rng.int(...PAIN.firstPostImplantVisitDay);
		day <= horizonDay;
		day += rng.int(...PAIN.visitIntervalDays)
	) {
		days.push(day);
	}
	return days;
}

/** Relief ramps up over titration, then wanes slowly. */
export function expectedPain(profile: PatientProfile, day: number): number {
	if (day < 0) return profile.baselinePain;
	const onset = Math.min(1, day / PAIN.reliefOnsetDays);
	const waning = Math.exp((-PAIN.reliefLossPerYear * day) / DAYS_PER_YEAR);
	return profile.baselinePain * (1 - profile.relief * onset * waning);
}

/** Patients in more pain miss more visits, so completers look better than the cohort. */
function missedVisitProbability(expected: number): number {
	const { base, perPointAbove4, max } = PAIN.missedVisit;
	return Math.min(max, base + perPointAbove4 * Math.max(0, expected - 4));
}

function assessment(rng: Random, profile: PatientProfile, day: number, expected: number): PainScoreRow {
	const painAvg = nrs(expected + rng.normal(0, PAIN.visitNoiseSd));
	const { worstAboveAverage } = PAIN;
	const worstGap = Math.max(
		worstAboveAverage.min,
		Math.round(rng.normal(worstAboveAverage.mean, worstAboveAverage.sd))
	);
	return {
		patient_id: profile.id,
		day,
		pain_avg: painAvg,
		pain_worst: rng.chance(PAIN.worstMissingShare) ? null : nrs(painAvg + worstGap),
		odi: rng.chance(PAIN.odiShare) ? oswestry(rng, painAvg) : null,
		pgic: day > 0 && rng.chance(PAIN.pgicShare) ? globalImpression(rng, profile.baselinePain, expected) : null
	};
}

function nrs(value: number): number {
	return clamp(Math.round(value), 0, 10);
}

/** ODI (0-100) tracks pain loosely. */
function oswestry(rng: Random, painAvg: number): number {
	return clamp(Math.round(6 * painAvg + 5 + rng.normal(0, 8)), 0, 100);
}

/** PGIC 1 (very much improved) to 7 (very much worse), from the relief the patient feels. */
function globalImpression(rng: Random, baseline: number, expected: number): number {
	const improvement = 1 - expected / baseline;
	const thresholds = [0.6, 0.4, 0.2, -0.05, -0.2, -0.4];
	const index = thresholds.findIndex((t) => improvement >= t);
	const category = index === -1 ? 7 : index + 1;
	return clamp(category + Math.round(rng.normal(0, 0.6)), 1, 7);
}
