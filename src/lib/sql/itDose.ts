import { IT_DOSE_UNIT, IT_DRUGS } from '$lib/contract';
import type { Database } from '$lib/db/types';
import { windowsValuesSql } from '$lib/outcomes';
import {
	checkHydromorphoneFactor,
	DEFAULT_IT_DOSE_SETTINGS,
	IT_ESCALATION,
	type ItDoseSettings,
	type ItDrug
} from '$lib/outcomes';
import { ensureItDoseFactor, morphineEqSql } from './deriveItDose';
import { filterClause, type Filters } from './filters';
import { literal } from './literal';
import type { Query } from './query';
import { run, runOne } from './run';

/** The IT morphine-equivalent series, in mg/day, beside the drugs in their own units. */
export const MORPHINE_EQ = 'morphine_eq';
export type ItDoseSeries = ItDrug | typeof MORPHINE_EQ;

/** Sort key: morphine-equivalent first, then the drugs in the contract's order. */
const seriesOrder = (column: string) =>
	`list_position([${[MORPHINE_EQ, ...IT_DRUGS].map(literal).join(', ')}], ${column})`;

/**
 * The filtered outcome population, `pop(pid, patient_id)`. Given settings, it also checks that the
 * factor-dependent tables (`it_dose_series`, `it_dose_month`, `it_dose_fit`) were built for the
 * settings' hydromorphone factor (`ensureItDoseFactor`), and fails with a message otherwise:
 * results for another factor must never be shown under this one.
 */
function population(f: Filters, s?: ItDoseSettings): { sql: string; params: unknown[] } {
	const w = filterClause(f);
	if (!s)
		return {
			sql: `pop AS (SELECT p.pid, p.patient_id FROM patient_facts p WHERE p.in_outcome AND ${w.sql})`,
			params: w.params
		};
	const factor = checkHydromorphoneFactor(s.hydromorphoneFactor);
	const message = `the IT dose tables are built for another hydromorphone factor than ${factor}: call ensureItDoseFactor first`;
	return {
		sql: `pop AS (
		    SELECT p.pid, p.patient_id FROM patient_facts p
		    WHERE p.in_outcome AND ${w.sql}
		      AND (SELECT CASE WHEN hydromorphone_factor = CAST(? AS DOUBLE) THEN TRUE ELSE error(${literal(message)}) END
		           FROM it_dose_factor))`,
		params: [...w.params, factor]
	};
}

/**
 * CTEs ending in `dose_series(pid, series, unit, from_day, to_day, dose)`: the filtered outcome
 * population's dose steps per drug, plus morphine-equivalent steps. A morphine-equivalent step
 * exists only on days when morphine or hydromorphone is in effect, so a patient on ziconotide
 * alone has none (null, not 0). Morphine and hydromorphone change on different days; the pieces
 * of `it_dose_pieces` (deriveItDose.ts) are where both are constant, and their doses are summed.
 * It reads only tables that do not depend on the factor, so it needs no `ensureItDoseFactor`.
 */
function doseSeries(f: Filters, s: ItDoseSettings): { sql: string; params: unknown[] } {
	const pop = population(f);
	return {
		sql: `${pop.sql},
		  dose_series AS (
		    SELECT pop.pid, s.drug AS series, s.unit, s.from_day, s.to_day, s.daily_dose AS dose
		    FROM it_dose_steps s JOIN pop USING (patient_id)
		    UNION ALL
		    SELECT g.pid, '${MORPHINE_EQ}', 'mg/day', g.from_day, g.to_day, ${morphineEqSql('g', 'CAST(? AS DOUBLE)')}
		    FROM it_dose_pieces g JOIN pop USING (pid))`,
		params: [...pop.params, checkHydromorphoneFactor(s.hydromorphoneFactor)]
	};
}

export interface ItDoseWindowRow {
	series: ItDoseSeries;
	unit: string;
	label: string;
	target_day: number;
	n: number;
	mean: number | null;
	median: number | null;
	q1: number | null;
	q3: number | null;
}

/**
 * IT dose at each window = the dose in effect on the target day (outcomes.md section 4), per
 * drug and as morphine-equivalent. A patient whose observation ended before the target (explant,
 * follow-up end) has no step there and leaves the window. Every series present in the filtered
 * population gets every window, with n = 0 and null statistics where nobody is on it.
 */
