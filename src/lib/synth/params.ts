/**
 * Every parameter planted in the synthetic cohort, by name. The tests, docs/demo-cohort.md
 * and later an analysis report compare what they measure against these values, so a change
 * here is a change to the demo's ground truth: regenerate data/demo and say so.
 *
 * Rates are per patient unless they say per year. Ranges [a, b] include both ends.
 */
import type { Diagnosis, Range } from './types.ts';

export type { Range } from './types.ts';
export * from './treatment-params.ts';

/** The committed demo cohort (data/demo): ~320 implanted patients plus failed trials. */
export const DEMO_COHORT = { seed: 42, patients: 348 } as const;

/** The export is taken on this date: patients still followed are censored here. */
export const EXTRACT_DATE = { year: 2025, month: 6, day: 30 } as const;

/** Implants per year grow linearly by `annualGrowth` of the first year's volume. */
export const IMPLANT_YEARS = { first: 2015, last: 2024, annualGrowth: 0.08 } as const;

export interface OfficeParams {
	name: string;
	/** Used in provider codes: DR-LEX-1. */
	code: string;
	/** Share of implanted patients; trials are allocated so that implants come out in this ratio. */
	implantedShare: number;
	firstImplantYear: number;
	/** Provider code and share of the office's patients. */
	providers: readonly (readonly [string, number])[];
	trialFailureRate: number;
	/** Planted share of implanted (non-spasticity) patients whose pump does not help. */
	nonResponderShare: number;
	lowDoseProgramShare: number;
	age: { mean: number; sd: number };
	/** Added to the cohort's baseline pain mean. */
	baselinePainShift: number;
	baselineMmeMedian: number;
	diagnosisWeights: Readonly<Record<Diagnosis, number>>;
	/** Whether the office's pharmacy export writes `pain` in the indication column or leaves it empty. */
	writesPainIndication: boolean;
}

/**
 * Four offices with unequal volume and real differences: Lexington (the referral centre:
 * more CRPS and cancer pain, younger, lower MME, most low-dose programs, best response),
 * Maysville (older, more neuropathy), Danville (opened 2018, highest baseline MME, fewest
 * low-dose programs, clearly lower response).
 */
export const OFFICES: readonly OfficeParams[] = [
	{
		name: 'Lexington',
		code: 'LEX',
		implantedShare: 130 / 320,
		firstImplantYear: 2015,
		providers: [
			['DR-LEX-1', 0.35],
			['DR-LEX-2', 0.3],
			['DR-LEX-3', 0.22],
			['DR-LEX-4', 0.13]
		],
		trialFailureRate: 0.06,
		nonResponderShare: 0.08,
		lowDoseProgramShare: 0.5,
		age: { mean: 56, sd: 13 },
		baselinePainShift: -0.1,
		baselineMmeMedian: 50,
		diagnosisWeights: {
			fbss: 0.35,
			peripheral_neuropathy: 0.17,
			spine_other: 0.13,
			crps: 0.14,
			cancer_pain: 0.11,
			spasticity: 0.05,
			other: 0.05
		},
		writesPainIndication: true
	},
	{
		name: 'Cynthiana',
		code: 'CYN',
		implantedShare: 90 / 320,
		firstImplantYear: 2015,
		providers: [
			['DR-CYN-1', 0.6],
			['DR-CYN-2', 0.4]
		],
		trialFailureRate: 0.08,
		nonResponderShare: 0.24,
		lowDoseProgramShare: 0.35,
		age: { mean: 60, sd: 12 },
		baselinePainShift: 0,
		baselineMmeMedian: 60,
		diagnosisWeights: {
			fbss: 0.42,
			peripheral_neuropathy: 0.2,
			spine_other: 0.15,
			crps: 0.09,
			cancer_pain: 0.06,
			spasticity: 0.04,
			other: 0.04
		},
		writesPainIndication: true
	},
	{
		name: 'Maysville',
		code: 'MAY',
		implantedShare: 60 / 320,
		firstImplantYear: 2016,
		providers: [
			['DR-MAY-1', 0.55],
			['DR-MAY-2', 0.37],
			// A part-time provider: few enough patients for small-cell suppression to act on.
			['DR-MAY-3', 0.08]
		],
		trialFailureRate: 0.09,
		nonResponderShare: 0.25,
		lowDoseProgramShare: 0.25,
		age: { mean: 66, sd: 11 },
		baselinePainShift: 0.1,
		baselineMmeMedian: 65,
		diagnosisWeights: {
			fbss: 0.38,
			peripheral_neuropathy: 0.26,
			spine_other: 0.17,
			crps: 0.06,
			cancer_pain: 0.06,
			spasticity: 0.03,
			other: 0.04
		},
		writesPainIndication: false
	},
	{
		name: 'Danville',
		code: 'DAN',
		implantedShare: 40 / 320,
		firstImplantYear: 2018,
		providers: [
			['DR-DAN-1', 0.55],
			['DR-DAN-2', 0.45]
		],
		trialFailureRate: 0.11,
		nonResponderShare: 0.55,
		lowDoseProgramShare: 0.15,
		age: { mean: 61, sd: 12 },
		baselinePainShift: 0.3,
		baselineMmeMedian: 85,
		diagnosisWeights: {
			fbss: 0.46,
			peripheral_neuropathy: 0.17,
			spine_other: 0.15,
			crps: 0.08,
			cancer_pain: 0.05,
			spasticity: 0.04,
			other: 0.05
		},
		writesPainIndication: false
	}
];

