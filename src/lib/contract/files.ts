import { z } from 'zod';
import { col } from './columns';

export const OFFICES = ['Lexington', 'Cynthiana', 'Maysville', 'Danville'] as const;
export const SEX = ['F', 'M', 'X', 'U'] as const;
export const DIAGNOSES = [
	'fbss',
	'spine_other',
	'peripheral_neuropathy',
	'crps',
	'cancer_pain',
	'spasticity',
	'other'
] as const;
export const PROGRAMS = ['low_dose', 'conventional'] as const;
export const TRIAL_RESULTS = ['pass', 'fail'] as const;
export const FOLLOWUP_END_REASONS = ['ongoing', 'explant', 'death', 'lost', 'transferred'] as const;
export const EXPLANT_REASONS = [
	'infection',
	'granuloma',
	'inefficacy',
	'device',
	'patient_choice',
	'other'
] as const;
export const ORAL_DRUGS = [
	'morphine',
	'oxycodone',
	'hydrocodone',
	'hydromorphone',
	'oxymorphone',
	'codeine',
	'tramadol',
	'tapentadol',
	'methadone',
	'fentanyl_transdermal',
	'buprenorphine',
	'other'
] as const;
export const IT_DRUGS = [
	'morphine',
	'hydromorphone',
	'fentanyl',
	'sufentanil',
	'ziconotide',
	'bupivacaine',
	'clonidine',
	'baclofen'
] as const;
export const PUMP_EVENTS = [
	'trial',
	'implant',
	'refill',
	'dose_change',
	'bolus_change',
	'catheter_revision',
	'pump_replacement',
	'complication',
	'explant'
] as const;
export const COMPLICATIONS = [
	'infection',
	'granuloma',
	'csf_leak',
	'catheter',
	'pump_failure',
	'other'
] as const;

const patientRef = () => col.id('pseudonymous key; must exist in patients.csv');

export const patients = z.object({
	patient_id: col.id('pseudonymous key, unique in the file; never an MRN'),
	office: col.text('site name, e.g. Lexington, Cynthiana, Maysville, Danville', 'yes'),
	provider_id: col.text('pseudonymous provider code'),
	sex: col.enum(SEX, 'sex').optional(),
	age_at_implant: col.age('integer 18-89, or `90+` (ages over 89 are exported as `90+`)').optional(),
	diagnosis: col.enum(DIAGNOSES, 'primary indication for the pump', 'yes'),
	icd10: col.text('primary ICD-10-CM code, e.g. `M96.1`').optional(),
	program: col.enum(PROGRAMS, 'low-dose programs taper oral opioids to zero before the trial').optional(),
	trial_day: col.integer('day of the intrathecal trial').optional(),
	trial_date: col.date('date of the intrathecal trial', 'no', 'trial_day').optional(),
	trial_result: col.enum(TRIAL_RESULTS, 'result of the trial').optional(),
	implant_year: col
		.integer('year of implant; empty when never implanted', 'with `day`, for implanted patients', {
			min: 1980,
			max: 2100
		})
		.optional(),
	implant_date: col.date('date of implant; empty when never implanted', 'with `date`').optional(),
	followup_end_day: col.integer('last day the patient was observed').optional(),
	followup_end_date: col.date('last day the patient was observed', 'no', 'followup_end_day').optional(),
	followup_end_reason: col.enum(FOLLOWUP_END_REASONS, 'why observation ended (censoring)').optional(),
	explant_reason: col.enum(EXPLANT_REASONS, 'when `followup_end_reason` is `explant`', 'no').optional()
});

export const pain_scores = z.object({
	patient_id: patientRef(),
	day: col.integer('days from implant (implant = day 0)', 'yes (or `date`)').optional(),
	date: col.date('date of the assessment', 'yes (or `day`)', 'day').optional(),
	pain_avg: col.number('NRS average pain (BPI item "average")', 'yes', { min: 0, max: 10, maxDecimals: 1 }),
	pain_worst: col.number('NRS worst pain', 'no', { min: 0, max: 10, maxDecimals: 1 }).optional(),
	odi: col.number('Oswestry Disability Index', 'no', { min: 0, max: 100 }).optional(),
	pgic: col
		.integer('Patient Global Impression of Change (1 = very much improved)', 'no', { min: 1, max: 7 })
		.optional()
});

/**
 * What a 0 or empty MME input means (outcomes.md section 3, import-cases.md case 32): not
 * recorded, so the row is loaded with NULL and its MME is not computable (null with a reason,
 * never 0). `mmeNotComputableSql` names the reason.
 */
const NOT_RECORDED = {
	strength: 'the row is loaded and its MME is not computable (strength missing)',
	strength_unit: 'allowed only when strength is not recorded either',
	days_supply:
		'the row is loaded; without an end it covers its start day only and its MME is not computable (days supply missing), as when quantity needs it for units per day',
	units_per_day:
		'quantity with days_supply stands for it; without them the MME is not computable (quantity missing)',
	quantity: 'units_per_day stands for it; without it the MME is not computable (quantity missing)'
};

