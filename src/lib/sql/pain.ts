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
 */
export function painByMonth(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'painByMonth',
		sql: `SELECT m.month, count(*)::INTEGER AS n, avg(m.pain) AS mean,
		        quantile_cont(m.pain, 0.5) AS median, quantile_cont(m.pain, 0.25) AS q1,
		        quantile_cont(m.pain, 0.75) AS q3
		      FROM pain_month m JOIN patient_facts p USING (pid)
		      WHERE p.in_outcome AND m.month BETWEEN ? AND ? AND ${w.sql}
		      GROUP BY m.month ORDER BY m.month`,
		params: [TRAJECTORY_MONTHS.from, TRAJECTORY_MONTHS.to, ...w.params]
	};
}

/** Patients in the outcome population with at least one score in the trajectory range. */
export function painPatients(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'painPatients',
		sql: `SELECT count(DISTINCT m.pid)::INTEGER AS n
		      FROM pain_month m JOIN patient_facts p USING (pid)
		      WHERE p.in_outcome AND m.month BETWEEN ? AND ? AND ${w.sql}`,
		params: [TRAJECTORY_MONTHS.from, TRAJECTORY_MONTHS.to, ...w.params]
	};
}
