import { DEFAULT_WINDOW_SETTINGS, windowsValuesSql, type WindowSettings } from '$lib/outcomes';
import { literal } from './literal';

/** The pain measures with outcomes (outcomes.md section 2); the `measure` column holds one of these. */
export const PAIN_MEASURES = ['pain_avg', 'pain_worst'] as const;
export type PainMeasure = (typeof PAIN_MEASURES)[number];

/** Baseline looks back this many days before implant (or before a long-ago trial). */
export const BASELINE_LOOKBACK_DAYS = 90;

/** Follow-up that ended for these reasons still makes a patient due (a failure, not censoring). */
export const FAILURE_END_REASONS = ['explant', 'death', 'lost'] as const;

const measuresValues = PAIN_MEASURES.map((m) => `(${literal(m)})`).join(', ');

/**
 * Per-patient pain tables for the outcome population (`patient_facts.in_outcome`), built after
 * `patient_facts`. Both are long in `measure` ('pain_avg' | 'pain_worst'), so one query builder
 * serves both measures with the measure bound as a parameter.
 *
 * `pain_baseline`: one row per patient and measure, also for patients without a baseline (the
 * values are then NULL, and they are counted as missing). The row is chosen on `pain_avg`
 * (outcomes.md section 2): the last score on a day d with range_lo <= d <= range_hi and
 * d < trial_day; the range is [-90, -1], or [trial_day - 90, trial_day - 1] with
 * `trial_shifted` when the trial was more than 90 days before implant. `baseline` is the
 * measure's value on that row (so a pain_worst baseline can be NULL when the row lacks it);
 * `worst`, `odi` and `pgic` come from the same row. Two scores on the same day: the later line
 * of the file wins, as for pump rows (outcomes.md section 4).
 *
 * `pain_window`: one row per patient, measure and window, due or not. The assessment is the one
 * closest to the target within [target - half, target + half), the earlier on a tie in distance
 * (then the later file line); `score` is the measure's value on that row, so pain_avg and
 * pain_worst always come from the same visit, as at baseline. `due` follows outcomes.md
 * section 1, and a patient with an assessment in the window is due too: a score at day d proves
 * observation up to d, which matters only when `followup_end_day` is missing or contradicts it.
 *
 * Both carry `pid`, patient_facts' integer key: the outcome queries join on it, not on the text id.
 *
 * `*_tenths` hold the scores as exact integers (the contract allows one decimal), so responder
 * rules and paired differences compare integers, never rounded doubles.
 */
export function derivePainSql(settings: WindowSettings = DEFAULT_WINDOW_SETTINGS): string[] {
	const failureReasons = FAILURE_END_REASONS.map((r) => literal(r)).join(', ');
	const lookback = BASELINE_LOOKBACK_DAYS;
	return [
		`CREATE OR REPLACE TABLE pain_baseline AS
		 WITH ranged AS (
		   -- "More than 90 days before implant": day -91 or earlier; no trial day, no shift.
		   SELECT patient_id, pid, trial_day, coalesce(trial_day < -${lookback}, FALSE) AS trial_shifted
		   FROM patient_facts WHERE in_outcome
		 ), bounded AS (
		   SELECT *,
		          CASE WHEN trial_shifted THEN trial_day - ${lookback} ELSE -${lookback} END AS range_lo,
		          CASE WHEN trial_shifted THEN trial_day - 1 ELSE -1 END AS range_hi
		   FROM ranged
		 ), candidates AS (
		   SELECT s.patient_id, s.day, s.pain_avg, s.pain_worst, s.odi, s.pgic,
		          row_number() OVER (PARTITION BY s.patient_id ORDER BY s.day DESC, s._line DESC) AS pick
		   FROM bounded b JOIN pain_scores s ON s.patient_id = b.patient_id
		   WHERE s.pain_avg IS NOT NULL AND s.day BETWEEN b.range_lo AND b.range_hi
		     AND (b.trial_day IS NULL OR s.day < b.trial_day)
		 )
		 SELECT b.patient_id, b.pid, m.measure,
		        CASE m.measure WHEN 'pain_avg' THEN c.pain_avg ELSE c.pain_worst END AS baseline,
		        round(10 * baseline)::INTEGER AS baseline_tenths,
		        c.day AS baseline_day, c.pain_worst AS worst, c.odi, c.pgic,
		        b.trial_shifted, b.range_lo, b.range_hi
		 FROM bounded b CROSS JOIN (VALUES ${measuresValues}) m(measure)
		 LEFT JOIN candidates c ON c.patient_id = b.patient_id AND c.pick = 1`,
		`CREATE OR REPLACE TABLE pain_window AS
		 WITH win(label, target, lo, hi) AS (VALUES ${windowsValuesSql(settings)}),
		 population AS (
		   SELECT patient_id, pid, followup_end_day, followup_end_reason FROM patient_facts WHERE in_outcome
		 ), chosen AS (
		   SELECT s.patient_id, w.label, s.day, s.pain_avg, s.pain_worst,
		          row_number() OVER (PARTITION BY s.patient_id, w.label
		                             ORDER BY abs(s.day - w.target), s.day, s._line DESC) AS pick
		   FROM population p JOIN pain_scores s ON s.patient_id = p.patient_id
		   JOIN win w ON s.day >= w.lo AND s.day < w.hi
		 )
		 SELECT p.patient_id, p.pid, m.measure, w.label, w.target,
		        coalesce(p.followup_end_day >= w.lo, FALSE)
		          OR coalesce(p.followup_end_reason IN (${failureReasons}), FALSE)
		          OR c.day IS NOT NULL AS due,
		        c.day,
		        CASE m.measure WHEN 'pain_avg' THEN c.pain_avg ELSE c.pain_worst END AS score,
		        round(10 * score)::INTEGER AS score_tenths
		 FROM population p CROSS JOIN win w CROSS JOIN (VALUES ${measuresValues}) m(measure)
		 LEFT JOIN chosen c ON c.patient_id = p.patient_id AND c.label = w.label AND c.pick = 1`
	];
}
