import { IT_DOSE_UNIT } from '$lib/contract';
import type { Database } from '$lib/db/types';
import {
	checkHydromorphoneFactor,
	DAYS_PER_MONTH,
	DEFAULT_IT_PLAUSIBILITY,
	IT_ESCALATION,
	TRAJECTORY_MONTHS,
	type ItDrug,
	type ItPlausibility
} from '$lib/outcomes';
import { literal } from './literal';

/** The IT drugs that have a morphine equivalent, as an SQL list. */
export const MORPHINE_EQ_DRUGS_SQL = "('morphine', 'hydromorphone')";

/** Rule texts of `it_dose_warnings`; the UI counts warnings by these. */
export const IT_DOSE_RULES = {
	sameDay: 'several doses for one drug on one day: the last line wins',
	afterEnd: 'dated after the end of observation: not used',
	stepChange: (fraction: number) => `dose changed by more than ${+(fraction * 100).toFixed(6)}% in one step`,
	aboveMax: (drug: ItDrug, max: number) => `${drug} above ${max} ${IT_DOSE_UNIT[drug]}`
};

/**
 * Scratch tables built once for `it_dose_steps` and `it_dose_warnings`, then dropped.
 * `it_dose_rows`: every dosing row, marked with whether it is the last of its drug and day in
 * file order (one sort: the drug's next row, by day then line, falls on another day).
 * `it_dose_kept`: the observed last rows, with the drug's next kept day and previous kept dose (a
 * second sort). Both derived tables read these; each used to sort every dosing row twice itself.
 */
const ROWS = 'it_dose_rows';
const KEPT = 'it_dose_kept';

/** Dosing rows: implant, refill or dose_change with a dose, and whether they fall within observation. */
const DOSING_ROWS = `
	SELECT d.patient_id, d.day, d.drug, d.daily_dose_unit AS unit, d.daily_dose, d._line,
	       d.day <= o.end_day AS observed, o.end_day
	FROM pump_events d JOIN it_dose_observation o USING (patient_id)
	WHERE d.event IN ('implant', 'refill', 'dose_change') AND d.daily_dose IS NOT NULL`;

/**
 * The IT dose tables of outcomes.md section 4, built after each load:
 *
 * - `it_dose_observation(patient_id, end_day, ended_by)`: the last day a programmed dose is
 *   known, for patients with pump events. The earlier of the first explant and
 *   `followup_end_day`, both inclusive ("after explant" starts the next day). With neither, the
 *   day of the patient's last pump event: without a follow-up end we cannot claim the pump kept
 *   running, and an open-ended step would put the patient in every later window.
 * - `it_dose_steps(patient_id, drug, unit, from_day, to_day, daily_dose)`: the dose in effect on
 *   each day of `[from_day, to_day]` (both inclusive). A row starts a step on its own day, and the
 *   step runs until the drug's next row or the end of observation; a refill row that omits a
 *   drug therefore leaves that drug's step running. A row restating the same dose starts a new
 *   step with the same value (the drill-down shows every programming event).
 * - `it_dose_warnings(patient_id, day, drug, value, rule, line)`: plausibility warnings, never
 *   rejections. `value` is the dose of the row at `line` (for a same-day repeat: the overridden
 *   dose). Step changes are compared in DECIMAL (6 decimals), so a change of exactly 50%, such
 *   as 0.3 to 0.45, does not warn through binary rounding (0.45 - 0.3 = 0.15000000000000002).
 * - `it_dose_pieces` and, for `hydromorphoneFactor`, `it_dose_series`, `it_dose_month`,
 *   `it_dose_fit` (below): the per-patient work of the IT dose queries (itDose.ts), done once so a
 *   filter change only joins the filtered patients (on `pid`) and aggregates.
 */