export function itDoseAtWindows(f: Filters, s: ItDoseSettings = DEFAULT_IT_DOSE_SETTINGS): Query {
	const series = doseSeries(f, s);
	return {
		name: 'itDoseAtWindows',
		sql: `WITH ${series.sql},
		  windows(label, target, lo, hi) AS (VALUES ${windowsValuesSql(s.windows)}),
		  names AS (SELECT DISTINCT series, unit FROM dose_series UNION SELECT '${MORPHINE_EQ}', 'mg/day')
		SELECT n.series, n.unit, w.label, w.target AS target_day, count(x.dose)::INTEGER AS n,
		       avg(x.dose) AS mean, quantile_cont(x.dose, 0.5) AS median,
		       quantile_cont(x.dose, 0.25) AS q1, quantile_cont(x.dose, 0.75) AS q3
		FROM names n CROSS JOIN windows w
		LEFT JOIN dose_series x ON x.series = n.series AND w.target BETWEEN x.from_day AND x.to_day
		GROUP BY n.series, n.unit, w.label, w.target
		ORDER BY ${seriesOrder('n.series')}, w.target`,
		params: series.params
	};
}

export interface ItDoseMonth {
	series: ItDoseSeries;
	unit: string;
	month: number;
	n: number;
	median: number;
	q1: number;
	q3: number;
}

/**
 * Cohort trend by month from implant, per series, for a chart. Each patient counts once per month
 * with the mean of the doses in effect on the days of that month (time-weighted, so a change on
 * the 29th barely moves the month); days without a dose do not count, so a month cut short by
 * explant shows the dose before it. The patient-months are `it_dose_month` (deriveItDose.ts):
 * the tables must be built for the settings' factor (`ensureItDoseFactor`, `withItDoseFactor`).
 */
export function itDoseByMonth(f: Filters, s: ItDoseSettings = DEFAULT_IT_DOSE_SETTINGS): Query {
	const pop = population(f, s);
	return {
		name: 'itDoseByMonth',
		sql: `WITH ${pop.sql}
		SELECT series, unit, month, count(*)::INTEGER AS n, quantile_cont(dose, 0.5) AS median,
		       quantile_cont(dose, 0.25) AS q1, quantile_cont(dose, 0.75) AS q3
		FROM it_dose_month JOIN pop USING (pid) GROUP BY series, unit, month ORDER BY ${seriesOrder('series')}, month`,
		params: pop.params
	};
}

export interface ItDoseEscalation {
	patient_id: string;
	days: number;
	per_year: number;
	pct_per_year: number | null;
}

/**
 * Escalation per patient: the OLS slope of the daily dose over years since implant, fitted on
 * every day after titration (day > 30) on which a dose is in effect, up to the end of
 * observation. Daily sampling weights each dose by how long it was in effect, and a refill that
 * restates the dose changes nothing; fitting through the step values at their start days would
 * weigh a dose held for two weeks like one held for two years.
 *
 * `per_year` is in the series' unit per year (mg/day per year for morphine-equivalent).
 * `pct_per_year` = (exp(b) - 1) x 100, where b is the slope of ln(dose) per year: the fitted dose
 * is multiplied by exp(b) each year, so this is the percent change per year itself; b x 100 is
 * only its first-order approximation (69 instead of 100 for a dose that doubles yearly). It is
 * null when some sampled day has a dose of 0, where the logarithm does not exist. Patients need
 * at least two sampled days. Morphine-equivalent fits are `it_dose_fit` (deriveItDose.ts; build
 * it for the settings' factor with `ensureItDoseFactor`); a drug's fit is computed here.
 */
export function itDoseEscalation(
	f: Filters,
	s: ItDoseSettings = DEFAULT_IT_DOSE_SETTINGS,
	series: ItDoseSeries = MORPHINE_EQ
): Query {
	const select = `SELECT pop.patient_id, days, per_year,
		       CASE WHEN all_positive THEN (exp(log_per_year) - 1) * 100 END AS pct_per_year`;
	const tail = `JOIN pop USING (pid) WHERE per_year IS NOT NULL ORDER BY pop.patient_id`;
	if (series === MORPHINE_EQ) {
		const pop = population(f, s);
		return {
			name: 'itDoseEscalation',
			sql: `WITH ${pop.sql} ${select} FROM it_dose_fit ${tail}`,
			params: pop.params
		};
	}
	// A drug in its own unit: the same fit on the fly (not derived; the app fits morphine-equivalent).
	const doses = doseSeries(f, s);
	const firstDay = IT_ESCALATION.titrationLastDay + 1;
	const years = `day / ${IT_ESCALATION.daysPerYear}`;
	return {
		name: 'itDoseEscalation',
		sql: `WITH ${doses.sql},
		  daily AS (
		    SELECT pid, unnest(range(greatest(from_day, ${firstDay}), to_day + 1)) AS day, dose
		    FROM dose_series WHERE series = ? AND to_day >= ${firstDay}),
		  fits AS (
		    SELECT pid, count(*)::INTEGER AS days, regr_slope(dose, ${years}) AS per_year,
		           regr_slope(ln(CASE WHEN dose > 0 THEN dose END), ${years}) AS log_per_year,
		           min(dose) > 0 AS all_positive
		    FROM daily GROUP BY pid)
		${select} FROM fits ${tail}`,
		params: [...doses.params, series]
	};
}

