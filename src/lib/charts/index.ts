export type { ChartSpec, TableColumn } from './types';
export { painTrajectory, TRAJECTORY_PIXELS, type PainTrajectoryContext } from './painTrajectory';
export {
	painSlope,
	slopeSummary,
	type PainSlopeContext,
	type PainSlopeRow,
	type Direction
} from './painSlope';
export {
	painResponders,
	responderBars,
	RESPONDER_RULE_LABELS,
	DENOMINATOR_LABELS,
	type ResponderBar,
	type PainRespondersContext
} from './painResponders';
export {
	patientDayDomain,
	PATIENT_LAYOUT,
	type PatientSeries,
	type PatientChartContext
} from './patientAxis';
export { patientPain, type PatientPainTableRow } from './patientPain';
export { patientMme, type PatientMmeContext } from './patientMme';
export { patientItDose, doseSteps } from './patientItDose';
export { patientEvents, uniqueEvents } from './patientEvents';
export { MME_FACTORS_LABEL, mmeUnit } from './mmeLabels';
export { mmeByWindow, mmeTimepoints, type MmeTimepoint, type MmeByWindowContext } from './mmeByWindow';
export {
	mmeOpioidFree,
	opioidFreeWindows,
	type OpioidFreeWindow,
	type MmeOpioidFreeContext
} from './mmeOpioidFree';
export {
	mmeReductionHistogram,
	reductionBins,
	type ReductionBin,
	type MmeReductionContext
} from './mmeReductionHistogram';
export {
	kmOpioidFree,
	kmCurve,
	kmTicks,
	KM_CENSORING_NOTE,
	type KmCurvePoint,
	type KmAtRisk,
	type KmOpioidFreeContext
} from './kmOpioidFree';
export { itDoseTrend, itSeriesName, type ItDoseTrendContext } from './itDoseTrend';
export {
	itDoseEscalation,
	escalationBins,
	type EscalationBin,
	type EscalationMeasure,
	type ItDoseEscalationContext
} from './itDoseEscalation';
export { opioidLoadTrend, opioidLoadAssumption, type OpioidLoadContext } from './opioidLoadTrend';
export { funnelChart, scaleOf as funnelScale, type FunnelContext, type FunnelTableRow } from './funnel';
export { caterpillarChart, type CaterpillarRow } from './caterpillar';
export { officeTrendChart, type OfficeTrendContext, type OfficeTrendRow } from './officeTrend';
