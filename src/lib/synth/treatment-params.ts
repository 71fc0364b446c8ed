/**
 * Planted treatment parameters: oral opioid prescribing and intrathecal pump therapy.
 * Split from params.ts for length only; import them from params.ts.
 */
import type { Diagnosis, OralDrug, Program, PumpDrug, Range } from './types.ts';

export interface OralDrugParams {
	/** CDC 2022 MME factor (outcomes.md section 3), used only to choose doses. */
	factor: number;
	strengths: readonly number[];
	maxUnitsPerDay: number;
	/** Weight as a patient's main opioid. */
	weight: number;
	longActing: boolean;
}

export const ORAL_DRUGS: Readonly<Record<OralDrug, OralDrugParams>> = {
	oxycodone: {
		factor: 1.5,
		strengths: [5, 10, 15, 20, 30],
		maxUnitsPerDay: 6,
		weight: 0.33,
		longActing: false
	},
	hydrocodone: { factor: 1, strengths: [5, 7.5, 10], maxUnitsPerDay: 6, weight: 0.24, longActing: false },
	morphine: { factor: 1, strengths: [15, 30, 60, 100], maxUnitsPerDay: 4, weight: 0.17, longActing: true },
	fentanyl_transdermal: {
		factor: 2.4,
		strengths: [12, 25, 50, 75, 100],
		maxUnitsPerDay: 2,
		weight: 0.09,
		longActing: true
	},
	tramadol: { factor: 0.2, strengths: [50], maxUnitsPerDay: 8, weight: 0.07, longActing: false },
	methadone: { factor: 4.7, strengths: [5, 10], maxUnitsPerDay: 4, weight: 0.06, longActing: true },
	hydromorphone: { factor: 5, strengths: [2, 4, 8], maxUnitsPerDay: 6, weight: 0.03, longActing: false },
	tapentadol: { factor: 0.4, strengths: [50, 75, 100], maxUnitsPerDay: 6, weight: 0.02, longActing: false },
	// Opioid use disorder treatment only: never converted to MME.
	buprenorphine: { factor: 0, strengths: [8], maxUnitsPerDay: 2, weight: 0, longActing: false }
};

export const ORAL_OPIOIDS = {
	/** Baseline MME/day is lognormal around the office's median. */
	baselineMmeSigma: 0.65,
	baselineMmeRange: [8, 400] as Range,
	noOpioidShare: { default: 0.04, peripheral_neuropathy: 0.12, spasticity: 0.6 } as Partial<
		Record<Diagnosis | 'default', number>
	>,
	/** Patients on a long-acting opioid at >= 60 MME who also fill an immediate-release one. */
	breakthrough: { share: 0.35, minMme: 60, mmeFraction: 0.25 },
	/** Prescriptions start this many days before implant, so day -180 is covered. */
	historyStartDay: [-215, -181] as Range,
	daysSupplyWeights: { 30: 0.78, 28: 0.14, 14: 0.08 } as Record<string, number>,
	lateRefill: { share: 0.06, gapDays: [1, 6] as Range },
	/** Rows written with end_day + units_per_day (the rest: days_supply + quantity). */
	endDayFormShare: 0.5,
	lowDoseTaper: {
		startDay: [-90, -70] as Range,
		steps: [3, 4] as Range,
		endBeforeTrialDays: [1, 5] as Range
	},
	lowDoseRestart: { share: 0.15, day: [60, 700] as Range, mmeMedian: 15 },
	/** Conventional programs: share of patients weaned to zero after implant. */
	wean: {
		responder: 0.6,
		nonResponder: 0.27,
		highMmeFactor: 0.75,
		highMme: 90,
		startDay: [0, 45] as Range,
		zeroByDay: [90, 330] as Range
	},
	continuing: {
		mmeFraction: [0.4, 1] as Range,
		fromDay: [30, 120] as Range,
		lateWeanShare: 0.3,
		lateWeanDay: [400, 900] as Range
	},
	relapseAfterWean: { share: 0.08, day: [400, 900] as Range, mmeMedian: 20 },
	/** Conventional-program patients switched to buprenorphine for opioid use disorder. */
	oud: { share: 0.03, startDay: [60, 600] as Range, strength: 8, unitsPerDay: 2 }
} as const;

export interface PumpDrugParams {
	unit: 'mg' | 'mcg';
	concentrations: readonly number[];
	startDose: Readonly<Record<Program, Range>>;
	/** Extra dose reached by the end of titration, as a share of the start dose. */
	titrationGain: Range;
	titrationDays: number;
	/** Ceiling of the intended dose (adjuvants follow the opioid's flow and have none). */
	maxDose?: number;
	/** Drug stability limits the time between refills. */
	maxRefillDays: number;
}

