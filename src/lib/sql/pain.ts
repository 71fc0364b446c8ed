import { TRAJECTORY_MONTHS } from '$lib/outcomes';
import { filterClause, type Filters } from './filters';
import type { Query } from './query';

export interface PainMonth {
	month: number;
	n: number;
	mean: number;
	median: number;
	q1: number;
	q3: number;
}

/**
 * Average pain by month from implant over the outcome population. Each patient counts once per
 * month (the mean of their scores that month), so frequent visitors do not dominate.
 *
 * A filter change waits for this query: at a million scores it reads 600k patient-months. The
 * three quartiles come from one `quantile_cont` with a list of fractions, which gathers and sorts
 * each month's values once instead of three times (the same values as three separate calls:
 * tests/unit/pain-month.test.ts). Merging per-cell counts instead was tried and measured slower in
 * duckdb-wasm: its window and filtered aggregates cost more than this scan saves.
 */
export function painByMonth(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'painByMonth',
		sql: `SELECT month, n, mean, q[2] AS median, q[1] AS q1, q[3] AS q3
		      FROM (
		        SELECT m.month, count(*)::INTEGER AS n, avg(m.pain) AS mean,
		          quantile_cont(m.pain, [0.25, 0.5, 0.75]) AS q
		        FROM pain_month m JOIN patient_facts p USING (pid)
		        WHERE p.in_outcome AND m.month BETWEEN ? AND ? AND ${w.sql}
		        GROUP BY m.month
		      ) ORDER BY month`,
		params: [TRAJECTORY_MONTHS.from, TRAJECTORY_MONTHS.to, ...w.params]
	};
}

/**
 * Patients in the outcome population with at least one score in the trajectory range: those of
 * `pain_patients` (one row per patient of `pain_month`), so a filter change counts filtered
 * patients, not distinct ids among their patient-months.
 */
export function painPatients(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'painPatients',
		sql: `SELECT count(*)::INTEGER AS n
		      FROM pain_patients t JOIN patient_facts p USING (pid)
		      WHERE p.in_outcome AND ${w.sql}`,
		params: w.params
	};
}
