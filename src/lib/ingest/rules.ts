import {
	IT_DOSE_UNIT,
	MME_INPUTS,
	mmeNotComputable,
	mmeNotComputableSql,
	type FileKind
} from '$lib/contract';
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
	/**
	 * The same condition over one row as the scan read it, with SQL's NULL logic (a comparison with
	 * NULL is not true): the scan counts with it (tally.ts), and the SQL lists the rows when a count
	 * is not 0. Absent for rules the scan cannot judge (dates, which need every patient's anchor).
	 */
	test?: RowTest;
	rule: string;
	/** SQL for the value shown (null when it is computed or may mislead). */
	value: string | null;
}

/**
 * A block of rows as the scan read them (tally.ts), column by column: each contract column's
 * loaded values, NULL as NaN (a number; an enum value's index in its column's values; 0 for other
 * text), and each row's patient. A rule's test counts the rows of a block that break it, in one
 * loop per rule rather than a call per row.
 */
export interface RowBlock {
	/** A column's values (all NaN when the file has no such column). */
	values(column: string): Float64Array;
	/** The index of `value` among an enum column's values, as its `values` hold it (NaN: none). */
	code(column: string, value: string): number;
	/** Per row: the patient_id is in the patients file (1) or not (0). */
	readonly known: Uint8Array;
	/** Per row: the patient was implanted (1). */
	readonly implanted: Uint8Array;
	/** Per row: the patient's followup_end_day (NaN when NULL or no patient). */
	readonly end: Float64Array;
	/** Changes with every block: what a test computed for one block serves the others (mmeReasons). */
	readonly serial: number;
}

/**
 * A rule's condition over a block of rows: given the block (its arrays are the same from block to
 * block), the count of its first `n` rows that break the rule.
 */
export type RowTest = (b: RowBlock) => (n: number) => number;

/** SQL's NULL as the scan's values hold it. */
const isNull = (v: number) => v !== v;
/** SQL's IS DISTINCT FROM over values that hold NULL as NaN. */
const distinct = (a: number, b: number) => (isNull(a) ? !isNull(b) : isNull(b) || a !== b);
/** `given IS NOT NULL AND missing IS NULL`. */
const givenWithout =
	(given: string, missing: string): RowTest =>
	(b) => {
		const [g, m] = [b.values(given), b.values(missing)];
		return (n) => {
			let k = 0;
			for (let i = 0; i < n; i++) if (!isNull(g[i]!) && isNull(m[i]!)) k++;
			return k;
		};
	};
