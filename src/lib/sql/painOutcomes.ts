import { DEFAULT_WINDOW_SETTINGS, windowsValuesSql, type WindowSettings } from '$lib/outcomes';
import {
	meanConfidenceInterval,
	wilcoxonSignedRank,
	wilsonInterval,
	type Interval,
	type WilcoxonResult
} from '$lib/outcomes';
import type { Database } from '$lib/db/types';
import type { PainMeasure } from './derivePain';
import { filterClause, onlyOfficesAndDiagnoses, type Filters } from './filters';
import type { Query } from './query';
import { run, runOne } from './run';

/**
 * Pain outcomes (outcomes.md section 2) over `pain_baseline` and `pain_window` (derivePain.ts).
 * Each builder returns plain rows, one per configured window in target order (windows nobody
 * reached come back with n = 0); `painReport` assembles them into report.md's `pain.<measure>`.
 */

/** Percent metrics and responders leave out baselines below this (and missing ones). */
export const MIN_BASELINE_TENTHS = 40;

/**
 * IMMPACT responder rules on integer tenths (b = baseline, f = follow-up): the exact forms of
 * outcomes.md section 2, so that 7.0 -> 4.9 is a 30% responder, which (7 - 4.9) / 7 >= 0.3 in
 * doubles denies.
 */
const RESPONDER_RULES = {
	responders30: '10 * (x.baseline_tenths - x.score_tenths) >= 3 * x.baseline_tenths',
	responders50: '2 * (x.baseline_tenths - x.score_tenths) >= x.baseline_tenths',
	responders2pt: 'x.baseline_tenths - x.score_tenths >= 20'
} as const;
export type ResponderRule = keyof typeof RESPONDER_RULES;

interface WindowKey {
	label: string;
	target: number;
}

/**
 * One row per patient and window, for the measure, in the filtered outcome population, left-joined
 * to the configured windows so every window yields a group. Parameters: measure, then filters.
 */
function windowsJoined(f: Filters, settings: WindowSettings, measure: PainMeasure) {
	const w = filterClause(f);
	return {
		sql: `FROM (VALUES ${windowsValuesSql(settings)}) win(label, target, lo, hi)
		      LEFT JOIN (
		        SELECT w.label, w.due, w.score, w.score_tenths, b.baseline, b.baseline_tenths,
		               coalesce(b.baseline_tenths >= ${MIN_BASELINE_TENTHS}, FALSE) AS eligible
		        FROM pain_window w JOIN patient_facts p USING (pid)
		        JOIN pain_baseline b USING (pid, measure)
		        WHERE w.measure = ? AND p.in_outcome AND ${w.sql}
		      ) x ON x.label = win.label
		      GROUP BY win.label, win.target ORDER BY win.target`,
		params: [measure, ...w.params]
	};
}

export interface PainBaselineRow {
	n: number;
	mean: number | null;
	sd: number | null;
	median: number | null;
	q1: number | null;
	q3: number | null;
	/** Outcome-population patients without a baseline for the measure. */
	missing: number;
	/** Patients whose baseline range moved before a trial more than 90 days before implant. */
	trial_shifted: number;
}

/** Baseline distribution of the measure over the filtered outcome population. */
export function painBaselineSummary(f: Filters, measure: PainMeasure = 'pain_avg'): Query {
	const w = filterClause(f);
	return {
		name: 'painBaselineSummary',
		sql: `SELECT count(b.baseline)::INTEGER AS n, avg(b.baseline) AS mean, stddev_samp(b.baseline) AS sd,
		        quantile_cont(b.baseline, 0.5) AS median, quantile_cont(b.baseline, 0.25) AS q1,
		        quantile_cont(b.baseline, 0.75) AS q3,
		        count(*) FILTER (WHERE b.baseline IS NULL)::INTEGER AS missing,
		        count(*) FILTER (WHERE b.trial_shifted)::INTEGER AS trial_shifted
		      FROM pain_baseline b JOIN patient_facts p USING (pid)
		      WHERE b.measure = ? AND p.in_outcome AND ${w.sql}`,
		params: [measure, ...w.params]
	};
}

