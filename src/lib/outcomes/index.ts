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