export const PUMP_DRUGS: Readonly<Record<PumpDrug, PumpDrugParams>> = {
	morphine: {
		unit: 'mg',
		concentrations: [1, 2, 5, 10, 20, 25],
		startDose: { conventional: [1, 4], low_dose: [0.2, 1] },
		titrationGain: [0.1, 0.5],
		titrationDays: 30,
		maxDose: 30,
		maxRefillDays: 90
	},
	hydromorphone: {
		unit: 'mg',
		concentrations: [0.5, 1, 2, 5, 10],
		startDose: { conventional: [0.2, 0.8], low_dose: [0.04, 0.2] },
		titrationGain: [0.1, 0.5],
		titrationDays: 30,
		maxDose: 15,
		maxRefillDays: 90
	},
	fentanyl: {
		unit: 'mcg',
		concentrations: [250, 500, 1000, 2000],
		startDose: { conventional: [50, 200], low_dose: [20, 60] },
		titrationGain: [0.1, 0.5],
		titrationDays: 30,
		maxDose: 1500,
		maxRefillDays: 90
	},
	sufentanil: {
		unit: 'mcg',
		concentrations: [10, 25, 50],
		startDose: { conventional: [10, 40], low_dose: [4, 12] },
		titrationGain: [0.1, 0.5],
		titrationDays: 30,
		maxDose: 300,
		maxRefillDays: 90
	},
	// Ziconotide starts low and is titrated over months; 19.2 mcg/day is the labelled maximum.
	ziconotide: {
		unit: 'mcg',
		concentrations: [25, 100],
		startDose: { conventional: [0.5, 1.2], low_dose: [0.5, 1.2] },
		titrationGain: [2, 6],
		titrationDays: 180,
		maxDose: 19.2,
		maxRefillDays: 60
	},
	bupivacaine: {
		unit: 'mg',
		concentrations: [5, 10, 15, 20, 30],
		startDose: { conventional: [2, 10], low_dose: [2, 6] },
		titrationGain: [0, 0],
		titrationDays: 30,
		maxRefillDays: 90
	},
	clonidine: {
		unit: 'mcg',
		concentrations: [50, 100, 200, 500, 1000],
		startDose: { conventional: [40, 150], low_dose: [30, 100] },
		titrationGain: [0, 0],
		titrationDays: 30,
		maxRefillDays: 90
	},
	baclofen: {
		unit: 'mcg',
		concentrations: [500, 1000, 2000],
		startDose: { conventional: [80, 300], low_dose: [80, 300] },
		titrationGain: [0.5, 1.5],
		titrationDays: 60,
		maxDose: 1500,
		maxRefillDays: 90
	}
};

export const PUMP = {
	primaryDrugWeights: {
		morphine: 0.55,
		hydromorphone: 0.27,
		ziconotide: 0.13,
		fentanyl: 0.03,
		sufentanil: 0.02
	} as Partial<Record<PumpDrug, number>>,
	/** Adjuvants mixed with an opioid from implant; non-responders may get one added later. */
	adjuvantAtImplant: { bupivacaine: 0.14, clonidine: 0.07 } as Partial<Record<PumpDrug, number>>,
	adjuvantAddedForNonResponders: { share: 0.3, day: [150, 400] as Range },
	reservoirMlWeights: { 40: 0.7, 20: 0.3 } as Record<string, number>,
	/** Refills come before the low-reservoir alarm: never closer than 30 or further than 90 days. */
	refillIntervalDays: [30, 90] as Range,
	/** Each patient's usual refill interval, before volume and drug stability shorten it. */
	preferredRefillDays: [45, 90] as Range,
	/** Left in the reservoir at the low-volume alarm. */
	reservoirReserveMl: 2,
	/** Concentration is raised at a refill when the reservoir would last fewer days than this. */
	minVolumeDays: 40,
	titrationVisits: {
		days: [
			[5, 10],
			[12, 20],
			[25, 35]
		] as readonly Range[],
		share: 0.7
	},
	/** Reprogramming only when the intended dose moved by at least this share. */
	doseChangeThreshold: 0.08,
	midIntervalDoseChangeShare: { conventional: 0.25, low_dose: 0.1 } as Readonly<Record<Program, number>>,
	/**
	 * Escalation after titration starts at `rate` per year (log dose) and levels off over
	 * `plateauYears`, as IT doses do: dose x exp(rate x plateau x (1 - exp(-years / plateau))).
	 * The rate is lognormal around the program's median.
	 */
	escalationPerYear: {
		conventional: 0.1,
		low_dose: 0.04,
		sigma: 0.6,
		nonResponderFactor: 1.5,
		plateauYears: 3
	},
	fastEscalators: { share: 0.05, ratePerYear: [0.7, 1.4] as Range },
	baclofenEscalationPerYear: 0.1,
	bolusChangeShare: 0.12,
	/** SynchroMed II battery life: elective pump replacement. */
	batteryLifeDays: [2300, 2700] as Range
} as const;
