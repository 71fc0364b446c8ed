import { TRAJECTORY_MONTHS } from '$lib/outcomes';
import { filterClause, onlyOfficesAndDiagnoses, type Filters } from './filters';
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
 * A filter change waits for this query. When only offices and diagnoses are filtered (the filter
 * bar's usual state) DuckDB sums `pain_month_cells`: how many patient-months had each mean, per
 * office, diagnosis and month (11k rows at a million scores against 600k patient-months, since
 * monthly means of 0-10 scores take few distinct values). It returns one row per month and value,
 * in order (600 rows there), and `quartilesOfCells` walks them: the k-th smallest value is the
 * first whose running count exceeds k, interpolated as DuckDB's `quantile_cont` does, so the
 * quartiles are the same numbers (tests/unit/pain-month.test.ts compares them exactly). A window
 * in SQL for the running counts cost more in duckdb-wasm than the whole scan it replaces.
 * Other filters need each patient's other columns: one `quantile_cont` with a list of fractions
 * over the filtered patient-months, which sorts each month's values once instead of three times.
 */
export function painByMonth(f: Filters): Query {
	const w = filterClause(f);
	const months = [TRAJECTORY_MONTHS.from, TRAJECTORY_MONTHS.to];
	if (onlyOfficesAndDiagnoses(f))
		return {
			name: 'painByMonth',
			sql: `SELECT month, pain, sum(n)::INTEGER AS n
			      FROM pain_month_cells p WHERE month BETWEEN ? AND ? AND ${w.sql}
			      GROUP BY month, pain ORDER BY month, pain NULLS LAST`,
			params: [...months, ...w.params],
			shape: (rows) => quartilesOfCells(rows as unknown as Cell[]) as unknown as Record<string, unknown>[]
		};
	return {
		name: 'painByMonth',
		sql: `SELECT month, n, mean, q[2] AS median, q[1] AS q1, q[3] AS q3
		      FROM (
		        SELECT month, count(*)::INTEGER AS n, avg(pain) AS mean,
		          quantile_cont(pain, [0.25, 0.5, 0.75]) AS q
		        FROM pain_month m JOIN patient_facts p USING (pid)
		        WHERE p.in_outcome AND month BETWEEN ? AND ? AND ${w.sql}
		        GROUP BY month
		      ) ORDER BY month`,
		params: [...months, ...w.params]
	};
}

/** How many patient-months of `month` had the mean `pain` (null: no score that month). */
export interface Cell {
	month: number;
	pain: number | null;
	n: number;
}

/**
 * Per month: the count of patient-months, their mean, median and quartiles, from cells sorted by
 * month, then value, nulls last. The same numbers as count(*), avg and quantile_cont over the
 * patient-months they count: quantile_cont takes h = (n - 1) q over the n values that are not
 * null and, for doubles, returns lo (1 - d) + hi d, with lo and hi the values at floor(h) and
 * ceil(h) and d = h - floor(h). The mean may differ from avg in the last bits (another order of
 * additions).
 */
export function quartilesOfCells(cells: readonly Cell[]): PainMonth[] {
	const out: PainMonth[] = [];
	for (let i = 0; i < cells.length;) {
		const month = cells[i]!.month;
		let end = i;
		let n = 0;
		let valid = 0;
		let sum = 0;
		for (; end < cells.length && cells[end]!.month === month; end++) {
			const c = cells[end]!;
			n += c.n;
			if (c.pain === null) continue;
			valid += c.n;
			sum += c.pain * c.n;
		}
		const kth = (k: number): number => {
			let upto = 0;
			for (let j = i; j < end; j++) {
				upto += cells[j]!.n;
				if (upto > k) return cells[j]!.pain!;
			}
			throw new Error(`month ${month}: no value ${k} among ${valid}`);
		};
		const quantile = (q: number): number => {
			const h = (valid - 1) * q;
			const lo = Math.floor(h);
			const hi = Math.ceil(h);
			const d = h - lo;
			return lo === hi ? kth(lo) : kth(lo) * (1 - d) + kth(hi) * d;
		};
		const none = valid === 0;
		out.push({
			month,
			n,
			mean: none ? (null as unknown as number) : sum / valid,
			median: none ? (null as unknown as number) : quantile(0.5),
			q1: none ? (null as unknown as number) : quantile(0.25),
			q3: none ? (null as unknown as number) : quantile(0.75)
		});
		i = end;
	}
	return out;
}

/**
 * Patients in the outcome population with at least one score in the trajectory range: those of
 * `pain_patients` (one row per patient of `pain_month`), so a filter change counts filtered
 * patients, not distinct ids among their patient-months. With only offices and diagnoses filtered
 * it sums their counts in `patient_cells`.
 */
export function painPatients(f: Filters): Query {
	const w = filterClause(f);
	if (onlyOfficesAndDiagnoses(f))
		return {
			name: 'painPatients',
			sql: `SELECT coalesce(sum(pain_patients), 0)::INTEGER AS n FROM patient_cells p WHERE ${w.sql}`,
			params: w.params
		};
	return {
		name: 'painPatients',
		sql: `SELECT count(*)::INTEGER AS n
		      FROM pain_patients t JOIN patient_facts p USING (pid)
		      WHERE p.in_outcome AND ${w.sql}`,
		params: w.params
	};
}
