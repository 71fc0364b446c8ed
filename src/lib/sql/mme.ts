import type { Database } from '$lib/db/types';
import { kaplanMeier, kmPoint, type TimeCount } from '$lib/outcomes';
import {
	MME_AT_IMPLANT_DAYS,
	MME_BASELINE_DAYS,
	MME_WINDOW_DAYS,
	OPIOID_FREE_REPORT_DAYS,
	OPIOID_FREE_RUN_DAYS,
	type MmeFactors
} from '$lib/outcomes';
import { DEFAULT_WINDOW_SETTINGS, windowsValuesSql, type WindowSettings } from '$lib/outcomes';
import { ensureMmeFactors } from './deriveMme';
import { filterClause, type Filters } from './filters';
import type { Query } from './query';
import { run, runOne } from './run';

/**
 * Oral MME queries (outcomes.md section 3) over the tables deriveMmeSql builds. Each patient's
 * value is the mean of their daily MME over a day range; days covered only by excluded
 * prescriptions (null) are left out of that mean, days with no prescription count as 0.
 *
 * They read `mme_segments` (runs of constant MME) and weight each run by the days it shares with
 * the range, which is the mean over `mme_daily` without touching one row per patient-day.
 */

export interface MmeSummary {
	n: number;
	mean: number | null;
	median: number | null;
	q1: number | null;
	q3: number | null;
}

export interface MmeWindowRow extends MmeSummary {
	label: string;
	target_day: number;
	/** Patients observed through the target day: the opioid-free denominator. */
	free_n: number;
	/** Of those, patients with MME 0 on every day of [target - 29, target]. */
	free_k: number;
}

const SUMMARY = (v: string) =>
	`count(${v})::INTEGER AS n, avg(${v}) AS mean, quantile_cont(${v}, 0.5) AS median,
	 quantile_cont(${v}, 0.25) AS q1, quantile_cont(${v}, 0.75) AS q3`;

/** Day ranges as SQL rows (label, target_day, from_day, to_day), with their bound values. */
interface Ranges {
	sql: string;
	params: unknown[];
}

/** A fixed range such as the baseline; no target day, so follow-up need not reach it. */
const fixedRange = (r: { from: number; to: number }): Ranges => ({
	sql: `SELECT NULL::VARCHAR AS label, NULL::INTEGER AS target_day, ?::INTEGER AS from_day, ?::INTEGER AS to_day`,
	params: [r.from, r.to]
});

/** The follow-up windows: [target - 29, target]. */
const windowRanges = (s: WindowSettings): Ranges => ({
	sql: `SELECT label, target_day, target_day - ? AS from_day, target_day AS to_day
	      FROM (VALUES ${windowsValuesSql(s)}) w(label, target_day, lo, hi)`,
	params: [MME_WINDOW_DAYS - 1]
});

/**
 * CTEs `ranges` and `range_patient(label, patient_id, mme, opioid_free)`: each filtered
 * outcome-population patient's mean MME over each range, and whether every day of it was 0. A
 * range with a target day needs follow-up through that day (else no row: null, not 0).
 */
function rangePatientCtes(f: Filters, ranges: Ranges): { sql: string; params: unknown[] } {
	const w = filterClause(f);
	return {
		sql: `ranges AS (${ranges.sql}),
		      range_segments AS (
		        SELECT r.label, s.patient_id, s.mme, r.to_day - r.from_day + 1 AS range_days,
		               least(s.to_day, r.to_day) - greatest(s.from_day, r.from_day) + 1 AS days
		        FROM ranges r
		        JOIN mme_segments s ON s.from_day <= r.to_day AND s.to_day >= r.from_day
		        JOIN mme_observed o ON o.patient_id = s.patient_id
		        JOIN patient_facts p ON p.patient_id = s.patient_id
		        WHERE p.in_outcome AND (r.target_day IS NULL OR o.last_day >= r.target_day) AND ${w.sql}),
		      range_patient AS (
		        SELECT label, patient_id,
		               sum(mme * days) / sum(days) FILTER (WHERE mme IS NOT NULL) AS mme,
		               coalesce(sum(days) FILTER (WHERE mme = 0), 0) = any_value(range_days) AS opioid_free
		        FROM range_segments GROUP BY label, patient_id)`,
		params: [...ranges.params, ...w.params]
	};
}