export function deriveItDoseSql(rules: ItPlausibility = DEFAULT_IT_PLAUSIBILITY): string[] {
	const ceilings = Object.entries(rules.maxDailyDose).map(
		([drug, max]) =>
			`(${literal(drug)}, ${literal(max)}::DOUBLE, ${literal(IT_DOSE_RULES.aboveMax(drug as ItDrug, max))})`
	);
	const exact = (x: string) => `${x}::DECIMAL(18, 6)`;
	const aboveMax = ceilings.length
		? `UNION ALL
		   SELECT k.patient_id, k.day, k.drug, k.daily_dose, c.rule, k._line
		   FROM ${KEPT} k JOIN (VALUES ${ceilings.join(', ')}) c(drug, max_dose, rule) USING (drug)
		   WHERE k.daily_dose > c.max_dose`
		: '';
	return [
		`CREATE OR REPLACE TABLE it_dose_observation AS
		 WITH events AS (
		   SELECT patient_id, min(day) FILTER (WHERE event = 'explant') AS explant_day, max(day) AS last_event_day
		   FROM pump_events GROUP BY patient_id),
		 reasons AS (
		   SELECT e.*, p.followup_end_day,
		          CASE WHEN e.explant_day <= coalesce(p.followup_end_day, e.explant_day) THEN 'explant'
		               WHEN p.followup_end_day IS NOT NULL THEN 'followup_end'
		               ELSE 'last_pump_event' END AS ended_by
		   FROM events e JOIN patients p USING (patient_id))
		 SELECT patient_id,
		        CASE ended_by WHEN 'explant' THEN explant_day WHEN 'followup_end' THEN followup_end_day
		                      ELSE last_event_day END AS end_day,
		        ended_by
		 FROM reasons`,
		`CREATE OR REPLACE TEMP TABLE ${ROWS} AS
		 SELECT *, lead(day) OVER (PARTITION BY patient_id, drug ORDER BY day, _line) IS DISTINCT FROM day AS last_of_day
		 FROM (${DOSING_ROWS})`,
		`CREATE OR REPLACE TEMP TABLE ${KEPT} AS
		 SELECT patient_id, drug, day, end_day, unit, daily_dose, _line,
		        lead(day) OVER by_day AS next_day,
		        lag(daily_dose) OVER by_day AS previous_dose
		 FROM ${ROWS} WHERE last_of_day AND observed
		 WINDOW by_day AS (PARTITION BY patient_id, drug ORDER BY day)`,
		`CREATE OR REPLACE TABLE it_dose_steps AS
		 SELECT patient_id, drug, unit, day AS from_day, coalesce(next_day - 1, end_day) AS to_day, daily_dose
		 FROM ${KEPT}`,
		`CREATE OR REPLACE TABLE it_dose_warnings AS
		 SELECT patient_id, day, drug, daily_dose AS value, ${literal(IT_DOSE_RULES.sameDay)} AS rule, _line AS line
		 FROM ${ROWS} WHERE NOT last_of_day AND observed
		 UNION ALL
		 SELECT patient_id, day, drug, daily_dose, ${literal(IT_DOSE_RULES.afterEnd)}, _line
		 FROM ${ROWS} WHERE NOT observed
		 UNION ALL
		 SELECT patient_id, day, drug, daily_dose, ${literal(IT_DOSE_RULES.stepChange(rules.maxStepChange))}, _line
		 FROM ${KEPT}
		 WHERE abs(${exact('daily_dose')} - ${exact('previous_dose')}) > ${exact(literal(rules.maxStepChange))} * ${exact('previous_dose')}
		 ${aboveMax}`,
		`DROP TABLE ${ROWS}`,
		`DROP TABLE ${KEPT}`,
		PIECES_SQL,
		// The factor-dependent tables are built when first asked for (ensureItDoseFactor): a load
		// that never opens the pump page does not pay for them. Forget any built for older data.
		'DROP TABLE IF EXISTS it_dose_factor'
	];
}

/** The morphine-equivalent series' name (itDose.ts exports it as MORPHINE_EQ). */
const MORPHINE_EQ = 'morphine_eq';

