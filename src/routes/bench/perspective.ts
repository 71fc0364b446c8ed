// Bench only: the dashboard's metric set (metricSet.ts) with Perspective's views (group_by,
// filter, aggregates, expression columns), per-patient tables built once as the app's derive step
// does. Perspective has no join and no "value at the latest row" aggregate: a row's order and
// value travel together in one integer key through max/min (inputs.ts KEY), and per-patient
// results are merged in JavaScript (timed with the rest).
//
// Perspective 3.8 quirks met here: comparing an integer column with a number literal in an
// expression is always false (wrapped in float()); a null compares true (tested with is_null);
// q1/q3 are medians of the halves, not DuckDB's quantile_cont, and medians differ at times too
// (so quantile columns are compared apart: see QUANTILE_COLUMNS); a null input makes a whole
// expression null (flags are computed while merging).
import type { Filters } from '$lib/sql';
import { KEY } from './inputs';
import type { MetricSet, Responders12m } from './metricSet';

/** The part of Perspective's client (browser worker or Node module) the bench uses. */
export interface PspClient {
	table(data: Record<string, unknown[]>, options?: { name?: string }): Promise<PspTable>;
}
export interface PspTable {
	view(config: Record<string, unknown>): Promise<PspView>;
	delete(): Promise<void>;
	size(): Promise<number>;
}
export interface PspView {
	to_columns(): Promise<object>;
	delete(): Promise<void>;
}

export interface PspDerived {
	patients: PspTable;
	painMonth: PspTable;
	patients12m: PspTable;
}

type Columns = Record<string, unknown[]>;

/** Metric-set cells where Perspective's quantile definition, not an error, makes the difference. */
export const QUANTILE_COLUMNS = /\.(median|q1|q3|median_followup_months):/;

const f = (c: string) => `float("${c}")`;
const IN_OUTCOME = `if (is_null("implant_year") or "diagnosis" == 'spasticity') { 0 } else { 1 }`;

async function columns(table: PspTable, config: Record<string, unknown>): Promise<Columns> {
	const view = await table.view(config);
	try {
		return (await view.to_columns()) as Columns;
	} finally {
		await view.delete();
	}
}

/** Rows of a one-level group_by, without the total row. */
function groups(c: Columns, column: string): Map<unknown, unknown> {
	const out = new Map<unknown, unknown>();
	const paths = c.__ROW_PATH__ as unknown[][];
	const values = c[column]!;
	paths.forEach((p, i) => {
		if (p.length === 1) out.set(p[0], values[i]);
	});
	return out;
}

/**
 * Build the per-patient tables from the patients table and the pain table joined with its
 * patient columns (inputs.ts PAIN_JOINED_EXPORT_SQL).
 */