function meanOverDays(name: string, f: Filters, range: { from: number; to: number }): Query {
	const ctes = rangePatientCtes(f, fixedRange(range));
	return { name, sql: `WITH ${ctes.sql} SELECT ${SUMMARY('mme')} FROM range_patient`, params: ctes.params };
}

/** Baseline oral MME: mean over days [-180, -91]. */
export const mmeBaseline = (f: Filters): Query => meanOverDays('mmeBaseline', f, MME_BASELINE_DAYS);

/** MME at implant: mean over days [-30, -1]. */
export const mmeAtImplant = (f: Filters): Query => meanOverDays('mmeAtImplant', f, MME_AT_IMPLANT_DAYS);

/** MME at each follow-up window, and how many patients were opioid-free through it. */
export function mmeWindows(f: Filters, s: WindowSettings = DEFAULT_WINDOW_SETTINGS): Query {
	const ctes = rangePatientCtes(f, windowRanges(s));
	return {
		name: 'mmeWindows',
		sql: `WITH ${ctes.sql}
		      SELECT r.label, r.target_day, ${SUMMARY('rp.mme')},
		             count(rp.patient_id)::INTEGER AS free_n,
		             count(*) FILTER (WHERE rp.opioid_free)::INTEGER AS free_k
		      FROM ranges r LEFT JOIN range_patient rp USING (label)
		      GROUP BY r.label, r.target_day ORDER BY r.target_day`,
		params: ctes.params
	};
}

/** Reduction from baseline, (baseline - window) / baseline x 100, for patients with baseline > 0. */
export function mmeReduction(f: Filters, s: WindowSettings = DEFAULT_WINDOW_SETTINGS): Query {
	const windows = windowRanges(s);
	const baseline = fixedRange(MME_BASELINE_DAYS);
	// The baseline is the one range without a label.
	const ctes = rangePatientCtes(f, {
		sql: `${windows.sql} UNION ALL ${baseline.sql}`,
		params: [...windows.params, ...baseline.params]
	});
	return {
		name: 'mmeReduction',
		sql: `WITH ${ctes.sql},
		      reduction AS (
		        SELECT w.label, (b.mme - w.mme) / b.mme * 100 AS pct
		        FROM range_patient w JOIN range_patient b ON b.patient_id = w.patient_id AND b.label IS NULL
		        WHERE w.label IS NOT NULL AND b.mme > 0 AND w.mme IS NOT NULL)
		      SELECT r.label, r.target_day, ${SUMMARY('d.pct')}
		      FROM ranges r LEFT JOIN reduction d USING (label)
		      WHERE r.label IS NOT NULL
		      GROUP BY r.label, r.target_day ORDER BY r.target_day`,
		params: ctes.params
	};
}

/** Prescriptions left out of MME, by reason; only reasons that occur are listed. */
export function mmeExcludedPrescriptions(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'mmeExcludedPrescriptions',
		sql: `SELECT r.excluded_reason AS reason, count(*)::INTEGER AS n
		      FROM mme_prescriptions r JOIN patient_facts p USING (patient_id)
		      WHERE p.in_outcome AND r.excluded_reason IS NOT NULL AND ${w.sql}
		      GROUP BY r.excluded_reason ORDER BY n DESC, reason`,
		params: w.params
	};
}

/**
 * Time to opioid-free, one row per patient taking oral opioids in the month before implant
 * (MME > 0 on some day of [-30, -1]). Event: the first day >= 0 starting a run of at least 90
 * opioid-free days within follow-up. Otherwise censored at follow-up end, or at the first day of a
 * run still open at follow-up end and shorter than 90 days. Runs are gaps-and-islands over
 * `mme_segments` (a handful of rows per patient), clipped at day 0; a null day breaks a run.
 */
