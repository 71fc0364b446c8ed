/**
 * Intrathecal pump events: the trial, the implant fill, titration, refills every 30-90 days
 * with the occasional reprogramming between them, and slow dose escalation (a few patients
 * escalate fast). All drugs of an admixture share one flow rate, so a rate change moves every
 * drug's dose together, as it does in a real pump; one row is written per drug per event.
 */
import { complicationEvents } from './complications.ts';
import { clamp, roundTo } from './math.ts';
import { PUMP, PUMP_DRUGS } from './params.ts';
import type { Random } from './random.ts';
import type { FollowUp } from './followup.ts';
import type { PatientProfile, PumpDrug, PumpEventRow, PumpEventType } from './types.ts';

const DAYS_PER_YEAR = 365.25;

interface DosePlan {
	startDose: number;
	/** Share added over titration: the dose at titrationDays is startDose x (1 + gain). */
	titrationGain: number;
	titrationDays: number;
	escalationPerYear: number;
	maxDose: number;
}

interface Infusion {
	drug: PumpDrug;
	concentration: number;
}

export function generatePumpEvents(rng: Random, profile: PatientProfile, followUp: FollowUp): PumpEventRow[] {
	const log = new EventLog(profile.id);
	const primary: PumpDrug =
		profile.diagnosis === 'spasticity' ? 'baclofen' : rng.weighted(PUMP.primaryDrugWeights);
	if (profile.trialDay !== null) log.add(profile.trialDay, 'trial', { drug: primary });
	if (profile.trialFailed) return log.sorted();

	const horizon = followUp.horizonDay;
	const plan = drawDosePlan(rng, profile, primary);
	const { pump, adjuvantDay } = implantPump(rng, profile, plan, primary);
	log.dosing(0, 'implant', pump, pump.reservoirMl);

	const titration = titrationVisitDays(rng, plan);
	const refillDays: number[] = [];
	let lastFill = 0;
	const reprogramBetween = (from: number, to: number) => {
		const visits = titration.filter((day) => day > from && day < to);
		const midInterval =
			from > 0 && to - from >= 20 && rng.chance(PUMP.midIntervalDoseChangeShare[profile.program]);
		if (visits.length === 0 && midInterval) visits.push(rng.int(from + 7, to - 7));
		for (const day of visits) if (pump.retarget(day)) log.dosing(day, 'dose_change', pump, null);
	};
	for (let refill = pump.refillInterval(rng); refill < horizon; refill += pump.refillInterval(rng)) {
		reprogramBetween(lastFill, refill);
		const volumeUsed = pump.flowMlPerDay * (refill - lastFill);
		let refilledInFull = pump.concentrateIfShort();
		if (adjuvantDay !== null && refill >= adjuvantDay && pump.infusions.length === 1) {
			pump.addAdjuvant('bupivacaine', rng.uniform(...PUMP_DRUGS.bupivacaine.startDose[profile.program]));
			refilledInFull = true;
		}
		pump.retarget(refill);
		const filled = refilledInFull
			? pump.reservoirMl
			: Math.min(pump.reservoirMl, volumeUsed + rng.uniform(0, 1));
		log.dosing(refill, 'refill', pump, roundTo(filled, 1));
		refillDays.push(refill);
		lastFill = refill;
	}
	reprogramBetween(lastFill, horizon);

	if (refillDays.length > 0 && rng.chance(PUMP.bolusChangeShare)) {
		log.add(rng.pick(refillDays), 'bolus_change', { drug: primary });
	}
	for (const { day, event, complication } of complicationEvents(rng, followUp))
		log.add(day, event, { complication });
	return log.sorted();
}

