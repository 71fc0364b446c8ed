// Bench only (scripts/bench, docs/benchmarks.md): the dashboard's metric set as the app's query
// builders compute it, the plain typed read_csv baseline, and a cross-check of two answers.
// Pure functions over a `Database`, so the same code runs in the bench page (duckdb-wasm in a
// worker), in Node's duckdb-wasm build and against native DuckDB.
import { columnsOf, type FileKind } from '$lib/contract';
import type { Database } from '$lib/db/types';
import { loadedColumns, sqlType } from '$lib/ingest/tables';
import { DEFAULT_WINDOW_SETTINGS } from '$lib/outcomes';
import {
	cohortSummary,
	ident,
	literal,
	NO_FILTERS,
	painByMonth,
	painPatients,
	painWindowResponders,
	run,
	runOne,
	type CohortSummary,
	type Filters,
	type PainMonth,
	type PainWindowRespondersRow
} from '$lib/sql';

export const KINDS: readonly FileKind[] = ['patients', 'pain_scores', 'oral_opioids', 'pump_events'];

/** The 12-month responder counts (pain_avg), as painWindowResponders returns them. */
export type Responders12m = Omit<PainWindowRespondersRow, 'label' | 'target'>;

/** Cohort summary + pain by month + 12-month responder rate: what the comparison engines compute. */
export interface MetricSet {
	summary: CohortSummary;
	months: PainMonth[];
	painPatients: number;
	responders12m: Responders12m;
}

/** `plain_<kind>`: the file as DuckDB reads it with declared types and nothing else. */
export function plainTable(kind: FileKind): string {
	return `plain_${kind}`;
}

/**
 * A typed read_csv of one contract file: every contract column gets its loaded SQL type, any other
 * column VARCHAR, no sniffing, no validation. The baseline the importer's overhead is measured on.
 */
export function plainReadCsvSql(kind: FileKind, header: readonly string[], source: string): string {
	const types = new Map(columnsOf(kind).map((c) => [c.name, sqlType(c)]));
	const columns = header.map((h) => `${literal(h)}: ${literal(types.get(h) ?? 'VARCHAR')}`).join(', ');
	return (
		`CREATE OR REPLACE TABLE ${plainTable(kind)} AS SELECT * FROM read_csv(${literal(source)}, ` +
		`auto_detect = false, header = true, delim = ',', quote = '"', escape = '"', columns = {${columns}})`
	);
}

/**
 * The loaded table of the app's shape (architecture.md) from the plain one, so that the app's
 * derive and query SQL run on it verbatim: `age` from `age_at_implant` ('90+' is 90), `implanted`
 * from `implant_year`, `_line` from the row order (header is line 1).
 */
export function shapeSql(kind: FileKind, header: readonly string[]): string {
	const present = new Set(header);
	const cols = loadedColumns(kind).map((c) => {
		if (c.name === '_line') return '(rowid + 2)::INTEGER AS _line';
		if (kind === 'patients' && c.name === 'age')
			return `CASE WHEN age_at_implant = '90+' THEN 90 ELSE TRY_CAST(age_at_implant AS INTEGER) END AS age`;
		if (kind === 'patients' && c.name === 'implanted') return 'implant_year IS NOT NULL AS implanted';
		return present.has(c.name) ? ident(c.name) : `NULL::${c.type} AS ${ident(c.name)}`;
	});
	return `CREATE OR REPLACE TABLE ${kind} AS SELECT ${cols.join(', ')} FROM ${plainTable(kind)}`;
}

/** The header row of a CSV file (the cohort files are plain: no quotes in the header). */
export function headerOf(bytes: Uint8Array): string[] {
	let end = bytes.indexOf(0x0a);
	if (end < 0) end = bytes.length;
	return new TextDecoder()
		.decode(bytes.subarray(0, end))
		.replace(/\r$/, '')
		.split(',')
		.map((h) => h.trim());
}

/** The metric set through the app's query builders, one query at a time (the app's connection is serial). */
export async function duckdbMetricSet(db: Database, filters: Filters = NO_FILTERS): Promise<MetricSet> {
	const summary = await runOne<CohortSummary>(db, cohortSummary(filters));
	const months = await run<PainMonth>(db, painByMonth(filters));
	const patients = await runOne<{ n: number }>(db, painPatients(filters));
	const windows = await run<PainWindowRespondersRow>(
		db,
		painWindowResponders(filters, DEFAULT_WINDOW_SETTINGS, 'pain_avg')
	);
	const w12 = windows.find((w) => w.label === '12m');
	if (!w12) throw new Error('painWindowResponders returned no 12m row');
	const responders12m: Partial<PainWindowRespondersRow> = { ...w12 };
	delete responders12m.label;
	delete responders12m.target;
	return { summary, months, painPatients: patients.n, responders12m: responders12m as Responders12m };
}

/** Offices in the loaded patients, for the filter-change sequence. */
export async function officesOf(db: Database): Promise<string[]> {
	const rows = await db.query<{ office: string }>(
		'SELECT DISTINCT office FROM patients WHERE office IS NOT NULL ORDER BY office'
	);
	return rows.map((r) => r.office);
}

/**
 * The filter changes a user makes by ticking and unticking offices one after the other:
 * [A], none, [B], none, ... `count` changes in all.
 */
export function officeChanges(offices: readonly string[], count: number): Filters[] {
	const out: Filters[] = [];
	for (let i = 0; i < count; i++) {
		const office = offices[Math.floor(i / 2) % Math.max(offices.length, 1)];
		out.push(i % 2 === 0 && office !== undefined ? { ...NO_FILTERS, offices: [office] } : NO_FILTERS);
	}
	return out;
}

/**
 * Where two metric sets disagree: counts exactly, means and quantiles to 1e-9 relative. An empty
 * list means the second engine computed the same numbers (the check that the timings compare
 * like with like).
 */
export function differences(a: MetricSet, b: MetricSet, tolerance = 1e-9): string[] {
	const out: string[] = [];
	const near = (x: unknown, y: unknown) => {
		if (x === null || x === undefined || y === null || y === undefined) return (x ?? null) === (y ?? null);
		const p = Number(x);
		const q = Number(y);
		return Math.abs(p - q) <= tolerance * Math.max(1, Math.abs(p), Math.abs(q));
	};
	const compare = (where: string, x: Record<string, unknown>, y: Record<string, unknown>) => {
		for (const k of Object.keys(x)) {
			if (!near(x[k], y[k])) out.push(`${where}.${k}: ${String(x[k])} vs ${String(y[k])}`);
		}
	};
	compare('summary', { ...a.summary }, { ...b.summary });
	if (a.painPatients !== b.painPatients) out.push(`painPatients: ${a.painPatients} vs ${b.painPatients}`);
	compare('responders12m', { ...a.responders12m }, { ...b.responders12m });
	if (a.months.length !== b.months.length) out.push(`months: ${a.months.length} vs ${b.months.length} rows`);
	const byMonth = new Map(b.months.map((m) => [m.month, m]));
	for (const m of a.months) {
		const other = byMonth.get(m.month);
		if (!other) out.push(`month ${m.month}: missing`);
		else compare(`month ${m.month}`, { ...m }, { ...other });
	}
	return out;
}
