import { DAYS_PER_MONTH, TRAJECTORY_MONTHS } from '$lib/outcomes';
import { checkHydromorphoneFactor, TOTAL_OPIOID_LOAD_RATIOS, type TotalOpioidLoadRatio } from '$lib/outcomes';
import { MORPHINE_EQ_DRUGS_SQL, stepMorphineEqSql } from './deriveItDose';
import { filterClause, type Filters } from './filters';
import type { Query } from './query';

export interface OpioidLoadSettings {
	hydromorphoneFactor: number;
	/** Oral : IT ratio, the assumption the series rests on (300 or 100). */
	loadRatio: TotalOpioidLoadRatio;
}

export interface OpioidLoadMonth {
	month: number;
	/** Patients with at least one day of known total load in the month. */
	n: number;
	median: number;
	q1: number;
	q3: number;
}

/** The ratio, or an error naming the allowed ones: the assumption must be one the UI offers. */
export function checkLoadRatio(ratio: number): TotalOpioidLoadRatio {
	if (!(TOTAL_OPIOID_LOAD_RATIOS as readonly number[]).includes(ratio))
		throw new Error(
			`total opioid load ratio must be one of ${TOTAL_OPIOID_LOAD_RATIOS.join(', ')}, got ${ratio}`
		);
	return ratio as TotalOpioidLoadRatio;
}

/**
 * "Total opioid load" by month from implant (outcomes.md section 4): on each day,
 * oral MME + IT morphine-equivalent x ratio, for the filtered outcome population. An assumption
 * (observed oral:IT ratios range from 10:1 to 300:1), so it is its own series, never mixed into
 * oral MME or IT dose.
 *
 * A day counts when the IT morphine-equivalent is defined (morphine or hydromorphone in effect,
 * which also bounds it by explant and follow-up end). Its oral part is the day's MME from
 * `mme_segments` under the factors the MME tables were built with, 0 on a day no prescription
 * covers (as for the MME windows, days without any prescription count as 0), and unknown on a
 * day covered only by excluded prescriptions: such a day is left out, never counted as 0.
 * Each patient counts once per month with the time-weighted mean of the days that count, as
 * `itDoseByMonth` does; months are 0 to 36 (no IT dose before implant).
 *
 * The IT morphine-equivalent steps repeat `itDose.ts`'s (private) `doseSeries` arithmetic:
 * morphine x 1 + hydromorphone x factor, summed on pieces where both are constant. The time
 * axis is cut at every IT step, oral segment and month boundary, so each piece has one IT dose,
 * one oral value and one month.
 */
export function opioidLoadByMonth(f: Filters, s: OpioidLoadSettings): Query {
	const w = filterClause(f);
	const lastMonth = TRAJECTORY_MONTHS.to;
	return {
		name: 'opioidLoadByMonth',
		sql: `WITH opioid AS (
		    SELECT s.patient_id, s.from_day, s.to_day,
		           ${stepMorphineEqSql('s', 'CAST(? AS DOUBLE)')} AS mg
		    FROM it_dose_steps s JOIN patient_facts p USING (patient_id)
		    WHERE p.in_outcome AND s.drug IN ${MORPHINE_EQ_DRUGS_SQL} AND ${w.sql}),
		  months AS (
		    SELECT m AS month, ceil(m * ${DAYS_PER_MONTH})::INTEGER AS first_day,
		           ceil((m + 1) * ${DAYS_PER_MONTH})::INTEGER - 1 AS last_day
		    FROM range(0, ${lastMonth + 1}) t(m)),
		  population AS (SELECT DISTINCT patient_id FROM opioid),
		  oral AS (SELECT s.* FROM mme_segments s JOIN population USING (patient_id)),
		  cuts AS (
		    SELECT patient_id, from_day AS day FROM opioid
		    UNION SELECT patient_id, to_day + 1 FROM opioid
		    UNION SELECT patient_id, from_day FROM oral
		    UNION SELECT patient_id, to_day + 1 FROM oral
		    UNION SELECT patient_id, first_day FROM population CROSS JOIN months
		    UNION SELECT patient_id, last_day + 1 FROM population CROSS JOIN months),
		  pieces AS (
		    SELECT patient_id, day AS from_day, lead(day) OVER (PARTITION BY patient_id ORDER BY day) - 1 AS to_day
		    FROM cuts),
		  it AS (
		    SELECT g.patient_id, g.from_day, g.to_day, sum(o.mg) AS morphine_eq
		    FROM pieces g JOIN opioid o
		      ON o.patient_id = g.patient_id AND o.from_day <= g.from_day AND g.to_day <= o.to_day
		    GROUP BY g.patient_id, g.from_day, g.to_day),
		  daily_load AS (
		    SELECT i.patient_id, i.from_day, i.to_day - i.from_day + 1 AS days,
		           coalesce(s.mme, 0) + i.morphine_eq * CAST(? AS DOUBLE) AS load,
		           s.patient_id IS NOT NULL AND s.mme IS NULL AS oral_unknown
		    FROM it i LEFT JOIN oral s
		      ON s.patient_id = i.patient_id AND s.from_day <= i.from_day AND i.to_day <= s.to_day),
		  patient_month AS (
		    SELECT d.patient_id, m.month, sum(d.load * d.days) / sum(d.days) AS load
		    FROM daily_load d JOIN months m ON d.from_day BETWEEN m.first_day AND m.last_day
		    WHERE NOT d.oral_unknown
		    GROUP BY d.patient_id, m.month)
		SELECT month::INTEGER AS month, count(*)::INTEGER AS n, quantile_cont(load, 0.5) AS median,
		       quantile_cont(load, 0.25) AS q1, quantile_cont(load, 0.75) AS q3
		FROM patient_month GROUP BY month ORDER BY month`,
		params: [checkHydromorphoneFactor(s.hydromorphoneFactor), ...w.params, checkLoadRatio(s.loadRatio)]
	};
}