export interface PainWindowScoresRow extends WindowKey {
	/** Patients due at the window (the all-implanted population, before baseline exclusions). */
	due: number;
	/** Completers: patients with a score in the window. */
	n: number;
	mean: number | null;
	sd: number | null;
	median: number | null;
	q1: number | null;
	q3: number | null;
}

/** Distribution of the window scores over completers, with the number due. */
export function painWindowScores(
	f: Filters,
	settings: WindowSettings = DEFAULT_WINDOW_SETTINGS,
	measure: PainMeasure = 'pain_avg'
): Query {
	const from = windowsJoined(f, settings, measure);
	return {
		name: 'painWindowScores',
		sql: `SELECT win.label, win.target, count(*) FILTER (WHERE x.due)::INTEGER AS due,
		        count(x.score)::INTEGER AS n, avg(x.score) AS mean, stddev_samp(x.score) AS sd,
		        quantile_cont(x.score, 0.5) AS median, quantile_cont(x.score, 0.25) AS q1,
		        quantile_cont(x.score, 0.75) AS q3
		      ${from.sql}`,
		params: from.params
	};
}

export interface PainWindowChangeRow extends WindowKey {
	/** Completers with a baseline: the mean change's n. */
	n_change: number;
	mean_change: number | null;
	/** Completers with a baseline >= 4: the percent metrics' n. */
	n_pct: number;
	mean_pct_change: number | null;
	pct_change_of_means: number | null;
	/** Completers left out of the percent metrics: baseline missing or below 4. */
	excluded_low_baseline: number;
}

/**
 * Change from baseline over completers. `mean_pct_change` averages individual % changes;
 * `pct_change_of_means` is the % change of the two group means, over the same patients. Both
 * divide integer tenths, so they are free of decimal representation error.
 */
export function painWindowChange(
	f: Filters,
	settings: WindowSettings = DEFAULT_WINDOW_SETTINGS,
	measure: PainMeasure = 'pain_avg'
): Query {
	const from = windowsJoined(f, settings, measure);
	const paired = 'x.score IS NOT NULL AND x.baseline IS NOT NULL';
	const pct = 'x.score IS NOT NULL AND x.eligible';
	return {
		name: 'painWindowChange',
		sql: `SELECT win.label, win.target,
		        count(*) FILTER (WHERE ${paired})::INTEGER AS n_change,
		        avg(x.score_tenths - x.baseline_tenths) FILTER (WHERE ${paired}) / 10 AS mean_change,
		        count(*) FILTER (WHERE ${pct})::INTEGER AS n_pct,
		        avg(100 * (x.score_tenths - x.baseline_tenths) / x.baseline_tenths) FILTER (WHERE ${pct})
		          AS mean_pct_change,
		        100 * sum(x.score_tenths - x.baseline_tenths) FILTER (WHERE ${pct})
		          / sum(x.baseline_tenths) FILTER (WHERE ${pct}) AS pct_change_of_means,
		        count(*) FILTER (WHERE x.score IS NOT NULL AND NOT x.eligible)::INTEGER AS excluded_low_baseline
		      ${from.sql}`,
		params: from.params
	};
}

/** Responder counts per rule and denominator, as flat columns `<rule>_<denominator>`. */
type ResponderCounts = Record<`${ResponderRule}_${'completers' | 'all_implanted'}`, number>;

export type PainWindowRespondersRow = WindowKey &
	ResponderCounts & {
		/** Completers with a baseline >= 4. */
		completers_n: number;
		/** Due patients with a baseline >= 4; a missing score counts as non-response. */
		all_implanted_n: number;
		excluded_completers: number;
		excluded_all_implanted: number;
	};

/**
 * `pain_window_cells`: the outcome population's patient-windows (per measure) counted per office,
 * diagnosis, window and each flag the responder counts read. Built once after load (derive.ts),
 * after pain_window and pain_baseline; painWindowResponders sums these counts when only offices
 * and diagnoses are filtered (a few thousand rows instead of every patient's windows).
 */
