import { IT_DOSE_UNIT } from '$lib/contract';
import { DEFAULT_IT_PLAUSIBILITY, type ItDrug, type ItPlausibility } from '$lib/outcomes';
import { literal } from './literal';

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
		`DROP TABLE ${KEPT}`
	];
}
