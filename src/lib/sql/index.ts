export type { Query } from './query';
export { literal, ident } from './literal';
export {
	filterClause,
	describeFilters,
	ageBandSql,
	onlyOfficesAndDiagnoses,
	AGE_BANDS,
	NO_FILTERS,
	type Filters
} from './filters';
export { deriveSql, firstDeriveSql, laterDeriveSql } from './derive';
export { cohortSummary, patientsByOffice, type CohortSummary, type OfficeCount } from './cohort';
export { painByMonth, painPatients, type PainMonth } from './pain';
export { run, runOne } from './run';
export { dashboardQueries, warmFilteredQueries } from './dashboard';
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
	painWindowCellsSql,
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
export { deriveItDoseSql, ensureItDoseFactor, IT_DOSE_RULES, withItDoseFactor } from './deriveItDose';
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
export {
	mmeReductionByPatient,
	builtMmeFactors,
	withMmeFactors,
	type MmeReductionPatient
} from './mmePatients';
export {
	opioidLoadByMonth,
	checkLoadRatio,
	type OpioidLoadMonth,
	type OpioidLoadSettings
} from './opioidLoad';
export {
	filterOptions,
	groupFilterOptions,
	filterMatch,
	FILTER_FIELDS,
	type FilterField,
	type FilterOption,
	type FilterOptionRow,
	type FilterOptions,
	type FilterMatch
} from './options';
export {
	painLines,
	painLinePatients,
	painPairs,
	painPatientList,
	painSecondary,
	type PainLinePoint,
	type PainLinesOptions,
	type PainPair,
	type PainPatientRow,
	type PainSecondaryRow
} from './painDetail';
export {
	patientFacts,
	patientInFilters,
	patientPain,
	patientPainPicks,
	patientMme,
	patientPumpEvents,
	patientIdsLike,
	type PatientFacts,
	type PatientPainRow,
	type PatientPainPick,
	type PatientMmeStep,
	type PatientPumpEvent
} from './patient';
export { analysisTable, type AnalysisRow } from './analysisTable';
export {
	MME_BANDS,
	NOT_RECORDED,
	NO_MME_DATA,
	CASE_MIX_CHARACTERISTICS,
	officeUnits,
	officeExplantReasons,
	officeCaseMix,
	officeImplantYears,
	officeOpioidFreeTimes,
	officeEscalation,
	officePainWindow,
	officeBaselinePain,
	officeMmeReduction,
	dataVersion,
	type CaseMixCharacteristic,
	type UnitLevel,
	type UnitColumns,
	type OfficeUnitRow,
	type OfficeCountRow,
	type OfficeCaseMixRow,
	type OfficeYearRow,
	type OfficeOpioidFreeTime,
	type OfficeEscalationRow,
	type OfficePainRow,
	type OfficeBaselinePainRow,
	type OfficeQuantileRow
} from './offices';
export {
	officesData,
	unitKey,
	findWindow,
	type OfficesData,
	type OfficeUnitData,
	type OfficesSettings,
	type MeanStat,
	type QuantileStat,
	type ResponderCounts,
	type OpioidFreeStat
} from './officesData';
export {
	officesView,
	officesSuppression,
	selectedUnits,
	splitOfficesFilters,
	ALL_UNITS,
	type UnitSelection,
	cellId,
	unitLabel,
	PRACTICE_LABEL,
	type OfficeFamily,
	type OfficeRow,
	type CaseMixRow,
	type TrendRow,
	type OfficesView,
	type ShownRate,
	type ShownMean,
	type ShownQuantiles
} from './officesView';
export {
	officesFunnel,
	flagWords,
	overdispersionNote,
	FUNNEL_METRICS,
	FUNNEL_METRIC_KEYS,
	type FunnelMetric,
	type FunnelMetricInfo,
	type FunnelPoint,
	type FunnelLeftOut,
	type FunnelCurvePoint,
	type FunnelView
} from './officesFunnel';
export {
	officesReport,
	officesReportFrom,
	officesCsv,
	type OfficesReport,
	type OfficesReportUnit,
	type OfficesReportProvider,
	type ExportMeta
} from './officesReport';
