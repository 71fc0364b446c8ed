export { DAYS_PER_MONTH, TRAJECTORY_MONTHS, monthOfDay } from './time';
export { roundHalfAway, formatNumber } from './round';
export {
	DEFAULT_WINDOWS,
	DEFAULT_HALF_WIDTH,
	DEFAULT_WINDOW_SETTINGS,
	windowsValuesSql,
	type Window,
	type WindowSettings
} from './windows';
export {
	WILSON_Z,
	WILCOXON_EXACT_MAX_N,
	logGamma,
	regularizedIncompleteBeta,
	regularizedGammaQ,
	normalCdf,
	normalUpperTail,
	normalQuantile,
	studentTCdf,
	studentTUpperTail,
	studentTQuantile,
	wilsonInterval,
	meanConfidenceInterval,
	wilcoxonSignedRank,
	type Interval,
	type WilcoxonResult
} from './stats';
export {
	HYDROMORPHONE_FACTOR,
	TOTAL_OPIOID_LOAD_RATIOS,
	DEFAULT_TOTAL_OPIOID_LOAD_RATIO,
	IT_ESCALATION,
	DEFAULT_IT_PLAUSIBILITY,
	DEFAULT_IT_DOSE_SETTINGS,
	checkHydromorphoneFactor,
	type ItDrug,
	type TotalOpioidLoadRatio,
	type ItPlausibility,
	type ItDoseSettings
} from './itDose';
export {
	eventsUpTo,
	kaplanMeier,
	kmPoint,
	type KaplanMeier,
	type KmPoint,
	type KmStep,
	type TimeCount
} from './km';
export {
	MME_FACTORS,
	MME_FACTOR_VERSIONS,
	CONVERTIBLE_DRUGS,
	METHADONE_TIERS_2016,
	MME_BASELINE_DAYS,
	MME_AT_IMPLANT_DAYS,
	MME_WINDOW_DAYS,
	OPIOID_FREE_RUN_DAYS,
	OPIOID_FREE_REPORT_DAYS,
	EXCLUDED_OUD,
	NO_CDC_FACTOR,
	prescriptionCoverage,
	prescriptionUnitsPerDay,
	prescriptionExclusion,
	prescriptionDose,
	methadoneMicrograms,
	methadoneFactor2016,
	prescriptionMme,
	mmeOnDay,
	type MmeFactors,
	type MmeExclusion,
	type Prescription,
	type ConvertibleDrug,
	type OralDrug
} from './mme';
export { DEFAULT_SETTINGS, type Settings } from './settings';
export {
	FUNNEL_METHODS,
	FUNNEL_Z,
	FUNNEL_PROBABILITIES,
	OVERDISPERSION_MIN_UNITS,
	funnelFlag,
	binomialCdf,
	poissonCdf,
	interpolatedQuantile,
	binomialLimits,
	poissonLimits,
	normalLimits,
	pooledSd,
	poissonRateInterval,
	type FunnelMethod,
	type FunnelLimits,
	type FunnelFlag
} from './funnel';
export {
	checkThreshold,
	isSmall,
	smallLabel,
	showCount,
	showHiddenCount,
	showValue,
	rateIsSmall,
	suppress,
	type SmallCount,
	type Shown,
	type SuppressionCell,
	type SuppressionGroup,
	type SuppressionReason
} from './suppression';