export function opioidFreeTimes(f: Filters): Query {
	const w = filterClause(f);
	const qualifies = `r.run_to - r.run_from + 1 >= ?`;
	return {
		name: 'opioidFreeTimes',
		sql: `WITH population AS (
		        SELECT o.patient_id, o.last_day
		        FROM mme_observed o JOIN patient_facts p USING (patient_id)
		        WHERE p.in_outcome AND ${w.sql} AND o.patient_id IN (
		          SELECT patient_id FROM mme_segments WHERE mme > 0 AND from_day <= ? AND to_day >= ?)),
		      after_implant AS (
		        SELECT s.patient_id, greatest(s.from_day, 0) AS from_day, s.to_day, coalesce(s.mme = 0, FALSE) AS free
		        FROM mme_segments s JOIN population USING (patient_id) WHERE s.to_day >= 0),
		      flips AS (
		        SELECT *, (free IS DISTINCT FROM lag(free) OVER (PARTITION BY patient_id ORDER BY from_day))::INTEGER AS flip
		        FROM after_implant),
		      islands AS (
		        SELECT *, sum(flip) OVER (PARTITION BY patient_id ORDER BY from_day ROWS UNBOUNDED PRECEDING) AS island
		        FROM flips),
		      runs AS (
		        SELECT patient_id, min(from_day) AS run_from, max(to_day) AS run_to
		        FROM islands WHERE free GROUP BY patient_id, island)
		      SELECT pop.patient_id,
		             coalesce(min(r.run_from) FILTER (WHERE ${qualifies}),
		                      max(r.run_from) FILTER (WHERE r.run_to = pop.last_day),
		                      pop.last_day)::INTEGER AS time,
		             (min(r.run_from) FILTER (WHERE ${qualifies})) IS NOT NULL AS event
		      FROM population pop LEFT JOIN runs r USING (patient_id)
		      GROUP BY pop.patient_id, pop.last_day ORDER BY pop.patient_id`,
		params: [
			...w.params,
			MME_AT_IMPLANT_DAYS.to,
			MME_AT_IMPLANT_DAYS.from,
			OPIOID_FREE_RUN_DAYS,
			OPIOID_FREE_RUN_DAYS
		]
	};
}

/** The same, grouped by time: what the Kaplan-Meier curve needs, one row per distinct day. */
export function opioidFreeCounts(f: Filters): Query {
	const times = opioidFreeTimes(f);
	return {
		name: 'opioidFreeCounts',
		sql: `SELECT time, count(*) FILTER (WHERE event)::INTEGER AS events,
		             count(*) FILTER (WHERE NOT event)::INTEGER AS censored
		      FROM (${times.sql}) GROUP BY time ORDER BY time`,
		params: times.params
	};
}

export interface OralMmeReport {
	factors: MmeFactors;
	baseline: MmeSummary;
	at_implant: MmeSummary;
	windows: (MmeSummary & {
		label: string;
		target_day: number;
		opioid_free: { n: number; k: number; rate: number | null };
	})[];
	opioid_free: {
		n: number;
		points: { day: number; cum_free: number | null; lo: number | null; hi: number | null; at_risk: number }[];
		median_day: number | null;
	};
	excluded_prescriptions: { reason: string; n: number }[];
}

/**
 * report.md's `oral_mme`. Rebuilds the MME tables first when they hold other factors. The
 * curve's points are the fixed report days plus every event time; 1 - S and its interval are
 * null beyond the last observed time.
 */
export async function mmeReport(
	db: Database,
	f: Filters,
	factors: MmeFactors = 'cdc2022',
	s: WindowSettings = DEFAULT_WINDOW_SETTINGS
): Promise<OralMmeReport> {
	await ensureMmeFactors(db, factors);
	const windows = await run<MmeWindowRow>(db, mmeWindows(f, s));
	const km = kaplanMeier(await run<TimeCount>(db, opioidFreeCounts(f)));
	const eventDays = km.steps.filter((step) => step.events > 0).map((step) => step.time);
	const days = [...new Set([...OPIOID_FREE_REPORT_DAYS, ...eventDays])].sort((a, b) => a - b);
	const complement = (x: number | null) => (x === null ? null : 1 - x);
	return {
		factors,
		baseline: await runOne<MmeSummary>(db, mmeBaseline(f)),
		at_implant: await runOne<MmeSummary>(db, mmeAtImplant(f)),
		windows: windows.map(({ free_n, free_k, ...summary }) => ({
			...summary,
			opioid_free: { n: free_n, k: free_k, rate: free_n > 0 ? free_k / free_n : null }
		})),
		opioid_free: {
			n: km.n,
			points: days.map((day) => {
				const p = kmPoint(km, day);
				// The interval for 1 - S is the interval for S turned over.
				return {
					day,
					cum_free: complement(p.survival),
					lo: complement(p.upper),
					hi: complement(p.lower),
					at_risk: p.atRisk
				};
			}),
			median_day: km.median
		},
		excluded_prescriptions: await run<{ reason: string; n: number }>(db, mmeExcludedPrescriptions(f))
	};
}