/** The pump as filled at implant, and the day a non-responder's adjuvant is added (if ever). */
function implantPump(
	rng: Random,
	profile: PatientProfile,
	plan: DosePlan,
	primary: PumpDrug
): { pump: Pump; adjuvantDay: number | null } {
	const reservoirMl = Number(rng.weighted(PUMP.reservoirMlWeights));
	const pump = new Pump(reservoirMl, rng.int(...PUMP.preferredRefillDays), plan, primary);
	// Ziconotide and baclofen are given alone; opioids may be mixed with an adjuvant.
	const opioid = primary !== 'ziconotide' && primary !== 'baclofen';
	if (opioid) {
		for (const [drug, share] of Object.entries(PUMP.adjuvantAtImplant) as [PumpDrug, number][]) {
			if (rng.chance(share))
				pump.addAdjuvant(drug, rng.uniform(...PUMP_DRUGS[drug].startDose[profile.program]));
		}
	}
	const { adjuvantAddedForNonResponders: added } = PUMP;
	const addLater = opioid && !profile.responder && pump.infusions.length === 1 && rng.chance(added.share);
	return { pump, adjuvantDay: addLater ? rng.int(...added.day) : null };
}

function drawDosePlan(rng: Random, profile: PatientProfile, drug: PumpDrug): DosePlan {
	const params = PUMP_DRUGS[drug];
	return {
		startDose: rng.uniform(...params.startDose[profile.program]),
		titrationGain: rng.uniform(...params.titrationGain),
		titrationDays: params.titrationDays,
		escalationPerYear: drawEscalation(rng, profile, drug),
		maxDose: params.maxDose ?? Infinity
	};
}

function drawEscalation(rng: Random, profile: PatientProfile, drug: PumpDrug): number {
	if (drug === 'baclofen') return rng.lognormal(PUMP.baclofenEscalationPerYear, 0.5);
	const { fastEscalators, escalationPerYear } = PUMP;
	if (rng.chance(fastEscalators.share)) return rng.uniform(...fastEscalators.ratePerYear);
	// Doses are raised to chase pain the pump does not relieve.
	const factor = profile.responder ? 1 : escalationPerYear.nonResponderFactor;
	return rng.lognormal(escalationPerYear[profile.program] * factor, escalationPerYear.sigma);
}

/** The dose the physician is aiming for on a day: titration, then escalation that levels off. */
function intendedDose(plan: DosePlan, day: number): number {
	const titration = 1 + plan.titrationGain * Math.min(1, day / plan.titrationDays);
	const years = Math.max(0, day - plan.titrationDays) / DAYS_PER_YEAR;
	const { plateauYears } = PUMP.escalationPerYear;
	const logGrowth = plan.escalationPerYear * plateauYears * (1 - Math.exp(-years / plateauYears));
	return Math.min(plan.maxDose, plan.startDose * titration * Math.exp(logGrowth));
}

/** Opioids: a few early visits. Ziconotide and baclofen: a visit every 2-4 weeks until titrated. */
function titrationVisitDays(rng: Random, plan: DosePlan): number[] {
	const days: number[] = [];
	if (plan.titrationDays > 30) {
		for (let day = rng.int(10, 21); day < plan.titrationDays; day += rng.int(14, 28)) days.push(day);
		return days;
	}
	for (const range of PUMP.titrationVisits.days) {
		if (rng.chance(PUMP.titrationVisits.share)) days.push(rng.int(...range));
	}
	return days;
}

class Pump {
	readonly infusions: Infusion[];
	flowMlPerDay: number;

	constructor(
		readonly reservoirMl: number,
		private readonly preferredInterval: number,
		private readonly plan: DosePlan,
		primary: PumpDrug
	) {
		const dose = intendedDose(plan, 0);
		// Dilute enough for the volume to fill a refill interval with room to spare.
		const wantedDays = PUMP_DRUGS[primary].maxRefillDays + 20;
		const list = PUMP_DRUGS[primary].concentrations;
		const concentration = list.find((c) => (this.usableMl() * c) / dose >= wantedDays) ?? list.at(-1)!;
		this.infusions = [{ drug: primary, concentration }];
		this.flowMlPerDay = dose / concentration;
	}

	private get primary(): Infusion {
		return this.infusions[0]!;
	}

	private usableMl(): number {
		return this.reservoirMl - PUMP.reservoirReserveMl;
	}

