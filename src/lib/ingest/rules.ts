import { IT_DOSE_UNIT, mmeNotComputableSql, type FileKind } from '$lib/contract';
import { CONVERTIBLE_DRUGS } from '$lib/outcomes';
import { literal } from '$lib/sql/literal';

/**
 * The rules that need more than one cell, as SQL over a loaded table (day form). Each is
 * documented in docs/import-rules.md with its outcome: reject (the row is removed and reported),
 * keep first (later duplicates are rejected) or warn (kept, and counted in the report).
 */
export interface RowRule {
	/** Contract column the problem is reported on. */
	column: string;
	/** SQL condition, true for a row that breaks the rule. */
	when: string;
	rule: string;
	/** SQL for the value shown (null when it is computed or may mislead). */
	value: string | null;
}

const PATIENT_EVENTS_WITHOUT_IMPLANT = ['trial', 'complication'];

/** Rules across the columns of one row. `has` says which contract columns the file gave. */
export function rowRules(
	kind: FileKind,
	has: (column: string) => boolean,
	headerUnits: Record<string, string>
): RowRule[] {
	const rules: RowRule[] = [];
	if (kind === 'oral_opioids') {
		// Missing MME inputs (no end or days_supply, no units_per_day or quantity, no strength) are
		// not rejects: the row loads and warningRules counts it as "MME not computable".
		rules.push({
			column: 'strength_unit',
			when: 'strength IS NOT NULL AND strength_unit IS NULL',
			rule: 'required value missing (strength is given)',
			value: null
		});
		rules.push({
			column: 'strength_unit',
			when: `(strength_unit = 'mcg/hr') <> (drug = 'fentanyl_transdermal')`,
			rule: 'mcg/hr is the unit for fentanyl_transdermal, and only for it',
			value: 'strength_unit'
		});
		rules.push({
			column: has('end_date') ? 'end_date' : 'end_day',
			when: 'end_day < start_day',
			rule: 'ends before it starts',
			value: has('end_date') ? null : 'CAST(end_day AS VARCHAR)'
		});
	}
	if (kind === 'pump_events') {
		const unitFits = Object.entries(IT_DOSE_UNIT)
			.map(([drug, unit]) => `WHEN ${literal(drug)} THEN ${literal(unit)}`)
			.join(' ');
		rules.push({
			column: 'drug',
			when: 'daily_dose IS NOT NULL AND drug IS NULL',
			rule: 'a dose needs a drug',
			value: null
		});
		rules.push({
			column: 'daily_dose',
			when: `event IN ('implant', 'refill', 'dose_change') AND drug IS NOT NULL AND daily_dose IS NULL`,
			rule: 'required for implant, refill and dose_change rows with a drug',
			value: null
		});
		rules.push({
			column: 'daily_dose_unit',
			when: `daily_dose IS NOT NULL AND daily_dose_unit IS DISTINCT FROM (CASE drug ${unitFits} END)`,
			rule: 'unit does not fit the drug (outcomes.md section 4)',
			value: 'daily_dose_unit'
		});
		rules.push({
			column: 'complication',
			when: `event = 'complication' AND complication IS NULL`,
			rule: 'required for complication events',
			value: null
		});
	}
	// A unit in a header (`Daily dose (mcg/day)`) must agree with the unit column of each row.
	for (const [unitColumn, unit] of Object.entries(headerUnits)) {
		if (!has(unitColumn)) continue;
		rules.push({
			column: unitColumn,
			when: `${unitColumn} IS DISTINCT FROM ${literal(unit)} AND ${unitColumn} IS NOT NULL`,
			rule: `disagrees with the unit in the header of its value column (${unit})`,
			value: unitColumn
		});
	}
	return rules;
}

/**
 * What rules across files see: the loaded rows `t` beside their patient `p` (p_id, p_implanted,
 * p_end) and, in date form, the patient's anchor date `a` (a_anchor). One join serves every rule.
 */
export function joinedRows(
	kind: FileKind,
	dateForm: boolean,
	tables: { rows: string; patients: string } = { rows: kind, patients: 'patients' }
): string {
	const anchor = dateForm
		? ' LEFT JOIN (SELECT anchor_patient_id AS a_id, anchor AS a_anchor FROM __patient_anchor) a ON a.a_id = t.patient_id'
		: '';
	// A prescription's reason for no MME, computed once per row for the warnings that count each.
	const rows =
		kind === 'oral_opioids' ? `(SELECT *, ${MME_REASON_SQL} AS mme_reason FROM ${tables.rows})` : tables.rows;
	return (
		`${rows} t LEFT JOIN (SELECT patient_id AS p_id, implanted AS p_implanted, followup_end_day AS p_end FROM ${tables.patients}) p ` +
		`ON p.p_id = t.patient_id${anchor}`
	);
}