export function painWindowCellsSql(): string {
	const rules = Object.entries(RESPONDER_RULES)
		.map(([name, rule]) => `coalesce(${rule}, FALSE) AS ${name}`)
		.join(', ');
	return `CREATE OR REPLACE TABLE pain_window_cells AS
	 SELECT office, diagnosis, measure, label, due, completer, eligible, ${Object.keys(RESPONDER_RULES).join(', ')},
	        count(*)::INTEGER AS k
	 FROM (
	   SELECT p.office, p.diagnosis, x.measure, x.label, x.due, x.score IS NOT NULL AS completer,
	          coalesce(x.baseline_tenths >= ${MIN_BASELINE_TENTHS}, FALSE) AS eligible, ${rules}
	   FROM (
	     SELECT w.pid, w.measure, w.label, w.due, w.score, w.score_tenths, b.baseline_tenths
	     FROM pain_window w JOIN pain_baseline b USING (pid, measure)
	   ) x JOIN patient_facts p USING (pid)
	   WHERE p.in_outcome
	 )
	 GROUP BY ALL`;
}

/**
 * Responder counts (IMMPACT 30%, 50%, 2 points) under both denominators. With only office and
 * diagnosis filters the counts are sums over `pain_window_cells`; otherwise each patient's
 * window is read (windowsJoined). Both give the same integers (tests/unit/pain-window-cells.test.ts).
 */
export function painWindowResponders(
	f: Filters,
	settings: WindowSettings = DEFAULT_WINDOW_SETTINGS,
	measure: PainMeasure = 'pain_avg'
): Query {
	// A completer is always due (derivePain.ts), so all_implanted k counts the same responders
	// as completers k, over the larger denominator.
	const columns = (count: (where: string) => string, completer: string, rule: (name: string) => string) => {
		const responded = (name: string) => `x.eligible AND ${completer} AND ${rule(name)}`;
		return [
			`${count(`${completer} AND x.eligible`)} AS completers_n`,
			`${count('x.due AND x.eligible')} AS all_implanted_n`,
			`${count(`${completer} AND NOT x.eligible`)} AS excluded_completers`,
			`${count('x.due AND NOT x.eligible')} AS excluded_all_implanted`,
			...Object.keys(RESPONDER_RULES).flatMap((name) => [
				`${count(responded(name))} AS ${name}_completers`,
				`${count(`x.due AND ${responded(name)}`)} AS ${name}_all_implanted`
			])
		].join(',\n');
	};
	if (onlyOfficesAndDiagnoses(f)) {
		const w = filterClause(f);
		const sum = (where: string) => `coalesce(sum(x.k) FILTER (WHERE ${where}), 0)::INTEGER`;
		return {
			name: 'painWindowResponders',
			sql: `SELECT win.label, win.target,
			        ${columns(sum, 'x.completer', (name) => `x.${name}`)}
			      FROM (VALUES ${windowsValuesSql(settings)}) win(label, target, lo, hi)
			      LEFT JOIN (SELECT * FROM pain_window_cells p WHERE p.measure = ? AND ${w.sql}) x
			        ON x.label = win.label
			      GROUP BY win.label, win.target ORDER BY win.target`,
			params: [measure, ...w.params]
		};
	}
	const from = windowsJoined(f, settings, measure);
	const count = (where: string) => `count(*) FILTER (WHERE ${where})::INTEGER`;
	return {
		name: 'painWindowResponders',
		sql: `SELECT win.label, win.target,
		        ${columns(count, 'x.score IS NOT NULL', (name) => RESPONDER_RULES[name as ResponderRule])}
		      ${from.sql}`,
		params: from.params
	};
}

export interface PainDifferenceRow {
	label: string;
	/** Follow-up - baseline in tenths of a point: integers, so ties are exact. */
	diff_tenths: number;
}

/** Paired differences of completers with a baseline, for the Wilcoxon signed-rank test. */
export function painPairedDifferences(
	f: Filters,
	settings: WindowSettings = DEFAULT_WINDOW_SETTINGS,
	measure: PainMeasure = 'pain_avg'
): Query {
	const w = filterClause(f);
	return {
		name: 'painPairedDifferences',
		sql: `SELECT win.label, x.score_tenths - b.baseline_tenths AS diff_tenths
		      FROM (VALUES ${windowsValuesSql(settings)}) win(label, target, lo, hi)
		      JOIN pain_window x ON x.label = win.label
		      JOIN patient_facts p USING (pid)
		      JOIN pain_baseline b USING (pid, measure)
		      WHERE x.measure = ? AND p.in_outcome AND ${w.sql}
		        AND x.score IS NOT NULL AND b.baseline IS NOT NULL
		      ORDER BY win.target, x.patient_id`,
		params: [measure, ...w.params]
	};
}

