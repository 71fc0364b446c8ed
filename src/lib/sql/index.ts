export type { Query } from './query';
export { literal, ident } from './literal';
export { filterClause, describeFilters, ageBandSql, AGE_BANDS, NO_FILTERS, type Filters } from './filters';
export { deriveSql } from './derive';
export { cohortSummary, patientsByOffice, type CohortSummary, type OfficeCount } from './cohort';
export { painByMonth, painPatients, type PainMonth } from './pain';
export { run, runOne } from './run';
export {
	derivePainSql,
	PAIN_MEASURES,
	BASELINE_LOOKBACK_DAYS,
	FAILURE_END_REASONS,
	type PainMeasure
} from './derivePain';
export {
	painBaselineSummary,
	painWindowScores,
	painWindowChange,
	painWindowResponders,
	painPairedDifferences,
	painReport,
	MIN_BASELINE_TENTHS,
	type PainBaselineRow,
	type PainWindowScoresRow,
	type PainWindowChangeRow,
	type PainWindowRespondersRow,
	type PainDifferenceRow,
	type Proportion,
	type ResponderReport,
	type ResponderRule,
	type PainBaselineReport,
	type PainWindowReport,
	type PainMeasureReport
} from './painOutcomes';
export { deriveItDoseSql, IT_DOSE_RULES } from './deriveItDose';
export {
	MORPHINE_EQ,
	itDoseAtWindows,
	itDoseByMonth,
	itDoseEscalation,
	itDoseEscalationSummary,
	itDoseTimeline,
	itDoseWarnings,
	itDoseWarningCounts,
	itDoseReport,
	type ItDoseSeries,
	type ItDoseWindowRow,
	type ItDoseMonth,
	type ItDoseEscalation,
	type ItDoseEscalationSummary,
	type ItDoseStep,
	type ItDoseWarning,
	type ItDoseWarningCount,
	type ItDoseReport
} from './itDose';
export { deriveMmeSql, deriveMme, ensureMmeFactors } from './deriveMme';
export {
	mmeBaseline,
	mmeAtImplant,
	mmeWindows,
	mmeReduction,
	mmeExcludedPrescriptions,
	opioidFreeTimes,
	opioidFreeCounts,
	mmeReport,
	type MmeSummary,
	type MmeWindowRow,
	type OralMmeReport
} from './mme';