/**
 * Why a loaded prescription gets no MME (mmeNotComputableSql), or NULL. Only prescriptions that
 * would otherwise get one: OUD treatment and drugs without a CDC factor are excluded for that
 * reason first (deriveMme.ts, as mme_prescriptions counts them).
 */
const MME_REASON_SQL =
	`CASE WHEN indication IS DISTINCT FROM 'oud' AND drug IN (${CONVERTIBLE_DRUGS.map(literal).join(', ')}) ` +
	`THEN (${mmeNotComputableSql()}) END`;

/** Rules across files, run in order on the rows that passed the row rules (over `joinedRows`). */
export function crossFileRules(kind: FileKind, dateForm: boolean): RowRule[] {
	if (kind === 'patients') return [];
	const rules: RowRule[] = [
		{
			column: 'patient_id',
			when: 'p.p_id IS NULL',
			rule: 'unknown patient_id (not in the patients file)',
			value: 't.patient_id'
		}
	];
	if (dateForm) {
		rules.push({
			column: 'patient_id',
			when: 'p.p_id IS NOT NULL AND a.a_anchor IS NULL',
			rule: "dates need the patient's implant_date (or trial_date) in the patients file",
			value: 't.patient_id'
		});
	}
	if (kind === 'pump_events') {
		rules.push({
			column: 'event',
			when: `t.event NOT IN (${PATIENT_EVENTS_WITHOUT_IMPLANT.map(literal).join(', ')}) AND NOT p.p_implanted`,
			rule: 'a pump event for a patient who was never implanted (the patients file has no implant for them)',
			value: 't.event'
		});
	}
	return rules;
}

/** Keep-first duplicates: patients. The later rows of a patient_id are rejected. */
export const DUPLICATE_PATIENT = {
	column: 'patient_id',
	partition: 'patient_id',
	rule: "'duplicate patient_id (first on line ' || first_line || '); the first row is kept'"
};

/**
 * More than one assessment of a patient on one day: every row is kept, with a warning, and the
 * later line of the file is the one the pain outcomes use (derivePain.ts: baseline and windows),
 * as for pump rows on one day (outcomes.md section 4, "the last in file order wins").
 */
export function sameDayAssessments(lines: readonly { line: number; first: number }[]): string | null {
	if (lines.length === 0) return null;
	const shown = lines.slice(0, 10).map((d) => `line ${d.line} (same day as line ${d.first})`);
	return (
		`${lines.length} ${lines.length === 1 ? 'assessment repeats' : 'assessments repeat'} a patient's assessment day (kept; outcomes use the later line): ` +
		shown.join(', ') +
		(lines.length > 10 ? ', …' : '')
	);
}

/** Why an MME is not computable from a row (mmeNotComputableSql), one warning each. */
export const MME_NOT_COMPUTABLE_REASONS = [
	'quantity missing',
	'days supply missing',
	'strength missing'
] as const;

/**
 * Kept rows that deserve a warning (over `joinedRows`), each with its message given the number
 * of rows (`3 rows`) and their first lines (`line 2, line 5`).
 */
export function warningRules(
	kind: FileKind
): { when: string; message: (rows: string, lines: string) => string }[] {
	if (kind === 'patients') return [];
	const day = kind === 'oral_opioids' ? 't.start_day' : 't.day';
	const out = [
		{
			when: `${day} > p.p_end`,
			message: (rows: string, lines: string) =>
				`${rows} after the patient's followup_end_day (kept; outcome windows end at follow-up end): ${lines}`
		}
	];
	if (kind === 'pump_events') {
		out.push({
			when: `t.event IN ('refill', 'dose_change', 'bolus_change') AND t.day < 0`,
			message: (rows, lines) => `${rows} dosing rows dated before the implant (day < 0) (kept): ${lines}`
		});
	}
	if (kind === 'oral_opioids') {
		for (const reason of MME_NOT_COMPUTABLE_REASONS)
			out.push({
				when: `t.mme_reason = ${literal(reason)}`,
				message: (rows, lines) =>
					`MME not computable for ${rows} (${reason}): ${lines}; loaded, and left out of MME (never counted as 0)`
			});
	}
	return out;
}
