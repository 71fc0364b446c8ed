import { DIAGNOSES, PROGRAMS, SEX } from '$lib/contract';
import { IT_ESCALATION } from '$lib/outcomes';
import { MME_BASELINE_DAYS } from '$lib/outcomes';
import { DEFAULT_IT_DOSE_SETTINGS, type ItDoseSettings } from '$lib/outcomes';
import type { Window } from '$lib/outcomes';
import { AGE_BANDS, filterClause, type Filters } from './filters';
import { itDoseEscalation } from './itDose';
import { opioidFreeTimes } from './mme';
import { mmeReductionByPatient } from './mmePatients';
import { MIN_BASELINE_TENTHS } from './painOutcomes';
import type { Query } from './query';

/**
 * Query builders of the office comparison (outcomes.md section 5), one query per measure for all
 * units at once: counts over the outcome population grouped by unit, and per-unit wrappers of the
 * per-patient builders (time to opioid-free, MME reduction, IT dose escalation), so those numbers
 * come from the same SQL as the rest of the dashboard. Pain per unit reads the per-patient pain
 * tables as painOutcomes.ts does; the unit tests hold every office to the dashboard's builders run
 * with the office as a filter. (Running those builders once per unit gave the same numbers in
 * about 80 queries instead of 2, several seconds in the browser.)
 *
 * Units come from GROUPING SETS: the whole practice (level 'practice'), each office, and each
 * office x provider code. Patients without a provider code form a provider row with a null code;
 * it is never shown, but it is a sibling when small cells are suppressed.
 */

/** Baseline oral MME bands of the case mix (outcomes.md section 5): [0, 50), [50, 90), [90, ∞). */
export const MME_BANDS = ['<50', '50-89', '≥90'] as const;
/** Case-mix category for a value the export left empty, or an MME baseline that cannot be computed. */
export const NOT_RECORDED = 'not recorded';
export const NO_MME_DATA = 'no MME data';

export const CASE_MIX_CHARACTERISTICS = ['diagnosis', 'age_band', 'sex', 'program', 'mme_band'] as const;
export type CaseMixCharacteristic = (typeof CASE_MIX_CHARACTERISTICS)[number];

/** Display order of each characteristic's categories; anything else (not recorded) comes last. */
export const CASE_MIX_ORDER: Record<CaseMixCharacteristic, readonly string[]> = {
	diagnosis: DIAGNOSES,
	age_band: AGE_BANDS,
	sex: SEX,
	program: PROGRAMS,
	mme_band: MME_BANDS
};

export type UnitLevel = 'practice' | 'office' | 'provider';

export interface UnitColumns {
	level: UnitLevel;
	office: string | null;
	provider_id: string | null;
}

const LEVEL = `CASE WHEN grouping(p.office) = 1 THEN 'practice' WHEN grouping(p.provider_id) = 1 THEN 'office'
	             ELSE 'provider' END AS level, p.office, p.provider_id`;

/** GROUPING SETS for practice, offices and providers, each with the extra grouping columns. */
function unitSets(...extra: string[]): string {
	const x = extra.length ? `, ${extra.join(', ')}` : '';
	return `GROUPING SETS ((${extra.join(', ')}), (p.office${x}), (p.office, p.provider_id${x}))`;
}

export interface OfficeUnitRow extends UnitColumns {
	/** Outcome-population patients (implanted, not spasticity). */
	patients: number;
	first_year: number | null;
	last_year: number | null;
	/** Patients with a known follow-up end: the ones whose exposure counts. */
	exposure_n: number;
	/** Years from implant to `followup_end_day` (365.25 days), summed. */
	patient_years: number;
	/** Of the exposure patients: explanted (follow-up ended by explant). */
	explants: number;
	/** Complication events from day 0 to the end of follow-up, of the exposure patients. */
	complications: number;
}

