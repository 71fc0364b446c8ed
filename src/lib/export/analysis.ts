import type { AnalysisRow } from '$lib/sql';
import {
	PATIENT_ID_DESCRIPTION,
	patientColumns,
	type Coarsening,
	type ColumnType,
	type ExportColumn
} from './tables';

const SOURCE = 'derived: analysisTable (src/lib/sql/analysisTable.ts)';

/** Type and meaning of every outcome column of the analysis table (keyed, so none is missed). */
const OUTCOME_COLUMNS: Record<Exclude<keyof AnalysisRow, 'patient_id'>, [ColumnType, string]> = {
	window: ['text', 'follow-up window label (3m, 6m, 12m, ...)'],
	target_day: [
		'integer',
		'target day of the window, days from implant; the window is [target - 45, target + 45)'
	],
	due: [
		'boolean',
		'due at the window: follow-up reached target - 45, or ended earlier by explant, death or loss'
	],
	baseline_pain: [
		'double',
		'baseline pain_avg: the last score on days -90..-1 before the trial day (outcomes.md section 2)'
	],
	baseline_day: ['integer', 'day of the baseline score, days from implant'],
	baseline_trial_shifted: [
		'boolean',
		'the baseline range moved to the 90 days before a trial more than 90 days before implant'
	],
	followup_pain: ['double', 'pain_avg at the window: the score closest to the target (the earlier on a tie)'],
	followup_day: ['integer', 'day of the follow-up score, days from implant'],
	change: ['double', 'followup_pain - baseline_pain (negative is better)'],
	pct_change: [
		'double',
		'change / baseline_pain x 100; only for completers with a baseline >= 4 (else empty)'
	],
	responder_eligible: ['boolean', 'baseline_pain is present and >= 4: responder rules apply'],
	responder_30: [
		'boolean',
		'IMMPACT >= 30% reduction, exact: 10 x (baseline - follow-up) >= 3 x baseline; empty unless a completer with an eligible baseline'
	],
	responder_50: [
		'boolean',
		'>= 50% reduction, exact: 2 x (baseline - follow-up) >= baseline; empty as responder_30'
	],
	responder_2pt: ['boolean', 'reduction of at least 2 points; empty as responder_30'],
	mme_baseline: [
		'double',
		'oral MME/day, mean over days -180..-91 (days without a prescription count as 0); empty without prescriptions'
	],
	mme_window: [
		'double',
		'oral MME/day, mean over days target - 29..target; empty when follow-up ended before the target, or when no day of the window is observed: oral MME is observed from the patient’s first prescription day to the end of follow-up, so a patient without prescriptions has none'
	],
	opioid_free: [
		'boolean',
		'oral MME 0 on every day of target - 29..target; empty where mme_window is not observed'
	],
	it_morphine_eq: [
		'double',
		'intrathecal morphine-equivalent (mg/day) on the target day: morphine + hydromorphone x factor; empty when neither is in effect'
	]
};

/** The analysis table's columns: re-keyed id, the (coarsened) patient columns, then the outcomes. */
export function analysisColumns(c: Coarsening): ExportColumn[] {
	return [
		{
			name: 'patient_id',
			type: 'text',
			description: PATIENT_ID_DESCRIPTION,
			source: 'the same key as patients.csv'
		},
		...patientColumns(c).map(({ sql: _sql, ...col }) => ({
			...col,
			source: `${col.source} (as in patients.csv)`
		})),
		...Object.entries(OUTCOME_COLUMNS).map(([name, [type, description]]) => ({
			name,
			type,
			description,
			source: SOURCE
		}))
	];
}