export async function perspectiveDerive(
	client: PspClient,
	patients: PspTable,
	pain: PspTable
): Promise<PspDerived> {
	// pain_month: mean pain per patient and month, with the patient's office and outcome flag.
	const pm = await columns(pain, {
		group_by: ['patient_id', 'month'],
		columns: ['pain_avg', 'office', 'in_outcome'],
		expressions: { month: `floor(${f('day')} / 30.4375)`, in_outcome: IN_OUTCOME },
		aggregates: { pain_avg: 'avg', office: 'dominant', in_outcome: 'max' }
	});
	const paths = pm.__ROW_PATH__ as unknown[][];
	const month: Columns = { patient_id: [], month: [], pain: [], office: [], in_outcome: [] };
	paths.forEach((p, i) => {
		if (p.length !== 2) return;
		month.patient_id!.push(p[0]);
		month.month!.push(p[1]);
		month.pain!.push(pm.pain_avg![i]);
		month.office!.push(pm.office![i]);
		month.in_outcome!.push(pm.in_outcome![i]);
	});
	const painMonth = await client.table(month);

	// Baseline: the latest score (day, then line) in the baseline range, its value in the key.
	const shifted = `is_not_null("trial_day") and ${f('trial_day')} < -90`;
	const lo = `if (${shifted}) { ${f('trial_day')} - 90 } else { -90 }`;
	const hi = `if (${shifted}) { ${f('trial_day')} - 1 } else { -1 }`;
	const tenths = `round(10 * "pain_avg")`;
	const baseKey = `((${f('day')} + ${KEY.dayOffset}) * ${KEY.lines} + ${f('_line')}) * ${KEY.values} + ${tenths}`;
	const base = await columns(pain, {
		group_by: ['patient_id'],
		columns: ['key'],
		expressions: {
			in_outcome: IN_OUTCOME,
			candidate:
				`if (is_not_null("pain_avg") and ${f('day')} >= (${lo}) and ${f('day')} <= (${hi}) ` +
				`and (is_null("trial_day") or ${f('day')} < ${f('trial_day')})) { 1 } else { 0 }`,
			key: baseKey
		},
		aggregates: { key: 'max' },
		filter: [
			['in_outcome', '==', 1],
			['candidate', '==', 1]
		]
	});
	// 12 months: the score closest to day 365 in [320, 410), the earlier day on a tie, then the later line.
	const dist = `abs(${f('day')} - 365)`;
	const later = `if (${f('day')} > 365) { 1 } else { 0 }`;
	const value = `if (is_null("pain_avg")) { ${KEY.nullValue} } else { ${tenths} }`;
	const winKey = `((2 * ${dist} + ${later}) * ${KEY.lines} + (${KEY.lines - 1} - ${f('_line')})) * ${KEY.values} + ${value}`;
	const win = await columns(pain, {
		group_by: ['patient_id'],
		columns: ['key'],
		expressions: {
			in_outcome: IN_OUTCOME,
			in_window: `if (${f('day')} >= 320 and ${f('day')} < 410) { 1 } else { 0 }`,
			key: winKey
		},
		aggregates: { key: 'min' },
		filter: [
			['in_outcome', '==', 1],
			['in_window', '==', 1]
		]
	});
	const population = await columns(patients, {
		columns: ['patient_id', 'office', 'due'],
		expressions: {
			in_outcome: IN_OUTCOME,
			due:
				`if ((is_not_null("followup_end_day") and ${f('followup_end_day')} >= 320) or ` +
				`"followup_end_reason" == 'explant' or "followup_end_reason" == 'death' or "followup_end_reason" == 'lost') { 1 } else { 0 }`
		},
		filter: [['in_outcome', '==', 1]]
	});
	const baseline = groups(base, 'key');
	const window12 = groups(win, 'key');
	const per: Columns = { office: [], b: [], s: [], due: [], eligible: [], completer: [] };
	population.patient_id!.forEach((id, i) => {
		const bk = baseline.get(id) as number | undefined;
		const wk = window12.get(id) as number | undefined;
		const b = bk === undefined ? null : bk % KEY.values;
		const sv = wk === undefined ? null : wk % KEY.values;
		per.office!.push(population.office![i]);
		per.b!.push(b);
		per.s!.push(sv === KEY.nullValue ? null : sv);
		per.due!.push(population.due![i] === 1 || wk !== undefined ? 1 : 0);
		// In a Perspective expression a null input makes the whole expression null: flags are set here.
		per.eligible!.push(b !== null && b >= 40 ? 1 : 0);
		per.completer!.push(sv !== null && sv !== KEY.nullValue ? 1 : 0);
	});
	const patients12m = await client.table(per);
	return { patients, painMonth, patients12m };
}

function officeFilter(filters: Filters): unknown[] {
	return filters.offices.length ? [['office', 'in', filters.offices]] : [];
}

/** The first row of a group_by view: Perspective's grand total. */
function totals(c: Columns): Record<string, number | null> {
	const out: Record<string, number | null> = {};
	for (const [k, v] of Object.entries(c)) if (k !== '__ROW_PATH__') out[k] = (v[0] as number | null) ?? null;
	return out;
}