/** Patients, implant years, patient-years, explants and complications per unit. */
export function officeUnits(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'officeUnits',
		sql: `WITH c AS (
		        SELECT e.patient_id, count(*) AS n
		        FROM pump_events e JOIN patient_facts q USING (patient_id)
		        WHERE e.event = 'complication' AND e.day BETWEEN 0 AND q.followup_end_day
		        GROUP BY e.patient_id),
		      pt AS (
		        SELECT p.office, p.provider_id, p.implant_year, p.followup_end_reason,
		               CASE WHEN p.followup_end_day IS NOT NULL THEN greatest(p.followup_end_day, 0) END AS exposure_days,
		               coalesce(c.n, 0) AS complications
		        FROM patient_facts p LEFT JOIN c USING (patient_id)
		        WHERE p.in_outcome AND ${w.sql})
		      SELECT ${LEVEL}, count(*)::INTEGER AS patients,
		             min(p.implant_year)::INTEGER AS first_year, max(p.implant_year)::INTEGER AS last_year,
		             count(p.exposure_days)::INTEGER AS exposure_n,
		             coalesce(sum(p.exposure_days), 0) / ${IT_ESCALATION.daysPerYear} AS patient_years,
		             count(*) FILTER (WHERE p.exposure_days IS NOT NULL AND p.followup_end_reason = 'explant')::INTEGER
		               AS explants,
		             coalesce(sum(p.complications) FILTER (WHERE p.exposure_days IS NOT NULL), 0)::INTEGER AS complications
		      FROM pt p GROUP BY ${unitSets()}
		      ORDER BY level DESC, p.office NULLS FIRST, p.provider_id NULLS LAST`,
		params: w.params
	};
}

export interface OfficeCountRow extends UnitColumns {
	category: string;
	n: number;
}

/** Explants by reason per unit (the explants counted by `officeUnits`). */
export function officeExplantReasons(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'officeExplantReasons',
		sql: `SELECT ${LEVEL}, p.category, count(*)::INTEGER AS n
		      FROM (SELECT p.office, p.provider_id, coalesce(p.explant_reason, ?) AS category
		            FROM patient_facts p
		            WHERE p.in_outcome AND p.followup_end_day IS NOT NULL AND p.followup_end_reason = 'explant'
		              AND ${w.sql}) p
		      GROUP BY ${unitSets('p.category')} ORDER BY ALL`,
		params: [NOT_RECORDED, ...w.params]
	};
}

export interface OfficeCaseMixRow extends OfficeCountRow {
	characteristic: CaseMixCharacteristic;
}

/**
 * Case mix per unit: diagnosis, age band, sex, program and baseline oral MME band, each as counts
 * that add up to the unit's patients (empty values count as "not recorded"). A patient's baseline
 * MME is the mean daily MME over the known days of [-180, -91], as `mmeBaseline` averages it;
 * without any known day there it is "no MME data". Needs the MME tables.
 */
export function officeCaseMix(f: Filters): Query {
	const w = filterClause(f);
	const { from, to } = MME_BASELINE_DAYS;
	const days = `(least(s.to_day, ${to}) - greatest(s.from_day, ${from}) + 1)`;
	const [low, mid, high] = MME_BANDS;
	const long = (characteristic: CaseMixCharacteristic, column: string) =>
		`SELECT office, provider_id, '${characteristic}' AS characteristic, coalesce(${column}, ?) AS category FROM pt`;
	return {
		name: 'officeCaseMix',
		sql: `WITH baseline AS (
		        SELECT s.patient_id, sum(s.mme * ${days}) / sum(${days}) FILTER (WHERE s.mme IS NOT NULL) AS mme
		        FROM mme_segments s WHERE s.from_day <= ${to} AND s.to_day >= ${from}
		        GROUP BY s.patient_id),
		      pt AS (
		        SELECT p.office, p.provider_id, p.diagnosis, p.age_band, p.sex, p.program,
		               CASE WHEN b.mme IS NULL THEN ? WHEN b.mme < 50 THEN '${low}' WHEN b.mme < 90 THEN '${mid}'
		                    ELSE '${high}' END AS mme_band
		        FROM patient_facts p LEFT JOIN baseline b USING (patient_id)
		        WHERE p.in_outcome AND ${w.sql})
		      SELECT ${LEVEL}, p.characteristic, p.category, count(*)::INTEGER AS n
		      FROM (${long('diagnosis', 'diagnosis')} UNION ALL ${long('age_band', 'age_band')}
		            UNION ALL ${long('sex', 'sex')} UNION ALL ${long('program', 'program')}
		            UNION ALL ${long('mme_band', 'mme_band')}) p
		      GROUP BY ${unitSets('p.characteristic', 'p.category')} ORDER BY ALL`,
		params: [NO_MME_DATA, ...w.params, ...CASE_MIX_CHARACTERISTICS.map(() => NOT_RECORDED)]
	};
}