export interface ItDoseEscalationSummary {
	n: number;
	median_per_year: number | null;
	q1: number | null;
	q3: number | null;
	median_pct_per_year: number | null;
	q1_pct_per_year: number | null;
	q3_pct_per_year: number | null;
}

/** Cohort escalation: median (IQR) of the per-patient slopes, in mg/day and in percent per year. */
export function itDoseEscalationSummary(
	f: Filters,
	s: ItDoseSettings = DEFAULT_IT_DOSE_SETTINGS,
	series: ItDoseSeries = MORPHINE_EQ
): Query {
	const perPatient = itDoseEscalation(f, s, series);
	return {
		name: 'itDoseEscalationSummary',
		sql: `SELECT count(*)::INTEGER AS n, quantile_cont(per_year, 0.5) AS median_per_year,
		        quantile_cont(per_year, 0.25) AS q1, quantile_cont(per_year, 0.75) AS q3,
		        quantile_cont(pct_per_year, 0.5) AS median_pct_per_year,
		        quantile_cont(pct_per_year, 0.25) AS q1_pct_per_year,
		        quantile_cont(pct_per_year, 0.75) AS q3_pct_per_year
		      FROM (${perPatient.sql})`,
		params: perPatient.params
	};
}

export interface ItDoseStep {
	drug: ItDrug;
	unit: string;
	from_day: number;
	to_day: number;
	daily_dose: number;
	/** On a drug's last step: why the dose stops being known; a chart draws 'explant' as a drop to 0. */
	ended_by: 'explant' | 'followup_end' | 'last_pump_event' | null;
}

/** One patient's dose steps for the drill-down timeline, in any population. */
export function itDoseTimeline(patientId: string): Query {
	return {
		name: 'itDoseTimeline',
		sql: `SELECT s.drug, s.unit, s.from_day, s.to_day, s.daily_dose,
		        CASE WHEN s.to_day = o.end_day THEN o.ended_by END AS ended_by
		      FROM it_dose_steps s JOIN it_dose_observation o USING (patient_id)
		      WHERE s.patient_id = ? ORDER BY ${seriesOrder('s.drug')}, s.from_day`,
		params: [patientId]
	};
}

export interface ItDoseWarning {
	patient_id: string;
	day: number;
	drug: ItDrug;
	value: number;
	rule: string;
	line: number;
}

/** Plausibility warnings over every filtered patient (a data check, not an outcome), in file order. */
export function itDoseWarnings(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'itDoseWarnings',
		sql: `SELECT patient_id, day, drug, value, rule, line
		      FROM it_dose_warnings JOIN patient_facts p USING (patient_id)
		      WHERE ${w.sql} ORDER BY line, rule`,
		params: w.params
	};
}

export interface ItDoseWarningCount {
	rule: string;
	n: number;
}

/** The same warnings counted by rule, for the counted warning channel. */
export function itDoseWarningCounts(f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'itDoseWarningCounts',
		sql: `SELECT rule, count(*)::INTEGER AS n
		      FROM it_dose_warnings JOIN patient_facts p USING (patient_id)
		      WHERE ${w.sql} GROUP BY rule ORDER BY n DESC, rule`,
		params: w.params
	};
}

type WindowStats = Omit<ItDoseWindowRow, 'series' | 'unit'>;
export interface ItDoseReport {
	morphine_eq: { windows: WindowStats[] };
	by_drug: { drug: ItDrug; unit: string; windows: WindowStats[] }[];
	escalation: ItDoseEscalationSummary;
}

/** The `it_dose` object of the command-line report (report.md). */
export async function itDoseReport(
	db: Database,
	f: Filters,
	s: ItDoseSettings = DEFAULT_IT_DOSE_SETTINGS
): Promise<ItDoseReport> {
	await ensureItDoseFactor(db, s.hydromorphoneFactor);
	const rows = await run<ItDoseWindowRow>(db, itDoseAtWindows(f, s));
	const escalation = await runOne<ItDoseEscalationSummary>(db, itDoseEscalationSummary(f, s));
	const windowsOf = (series: ItDoseSeries) =>
		rows
			.filter((r) => r.series === series)
			.map(({ label, target_day, n, mean, median, q1, q3 }) => ({
				label,
				target_day,
				n,
				mean,
				median,
				q1,
				q3
			}));
	const drugs = [...new Set(rows.map((r) => r.series))].filter((x): x is ItDrug => x !== MORPHINE_EQ);
	return {
		morphine_eq: { windows: windowsOf(MORPHINE_EQ) },
		by_drug: drugs.map((drug) => ({ drug, unit: IT_DOSE_UNIT[drug], windows: windowsOf(drug) })),
		escalation
	};
}
