/**
 * Oral morphine milligram equivalents (outcomes.md section 3): the CDC factor tables and a
 * pure TypeScript calculator. The SQL in `$lib/sql/deriveMme.ts` is generated from these tables
 * and is the one the dashboard runs; this calculator is the readable reference the tests hold
 * the SQL to, prescription by prescription and day by day.
 */
import type { ORAL_DRUGS } from '$lib/contract/files';
import { roundHalfAway } from './round';

export type OralDrug = (typeof ORAL_DRUGS)[number];
export type MmeFactors = 'cdc2022' | 'cdc2016';
export const MME_FACTOR_VERSIONS: readonly MmeFactors[] = ['cdc2022', 'cdc2016'];

/** Drugs with a CDC conversion factor; buprenorphine and `other` have none. */
export const CONVERTIBLE_DRUGS = [
	'codeine',
	'fentanyl_transdermal',
	'hydrocodone',
	'hydromorphone',
	'methadone',
	'morphine',
	'oxycodone',
	'oxymorphone',
	'tapentadol',
	'tramadol'
] as const satisfies readonly OralDrug[];
export type ConvertibleDrug = (typeof CONVERTIBLE_DRUGS)[number];

/**
 * Factor per mg (per mcg/hr for fentanyl patches). `methadone: 'tiered'` means the factor depends
 * on the day's total methadone mg (METHADONE_TIERS_2016).
 */
export const MME_FACTORS: Record<MmeFactors, Record<ConvertibleDrug, number | 'tiered'>> = {
	cdc2022: {
		codeine: 0.15,
		fentanyl_transdermal: 2.4,
		hydrocodone: 1,
		hydromorphone: 5,
		methadone: 4.7,
		morphine: 1,
		oxycodone: 1.5,
		oxymorphone: 3,
		tapentadol: 0.4,
		tramadol: 0.2
	},
	cdc2016: {
		codeine: 0.15,
		fentanyl_transdermal: 2.4,
		hydrocodone: 1,
		hydromorphone: 4,
		methadone: 'tiered',
		morphine: 1,
		oxycodone: 1.5,
		oxymorphone: 3,
		tapentadol: 0.4,
		// CDC's analytic conversion file; the 2016 guideline table itself has no tramadol row.
		tramadol: 0.1
	}
};

/** CDC 2016 methadone: the first tier whose upper bound (inclusive) holds the day's total mg. */
export const METHADONE_TIERS_2016: readonly { upToMg: number; factor: number }[] = [
	{ upToMg: 20, factor: 4 },
	{ upToMg: 40, factor: 8 },
	{ upToMg: 60, factor: 10 },
	{ upToMg: Infinity, factor: 12 }
];

/** Day ranges [from, to] (both included) of outcomes.md section 3. */
export const MME_BASELINE_DAYS = { from: -180, to: -91 } as const;
export const MME_AT_IMPLANT_DAYS = { from: -30, to: -1 } as const;
/** A follow-up window's MME is the mean over [target - 29, target]. */
export const MME_WINDOW_DAYS = 30;
/** Time to opioid-free: the first day of a run of at least this many opioid-free days. */
export const OPIOID_FREE_RUN_DAYS = 90;
/** Days the report always gives the cumulative opioid-free proportion at. */
export const OPIOID_FREE_REPORT_DAYS: readonly number[] = [30, 365, 1825];

export const EXCLUDED_OUD = 'excluded: opioid use disorder treatment';
export const NO_CDC_FACTOR = 'no CDC factor';
export type MmeExclusion = typeof EXCLUDED_OUD | typeof NO_CDC_FACTOR;

/** One row of oral_opioids.csv in day form, as loaded (absent values are null). */
export interface Prescription {
	drug: OralDrug;
	strength: number;
	start_day: number;
	end_day?: number | null;
	days_supply?: number | null;
	units_per_day?: number | null;
	quantity?: number | null;
	indication?: 'pain' | 'oud' | null;
}

/** Days [from, to] the prescription covers, both included. */
export function prescriptionCoverage(rx: Prescription): { from: number; to: number } {
	const to = rx.end_day ?? rx.start_day + requireValue(rx.days_supply, 'days_supply') - 1;
	return { from: rx.start_day, to };
}