/**
 * `it_dose_pieces(pid, from_day, to_day, morphine, hydromorphone)`, for the outcome population:
 * the time axis of each patient's morphine and hydromorphone steps cut at every step boundary,
 * so both doses are constant on a piece (null where the drug is not in effect); pieces where
 * neither is in effect are left out. It does not depend on the hydromorphone factor: the
 * morphine-equivalent of a piece is morphine + hydromorphone x factor (`MORPHINE_EQ_SQL`).
 * A drug's steps never overlap, so each piece has at most one step of each.
 */
const PIECES_SQL = `CREATE OR REPLACE TABLE it_dose_pieces AS
	 WITH opioid AS (
	   SELECT p.pid, s.drug, s.from_day, s.to_day, s.daily_dose
	   FROM it_dose_steps s JOIN patient_facts p USING (patient_id)
	   WHERE p.in_outcome AND s.drug IN ${MORPHINE_EQ_DRUGS_SQL}),
	 cuts AS (SELECT pid, from_day AS day FROM opioid UNION SELECT pid, to_day + 1 FROM opioid),
	 pieces AS (
	   SELECT pid, day AS from_day, lead(day) OVER (PARTITION BY pid ORDER BY day) - 1 AS to_day FROM cuts)
	 SELECT g.pid, g.from_day, g.to_day,
	        max(o.daily_dose) FILTER (WHERE o.drug = 'morphine') AS morphine,
	        max(o.daily_dose) FILTER (WHERE o.drug = 'hydromorphone') AS hydromorphone
	 FROM pieces g JOIN opioid o ON o.pid = g.pid AND o.from_day <= g.from_day AND g.to_day <= o.to_day
	 GROUP BY g.pid, g.from_day, g.to_day`;

/**
 * One step's morphine-equivalent mg/day (SQL text over a step alias with `drug` and `daily_dose`):
 * morphine x 1, hydromorphone x the factor. Only for steps of MORPHINE_EQ_DRUGS_SQL.
 */
export function stepMorphineEqSql(step: string, factor: string): string {
	return `${step}.daily_dose * CASE ${step}.drug WHEN 'hydromorphone' THEN ${factor} ELSE 1 END`;
}

/**
 * A piece's morphine-equivalent mg/day from `it_dose_pieces` columns and a factor (SQL text, used
 * once): the sum of the doses in effect, hydromorphone times the factor. Each term is the product
 * the per-drug sum always had (morphine x 1.0 is morphine), adding 0 for a drug not in effect
 * changes no dose, and a sum of two doubles does not depend on their order: this is the value
 * summing the steps gives, bit for bit.
 */
export function morphineEqSql(piece: string, factor: string): string {
	return `coalesce(${piece}.morphine, 0) + coalesce(${piece}.hydromorphone * ${factor}, 0)`;
}

/**
 * The tables that depend on the hydromorphone factor, built after each load with the default
 * factor and again by `ensureItDoseFactor` when another one is asked for; the per-patient work
 * a filter change used to redo over every dose step (outcomes.md section 4):
 *
 * - `it_dose_series(pid, series, unit, from_day, to_day, dose)`: the outcome population's steps
 *   per drug, plus morphine-equivalent pieces (mg/day; only where morphine or hydromorphone is
 *   in effect, so a patient on ziconotide alone has none: null, not 0).
 * - `it_dose_month(pid, series, unit, month, dose)`: per patient, series and month from implant
 *   in TRAJECTORY_MONTHS, the time-weighted mean of the doses in effect on the month's days.
 * - `it_dose_fit(pid, days, per_year, log_per_year, all_positive)`: per patient, the OLS fit of
 *   the daily morphine-equivalent dose over years since implant on every day after titration.
 * - `it_dose_factor(hydromorphone_factor)`: the factor they were built with; the queries on them
 *   refuse to run against tables built with another one.
 */