/** Per code of an enum column: whether its value is one of `values` (1) or not (0). */
const codesOf = (b: RowBlock, column: string, values: readonly string[]) => {
	const flags = new Uint8Array(64);
	for (const v of values) {
		const code = b.code(column, v);
		if (!isNull(code)) flags[code] = 1;
	}
	return flags;
};

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
			test: givenWithout('strength', 'strength_unit'),
			rule: 'required value missing (strength is given)',
			value: null
		});
		rules.push({
			column: 'strength_unit',
			when: `(strength_unit = 'mcg/hr') <> (drug = 'fentanyl_transdermal')`,
			test: (b) => {
				const [unit, drug] = [b.values('strength_unit'), b.values('drug')];
				const [mcg, patch] = [b.code('strength_unit', 'mcg/hr'), b.code('drug', 'fentanyl_transdermal')];
				return (n) => {
					let k = 0;
					for (let i = 0; i < n; i++) {
						const u = unit[i]!;
						const d = drug[i]!;
						if (!isNull(u) && !isNull(d) && (u === mcg) !== (d === patch)) k++;
					}
					return k;
				};
			},
			rule: 'mcg/hr is the unit for fentanyl_transdermal, and only for it',
			value: 'strength_unit'
		});
		rules.push({
			column: has('end_date') ? 'end_date' : 'end_day',
			when: 'end_day < start_day',
			test: (b) => {
				const [end, start] = [b.values('end_day'), b.values('start_day')];
				return (n) => {
					let k = 0;
					// A comparison with NaN (NULL) is false, as in SQL.
					for (let i = 0; i < n; i++) if (end[i]! < start[i]!) k++;
					return k;
				};
			},
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
			test: givenWithout('daily_dose', 'drug'),
			rule: 'a dose needs a drug',
			value: null
		});
		rules.push({
			column: 'daily_dose',
			when: `event IN ('implant', 'refill', 'dose_change') AND drug IS NOT NULL AND daily_dose IS NULL`,
			test: (b) => {
				const [event, drug, dose] = [b.values('event'), b.values('drug'), b.values('daily_dose')];
				const doses = codesOf(b, 'event', ['implant', 'refill', 'dose_change']);
				return (n) => {
					let k = 0;
					for (let i = 0; i < n; i++) {
						const e = event[i]!;
						if (!isNull(e) && doses[e] === 1 && !isNull(drug[i]!) && isNull(dose[i]!)) k++;
					}
					return k;
				};
			},
			rule: 'required for implant, refill and dose_change rows with a drug',
			value: null
		});
		rules.push({
			column: 'daily_dose_unit',
			when: `daily_dose IS NOT NULL AND daily_dose_unit IS DISTINCT FROM (CASE drug ${unitFits} END)`,
			test: (b) => {
				const [drug, dose, unit] = [b.values('drug'), b.values('daily_dose'), b.values('daily_dose_unit')];
				// Per drug code, the code of the unit that fits it (NaN: none, as the CASE gives NULL).
				const fits = new Float64Array(64).fill(NaN);
				for (const [d, u] of Object.entries(IT_DOSE_UNIT)) {
					const code = b.code('drug', d);
					if (!isNull(code)) fits[code] = b.code('daily_dose_unit', u);
				}
				return (n) => {
					let k = 0;
					for (let i = 0; i < n; i++) {
						const d = drug[i]!;
						if (!isNull(dose[i]!) && distinct(unit[i]!, isNull(d) ? NaN : fits[d]!)) k++;
					}
					return k;
				};
			},
			rule: 'unit does not fit the drug (outcomes.md section 4)',
			value: 'daily_dose_unit'
		});
		rules.push({
			column: 'complication',
			when: `event = 'complication' AND complication IS NULL`,
			test: (b) => {
				const [event, complication] = [b.values('event'), b.values('complication')];
				const code = b.code('event', 'complication');
				return (n) => {
					let k = 0;
					for (let i = 0; i < n; i++) if (event[i] === code && isNull(complication[i]!)) k++;
					return k;
				};
			},
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
			test: (b) => {
				const values = b.values(unitColumn);
				const code = b.code(unitColumn, unit);
				return (n) => {
					let k = 0;
					for (let i = 0; i < n; i++) if (!isNull(values[i]!) && values[i] !== code) k++;
					return k;
				};
			},
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

/** MME_REASON_SQL for row `i` of a block. */
function mmeReason(b: RowBlock): (i: number) => string | null {
	const [drug, indication] = [b.values('drug'), b.values('indication')];
	const convertible = codesOf(b, 'drug', CONVERTIBLE_DRUGS);
	const oud = b.code('indication', 'oud');
	const [unitsPerDay, quantity, daysSupply, endDay, strength] = MME_INPUTS.map((c) => b.values(c)) as [
		Float64Array,
		Float64Array,
		Float64Array,
		Float64Array,
		Float64Array
	];
	const orNull = (v: number) => (isNull(v) ? null : v);
	return (i) => {
		const d = drug[i]!;
		if (indication[i] === oud || isNull(d) || convertible[d] === 0) return null;
		return mmeNotComputable({
			units_per_day: orNull(unitsPerDay[i]!),
			quantity: orNull(quantity[i]!),
			days_supply: orNull(daysSupply[i]!),
			end_day: orNull(endDay[i]!),
			strength: orNull(strength[i]!)
		});
	};
}

/**
 * Per row of a block, MME_REASON_SQL as an index in MME_NOT_COMPUTABLE_REASONS (-1: NULL): worked
 * out once per block for the three warnings that each count one reason (at 110k prescriptions a
 * third of what they cost computing it each).
 */
const mmeReasonMemo = new WeakMap<RowBlock, (n: number) => Int8Array>();
function mmeReasons(b: RowBlock): (n: number) => Int8Array {
	const known = mmeReasonMemo.get(b);
	if (known) return known;
	const reasonOf = mmeReason(b);
	const codes = new Int8Array(b.known.length);
	let serial = NaN;
	const reasons = (n: number) => {
		if (serial !== b.serial) {
			for (let i = 0; i < n; i++) {
				const reason = reasonOf(i);
				codes[i] = reason === null ? -1 : (MME_NOT_COMPUTABLE_REASONS as readonly string[]).indexOf(reason);
			}
			serial = b.serial;
		}
		return codes;
	};
	mmeReasonMemo.set(b, reasons);
	return reasons;
}

/** Rules across files, run in order on the rows that passed the row rules (over `joinedRows`). */
export function crossFileRules(kind: FileKind, dateForm: boolean): RowRule[] {
	if (kind === 'patients') return [];
	const rules: RowRule[] = [
		{
			column: 'patient_id',
			when: 'p.p_id IS NULL',
			test: (b) => (n) => {
				let k = 0;
				for (let i = 0; i < n; i++) if (b.known[i] === 0) k++;
				return k;
			},
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
			test: (b) => {
				const { known, implanted } = b;
				const event = b.values('event');
				const without = codesOf(b, 'event', PATIENT_EVENTS_WITHOUT_IMPLANT);
				return (n) => {
					let k = 0;
					for (let i = 0; i < n; i++) {
						const e = event[i]!;
						if (known[i] === 1 && implanted[i] === 0 && !isNull(e) && without[e] === 0) k++;
					}
					return k;
				};
			},
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
): { when: string; test: RowTest; message: (rows: string, lines: string) => string }[] {
	if (kind === 'patients') return [];
	const dayColumn = kind === 'oral_opioids' ? 'start_day' : 'day';
	const day = `t.${dayColumn}`;
	const out = [
		{
			when: `${day} > p.p_end`,
			test: (b: RowBlock) => {
				const { end } = b;
				const day = b.values(dayColumn);
				return (n: number) => {
					let k = 0;
					// No patient, or no end: NaN, and the comparison is false.
					for (let i = 0; i < n; i++) if (day[i]! > end[i]!) k++;
					return k;
				};
			},
			message: (rows: string, lines: string) =>
				`${rows} after the patient's followup_end_day (kept; outcome windows end at follow-up end): ${lines}`
		}
	];
	if (kind === 'pump_events') {
		out.push({
			when: `t.event IN ('refill', 'dose_change', 'bolus_change') AND t.day < 0`,
			test: (b) => {
				const [event, day] = [b.values('event'), b.values('day')];
				const changes = codesOf(b, 'event', ['refill', 'dose_change', 'bolus_change']);
				return (n) => {
					let k = 0;
					for (let i = 0; i < n; i++) {
						const e = event[i]!;
						if (!isNull(e) && changes[e] === 1 && day[i]! < 0) k++;
					}
					return k;
				};
			},
			message: (rows, lines) => `${rows} dosing rows dated before the implant (day < 0) (kept): ${lines}`
		});
	}
	if (kind === 'oral_opioids') {
		MME_NOT_COMPUTABLE_REASONS.forEach((reason, code) =>
			out.push({
				when: `t.mme_reason = ${literal(reason)}`,
				test: (b) => {
					const reasons = mmeReasons(b);
					return (n) => {
						const codes = reasons(n);
						let k = 0;
						for (let i = 0; i < n; i++) if (codes[i] === code) k++;
						return k;
					};
				},
				message: (rows, lines) =>
					`MME not computable for ${rows} (${reason}): ${lines}; loaded, and left out of MME (never counted as 0)`
			})
		);
	}
	return out;
}
