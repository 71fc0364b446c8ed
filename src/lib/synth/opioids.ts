/**
 * Oral opioid prescriptions. A patient's course is first planned as segments of constant
 * MME/day (baseline, taper steps, reduced dose, none), then each segment is written as
 * fills of 14-30 days in the drug and strength that come closest to the planned MME under
 * the CDC 2022 factors, so that a correct MME calculation recovers the plan.
 */
import { roundTo } from './math.ts';
import { OFFICES, ORAL_DRUGS, ORAL_OPIOIDS } from './params.ts';
import type { Random } from './random.ts';
import type { OralDrug, OralOpioidRow, PatientProfile } from './types.ts';

interface Segment {
	from: number;
	to: number;
	mme: number;
}

interface Dose {
	drug: OralDrug;
	strength: number;
	unitsPerDay: number;
}

interface OralPlan {
	main: OralDrug;
	/** An immediate-release opioid filled beside a long-acting one. */
	breakthrough: OralDrug | null;
}

const OUD_DOSE: Dose = {
	drug: 'buprenorphine',
	strength: ORAL_OPIOIDS.oud.strength,
	unitsPerDay: ORAL_OPIOIDS.oud.unitsPerDay
};

export function generateOralOpioids(rng: Random, profile: PatientProfile, endDay: number): OralOpioidRow[] {
	if (profile.baselineMme <= 0) return [];
	const plan = drawPlan(rng, profile.baselineMme);
	const { segments, oudFrom } = planSegments(rng, profile, endDay);
	const office = OFFICES[profile.officeIndex]!;
	const writer = new PrescriptionWriter(rng, profile.id, office.writesPainIndication ? 'pain' : null);
	for (const segment of segments) {
		writer.fill(segment.from, Math.min(segment.to, endDay), regimenFor(plan, segment.mme));
	}
	if (oudFrom !== null) writer.fill(oudFrom, endDay, [OUD_DOSE], 'oud');
	return writer.rows;
}

function planSegments(
	rng: Random,
	profile: PatientProfile,
	endDay: number
): { segments: Segment[]; oudFrom: number | null } {
	const baseline = profile.baselineMme;
	const trialDay = profile.trialDay ?? 0;
	const segments: Segment[] = [];
	// Start before day -180 so the baseline window [-180, -91] is covered.
	let day = Math.min(rng.int(...ORAL_OPIOIDS.historyStartDay), trialDay - 120);
	const hold = (to: number, mme: number) => {
		if (to >= day) segments.push({ from: day, to, mme });
		day = Math.max(day, to + 1);
	};
	const taper = (to: number, fromMme: number, steps: number) => {
		segments.push(...taperSegments(day, to, fromMme, steps));
		day = Math.max(day, to + 1);
	};
	const skipTo = (next: number) => (day = Math.max(day, next));

	if (profile.program === 'low_dose') {
		// Low-dose programs stop oral opioids before the trial.
		const { lowDoseTaper, lowDoseRestart } = ORAL_OPIOIDS;
		hold(Math.min(rng.int(...lowDoseTaper.startDay), trialDay - 35) - 1, baseline);
		taper(trialDay - rng.int(...lowDoseTaper.endBeforeTrialDays), baseline, rng.int(...lowDoseTaper.steps));
		if (profile.trialFailed) {
			skipTo(rng.int(1, 7));
			hold(endDay, baseline);
		} else if (rng.chance(lowDoseRestart.share)) {
			skipTo(rng.int(...lowDoseRestart.day));
			hold(endDay, rng.lognormal(lowDoseRestart.mmeMedian, 0.4));
		}
		return { segments, oudFrom: null };
	}
	if (profile.trialFailed) {
		hold(endDay, baseline);
		return { segments, oudFrom: null };
	}

	const { wean, continuing, relapseAfterWean, oud } = ORAL_OPIOIDS;
	if (rng.chance(oud.share)) {
		const oudFrom = rng.int(...oud.startDay);
		hold(oudFrom - 1, baseline * rng.uniform(0.6, 1));
		return { segments, oudFrom: oudFrom <= endDay ? oudFrom : null };
	}
	const weanProbability =
		(profile.responder ? wean.responder : wean.nonResponder) *
		(baseline >= wean.highMme ? wean.highMmeFactor : 1);
	if (profile.opioidWeanQuantile < weanProbability) {
		hold(rng.int(...wean.startDay) - 1, baseline);
		const zeroBy = rng.int(...wean.zeroByDay);
		taper(zeroBy, baseline, Math.max(2, Math.min(8, Math.round((zeroBy - day) / 30))));
		if (rng.chance(relapseAfterWean.share)) {
			skipTo(rng.int(...relapseAfterWean.day));
			hold(endDay, rng.lognormal(relapseAfterWean.mmeMedian, 0.4));
		}
	} else {
		const reduced = baseline * rng.uniform(...continuing.mmeFraction);
		hold(rng.int(...continuing.fromDay) - 1, baseline);
		if (rng.chance(continuing.lateWeanShare)) {
			hold(rng.int(...continuing.lateWeanDay) - 1, reduced);
			taper(day + rng.int(60, 150), reduced, 3);
		} else {
			hold(endDay, reduced);
		}
	}
	return { segments, oudFrom: null };
}

