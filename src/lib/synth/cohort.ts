/**
 * The cohort model: who the patients are (office, diagnosis, age, program, trial, response)
 * and the order in which their rows are generated. Pain, oral opioids and pump events each
 * live in their own module and draw from their own random stream.
 */
import { daysToExtract, drawFollowUp, type FollowUp } from './followup.ts';
import { clamp } from './math.ts';
import { generateOralOpioids } from './opioids.ts';
import { generatePainScores } from './pain.ts';
import {
	DEMOGRAPHICS,
	FOLLOW_UP,
	ICD10_CODES,
	IMPLANT_YEARS,
	OFFICES,
	ORAL_OPIOIDS,
	PAIN,
	TRIAL,
	type OfficeParams
} from './params.ts';
import { generatePumpEvents } from './pump.ts';
import { lowDiscrepancyPoint, pickByCumulative, Random } from './random.ts';
import type { PatientProfile, PatientRow, Sex, SyntheticPatient } from './types.ts';

/** Coordinates of a patient's point in its office's low-discrepancy sequence (see random.ts). */
const STRATUM = { diagnosis: 0, trialFailure: 1, responder: 2, program: 3, opioidWean: 4 } as const;
const STRATA = Object.keys(STRATUM).length;

/**
 * Patients P000001, P000002, ... for one seed; endless unless `count` is given. Patient k is
 * the same whatever the count, so a larger cohort extends a smaller one.
 */
export function* generatePatients(seed: number | string, count = Infinity): Generator<SyntheticPatient> {
	const seedKey = String(seed);
	const allocator = new OfficeAllocator();
	const strataOffsets = OFFICES.map((office) => {
		const rng = Random.stream(seedKey, 'strata', office.code);
		return Array.from({ length: STRATA }, () => rng.next());
	});
	const seenPerOffice = OFFICES.map(() => 0);
	for (let index = 0; index < count; index++) {
		const officeIndex = allocator.next();
		const strata = lowDiscrepancyPoint(seenPerOffice[officeIndex]!++, strataOffsets[officeIndex]!);
		yield generatePatient(seedKey, index, officeIndex, strata);
	}
}

/** Six digits, pseudonymous and short: nothing like a medical record number. */
export function patientId(index: number): string {
	return `P${String(index + 1).padStart(6, '0')}`;
}

/**
 * Hands out offices in proportion to their trial volume, always to the office furthest
 * behind its share, so a cohort of n patients has its office counts within one of n x share.
 * Trials are weighted up by each office's failure rate so that implants match the planted split.
 */
class OfficeAllocator {
	private readonly weights = normalise(OFFICES.map((o) => o.implantedShare / (1 - o.trialFailureRate)));
	private readonly given = OFFICES.map(() => 0);
	private total = 0;

	next(): number {
		this.total++;
		let best = 0;
		let bestDeficit = -Infinity;
		this.weights.forEach((weight, i) => {
			const deficit = this.total * weight - this.given[i]!;
			if (deficit > bestDeficit) [best, bestDeficit] = [i, deficit];
		});
		this.given[best]!++;
		return best;
	}
}

function normalise(values: number[]): number[] {
	const total = values.reduce((a, b) => a + b, 0);
	return values.map((v) => v / total);
}

function generatePatient(
	seed: string,
	index: number,
	officeIndex: number,
	strata: number[]
): SyntheticPatient {
	const id = patientId(index);
	const office = OFFICES[officeIndex]!;
	const rng = Random.stream(seed, id, 'profile');
	const profile = drawProfile(rng, id, officeIndex, strata);

	const implantYear = profile.trialFailed ? null : drawImplantYear(rng, office);
	const followUp: FollowUp =
		implantYear === null
			? { horizonDay: rng.int(...FOLLOW_UP.failedTrialFollowupDays), reason: 'ongoing', explantReason: null }
			: drawFollowUp(
					Random.stream(seed, id, 'follow-up'),
					profile,
					daysToExtract(implantYear, rng.int(0, 364))
				);

	const painScores = generatePainScores(Random.stream(seed, id, 'pain'), profile, followUp.horizonDay);
	const pumpEvents = generatePumpEvents(Random.stream(seed, id, 'pump'), profile, followUp);
	// Loss to follow-up is only noticed afterwards: the patient was last seen at the last event.
	const followupEndDay =
		followUp.reason === 'lost'
			? Math.max(0, ...painScores.map((r) => r.day), ...pumpEvents.map((r) => r.day))
			: followUp.horizonDay;
	const oralOpioids = generateOralOpioids(Random.stream(seed, id, 'oral'), profile, followupEndDay);

	const patient: PatientRow = {
		patient_id: id,
		office: office.name,
		provider_id: rng.weighted(Object.fromEntries(office.providers)),
		sex: drawSex(rng),
		age_at_implant: profile.ageYears >= DEMOGRAPHICS.ageTopCode ? '90+' : profile.ageYears,
		diagnosis: profile.diagnosis,
		icd10: rng.chance(DEMOGRAPHICS.icd10MissingShare) ? null : rng.pick(ICD10_CODES[profile.diagnosis]),
		program: profile.program,
		trial_day: profile.trialDay,
		trial_result: profile.trialDay === null ? null : profile.trialFailed ? 'fail' : 'pass',
		implant_year: implantYear,
		followup_end_day: followupEndDay,
		// A failed trial ends the pump pathway; none of the contract's reasons describes that.
		followup_end_reason: profile.trialFailed ? null : followUp.reason,
		explant_reason: followUp.explantReason
	};
	return { patient, painScores, oralOpioids, pumpEvents };
}

