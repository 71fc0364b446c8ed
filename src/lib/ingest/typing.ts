import { columnsOf, IT_DOSE_UNIT, type ColumnSpec, type FileKind } from '$lib/contract';
import { ident, literal } from '$lib/sql/literal';

/** The one documented list of null spellings (case-insensitive, after trimming). */
export const NULL_SPELLINGS = ['', 'na', 'n/a', 'null', 'none', '-', '.'] as const;

export const NULL_MACRO =
	'CREATE OR REPLACE MACRO ingest_null(v) AS CASE WHEN v IS NULL OR lower(trim(v)) IN (' +
	NULL_SPELLINGS.map((s) => literal(s)).join(', ') +
	') THEN NULL ELSE trim(v) END';

const INT_RE = literal('-?[0-9]+');
const NUM_RE = literal('-?([0-9]+([.][0-9]*)?|[.][0-9]+)');
const DATE_RE = literal('[0-9]{4}-[0-9]{2}-[0-9]{2}');

/** SQL for a column's typed value and its error (a rule text, or NULL), from raw text `r`. */
export function castColumn(c: ColumnSpec, r: string): { value: string; error: string } {
	const checks: [string, string][] = [];
	let value: string;
	switch (c.kind) {
		case 'id':
			value = r;
			checks.push([`length(${r}) > 64`, 'longer than 64 characters']);
			break;
		case 'text':
			value = r;
			break;
		case 'integer':
		case 'age': {
			const isInt = `regexp_full_match(${r}, ${INT_RE})`;
			value =
				c.kind === 'age'
					? `CASE WHEN ${r} = '90+' THEN 90 WHEN ${isInt} THEN TRY_CAST(${r} AS INTEGER) END`
					: `CASE WHEN ${isInt} THEN TRY_CAST(${r} AS INTEGER) END`;
			const ok = c.kind === 'age' ? `(${r} = '90+' OR ${isInt})` : isInt;
			checks.push([
				`NOT ${ok}`,
				c.kind === 'age' ? 'expected a whole number 18-89 or 90+' : 'expected a whole number'
			]);
			// `90+` is the contract's spelling for ages over 89; only numbers are range-checked.
			checks.push(...rangeChecks(c, c.kind === 'age' ? `CASE WHEN ${r} <> '90+' THEN ${value} END` : value));
			break;
		}
		case 'number': {
			value = `CASE WHEN regexp_full_match(${r}, ${NUM_RE}) THEN TRY_CAST(${r} AS DOUBLE) END`;
			checks.push([`NOT regexp_full_match(${r}, ${NUM_RE})`, 'expected a number']);
			if (c.maxDecimals !== undefined) {
				const re = literal(`-?[0-9]*([.][0-9]{0,${c.maxDecimals}})?`);
				checks.push([`NOT regexp_full_match(${r}, ${re})`, `expected at most ${c.maxDecimals} decimal`]);
			}
			checks.push(...rangeChecks(c, value));
			break;
		}
		case 'enum': {
			const values = c.values ?? [];
			value = `CASE lower(${r}) ${values.map((v) => `WHEN ${literal(v.toLowerCase())} THEN ${literal(v)}`).join(' ')} END`;
			checks.push([`(${value}) IS NULL`, `expected one of ${values.join(', ')}`]);
			break;
		}
		case 'date':
			value = `CASE WHEN regexp_full_match(${r}, ${DATE_RE}) THEN TRY_CAST(${r} AS DATE) END`;
			checks.push([`(${value}) IS NULL`, 'expected a date YYYY-MM-DD']);
			break;
	}
	const whens = checks.map(([cond, rule]) => `WHEN ${cond} THEN ${literal(rule)}`).join(' ');
	const missing = c.required.startsWith('yes')
		? `WHEN ${r} IS NULL THEN 'required value missing'`
		: `WHEN ${r} IS NULL THEN NULL`;
	return { value, error: `CASE ${missing} ${whens} END` };
}

