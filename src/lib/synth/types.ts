/**
 * Row shapes of the four contract files (data-contract.md, `day` form), as the generator
 * writes them. The generator keeps its own types rather than importing the ingest schemas so
 * that the tests compare two independent descriptions of the contract.
 */

/** Both ends included. */
export type Range = readonly [number, number];

export type Diagnosis =
	'fbss' | 'spine_other' | 'peripheral_neuropathy' | 'crps' | 'cancer_pain' | 'spasticity' | 'other';
export type Sex = 'F' | 'M' | 'X' | 'U';
export type Program = 'low_dose' | 'conventional';
export type FollowupEndReason = 'ongoing' | 'explant' | 'death' | 'lost' | 'transferred';
export type ExplantReason = 'infection' | 'granuloma' | 'inefficacy' | 'device' | 'patient_choice' | 'other';

export type OralDrug =
	| 'morphine'
	| 'oxycodone'
	| 'hydrocodone'
	| 'hydromorphone'
	| 'tramadol'
	| 'tapentadol'
	| 'methadone'
	| 'fentanyl_transdermal'
	| 'buprenorphine';

export type PumpDrug =
	| 'morphine'
	| 'hydromorphone'
	| 'fentanyl'
	| 'sufentanil'
	| 'ziconotide'
	| 'bupivacaine'
	| 'clonidine'
	| 'baclofen';
export type PumpEventType =
	| 'trial'
	| 'implant'
	| 'refill'
	| 'dose_change'
	| 'bolus_change'
	| 'catheter_revision'
	| 'pump_replacement'
	| 'complication'
	| 'explant';
export type Complication = 'infection' | 'granuloma' | 'csf_leak' | 'catheter' | 'pump_failure' | 'other';

/** null is written as an empty cell. */
export interface PatientRow {
	patient_id: string;
	office: string;
	provider_id: string;
	sex: Sex;
	age_at_implant: number | '90+';
	diagnosis: Diagnosis;
	icd10: string | null;
	program: Program;
	trial_day: number | null;
	trial_result: 'pass' | 'fail' | null;
	implant_year: number | null;
	followup_end_day: number;
	followup_end_reason: FollowupEndReason | null;
	explant_reason: ExplantReason | null;
}

export interface PainScoreRow {
	patient_id: string;
	day: number;
	pain_avg: number;
	pain_worst: number | null;
	odi: number | null;
	pgic: number | null;
}

export interface OralOpioidRow {
	patient_id: string;
	start_day: number;
	end_day: number | null;
	days_supply: number | null;
	drug: OralDrug;
	strength: number;
	strength_unit: 'mg' | 'mcg/hr';
	units_per_day: number | null;
	quantity: number | null;
	indication: 'pain' | 'oud' | null;
}

export interface PumpEventRow {
	patient_id: string;
	day: number;
	event: PumpEventType;
	drug: PumpDrug | null;
	concentration: number | null;
	concentration_unit: 'mg/mL' | 'mcg/mL' | null;
	daily_dose: number | null;
	daily_dose_unit: 'mg/day' | 'mcg/day' | null;
	reservoir_ml: number | null;
	complication: Complication | null;
}

/** Everything generated for one patient: one patients.csv row and its event rows. */
export interface SyntheticPatient {
	patient: PatientRow;
	painScores: PainScoreRow[];
	oralOpioids: OralOpioidRow[];
	pumpEvents: PumpEventRow[];
}

/**
 * What the model decided about a patient before writing any row: the planted truth that the
 * rows are generated from (and that a test may compare an analysis against).
 */
export interface PatientProfile {
	id: string;
	officeIndex: number;
	diagnosis: Diagnosis;
	ageYears: number;
	program: Program;
	/** Days from implant (or, for a failed trial, 0). null when there was no trial. */
	trialDay: number | null;
	trialFailed: boolean;
	responder: boolean;
	baselinePain: number;
	/** Share of baseline pain relieved at full effect (negative = worse). */
	relief: number;
	/** Oral MME/day before any taper; 0 for patients on no opioids. */
	baselineMme: number;
	/** Uniform in [0, 1): weaned off oral opioids after implant when below the wean probability. */
	opioidWeanQuantile: number;
}