function drawProfile(rng: Random, id: string, officeIndex: number, strata: number[]): PatientProfile {
	const office = OFFICES[officeIndex]!;
	const diagnosis = pickByCumulative(office.diagnosisWeights, strata[STRATUM.diagnosis]!);
	const ageShift = DEMOGRAPHICS.ageShiftByDiagnosis[diagnosis] ?? 0;
	const ageYears = Math.round(
		rng.clippedNormal(office.age.mean + ageShift, office.age.sd, ...DEMOGRAPHICS.ageRange)
	);

	// Some cancer patients with a short prognosis go straight to implant.
	const hasTrial = !(diagnosis === 'cancer_pain' && rng.chance(TRIAL.noTrialShareInCancer));
	const trialFailed = hasTrial && strata[STRATUM.trialFailure]! < office.trialFailureRate;
	const trialDay = !hasTrial ? null : trialFailed ? 0 : drawTrialDay(rng);
	// Spasticity is not a pain indication: its response is about tone, which no file records.
	const responder = diagnosis === 'spasticity' || strata[STRATUM.responder]! >= office.nonResponderShare;
	// Low-dose programs are an opioid strategy: not for baclofen pumps, and they taper before a trial.
	const lowDose =
		hasTrial && diagnosis !== 'spasticity' && strata[STRATUM.program]! < office.lowDoseProgramShare;

	const relief = responder ? PAIN.responderRelief : PAIN.nonResponderRelief;
	const baselineMean = diagnosis === 'spasticity' ? PAIN.spasticityBaselineMean : PAIN.baselineMean;
	const noOpioids = ORAL_OPIOIDS.noOpioidShare[diagnosis] ?? ORAL_OPIOIDS.noOpioidShare.default ?? 0;
	return {
		id,
		officeIndex,
		diagnosis,
		ageYears,
		program: lowDose ? 'low_dose' : 'conventional',
		trialDay,
		trialFailed,
		responder,
		baselinePain: rng.chance(PAIN.lowBaseline.share)
			? rng.uniform(...PAIN.lowBaseline.range)
			: rng.clippedNormal(baselineMean + office.baselinePainShift, PAIN.baselineSd, ...PAIN.baselineRange),
		relief: rng.clippedNormal(relief.mean, relief.sd, ...relief.range),
		opioidWeanQuantile: strata[STRATUM.opioidWean]!,
		baselineMme: rng.chance(noOpioids)
			? 0
			: clamp(
					rng.lognormal(office.baselineMmeMedian, ORAL_OPIOIDS.baselineMmeSigma),
					...ORAL_OPIOIDS.baselineMmeRange
				)
	};
}

function drawTrialDay(rng: Random): number {
	return rng.chance(TRIAL.longDelayShare) ? rng.int(...TRIAL.longDelayDayRange) : rng.int(...TRIAL.dayRange);
}

/** Volume grows each year; an office contributes only from the year it opened. */
function drawImplantYear(rng: Random, office: OfficeParams): number {
	const weights: Record<string, number> = {};
	for (
		let year = Math.max(IMPLANT_YEARS.first, office.firstImplantYear);
		year <= IMPLANT_YEARS.last;
		year++
	) {
		weights[`y${year}`] = 1 + IMPLANT_YEARS.annualGrowth * (year - IMPLANT_YEARS.first);
	}
	return Number(rng.weighted(weights).slice(1));
}

function drawSex(rng: Random): Sex {
	const { X, U } = DEMOGRAPHICS.otherSexShares;
	const u = rng.next();
	if (u < X) return 'X';
	if (u < X + U) return 'U';
	return rng.chance(DEMOGRAPHICS.femaleShare) ? 'F' : 'M';
}
