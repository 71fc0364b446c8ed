/**
 * Intrathecal dose definitions (outcomes.md section 4). Units per drug live in the contract
 * (`IT_DOSE_UNIT`), because the importer rejects a unit that does not fit its drug.
 */
import type { IT_DRUGS } from '$lib/contract';
import { DAYS_PER_MONTH } from './time';
import { DEFAULT_WINDOW_SETTINGS, type WindowSettings } from './windows';

export type ItDrug = (typeof IT_DRUGS)[number];

/** IT morphine-equivalent mg/day = morphine x 1 + hydromorphone x factor. */
export const HYDROMORPHONE_FACTOR = { default: 5, min: 4, max: 6 } as const;

/**
 * "Total opioid load" = oral MME + IT morphine-equivalent x ratio. An assumption, shown only as
 * its own labelled series: observed oral:IT ratios range from 10:1 to 300:1.
 */
export const TOTAL_OPIOID_LOAD_RATIOS = [300, 100] as const;
export type TotalOpioidLoadRatio = (typeof TOTAL_OPIOID_LOAD_RATIOS)[number];
export const DEFAULT_TOTAL_OPIOID_LOAD_RATIO: TotalOpioidLoadRatio = 300;

/**
 * Escalation is fitted on days after titration. A year is 12 x 30.4375 = 365.25 days, so slopes
 * per year agree with the month axis of the charts.
 */
export const IT_ESCALATION = { titrationLastDay: 30, daysPerYear: 12 * DAYS_PER_MONTH } as const;

/** Plausibility warnings (not rejections), checked on every dose that takes effect. */
export interface ItPlausibility {
	/** A dose above this, in the drug's own unit, warns; drugs not listed have no ceiling. */
	maxDailyDose: Partial<Record<ItDrug, number>>;
	/** A step that moves the dose by more than this fraction of the previous dose warns. */
	maxStepChange: number;
}

export const DEFAULT_IT_PLAUSIBILITY: ItPlausibility = {
	maxDailyDose: { morphine: 15, hydromorphone: 10, ziconotide: 19.2 },
	maxStepChange: 0.5
};

/** What the IT dose queries need: the hydromorphone factor and the follow-up windows. */
export interface ItDoseSettings {
	hydromorphoneFactor: number;
	windows: WindowSettings;
}

export const DEFAULT_IT_DOSE_SETTINGS: ItDoseSettings = {
	hydromorphoneFactor: HYDROMORPHONE_FACTOR.default,
	windows: DEFAULT_WINDOW_SETTINGS
};

/** The factor, or an error that says the allowed range: a typo must not silently change doses. */
export function checkHydromorphoneFactor(factor: number): number {
	const { min, max } = HYDROMORPHONE_FACTOR;
	if (!Number.isFinite(factor) || factor < min || factor > max)
		throw new Error(`hydromorphone factor must be from ${min} to ${max}, got ${factor}`);
	return factor;
}