export function deriveItDoseSeriesSql(hydromorphoneFactor: number): string[] {
	const factor = `${literal(checkHydromorphoneFactor(hydromorphoneFactor))}::DOUBLE`;
	const overlap = `(least(x.to_day, m.last_day) - greatest(x.from_day, m.first_day) + 1)`;
	const firstDay = IT_ESCALATION.titrationLastDay + 1;
	const years = `day / ${IT_ESCALATION.daysPerYear}`;
	return [
		`DROP TABLE IF EXISTS it_dose_factor`,
		`CREATE OR REPLACE TABLE it_dose_series AS
		 SELECT p.pid, s.drug AS series, s.unit, s.from_day, s.to_day, s.daily_dose AS dose
		 FROM it_dose_steps s JOIN patient_facts p USING (patient_id) WHERE p.in_outcome
		 UNION ALL
		 SELECT pid, '${MORPHINE_EQ}', 'mg/day', from_day, to_day, ${morphineEqSql('g', factor)}
		 FROM it_dose_pieces g`,
		`CREATE OR REPLACE TABLE it_dose_month AS
		 WITH months AS (
		   SELECT m AS month, ceil(m * ${DAYS_PER_MONTH})::INTEGER AS first_day,
		          ceil((m + 1) * ${DAYS_PER_MONTH})::INTEGER - 1 AS last_day
		   FROM range(${TRAJECTORY_MONTHS.from}, ${TRAJECTORY_MONTHS.to + 1}) t(m))
		 SELECT x.pid, x.series, x.unit, m.month::INTEGER AS month, sum(x.dose * ${overlap}) / sum(${overlap}) AS dose
		 FROM it_dose_series x JOIN months m ON x.from_day <= m.last_day AND m.first_day <= x.to_day
		 GROUP BY x.pid, x.series, x.unit, m.month`,
		`CREATE OR REPLACE TABLE it_dose_fit AS
		 WITH daily AS (
		   SELECT pid, unnest(range(greatest(from_day, ${firstDay}), to_day + 1)) AS day, dose
		   FROM it_dose_series WHERE series = '${MORPHINE_EQ}' AND to_day >= ${firstDay})
		 SELECT pid, count(*)::INTEGER AS days, regr_slope(dose, ${years}) AS per_year,
		        regr_slope(ln(CASE WHEN dose > 0 THEN dose END), ${years}) AS log_per_year,
		        min(dose) > 0 AS all_positive
		 FROM daily GROUP BY pid`,
		`CREATE OR REPLACE TABLE it_dose_factor AS SELECT ${factor} AS hydromorphone_factor`
	];
}

/** Rebuild the factor-dependent IT dose tables only when they were built with another factor. */
export async function ensureItDoseFactor(db: Database, hydromorphoneFactor: number): Promise<void> {
	const factor = checkHydromorphoneFactor(hydromorphoneFactor);
	// Two steps: a query naming a missing table fails when it is bound, whatever its WHERE says.
	const [exists] = await db.query<{ n: number }>(
		`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'it_dose_factor'`
	);
	const built =
		exists!.n > 0
			? await db.query<{ hydromorphone_factor: number }>('SELECT hydromorphone_factor FROM it_dose_factor')
			: [];
	if (built[0]?.hydromorphone_factor === factor) return;
	for (const sql of deriveItDoseSeriesSql(factor)) await db.query(sql);
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Run `work` with the factor-dependent IT dose tables built for `hydromorphoneFactor`, one caller
 * at a time: a rebuild takes several statements, and two views asking for different factors at
 * once would otherwise interleave them (or read tables half rebuilt). Do not nest.
 */
export function withItDoseFactor<T>(
	db: Database,
	hydromorphoneFactor: number,
	work: () => Promise<T>
): Promise<T> {
	const next = queue.then(async () => {
		await ensureItDoseFactor(db, hydromorphoneFactor);
		return work();
	});
	// A failure belongs to its caller; the queue goes on.
	queue = next.catch(() => undefined);
	return next;
}
