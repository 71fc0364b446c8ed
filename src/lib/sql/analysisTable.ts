import {
	checkHydromorphoneFactor,
	DEFAULT_IT_DOSE_SETTINGS,
	MME_BASELINE_DAYS,
	MME_WINDOW_DAYS,
	windowsValuesSql,
	type ItDoseSettings
} from '$lib/outcomes';
import { MORPHINE_EQ_DRUGS_SQL, stepMorphineEqSql } from './deriveItDose';
import { filterClause, type Filters } from './filters';
import { MIN_BASELINE_TENTHS } from './painOutcomes';
import type { Query } from './query';

/** One row of the analysis table: a patient of the outcome population at one window. */
export interface AnalysisRow {
	patient_id: string;
	window: string;
	target_day: number;
	due: boolean;
	baseline_pain: number | null;
	baseline_day: number | null;
	baseline_trial_shifted: boolean;
	followup_pain: number | null;
	followup_day: number | null;
	change: number | null;
	pct_change: number | null;
	responder_eligible: boolean;
	responder_30: boolean | null;
	responder_50: boolean | null;
	responder_2pt: boolean | null;
	mme_baseline: number | null;
	mme_window: number | null;
	opioid_free: boolean | null;
	it_morphine_eq: number | null;
}

/**
 * The analysis table of a patient-level export: one row per patient of the filtered outcome
 * population and configured window, with pain (`pain_avg`) at baseline and at the window, change,
 * IMMPACT responder flags, oral MME at baseline and at the window, the opioid-free flag and the IT
 * morphine-equivalent on the target day. Summing its columns gives the dashboard's numbers for the
 * same filters (tests/unit/export-analysis.test.ts holds it to painReport, mmeReport and
 * itDoseAtWindows):
 *
 * - completers n = rows with `followup_pain`; their mean is the window's mean score;
 * - a responder flag is null unless the patient is a completer with a baseline >= 4, so its
 *   non-null count is the completers denominator and its true count is k. The rules are the exact
 *   integer forms in tenths of painOutcomes.ts (7.0 -> 4.9 is a 30% responder);
 * - `change` = (follow-up - baseline), computed in tenths so 4.9 - 7.0 is -2.1, not
 *   -2.0999999999999996; `pct_change` only where responders are defined;
 * - MME is the mean of the known days of `mme_segments` in [-180, -91] and in
 *   [target - 29, target] (the latter only with follow-up through the target), as mme.ts;
 *   `opioid_free` is null exactly where the patient is outside mmeWindows' opioid-free denominator;
 * - `it_morphine_eq` = morphine + hydromorphone x factor in effect on the target day, null when
 *   neither is (outcomes.md section 4).
 *
 * mme.ts and painOutcomes.ts keep their per-patient CTEs private; hence the restatement here,
 * pinned to their summaries by the test. The MME tables must hold the wanted factors
 * (`withMmeFactors`); `s` gives the windows (those the pain tables were built with) and the
 * hydromorphone factor. Rows come in patient_id, target order.
 */
export function analysisTable(f: Filters, s: ItDoseSettings = DEFAULT_IT_DOSE_SETTINGS): Query {
	const w = filterClause(f);
	const responder = (rule: string) =>
		`CASE WHEN x.score_tenths IS NOT NULL AND b.baseline_tenths >= ${MIN_BASELINE_TENTHS} THEN ${rule} END`;
	const overlap = 'least(s.to_day, r.to_day) - greatest(s.from_day, r.from_day) + 1';
	return {
		name: 'analysisTable',
		sql: `WITH win(label, target, lo, hi) AS (VALUES ${windowsValuesSql(s.windows)}),
		  pop AS (SELECT p.patient_id FROM patient_facts p WHERE p.in_outcome AND ${w.sql}),
		  mme_ranges AS (
		    SELECT label, target AS target_day, target - ? AS from_day, target AS to_day FROM win
		    UNION ALL SELECT NULL, NULL, ?, ?),
		  mme_pieces AS (
		    SELECT r.label, s.patient_id, s.mme, ${overlap} AS days, r.to_day - r.from_day + 1 AS range_days
		    FROM mme_ranges r
		    JOIN mme_segments s ON s.from_day <= r.to_day AND s.to_day >= r.from_day
		    JOIN mme_observed o ON o.patient_id = s.patient_id
		    JOIN pop ON pop.patient_id = s.patient_id
		    WHERE r.target_day IS NULL OR o.last_day >= r.target_day),
		  mme_patient AS (
		    SELECT label, patient_id,
		           sum(mme * days) / sum(days) FILTER (WHERE mme IS NOT NULL) AS mme,
		           coalesce(sum(days) FILTER (WHERE mme = 0), 0) = any_value(range_days) AS opioid_free
		    FROM mme_pieces GROUP BY label, patient_id),
		  it AS (
		    SELECT st.patient_id, w.label,
		           sum(${stepMorphineEqSql('st', 'CAST(? AS DOUBLE)')}) AS morphine_eq
		    FROM it_dose_steps st JOIN pop USING (patient_id)
		    JOIN win w ON w.target BETWEEN st.from_day AND st.to_day
		    WHERE st.drug IN ${MORPHINE_EQ_DRUGS_SQL}
		    GROUP BY st.patient_id, w.label)
		SELECT x.patient_id, win.label AS window, win.target AS target_day, x.due,
		       b.baseline AS baseline_pain, b.baseline_day, b.trial_shifted AS baseline_trial_shifted,
		       x.score AS followup_pain, x.day AS followup_day,
		       (x.score_tenths - b.baseline_tenths) / 10 AS change,
		       CASE WHEN x.score_tenths IS NOT NULL AND b.baseline_tenths >= ${MIN_BASELINE_TENTHS}
		            THEN 100 * (x.score_tenths - b.baseline_tenths) / b.baseline_tenths END AS pct_change,
		       coalesce(b.baseline_tenths >= ${MIN_BASELINE_TENTHS}, FALSE) AS responder_eligible,
		       ${responder('10 * (b.baseline_tenths - x.score_tenths) >= 3 * b.baseline_tenths')} AS responder_30,
		       ${responder('2 * (b.baseline_tenths - x.score_tenths) >= b.baseline_tenths')} AS responder_50,
		       ${responder('b.baseline_tenths - x.score_tenths >= 20')} AS responder_2pt,
		       mb.mme AS mme_baseline, mw.mme AS mme_window, mw.opioid_free,
		       it.morphine_eq AS it_morphine_eq
		FROM win
		JOIN pain_window x ON x.label = win.label AND x.measure = 'pain_avg'
		JOIN pop ON pop.patient_id = x.patient_id
		JOIN pain_baseline b ON b.patient_id = x.patient_id AND b.measure = 'pain_avg'
		LEFT JOIN mme_patient mb ON mb.patient_id = x.patient_id AND mb.label IS NULL
		LEFT JOIN mme_patient mw ON mw.patient_id = x.patient_id AND mw.label = win.label
		LEFT JOIN it ON it.patient_id = x.patient_id AND it.label = win.label
		ORDER BY x.patient_id, win.target`,
		params: [
			...w.params,
			MME_WINDOW_DAYS - 1,
			MME_BASELINE_DAYS.from,
			MME_BASELINE_DAYS.to,
			checkHydromorphoneFactor(s.hydromorphoneFactor)
		]
	};
}