export interface OfficeYearRow {
	level: 'practice' | 'office';
	office: string | null;
	implant_year: number;
	n: number;
}

/** Implant cohorts: outcome-population patients by implant year, per office and for the practice. */
export function officeImplantYears(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'officeImplantYears',
		sql: `SELECT CASE WHEN grouping(p.office) = 1 THEN 'practice' ELSE 'office' END AS level, p.office,
		             p.implant_year::INTEGER AS implant_year, count(*)::INTEGER AS n
		      FROM patient_facts p WHERE p.in_outcome AND p.implant_year IS NOT NULL AND ${w.sql}
		      GROUP BY GROUPING SETS ((p.implant_year), (p.office, p.implant_year)) ORDER BY ALL`,
		params: w.params
	};
}

export interface OfficeOpioidFreeTime {
	office: string;
	provider_id: string | null;
	time: number;
	event: boolean;
}

/** `opioidFreeTimes` with each patient's office and provider: one Kaplan-Meier curve per unit. */
export function officeOpioidFreeTimes(f: Filters): Query {
	const times = opioidFreeTimes(f);
	return {
		name: 'officeOpioidFreeTimes',
		sql: `SELECT p.office, p.provider_id, t.time, t.event
		      FROM (${times.sql}) t JOIN patient_facts p USING (patient_id) ORDER BY ALL`,
		params: times.params
	};
}

export interface OfficeEscalationRow extends UnitColumns {
	n: number;
	median_per_year: number | null;
	q1: number | null;
	q3: number | null;
	median_pct_per_year: number | null;
}

/**
 * IT dose escalation per unit: median (IQR) of `itDoseEscalation`'s per-patient slopes of the
 * morphine-equivalent dose, as `itDoseEscalationSummary` summarises the whole cohort.
 */
export function officeEscalation(f: Filters, s: ItDoseSettings = DEFAULT_IT_DOSE_SETTINGS): Query {
	const perPatient = itDoseEscalation(f, s);
	return {
		name: 'officeEscalation',
		sql: `SELECT ${LEVEL}, count(*)::INTEGER AS n, quantile_cont(e.per_year, 0.5) AS median_per_year,
		             quantile_cont(e.per_year, 0.25) AS q1, quantile_cont(e.per_year, 0.75) AS q3,
		             quantile_cont(e.pct_per_year, 0.5) AS median_pct_per_year
		      FROM (${perPatient.sql}) e JOIN patient_facts p USING (patient_id)
		      GROUP BY ${unitSets()} ORDER BY ALL`,
		params: perPatient.params
	};
}

export interface OfficePainRow extends UnitColumns {
	/** Due at the window with a baseline >= 4 (all-implanted denominator). */
	n_all: number;
	/** Of all outcome patients with a baseline >= 4, those with a window score (completers). */
	n_comp: number;
	/** >= 30% responders: 10 x (baseline - score) >= 3 x baseline, in integer tenths. */
	k: number;
	window_n: number;
	window_mean: number | null;
	window_sd: number | null;
	/** Window - baseline over completers with a baseline (any value). */
	change_n: number;
	change_mean: number | null;
	change_sd: number | null;
}

/**
 * Average pain at one window per unit: the counts `painWindowResponders` gives for the 30% rule
 * under both denominators, and the scores and changes of `painWindowScores` and
 * `painPairedDifferences`, over `pain_window` and `pain_baseline` (derivePain.ts). A completer is
 * always due there, so one k serves both denominators.
 */