/** Steps down from fromMme to zero: with 3 steps, 75%, 50% and 25% of it. */
function taperSegments(from: number, to: number, fromMme: number, steps: number): Segment[] {
	const span = to - from + 1;
	return Array.from({ length: steps }, (_, step) => ({
		from: from + Math.floor((step * span) / steps),
		to: from + Math.floor(((step + 1) * span) / steps) - 1,
		mme: fromMme * (1 - (step + 1) / (steps + 1))
	})).filter((segment) => segment.to >= segment.from);
}

function drawPlan(rng: Random, baselineMme: number): OralPlan {
	const candidates = Object.fromEntries(
		Object.entries(ORAL_DRUGS)
			.filter(([drug, params]) => params.weight > 0 && fits(drug as OralDrug, baselineMme))
			.map(([drug, params]) => [drug, params.weight])
	) as Partial<Record<OralDrug, number>>;
	const main: OralDrug = Object.keys(candidates).length > 0 ? rng.weighted(candidates) : 'morphine';
	const { breakthrough } = ORAL_OPIOIDS;
	const withBreakthrough =
		ORAL_DRUGS[main].longActing && baselineMme >= breakthrough.minMme && rng.chance(breakthrough.share);
	return { main, breakthrough: withBreakthrough ? rng.pick(['oxycodone', 'hydrocodone'] as const) : null };
}

function regimenFor(plan: OralPlan, mme: number): Dose[] {
	if (mme <= 0) return [];
	const { breakthrough } = ORAL_OPIOIDS;
	if (plan.breakthrough && mme >= breakthrough.minMme) {
		return [
			closestDose(plan.main, mme * (1 - breakthrough.mmeFraction)),
			closestDose(plan.breakthrough, mme * breakthrough.mmeFraction)
		];
	}
	// Tapers end on a short-acting tablet when the main drug has no strength small enough.
	if (fits(plan.main, mme)) return [closestDose(plan.main, mme)];
	return [closestDose(fits('hydrocodone', mme) ? 'hydrocodone' : 'oxycodone', mme)];
}

/** Every strength x units/day combination of a drug, with its MME/day. */
const DOSE_OPTIONS = new Map<OralDrug, (Dose & { mme: number })[]>(
	(Object.keys(ORAL_DRUGS) as OralDrug[]).map((drug) => {
		const { strengths, maxUnitsPerDay, factor } = ORAL_DRUGS[drug];
		const options = [];
		for (let units = 1; units <= maxUnitsPerDay; units++) {
			for (const strength of strengths)
				options.push({ drug, strength, unitsPerDay: units, mme: strength * units * factor });
		}
		return [drug, options];
	})
);

/** Fewest units first among equally close doses: options are ordered by units. */
function closestDose(drug: OralDrug, mme: number): Dose {
	let best = DOSE_OPTIONS.get(drug)![0]!;
	for (const option of DOSE_OPTIONS.get(drug)!) {
		if (Math.abs(option.mme - mme) < Math.abs(best.mme - mme)) best = option;
	}
	return { drug, strength: best.strength, unitsPerDay: best.unitsPerDay };
}

function fits(drug: OralDrug, mme: number): boolean {
	const { strengths, maxUnitsPerDay, factor } = ORAL_DRUGS[drug];
	const smallest = strengths[0]! * factor;
	const largest = strengths.at(-1)! * maxUnitsPerDay * factor;
	return smallest <= mme * 1.3 && largest >= mme * 0.8;
}

class PrescriptionWriter {
	readonly rows: OralOpioidRow[] = [];

	constructor(
		private readonly rng: Random,
		private readonly patientId: string,
		private readonly painIndication: 'pain' | null
	) {}

	/** Consecutive fills covering [from, to], with the odd late refill leaving a gap. */
	fill(from: number, to: number, doses: Dose[], indication: 'pain' | 'oud' | null = this.painIndication) {
		if (doses.length === 0) return;
		const patches = doses.some((dose) => dose.drug === 'fentanyl_transdermal');
		const { lateRefill } = ORAL_OPIOIDS;
		for (let start = from; start <= to;) {
			const supply = Math.min(this.drawDaysSupply(patches), to - start + 1);
			for (const dose of doses) this.rows.push(this.row(start, supply, dose, indication));
			start += supply + (this.rng.chance(lateRefill.share) ? this.rng.int(...lateRefill.gapDays) : 0);
		}
	}

	/** Patches last 72 hours, so their fills are multiples of 3 days. */
	private drawDaysSupply(patches: boolean): number {
		if (patches) return this.rng.chance(0.85) ? 30 : 15;
		return Number(this.rng.weighted(ORAL_OPIOIDS.daysSupplyWeights));
	}

	/** Half the rows give end_day and units/day, half days_supply and quantity, as exports do. */
	private row(start: number, days: number, dose: Dose, indication: 'pain' | 'oud' | null): OralOpioidRow {
		const patch = dose.drug === 'fentanyl_transdermal';
		const quantity = patch ? (dose.unitsPerDay * days) / 3 : dose.unitsPerDay * days;
		const endDayForm = this.rng.chance(ORAL_OPIOIDS.endDayFormShare) || !Number.isInteger(quantity);
		return {
			patient_id: this.patientId,
			start_day: start,
			end_day: endDayForm ? start + days - 1 : null,
			days_supply: endDayForm ? null : days,
			drug: dose.drug,
			strength: roundTo(dose.strength, 1),
			strength_unit: patch ? 'mcg/hr' : 'mg',
			units_per_day: endDayForm ? dose.unitsPerDay : null,
			quantity: endDayForm ? null : quantity,
			indication
		};
	}
}