	doseOf(infusion: Infusion): number {
		return infusion.concentration * this.flowMlPerDay;
	}

	addAdjuvant(drug: PumpDrug, targetDose: number) {
		this.infusions.push({ drug, concentration: closestConcentration(drug, targetDose / this.flowMlPerDay) });
	}

	/** Reprograms the rate when the intended dose has moved enough to bother; true if it did. */
	retarget(day: number): boolean {
		const intended = intendedDose(this.plan, day);
		if (Math.abs(intended / this.doseOf(this.primary) - 1) < PUMP.doseChangeThreshold) return false;
		this.flowMlPerDay = intended / this.primary.concentration;
		return true;
	}

	/** Raises the concentration when the reservoir runs dry too fast; true if the mix changed. */
	concentrateIfShort(): boolean {
		if (this.usableMl() / this.flowMlPerDay >= PUMP.minVolumeDays) return false;
		const stronger = PUMP_DRUGS[this.primary.drug].concentrations.find((c) => c > this.primary.concentration);
		if (stronger === undefined) return false;
		const adjuvantDoses = this.infusions.slice(1).map((infusion) => this.doseOf(infusion));
		this.flowMlPerDay *= this.primary.concentration / stronger;
		this.primary.concentration = stronger;
		this.infusions.slice(1).forEach((infusion, i) => {
			infusion.concentration = closestConcentration(infusion.drug, adjuvantDoses[i]! / this.flowMlPerDay);
		});
		return true;
	}

	refillInterval(rng: Random): number {
		const stability = Math.min(...this.infusions.map((infusion) => PUMP_DRUGS[infusion.drug].maxRefillDays));
		const volumeDays = Math.floor(this.usableMl() / this.flowMlPerDay);
		const days = Math.min(this.preferredInterval, volumeDays, stability) - rng.int(0, 6);
		return clamp(days, ...PUMP.refillIntervalDays);
	}
}

/** The stocked concentration nearest (on a log scale) to the one wanted. */
function closestConcentration(drug: PumpDrug, wanted: number): number {
	const distance = (c: number) => Math.abs(Math.log(c / wanted));
	return PUMP_DRUGS[drug].concentrations.reduce((best, c) => (distance(c) < distance(best) ? c : best));
}

/** Same-day events keep a clinical order: the implant fill before a complication, etc. */
const EVENT_ORDER: Readonly<Record<PumpEventType, number>> = {
	trial: 0,
	implant: 1,
	refill: 2,
	dose_change: 3,
	bolus_change: 4,
	complication: 5,
	catheter_revision: 6,
	pump_replacement: 7,
	explant: 8
};

class EventLog {
	private readonly rows: PumpEventRow[] = [];

	constructor(private readonly patientId: string) {}

	add(day: number, event: PumpEventType, fields: Partial<PumpEventRow> = {}) {
		this.rows.push({
			patient_id: this.patientId,
			day,
			event,
			drug: null,
			concentration: null,
			concentration_unit: null,
			daily_dose: null,
			daily_dose_unit: null,
			reservoir_ml: null,
			complication: null,
			...fields
		});
	}

	/** One row per drug; each carries the dose in effect from this day. */
	dosing(day: number, event: PumpEventType, pump: Pump, reservoirMl: number | null) {
		for (const infusion of pump.infusions) {
			const unit = PUMP_DRUGS[infusion.drug].unit;
			this.add(day, event, {
				drug: infusion.drug,
				concentration: infusion.concentration,
				concentration_unit: unit === 'mg' ? 'mg/mL' : 'mcg/mL',
				// Programmers show mg/day to three decimals; mcg/day to two.
				daily_dose: roundTo(pump.doseOf(infusion), unit === 'mg' ? 3 : 2),
				daily_dose_unit: unit === 'mg' ? 'mg/day' : 'mcg/day',
				reservoir_ml: reservoirMl
			});
		}
	}

	sorted(): PumpEventRow[] {
		return this.rows.sort((a, b) => a.day - b.day || EVENT_ORDER[a.event] - EVENT_ORDER[b.event]);
	}
}
