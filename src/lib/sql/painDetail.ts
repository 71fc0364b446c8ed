import {
	DAYS_PER_MONTH,
	DEFAULT_WINDOW_SETTINGS,
	TRAJECTORY_MONTHS,
	windowsValuesSql,
	type WindowSettings
} from '$lib/outcomes';
import type { PainMeasure } from './derivePain';
import { filterClause, type Filters } from './filters';
import { MIN_BASELINE_TENTHS } from './painOutcomes';
import type { Query } from './query';

/**
 * The pain page's views beyond `painReport`: individual trajectories, paired scores at one
 * window, the patient list and the secondary measures (ODI, PGIC). Outcome population only, over
 * `pain_scores`, `pain_baseline` and `pain_window` (derivePain.ts).
 */

export interface PainLinePoint {
	patient_id: string;
	/** Mean day of the scores in this pixel column (days from implant). */
	day: number;
	/** Mean average pain of those scores. */
	pain: number;
	/** Scores merged into this point. */
	scores: number;
}

export interface PainLinesOptions {
	/** Columns the x range is divided into: the chart's plotting width in pixels. */
	buckets: number;
	/** At most this many patients, a fixed pseudo-random sample (hash of the id) beyond it. */
	maxPatients: number;
}

/**
 * Each patient's scores over the trajectory's months, reduced per pixel: scores that would land
 * in the same pixel column are averaged into one point, so a long series costs at most `buckets`
 * points however many visits it has. The sample beyond `maxPatients` is by a hash of the id, so it
 * is the same on every run and does not favour low ids (which may cluster by office or year).
 */
export function painLines(f: Filters, o: PainLinesOptions): Query {
	const w = filterClause(f);
	const from = Math.ceil(TRAJECTORY_MONTHS.from * DAYS_PER_MONTH);
	const to = Math.ceil((TRAJECTORY_MONTHS.to + 1) * DAYS_PER_MONTH) - 1;
	const perBucket = (to - from + 1) / o.buckets;
	return {
		name: 'painLines',
		sql: `WITH chosen AS (
		        SELECT p.patient_id FROM patient_facts p
		        WHERE p.in_outcome AND ${w.sql}
		          AND p.patient_id IN (SELECT patient_id FROM pain_scores WHERE day BETWEEN ? AND ?)
		        ORDER BY hash(p.patient_id), p.patient_id LIMIT ?)
		      SELECT patient_id, avg(day) AS day, avg(pain_avg) AS pain, count(*)::INTEGER AS scores
		      FROM (SELECT s.patient_id, s.day, s.pain_avg, floor((s.day - ?) / ?) AS bucket
		            FROM pain_scores s JOIN chosen USING (patient_id) WHERE s.day BETWEEN ? AND ?)
		      GROUP BY patient_id, bucket
		      ORDER BY patient_id, day`,
		params: [...w.params, from, to, o.maxPatients, from, perBucket, from, to]
	};
}

/** Patients the individual lines could show (before the sample cap). */
export function painLinePatients(f: Filters): Query {
	const w = filterClause(f);
	const from = Math.ceil(TRAJECTORY_MONTHS.from * DAYS_PER_MONTH);
	const to = Math.ceil((TRAJECTORY_MONTHS.to + 1) * DAYS_PER_MONTH) - 1;
	return {
		name: 'painLinePatients',
		sql: `SELECT count(*)::INTEGER AS n FROM patient_facts p
		      WHERE p.in_outcome AND ${w.sql}
		        AND p.patient_id IN (SELECT patient_id FROM pain_scores WHERE day BETWEEN ? AND ?)`,
		params: [...w.params, from, to]
	};
}

export interface PainPair {
	baseline: number;
	score: number;
	/** Patients with exactly this baseline and this window score. */
	n: number;
}

/**
 * Baseline and window score of every completer with a baseline at one window, counted per
 * distinct pair: the slope chart draws one line per pair, as thick as its count, so 200 patients
 * on a 0-10 scale do not hide each other. The counts add up to painWindowChange's `n_change`.
 */
export function painPairs(f: Filters, window: string, measure: PainMeasure = 'pain_avg'): Query {
	const w = filterClause(f);
	return {
		name: 'painPairs',
		sql: `SELECT b.baseline, x.score, count(*)::INTEGER AS n
		      FROM pain_window x JOIN patient_facts p USING (patient_id)
		      JOIN pain_baseline b USING (patient_id, measure)
		      WHERE x.measure = ? AND x.label = ? AND p.in_outcome AND ${w.sql}
		        AND x.score IS NOT NULL AND b.baseline IS NOT NULL
		      GROUP BY b.baseline, x.score ORDER BY b.baseline, x.score`,
		params: [measure, window, ...w.params]
	};
}