export function officePainWindow(f: Filters, window: Window): Query {
	const w = filterClause(f);
	const completer = 'p.score IS NOT NULL';
	const paired = `${completer} AND p.baseline IS NOT NULL`;
	const responder = `p.eligible AND p.due AND ${completer}
	                   AND 10 * (p.baseline_tenths - p.score_tenths) >= 3 * p.baseline_tenths`;
	return {
		name: 'officePainWindow',
		sql: `SELECT ${LEVEL},
		        count(*) FILTER (WHERE p.due AND p.eligible)::INTEGER AS n_all,
		        count(*) FILTER (WHERE ${completer} AND p.eligible)::INTEGER AS n_comp,
		        count(*) FILTER (WHERE ${responder})::INTEGER AS k,
		        count(p.score)::INTEGER AS window_n, avg(p.score) AS window_mean, stddev_samp(p.score) AS window_sd,
		        count(*) FILTER (WHERE ${paired})::INTEGER AS change_n,
		        avg(p.score_tenths - p.baseline_tenths) FILTER (WHERE ${paired}) / 10 AS change_mean,
		        stddev_samp(p.score_tenths - p.baseline_tenths) FILTER (WHERE ${paired}) / 10 AS change_sd
		      FROM (SELECT p.office, p.provider_id, w.due, w.score, w.score_tenths, b.baseline, b.baseline_tenths,
		                   coalesce(b.baseline_tenths >= ${MIN_BASELINE_TENTHS}, FALSE) AS eligible
		            FROM pain_window w JOIN patient_facts p USING (patient_id)
		            JOIN pain_baseline b USING (patient_id, measure)
		            WHERE w.measure = 'pain_avg' AND w.label = ? AND p.in_outcome AND ${w.sql}) p
		      GROUP BY ${unitSets()} ORDER BY ALL`,
		params: [window.label, ...w.params]
	};
}

export interface OfficeBaselinePainRow extends UnitColumns {
	n: number;
	mean: number | null;
	sd: number | null;
}

/** Baseline average pain per unit, as `painBaselineSummary` gives it for the whole cohort. */
export function officeBaselinePain(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'officeBaselinePain',
		sql: `SELECT ${LEVEL}, count(b.baseline)::INTEGER AS n, avg(b.baseline) AS mean, stddev_samp(b.baseline) AS sd
		      FROM pain_baseline b JOIN patient_facts p USING (patient_id)
		      WHERE b.measure = 'pain_avg' AND p.in_outcome AND ${w.sql}
		      GROUP BY ${unitSets()} ORDER BY ALL`,
		params: w.params
	};
}

export interface OfficeQuantileRow extends UnitColumns {
	n: number;
	median: number | null;
	q1: number | null;
	q3: number | null;
}

/** % reduction of oral MME at the window per unit: `mmeReductionByPatient` summarised as `mmeReduction` does. */
export function officeMmeReduction(f: Filters, window: Window): Query {
	const perPatient = mmeReductionByPatient(f, window);
	return {
		name: 'officeMmeReduction',
		sql: `SELECT ${LEVEL}, count(r.pct)::INTEGER AS n, quantile_cont(r.pct, 0.5) AS median,
		             quantile_cont(r.pct, 0.25) AS q1, quantile_cont(r.pct, 0.75) AS q3
		      FROM (${perPatient.sql}) r JOIN patient_facts p USING (patient_id)
		      GROUP BY ${unitSets()} ORDER BY ALL`,
		params: perPatient.params
	};
}

/**
 * A fingerprint of the loaded tables for the printed header ("data version"): md5 over each
 * table's rows in file order, so the same files give the same version in the tab and the
 * command-line report, and any changed value changes it.
 */
export function dataVersion(): Query {
	const table = (name: string) =>
		`SELECT '${name}' AS t, count(*) AS n, coalesce(md5(string_agg(x::VARCHAR, chr(10) ORDER BY x._line)), '') AS h
		 FROM ${name} x`;
	return {
		name: 'dataVersion',
		sql: `SELECT left(md5(string_agg(t || ':' || n || ':' || h, ';' ORDER BY t)), 12) AS version
		      FROM (${['patients', 'pain_scores', 'oral_opioids', 'pump_events'].map(table).join(' UNION ALL ')})`,
		params: []
	};
}