// ---------------------------------------------------------------------------------------------
// Assembly into report.md's `pain.<measure>`

export interface Proportion {
	n: number;
	k: number;
	rate: number | null;
	ci: Interval | null;
	/** Left out of this denominator for a missing baseline or one below 4. */
	excluded: number;
}

export interface ResponderReport {
	completers: Proportion;
	all_implanted: Proportion;
}

export interface PainBaselineReport extends PainBaselineRow {
	mean_ci: Interval | null;
}

export interface PainWindowReport {
	label: string;
	target_day: number;
	n: number;
	mean: number | null;
	sd: number | null;
	median: number | null;
	q1: number | null;
	q3: number | null;
	mean_ci: Interval | null;
	due: number;
	n_change: number;
	mean_change: number | null;
	n_pct: number;
	mean_pct_change: number | null;
	pct_change_of_means: number | null;
	excluded_low_baseline: number;
	responders30: ResponderReport;
	responders50: ResponderReport;
	responders2pt: ResponderReport;
	wilcoxon: WilcoxonResult;
}

export interface PainMeasureReport {
	baseline: PainBaselineReport;
	windows: PainWindowReport[];
}

function proportion(k: number, n: number, excluded: number): Proportion {
	return { n, k, rate: n === 0 ? null : k / n, ci: wilsonInterval(k, n), excluded };
}

function responderReport(r: PainWindowRespondersRow, rule: ResponderRule): ResponderReport {
	return {
		completers: proportion(r[`${rule}_completers`], r.completers_n, r.excluded_completers),
		all_implanted: proportion(r[`${rule}_all_implanted`], r.all_implanted_n, r.excluded_all_implanted)
	};
}

/**
 * Everything report.md lists under `pain.<measure>` (plus a few labelled extras: mean CIs, the
 * number due, the n behind each change metric, 2-point responders, the count each denominator
 * left out). Pass the window settings the derived tables were built with.
 */
export async function painReport(
	db: Database,
	filters: Filters,
	settings: WindowSettings = DEFAULT_WINDOW_SETTINGS,
	measure: PainMeasure = 'pain_avg'
): Promise<PainMeasureReport> {
	const [baseline, scores, change, responders, differences] = await Promise.all([
		runOne<PainBaselineRow>(db, painBaselineSummary(filters, measure)),
		run<PainWindowScoresRow>(db, painWindowScores(filters, settings, measure)),
		run<PainWindowChangeRow>(db, painWindowChange(filters, settings, measure)),
		run<PainWindowRespondersRow>(db, painWindowResponders(filters, settings, measure)),
		run<PainDifferenceRow>(db, painPairedDifferences(filters, settings, measure))
	]);
	const windows = scores.map((s, i): PainWindowReport => {
		const c = change[i]!;
		const r = responders[i]!;
		const diffs = differences.filter((d) => d.label === s.label).map((d) => d.diff_tenths);
		return {
			label: s.label,
			target_day: s.target,
			n: s.n,
			mean: s.mean,
			sd: s.sd,
			median: s.median,
			q1: s.q1,
			q3: s.q3,
			mean_ci: meanConfidenceInterval(s.mean, s.sd, s.n),
			due: s.due,
			n_change: c.n_change,
			mean_change: c.mean_change,
			n_pct: c.n_pct,
			mean_pct_change: c.mean_pct_change,
			pct_change_of_means: c.pct_change_of_means,
			excluded_low_baseline: c.excluded_low_baseline,
			responders30: responderReport(r, 'responders30'),
			responders50: responderReport(r, 'responders50'),
			responders2pt: responderReport(r, 'responders2pt'),
			wilcoxon: wilcoxonSignedRank(diffs)
		};
	});
	return {
		baseline: { ...baseline, mean_ci: meanConfidenceInterval(baseline.mean, baseline.sd, baseline.n) },
		windows
	};
}