export const oral_opioids = z.object({
	patient_id: patientRef(),
	start_day: col.integer('first day covered', 'yes (or `start_date`)').optional(),
	start_date: col.date('first day covered', 'yes (or `start_day`)', 'start_day').optional(),
	end_day: col.integer('last day covered, inclusive', 'one of end or days_supply').optional(),
	end_date: col.date('last day covered, inclusive', 'one of end or days_supply', 'end_day').optional(),
	days_supply: col
		.integer('alternative to end', 'one of end or days_supply', {
			positive: true,
			notRecorded: NOT_RECORDED.days_supply
		})
		.optional(),
	drug: col.enum(ORAL_DRUGS, 'generic name', 'yes'),
	strength: col.number('per unit (tablet, patch)', 'yes', {
		positive: true,
		notRecorded: NOT_RECORDED.strength
	}),
	strength_unit: col.enum(['mg', 'mcg/hr'], '`mcg/hr` only for transdermal fentanyl', 'yes', {
		notRecorded: NOT_RECORDED.strength_unit
	}),
	units_per_day: col
		.number('tablets (or patches worn) per day', 'one of units_per_day or quantity', {
			positive: true,
			notRecorded: NOT_RECORDED.units_per_day
		})
		.optional(),
	quantity: col
		.number('units dispensed; with days_supply gives units/day', 'one of units_per_day or quantity', {
			positive: true,
			notRecorded: NOT_RECORDED.quantity
		})
		.optional(),
	indication: col
		.enum(
			['pain', 'oud'],
			'`oud` (opioid use disorder treatment) is never converted to MME',
			'no (default `pain`)'
		)
		.optional(),
	mme_per_day: col
		.number('if the source already computed MME; the importer recomputes and reports disagreements', 'no', {
			min: 0
		})
		.optional()
});

/**
 * Why a loaded oral prescription's MME is not computable from its row, or NULL when it is: the
 * first input missing in the order the dose is computed (units per day from quantity and days
 * supply, then times strength). Without an end or a days supply the coverage is unknown too.
 * `t` qualifies the columns (`t.`). The importer's warnings and mme_prescriptions share it.
 */
export function mmeNotComputableSql(t = ''): string {
	return (
		`CASE WHEN ${t}units_per_day IS NULL AND ${t}quantity IS NULL THEN 'quantity missing' ` +
		`WHEN ${t}days_supply IS NULL AND (${t}units_per_day IS NULL OR ${t}end_day IS NULL) THEN 'days supply missing' ` +
		`WHEN ${t}strength IS NULL THEN 'strength missing' END`
	);
}

/** The columns mmeNotComputableSql reads. */
export const MME_INPUTS = ['units_per_day', 'quantity', 'days_supply', 'end_day', 'strength'] as const;

/** mmeNotComputableSql for one row in JavaScript (the import's scan counts with it), NULL as null. */
export function mmeNotComputable(v: Record<(typeof MME_INPUTS)[number], number | null>): string | null {
	if (v.units_per_day === null && v.quantity === null) return 'quantity missing';
	if (v.days_supply === null && (v.units_per_day === null || v.end_day === null))
		return 'days supply missing';
	if (v.strength === null) return 'strength missing';
	return null;
}

export const pump_events = z.object({
	patient_id: patientRef(),
	day: col.integer('days from implant (implant = day 0)', 'yes (or `date`)').optional(),
	date: col.date('date of the event', 'yes (or `day`)', 'day').optional(),
	event: col.enum(PUMP_EVENTS, 'what happened', 'yes'),
	drug: col.enum(IT_DRUGS, 'one row per drug in an admixture', 'for dosing events').optional(),
	concentration: col.number('drug concentration in the reservoir', 'no', { positive: true }).optional(),
	concentration_unit: col.enum(['mg/mL', 'mcg/mL'], 'unit of concentration', 'with concentration').optional(),
	daily_dose: col
		.number(
			'programmed continuous daily dose in effect from this day',
			'for `implant`, `refill`, `dose_change`',
			{
				min: 0
			}
		)
		.optional(),
	daily_dose_unit: col
		.enum(['mg/day', 'mcg/day'], 'must fit the drug (outcomes.md section 4)', 'with daily_dose')
		.optional(),
	reservoir_ml: col.number('volume filled at refill', 'no', { min: 0 }).optional(),
	complication: col.enum(COMPLICATIONS, 'kind of complication', 'with `complication` events').optional()
});

export type FileKind = 'patients' | 'pain_scores' | 'oral_opioids' | 'pump_events';

export interface FileContract {
	kind: FileKind;
	fileName: string;
	title: string;
	required: boolean;
	schema: z.ZodObject;
}

export const FILES: readonly FileContract[] = [
	{
		kind: 'patients',
		fileName: 'patients.csv',
		title: 'one row per patient',
		required: true,
		schema: patients
	},
	{
		kind: 'pain_scores',
		fileName: 'pain_scores.csv',
		title: 'one row per assessment',
		required: false,
		schema: pain_scores
	},
	{
		kind: 'oral_opioids',
		fileName: 'oral_opioids.csv',
		title: 'one row per prescription or dispense',
		required: false,
		schema: oral_opioids
	},
	{
		kind: 'pump_events',
		fileName: 'pump_events.csv',
		title: 'one row per pump event and drug',
		required: false,
		schema: pump_events
	}
];

/** Daily-dose unit each intrathecal drug must use (outcomes.md section 4). */
export const IT_DOSE_UNIT: Record<(typeof IT_DRUGS)[number], 'mg/day' | 'mcg/day'> = {
	morphine: 'mg/day',
	hydromorphone: 'mg/day',
	bupivacaine: 'mg/day',
	fentanyl: 'mcg/day',
	sufentanil: 'mcg/day',
	clonidine: 'mcg/day',
	ziconotide: 'mcg/day',
	baclofen: 'mcg/day'
};