export async function perspectiveMetricSet(d: PspDerived, filters: Filters): Promise<MetricSet> {
	const filter = officeFilter(filters);
	const summary = totals(
		await columns(d.patients, {
			group_by: ['office'],
			columns: ['patient_id', 'implanted', 'trial_failed', 'spasticity', 'in_outcome'],
			expressions: {
				implanted: `if (is_null("implant_year")) { 0 } else { 1 }`,
				trial_failed: `if ("trial_result" == 'fail') { 1 } else { 0 }`,
				spasticity: `if (is_not_null("implant_year") and "diagnosis" == 'spasticity') { 1 } else { 0 }`,
				in_outcome: IN_OUTCOME
			},
			aggregates: {
				patient_id: 'count',
				implanted: 'sum',
				trial_failed: 'sum',
				spasticity: 'sum',
				in_outcome: 'sum'
			},
			filter
		})
	);
	const followup = totals(
		await columns(d.patients, {
			group_by: ['office'],
			columns: ['followup_end_day'],
			aggregates: { followup_end_day: 'median' },
			filter: [...filter, ['implant_year', 'is not null', null], ['followup_end_day', 'is not null', null]]
		})
	);
	const monthFilter = [...filter, ['in_outcome', '==', 1], ['month', '>=', -6], ['month', '<=', 36]];
	const m = await columns(d.painMonth, {
		group_by: ['month'],
		columns: ['patient_id', 'mean', 'median', 'q1', 'q3', 'n'],
		expressions: { mean: '"pain"', median: '"pain"', q1: '"pain"', q3: '"pain"', n: '"pain"' },
		aggregates: {
			patient_id: 'distinct count',
			mean: 'avg',
			median: 'median',
			q1: 'q1',
			q3: 'q3',
			n: 'count'
		},
		filter: monthFilter
	});
	const paths = m.__ROW_PATH__ as unknown[][];
	const months: MetricSet['months'] = [];
	paths.forEach((p, i) => {
		if (p.length !== 1) return;
		months.push({
			month: p[0] as number,
			n: m.n![i] as number,
			mean: m.mean![i] as number,
			median: m.median![i] as number,
			q1: m.q1![i] as number,
			q3: m.q3![i] as number
		});
	});
	months.sort((a, b) => a.month - b.month);
	const [b, s] = [f('b'), f('s')];
	const completer = `${f('completer')} == 1`;
	const eligible = `${f('eligible')} == 1`;
	const notEligible = `${f('eligible')} == 0`;
	const due = `${f('due')} == 1`;
	const rules = {
		r30: `10 * (${b} - ${s}) >= 3 * ${b}`,
		r50: `2 * (${b} - ${s}) >= ${b}`,
		r2pt: `${b} - ${s} >= 20`
	};
	const counts: Record<keyof Responders12m, string> = {
		completers_n: `${completer} and ${eligible}`,
		all_implanted_n: `${due} and ${eligible}`,
		excluded_completers: `${completer} and ${notEligible}`,
		excluded_all_implanted: `${due} and ${notEligible}`,
		responders30_completers: `${eligible} and ${completer} and ${rules.r30}`,
		responders30_all_implanted: `${due} and ${eligible} and ${completer} and ${rules.r30}`,
		responders50_completers: `${eligible} and ${completer} and ${rules.r50}`,
		responders50_all_implanted: `${due} and ${eligible} and ${completer} and ${rules.r50}`,
		responders2pt_completers: `${eligible} and ${completer} and ${rules.r2pt}`,
		responders2pt_all_implanted: `${due} and ${eligible} and ${completer} and ${rules.r2pt}`
	};
	const names = Object.keys(counts) as (keyof Responders12m)[];
	const r = totals(
		await columns(d.patients12m, {
			group_by: ['due'],
			columns: names,
			expressions: Object.fromEntries(names.map((k) => [k, `if (${counts[k]}) { 1 } else { 0 }`])),
			aggregates: Object.fromEntries(names.map((k) => [k, 'sum'])),
			filter
		})
	);
	const median = followup.followup_end_day ?? null;
	return {
		summary: {
			patients: summary.patient_id ?? 0,
			implanted: summary.implanted ?? 0,
			trial_failed: summary.trial_failed ?? 0,
			spasticity: summary.spasticity ?? 0,
			outcome_population: summary.in_outcome ?? 0,
			median_followup_months: median === null ? null : median / 30.4375
		},
		months,
		painPatients: (m.patient_id?.[0] as number | undefined) ?? 0,
		responders12m: Object.fromEntries(names.map((k) => [k, r[k] ?? 0])) as Responders12m
	};
}

export async function perspectiveDispose(d: PspDerived): Promise<void> {
	await d.painMonth.delete();
	await d.patients12m.delete();
}