/**
 * Units (tablets, or patches worn at once) per day. Quantity over days supply wins when both are
 * given, as outcomes.md words it; a 72-hour patch is worn for 3 days, hence quantity x 3.
 */
export function prescriptionUnitsPerDay(rx: Prescription): number {
	if (rx.quantity != null && rx.days_supply != null) {
		return rx.drug === 'fentanyl_transdermal'
			? (rx.quantity * 3) / rx.days_supply
			: rx.quantity / rx.days_supply;
	}
	return requireValue(rx.units_per_day, 'units_per_day');
}

/** Why a prescription gets no MME, or null when it gets one. OUD treatment is named first. */
export function prescriptionExclusion(rx: Prescription): MmeExclusion | null {
	if (rx.indication === 'oud') return EXCLUDED_OUD;
	return isConvertible(rx.drug) ? null : NO_CDC_FACTOR;
}

/** mg/day (mcg/hr for patches): strength x units per day. */
export function prescriptionDose(rx: Prescription): number {
	return rx.strength * prescriptionUnitsPerDay(rx);
}

/**
 * Methadone mg/day in whole micrograms. Tiers compare sums of these integers, so doses that make
 * exactly 40 mg on paper (13.3 mg x 3 + 0.1 mg, 40.00000000000001 as doubles) stay in the 40 tier.
 */
export function methadoneMicrograms(rx: Prescription): number {
	return Math.round(prescriptionDose(rx) * 1000);
}

/** The CDC 2016 methadone factor for a day's total methadone, in micrograms. */
export function methadoneFactor2016(totalMicrograms: number): number {
	const tier = METHADONE_TIERS_2016.find((t) => totalMicrograms <= t.upToMg * 1000);
	return tier!.factor;
}

/**
 * One prescription's MME/day, rounded to 0.1 half away from zero. For CDC 2016 methadone the
 * factor needs the day's total methadone micrograms across prescriptions; without it the
 * prescription's own dose picks the tier (as if it were the only methadone that day).
 */
export function prescriptionMme(
	rx: Prescription,
	factors: MmeFactors,
	dayMethadoneMicrograms?: number
): { mme: number | null; reason: MmeExclusion | null } {
	const reason = prescriptionExclusion(rx);
	if (reason !== null) return { mme: null, reason };
	const table = MME_FACTORS[factors][rx.drug as ConvertibleDrug];
	const factor =
		table === 'tiered' ? methadoneFactor2016(dayMethadoneMicrograms ?? methadoneMicrograms(rx)) : table;
	return { mme: roundHalfAway(prescriptionDose(rx) * factor, 1), reason: null };
}

/**
 * Total MME on one day: the sum of the rounded prescriptions covering it; 0 when none covers it;
 * null when only excluded prescriptions cover it (not computable, and not opioid-free).
 */
export function mmeOnDay(
	prescriptions: readonly Prescription[],
	day: number,
	factors: MmeFactors
): number | null {
	const covering = prescriptions.filter((rx) => {
		const { from, to } = prescriptionCoverage(rx);
		return from <= day && day <= to;
	});
	const counted = covering.filter((rx) => prescriptionExclusion(rx) === null);
	if (covering.length > 0 && counted.length === 0) return null;
	const methadone = counted
		.filter((rx) => rx.drug === 'methadone')
		.reduce((s, rx) => s + methadoneMicrograms(rx), 0);
	// Sum whole tenths: adding 0.1-steps as doubles would leave 0.30000000000000004 behind.
	const tenths = counted.reduce(
		(s, rx) => s + Math.round(prescriptionMme(rx, factors, methadone).mme! * 10),
		0
	);
	return tenths / 10;
}

function isConvertible(drug: OralDrug): drug is ConvertibleDrug {
	return (CONVERTIBLE_DRUGS as readonly string[]).includes(drug);
}

function requireValue(value: number | null | undefined, name: string): number {
	if (value == null) throw new Error(`prescription needs ${name}`);
	return value;
}
