import type { Database } from '$lib/db/types';
import { MME_BASELINE_DAYS, MME_WINDOW_DAYS, type MmeFactors, type Window } from '$lib/outcomes';
import { ensureMmeFactors } from './deriveMme';
import { filterClause, type Filters } from './filters';
import type { Query } from './query';

export interface MmeReductionPatient {
	patient_id: string;
	baseline: number;
	mme: number;
	/** (baseline - window) / baseline x 100: 100 is opioid-free, negative is an increase. */
	pct: number;
}

/**
 * Per patient, the reduction from baseline MME at one window: the values `mmeReduction`
 * summarises (n, median, IQR), for a distribution chart. Same definitions as `mme.ts`: a
 * patient's MME over a range is the mean of the known days of `mme_segments` in it (days covered
 * only by excluded prescriptions left out), baseline over [-180, -91], the window over
 * [target - 29, target] and only with follow-up through the target, baseline > 0 required.
 *
 * `mme.ts` keeps its per-patient CTE private, hence the repetition; the unit test holds this
 * builder to `mmeReduction`'s summary.
 */
export function mmeReductionByPatient(f: Filters, window: Window): Query {
	const w = filterClause(f);
	if (!Number.isInteger(window.target)) throw new Error(`bad window target ${window.target}`);
	return {
		name: 'mmeReductionByPatient',
		sql: `WITH ranges(is_window, target_day, from_day, to_day) AS (
		        VALUES (TRUE, ?::INTEGER, ?::INTEGER, ?::INTEGER), (FALSE, NULL, ?::INTEGER, ?::INTEGER)),
		      range_patient AS (
		        SELECT r.is_window, s.patient_id,
		               sum(s.mme * (least(s.to_day, r.to_day) - greatest(s.from_day, r.from_day) + 1))
		                 / sum(least(s.to_day, r.to_day) - greatest(s.from_day, r.from_day) + 1)
		                   FILTER (WHERE s.mme IS NOT NULL) AS mme
		        FROM ranges r
		        JOIN mme_segments s ON s.from_day <= r.to_day AND s.to_day >= r.from_day
		        JOIN mme_observed o ON o.patient_id = s.patient_id
		        JOIN patient_facts p ON p.patient_id = s.patient_id
		        WHERE p.in_outcome AND (r.target_day IS NULL OR o.last_day >= r.target_day) AND ${w.sql}
		        GROUP BY r.is_window, s.patient_id)
		      SELECT w.patient_id, b.mme AS baseline, w.mme, (b.mme - w.mme) / b.mme * 100 AS pct
		      FROM range_patient w JOIN range_patient b ON b.patient_id = w.patient_id AND NOT b.is_window
		      WHERE w.is_window AND b.mme > 0 AND w.mme IS NOT NULL
		      ORDER BY pct, w.patient_id`,
		params: [
			window.target,
			window.target - (MME_WINDOW_DAYS - 1),
			window.target,
			MME_BASELINE_DAYS.from,
			MME_BASELINE_DAYS.to,
			...w.params
		]
	};
}

/** Which factor table the MME tables hold now; null before the first build. */
export async function builtMmeFactors(db: Database): Promise<MmeFactors | null> {
	const [exists] = await db.query<{ n: number }>(
		`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'mme_factors'`
	);
	if (!exists?.n) return null;
	const [row] = await db.query<{ factors: MmeFactors }>('SELECT factors FROM mme_factors');
	return row?.factors ?? null;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Run `work` with the MME tables built for `factors`, one caller at a time. `ensureMmeFactors`
 * rebuilds with several statements; two views asking for different factors at once (a quick
 * toggle, two sections of one page) would otherwise interleave them and leave tables built with
 * mixed factors. `onRebuild` is called (asynchronously) only when a rebuild is about to start.
 */
export function withMmeFactors<T>(
	db: Database,
	factors: MmeFactors,
	work: () => Promise<T>,
	onRebuild?: (factors: MmeFactors) => void
): Promise<T> {
	const next = queue.then(async () => {
		if ((await builtMmeFactors(db)) !== factors) onRebuild?.(factors);
		await ensureMmeFactors(db, factors);
		return work();
	});
	// A failure belongs to its caller; the queue goes on.
	queue = next.catch(() => undefined);
	return next;
}