export interface PainPatientRow {
	patient_id: string;
	office: string;
	diagnosis: string;
	implant_year: number;
	baseline: number | null;
	/** Score at the chosen window (closest visit), null when none. */
	score: number | null;
	/** score - baseline. */
	change: number | null;
	/** Responder at >= 30% (baseline >= 4 only; null when not assessable). */
	responder30: boolean | null;
}

/** The filtered outcome population with baseline and chosen-window average pain, by id. */
export function painPatientList(f: Filters, window: string): Query {
	const w = filterClause(f);
	return {
		name: 'painPatientList',
		sql: `SELECT p.patient_id, p.office, p.diagnosis, p.implant_year, b.baseline, x.score,
		        (x.score_tenths - b.baseline_tenths) / 10 AS change,
		        CASE WHEN b.baseline_tenths >= ${MIN_BASELINE_TENTHS} AND x.score IS NOT NULL
		             THEN 10 * (b.baseline_tenths - x.score_tenths) >= 3 * b.baseline_tenths END AS responder30
		      FROM patient_facts p
		      JOIN pain_baseline b ON b.patient_id = p.patient_id AND b.measure = 'pain_avg'
		      LEFT JOIN pain_window x ON x.patient_id = p.patient_id AND x.measure = 'pain_avg' AND x.label = ?
		      WHERE p.in_outcome AND ${w.sql}
		      ORDER BY p.patient_id`,
		params: [window, ...w.params]
	};
}

export interface PainSecondaryRow {
	/** 'baseline' or a window label. */
	label: string;
	/** Null for the baseline. */
	target: number | null;
	odi_n: number;
	odi_mean: number | null;
	odi_sd: number | null;
	odi_median: number | null;
	odi_q1: number | null;
	odi_q3: number | null;
	pgic_n: number;
	pgic_median: number | null;
	/** PGIC 1 or 2: "very much" or "much improved". */
	pgic_improved: number;
}

/**
 * ODI and PGIC at baseline and at each window, read from the same visit as average pain (the
 * baseline row, each window's closest visit): outcomes.md section 2 takes them from the baseline
 * row, and the windows follow suit. Of several rows on that day, the later line wins, as
 * derivePain.ts decides ties. Outcome population; n counts visits that carry the measure.
 */
export function painSecondary(f: Filters, settings: WindowSettings = DEFAULT_WINDOW_SETTINGS): Query {
	const w = filterClause(f);
	const summary = (v: string, alias: string) =>
		`count(${v})::INTEGER AS ${alias}_n, avg(${v}) AS ${alias}_mean, stddev_samp(${v}) AS ${alias}_sd,
		 quantile_cont(${v}, 0.5) AS ${alias}_median, quantile_cont(${v}, 0.25) AS ${alias}_q1,
		 quantile_cont(${v}, 0.75) AS ${alias}_q3`;
	return {
		name: 'painSecondary',
		sql: `WITH people AS (SELECT patient_id FROM patient_facts p WHERE p.in_outcome AND ${w.sql}),
		      visits AS (
		        SELECT patient_id, day, arg_max(odi, _line) AS odi, arg_max(pgic, _line) AS pgic
		        FROM pain_scores WHERE patient_id IN (SELECT patient_id FROM people) GROUP BY patient_id, day),
		      picked AS (
		        SELECT 'baseline' AS label, NULL::INTEGER AS target, b.odi, b.pgic
		        FROM pain_baseline b JOIN people USING (patient_id)
		        WHERE b.measure = 'pain_avg' AND b.baseline IS NOT NULL
		        UNION ALL
		        SELECT win.label, win.target, v.odi, v.pgic
		        FROM (VALUES ${windowsValuesSql(settings)}) win(label, target, lo, hi)
		        LEFT JOIN (pain_window x JOIN people USING (patient_id)
		                   JOIN visits v ON v.patient_id = x.patient_id AND v.day = x.day)
		          ON x.label = win.label AND x.measure = 'pain_avg')
		      SELECT label, target, ${summary('odi', 'odi')},
		        count(pgic)::INTEGER AS pgic_n, quantile_cont(pgic, 0.5) AS pgic_median,
		        count(*) FILTER (WHERE pgic <= 2)::INTEGER AS pgic_improved
		      FROM picked GROUP BY label, target ORDER BY target NULLS FIRST`,
		params: w.params
	};
}