export const ICD10_CODES: Readonly<Record<Diagnosis, readonly string[]>> = {
	fbss: ['M96.1'],
	spine_other: ['M48.062', 'M54.16', 'M47.816', 'M51.36'],
	peripheral_neuropathy: ['G62.9', 'E11.42', 'G60.9'],
	crps: ['G90.521', 'G90.511', 'G90.50'],
	cancer_pain: ['G89.3'],
	spasticity: ['G80.1', 'G35', 'G82.20', 'G82.50'],
	other: ['G89.29', 'G89.4', 'G54.1']
};

export const DEMOGRAPHICS = {
	femaleShare: 0.56,
	/** Sex recorded as X or U. */
	otherSexShares: { X: 0.003, U: 0.008 },
	ageShiftByDiagnosis: { cancer_pain: 5, crps: -9, spasticity: -18 } as Partial<Record<Diagnosis, number>>,
	ageRange: [18, 97] as Range,
	/** Ages above 89 are exported as `90+` (Safe Harbor). */
	ageTopCode: 90,
	icd10MissingShare: 0.04
} as const;

export const TRIAL = {
	/** Trial day relative to implant. */
	dayRange: [-45, -7] as Range,
	/** Insurance delays: the trial more than 90 days before implant (outcomes.md flags these). */
	longDelayShare: 0.02,
	longDelayDayRange: [-150, -91] as Range,
	/** Cancer-pain patients implanted without a trial (short prognosis): empty trial columns. */
	noTrialShareInCancer: 0.2
} as const;

export const PAIN = {
	baselineMean: 7.5,
	baselineSd: 0.9,
	spasticityBaselineMean: 5,
	baselineRange: [3, 10] as Range,
	/** A few patients are implanted with a mild baseline (scored on a good day, or for function). */
	lowBaseline: { share: 0.02, range: [2, 4] as Range },
	/** Visit-to-visit noise before rounding to an integer score. */
	visitNoiseSd: 0.75,
	responderRelief: { mean: 0.48, sd: 0.1, range: [0.35, 0.85] as Range },
	nonResponderRelief: { mean: 0.05, sd: 0.08, range: [-0.2, 0.2] as Range },
	/** Relief ramps up over titration and then wanes slowly (tolerance, disease progression). */
	reliefOnsetDays: 60,
	reliefLossPerYear: 0.04,
	trialRelief: { passed: 0.5, failed: 0.12, sd: 0.12 },
	firstPostImplantVisitDay: [10, 21] as Range,
	visitIntervalDays: [30, 90] as Range,
	/** Missed visits are informative: P(miss) rises with the pain the patient would report. */
	missedVisit: { base: 0.06, perPointAbove4: 0.06, max: 0.5 },
	preImplant: {
		missingBaselineShare: 0.03,
		extraPreTrialVisitShare: 0.4,
		trialDayScoreShare: 0.8,
		preOpVisitShare: 0.5
	},
	worstAboveAverage: { mean: 1.5, sd: 1, min: -1 },
	worstMissingShare: 0.08,
	odiShare: 0.35,
	/** PGIC is asked after implant only (it rates change since the start of treatment). */
	pgicShare: 0.5
} as const;

/** Competing hazards per year from implant; the earliest event ends follow-up. */
export const FOLLOW_UP = {
	annualRates: { death: 0.012, explant: 0.015, lost: 0.03, transferred: 0.008 },
	/** Loss to follow-up is noticed at a missed refill: not before this day. */
	lostNotBeforeDay: 90,
	cancerDeathRate: 1.1,
	/** Death hazard multiplies by this for each decade of age above 60. */
	deathRatePerDecadeOver60: 1.8,
	nonResponderFactor: { lost: 2, explant: 2.5 },
	earlyInfection: { share: 0.015, day: [14, 75] as Range },
	explantReasonWeights: {
		granuloma: 0.12,
		inefficacy: 0.3,
		device: 0.17,
		patient_choice: 0.18,
		infection: 0.13,
		other: 0.1
	},
	/** A failed-trial patient is observed until a post-trial visit this many days later. */
	failedTrialFollowupDays: [10, 45] as Range
} as const;

/** Complications that do not end follow-up. */
export const COMPLICATIONS = {
	csfLeak: { share: 0.03, day: [2, 21] as Range },
	perYear: { catheter: 0.025, pump_failure: 0.004, granuloma: 0.004, other: 0.006 },
	/** Days from a catheter or granuloma complication to the revision, pump failure to replacement. */
	repairDelayDays: [2, 21] as Range
} as const;

/**
 * What a correct analysis of data/demo should find, each computed straight from the rows
 * (tests/unit/synth.test.ts). The ranges are wide enough for the demo's sampling noise and
 * narrow enough that a broken model falls outside them.
 */
export const DEMO_EXPECTATIONS = {
	implantedPerOffice: {
		Lexington: [122, 138],
		Cynthiana: [84, 96],
		Maysville: [55, 65],
		Danville: [36, 44]
	} as Record<string, Range>,
	trialFailureRate: [0.06, 0.1] as Range,
	/** Mean of per-patient baselines (outcomes.md section 2), outcome population. */
	baselinePainMean: [7.2, 7.8] as Range,
	/** Among responders with a 6-month score (window [135, 225)). */
	responderPainAt3to6Months: [3.4, 4.6] as Range,
	/** Share of 6-month completers with < 30% reduction. */
	nonResponderShare: [0.25, 0.35] as Range,
	/** Lexington minus Danville 6-month responder rate, at least. */
	officeResponderGap: 0.15,
	/** Conventional program, opioids at implant, followed >= 365 days: zero MME over days [336, 365]. */
	opioidFreeAtOneYearConventional: [0.38, 0.52] as Range,
	baselineMmeMedian: [50, 72] as Range
} as const;