function rangeChecks(c: ColumnSpec, v: string): [string, string][] {
	const out: [string, string][] = [];
	if (c.min !== undefined && c.max !== undefined) {
		out.push([`(${v}) NOT BETWEEN ${c.min} AND ${c.max}`, `expected ${c.min}-${c.max}`]);
	} else if (c.min !== undefined) out.push([`(${v}) < ${c.min}`, `expected at least ${c.min}`]);
	if (c.positive) out.push([`(${v}) <= 0`, 'expected a number greater than 0']);
	return out;
}

/** Rules across columns of one row, checked on typed values: [column, condition, rule]. */
export function rowRules(kind: FileKind, present: ReadonlySet<string>): [string, string, string][] {
	const has = (c: string) => present.has(c);
	const rules: [string, string, string][] = [];
	if (kind === 'oral_opioids') {
		const end = has('end_date') ? 'end_date' : 'end_day';
		const start = has('start_date') ? 'start_date' : 'start_day';
		rules.push([
			end,
			`${col(end, has)} IS NULL AND ${col('days_supply', has)} IS NULL`,
			'needs an end or days_supply'
		]);
		rules.push([
			'units_per_day',
			`${col('units_per_day', has)} IS NULL AND (${col('quantity', has)} IS NULL OR ${col('days_supply', has)} IS NULL)`,
			'needs units_per_day, or quantity with days_supply'
		]);
		rules.push([
			'strength_unit',
			`(strength_unit = 'mcg/hr') <> (drug = 'fentanyl_transdermal')`,
			'mcg/hr is the unit for fentanyl_transdermal, and only for it'
		]);
		rules.push([end, `${col(end, has)} < ${col(start, has)}`, 'ends before it starts']);
	}
	if (kind === 'pump_events') {
		const dosing = `event IN ('implant', 'refill', 'dose_change')`;
		const unitFits = Object.entries(IT_DOSE_UNIT)
			.map(([drug, unit]) => `WHEN ${literal(drug)} THEN ${literal(unit)}`)
			.join(' ');
		rules.push([
			'drug',
			`${col('daily_dose', has)} IS NOT NULL AND ${col('drug', has)} IS NULL`,
			'a dose needs a drug'
		]);
		rules.push([
			'daily_dose',
			`${dosing} AND ${col('drug', has)} IS NOT NULL AND ${col('daily_dose', has)} IS NULL`,
			'required for implant, refill and dose_change rows with a drug'
		]);
		rules.push([
			'daily_dose_unit',
			`${col('daily_dose', has)} IS NOT NULL AND ${col('daily_dose_unit', has)} IS DISTINCT FROM (CASE ${col('drug', has)} ${unitFits} END)`,
			'unit does not fit the drug (outcomes.md section 4)'
		]);
		rules.push([
			'complication',
			`event = 'complication' AND ${col('complication', has)} IS NULL`,
			'required for complication events'
		]);
	}
	return rules;
}

/** A column reference, or NULL when the file does not have that column. */
function col(name: string, has: (c: string) => boolean): string {
	return has(name) ? ident(name) : 'NULL';
}

/** Typed-table SQL: one value column and one `__err` column per mapped contract column. */
export function typedTableSql(
	kind: FileKind,
	raw: string,
	typed: string,
	sources: ReadonlyMap<string, string>
): string {
	const specs = columnsOf(kind).filter((c) => sources.has(c.name));
	const rawCols = specs.map((c) => `ingest_null(${ident(sources.get(c.name)!)}) AS ${ident('r_' + c.name)}`);
	const outCols = specs.flatMap((c) => {
		const { value, error } = castColumn(c, ident('r_' + c.name));
		return [
			`${value} AS ${ident(c.name)}`,
			`${error} AS ${ident(c.name + '__err')}`,
			`${ident('r_' + c.name)}`
		];
	});
	return (
		`CREATE OR REPLACE TEMP TABLE ${typed} AS SELECT __line AS _line, ${outCols.join(', ')} ` +
		`FROM (SELECT __line, ${rawCols.join(', ')} FROM ${raw})`
	);
}
