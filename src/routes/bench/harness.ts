// Bench only: `window.__bench`, driven by scripts/bench/browser.ts in headless Chromium. Inert
// until called: it reads the files picked in this page's input and nothing else, and every
// engine's assets come from this site. Its own duckdb-wasm instance is opened the way
// src/lib/db/browser.ts opens the app's (eh bundle in a worker) and closed after each run.
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import type { Table as ArrowTable } from 'apache-arrow';
import { arrowToRows } from '$lib/db/arrow';
import { serialDatabase } from '$lib/db/serial';
import { CONNECTION_SETTINGS } from '$lib/db/settings';
import { QueryError, type Database, type Row } from '$lib/db/types';
import type { FileKind } from '$lib/contract';
import { importFiles, resetTables } from '$lib/ingest';
import { deriveSql, firstDeriveSql, NO_FILTERS, type Filters } from '$lib/sql';
import { arqueroDerive, arqueroMetricSet } from './arquero';
import type { PspClient } from './perspective';
import {
	PAIN_COLUMNS,
	PAIN_EXPORT_SQL,
	PAIN_JOINED_EXPORT_SQL,
	PATIENT_COLUMNS,
	PATIENTS_EXPORT_SQL,
	type PainColumns,
	type PatientColumns
} from './inputs';
import {
	differences,
	duckdbMetricSet,
	headerOf,
	KINDS,
	officeChanges,
	officesOf,
	plainReadCsvSql,
	shapeSql,
	type MetricSet
} from './metricSet';
import { statementName, summarize, timed, total, type Sample, type Timed } from './timing';

/** The derived tables the metric set reads; the rest of deriveSql serves other pages. */
const METRIC_SET_TABLES = [
	'patient_facts',
	'pain_month',
	'pain_month_cells',
	'pain_patients',
	'pain_baseline',
	'pain_window',
	'pain_window_cells'
];

export interface EngineRun {
	engine: string;
	/** Getting the typed columns into the engine (not charged to the metric set). */
	loadMs: number;
	/** Building the per-patient tables the metric set reads. */
	deriveMs: number;
	/** The metric set, unfiltered, right after deriving. */
	firstMetricSetMs: number;
	/** derive + first metric set: the comparison's headline. */
	endToEndMs: number;
	/** The metric set per office filter change, on the derived tables. */
	perFilterMs: Sample;
	/** Cells that differ from DuckDB's answer (empty: same numbers). */
	differences: string[];
	notes: string[];
}

export interface DuckdbRun extends EngineRun {
	rows: Record<string, number>;
	/** register + typed read_csv of all four files: the import baseline. */
	plainReadCsvMs: number;
	plainReadCsv: Timed[];
	shapeMs: number;
	/** The app's whole derive SQL, statement by statement. */
	derive: Timed[];
	metricQueriesMs: Record<string, number>;
}

interface State {
	files: { kind: FileKind; name: string; bytes: Uint8Array }[];
	patients?: PatientColumns;
	pain?: PainColumns;
	painJoined?: Record<string, unknown[]>;
	offices: string[];
	reference: Map<string, MetricSet>;
}

const state: State = { files: [], offices: [], reference: new Map() };
const key = (f: Filters) => JSON.stringify(f.offices);

async function openDuckdb(): Promise<{
	db: Database;
	close: () => Promise<void>;
	arrow: (sql: string) => Promise<ArrowTable>;
}> {
	const worker = new Worker(ehWorker);
	const instance = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
	await instance.instantiate(ehWasm);
	const conn = await instance.connect();
	for (const s of CONNECTION_SETTINGS) await conn.query(s);
	const db: Database = {
		async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
			try {
				if (params.length === 0) return arrowToRows<T>(await conn.query(sql));
				const stmt = await conn.prepare(sql);
				try {
					return arrowToRows<T>(await stmt.query(...params));
				} finally {
					await stmt.close();
				}
			} catch (e) {
				throw new QueryError(e instanceof Error ? e.message : String(e), sql, { cause: e });
			}
		},
		registerBuffer: (name, bytes) => instance.registerFileBuffer(name, bytes),
		dropBuffer: async (name) => void (await instance.dropFile(name))
	};
	return {
		db,
		arrow: (sql) => conn.query(sql) as Promise<ArrowTable>,
		close: async () => {
			await conn.close();
			await instance.terminate();
		}
	};
}

function columnsOf<K extends string>(table: ArrowTable, names: readonly K[]): Record<K, unknown[]> {
	const out = {} as Record<K, unknown[]>;
	for (const n of names) {
		const v = table.getChild(n);
		if (!v) throw new Error(`export has no column ${n}`);
		out[n] = Array.from(v as Iterable<unknown>, (x) => (typeof x === 'bigint' ? Number(x) : x));
	}
	return out;
}

async function readFiles(): Promise<{ files: { name: string; bytes: number }[]; ms: number }> {
	const input = document.getElementById('bench-files') as HTMLInputElement | null;
	const list = Array.from(input?.files ?? []);
	const started = performance.now();
	state.files = [];
	for (const file of list) {
		const kind = KINDS.find((k) => file.name === `${k}.csv`);
		if (kind) state.files.push({ kind, name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
	}
	return {
		files: state.files.map((f) => ({ name: f.name, bytes: f.bytes.length })),
		ms: performance.now() - started
	};
}

/** The plain typed read_csv, the app's SQL on it, and the exports the other engines start from. */
async function runDuckdb(changes: number): Promise<DuckdbRun> {
	const { db, arrow, close } = await openDuckdb();
	try {
		const plain: Timed[] = [];
		for (const f of state.files) {
			// registerFileBuffer transfers the buffer to the worker: hand it a copy (not timed).
			const copy = f.bytes.slice();
			const t = timed(db, plain);
			await t.registerBuffer(`plain_${f.name}`, copy);
			await t.query(plainReadCsvSql(f.kind, headerOf(f.bytes), `plain_${f.name}`));
			await db.dropBuffer(`plain_${f.name}`);
		}
		const rows: Record<string, number> = {};
		for (const f of state.files) {
			const [r] = await db.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM plain_${f.kind}`);
			rows[f.kind] = r!.n;
		}
		const shape: Timed[] = [];
		for (const f of state.files) await timed(db, shape).query(shapeSql(f.kind, headerOf(f.bytes)));
		for (const f of state.files) await db.query(`DROP TABLE plain_${f.kind}`);
		const derive: Timed[] = [];
		for (const sql of deriveSql()) await timed(db, derive).query(sql);
		const deriveMs = total(derive, (w) => METRIC_SET_TABLES.some((t) => w === `create ${t}`));

		const perQuery: Record<string, number[]> = {};
		const runs: number[] = [];
		let first = 0;
		for (let i = 0; i < 3; i++) {
			const log: Timed[] = [];
			const started = performance.now();
			state.reference.set(key(NO_FILTERS), await duckdbMetricSet(timed(db, log), NO_FILTERS));
			runs.push(performance.now() - started);
			if (i === 0) first = runs[0]!;
			log.forEach((t, j) => (perQuery[`q${j + 1} ${t.what.slice(0, 40)}`] ??= []).push(t.ms));
		}
		state.offices = await officesOf(db);
		const perFilter: number[] = [];
		for (const f of officeChanges(state.offices, changes)) {
			const started = performance.now();
			const set = await duckdbMetricSet(db, f);
			perFilter.push(performance.now() - started);
			state.reference.set(key(f), set);
		}

		const p = await arrow(PATIENTS_EXPORT_SQL);
		const s = await arrow(PAIN_EXPORT_SQL);
		state.patients = columnsOf(p, PATIENT_COLUMNS);
		state.pain = columnsOf(s, PAIN_COLUMNS);
		const joined = await arrow(PAIN_JOINED_EXPORT_SQL);
		state.painJoined = columnsOf(
			joined,
			joined.schema.fields.map((f) => f.name)
		);
		return {
			engine: 'duckdb-wasm (browser)',
			rows,
			loadMs: total(plain) + total(shape),
			plainReadCsvMs: total(plain),
			plainReadCsv: plain,
			shapeMs: total(shape),
			derive,
			deriveMs,
			firstMetricSetMs: first,
			endToEndMs: deriveMs + first,
			perFilterMs: summarize(perFilter),
			metricQueriesMs: Object.fromEntries(Object.entries(perQuery).map(([k, v]) => [k, summarize(v).p50])),
			differences: [],
			notes: [
				`derive = ${METRIC_SET_TABLES.join(' + ')} of the app's deriveSql; the whole deriveSql took ${Math.round(total(derive))} ms`
			]
		};
	} finally {
		await close();
	}
}

function compare(
	sets: Iterable<[Filters, MetricSet]>,
	ignore?: RegExp
): { diffs: string[]; ignored: number } {
	const diffs: string[] = [];
	let ignored = 0;
	for (const [f, set] of sets) {
		const reference = state.reference.get(key(f));
		if (!reference) continue;
		for (const d of differences(reference, set)) {
			if (ignore?.test(d)) ignored++;
			else diffs.push(`${key(f)} ${d}`);
		}
	}
	return { diffs: diffs.slice(0, 20), ignored };
}

async function runArquero(changes: number): Promise<EngineRun> {
	if (!state.patients || !state.pain) throw new Error('run duckdb() first: it exports the inputs');
	const derivedAt = performance.now();
	const derived = arqueroDerive(state.patients, state.pain);
	const deriveMs = performance.now() - derivedAt;
	const firstAt = performance.now();
	const first = arqueroMetricSet(derived, NO_FILTERS);
	const firstMs = performance.now() - firstAt;
	const perFilter: number[] = [];
	const sets: [Filters, MetricSet][] = [[NO_FILTERS, first]];
	for (const f of officeChanges(state.offices, changes)) {
		const started = performance.now();
		sets.push([f, arqueroMetricSet(derived, f)]);
		perFilter.push(performance.now() - started);
	}
	const { diffs } = compare(sets);
	return {
		engine: 'Arquero 8 (main thread)',
		loadMs: 0,
		deriveMs,
		firstMetricSetMs: firstMs,
		endToEndMs: deriveMs + firstMs,
		perFilterMs: summarize(perFilter),
		differences: diffs,
		notes: ['starts from plain JS column arrays exported from DuckDB (not charged)']
	};
}

async function runPerspective(changes: number): Promise<EngineRun> {
	if (!state.patients || !state.painJoined) throw new Error('run duckdb() first: it exports the inputs');
	const { default: perspective } = await import('@finos/perspective');
	const { default: serverWasm } = await import('@finos/perspective/dist/wasm/perspective-server.wasm?url');
	const { default: clientWasm } = await import('@finos/perspective/dist/wasm/perspective-js.wasm?url');
	const { perspectiveDerive, perspectiveDispose, perspectiveMetricSet, QUANTILE_COLUMNS } =
		await import('./perspective');
	const initAt = performance.now();
	perspective.init_server(fetch(serverWasm));
	perspective.init_client(fetch(clientWasm));
	const client = (await perspective.worker()) as unknown as PspClient;
	const initMs = performance.now() - initAt;
	const loadAt = performance.now();
	// Column arrays, not Arrow IPC: with IPC written by apache-arrow's tableToIPC from duckdb-wasm's
	// result, the 1M-row run lost the outcome filter (44,848 patients instead of 41,441); the same
	// columns as arrays give DuckDB's numbers (checked in Node at 1M).
	const patients = await client.table(state.patients);
	const pain = await client.table(state.painJoined);
	const loadMs = performance.now() - loadAt;
	try {
		const derivedAt = performance.now();
		const derived = await perspectiveDerive(client, patients, pain);
		const deriveMs = performance.now() - derivedAt;
		const firstAt = performance.now();
		const first = await perspectiveMetricSet(derived, NO_FILTERS);
		const firstMs = performance.now() - firstAt;
		const perFilter: number[] = [];
		const sets: [Filters, MetricSet][] = [[NO_FILTERS, first]];
		for (const f of officeChanges(state.offices, changes)) {
			const started = performance.now();
			sets.push([f, await perspectiveMetricSet(derived, f)]);
			perFilter.push(performance.now() - started);
		}
		await perspectiveDispose(derived);
		const { diffs, ignored } = compare(sets, QUANTILE_COLUMNS);
		return {
			engine: 'Perspective 3.8 (worker)',
			loadMs,
			deriveMs,
			firstMetricSetMs: firstMs,
			endToEndMs: deriveMs + firstMs,
			perFilterMs: summarize(perFilter),
			differences: diffs,
			notes: [
				`wasm fetch + worker start ${Math.round(initMs)} ms (not charged)`,
				'handed the pain table already joined with its patient columns (Perspective has no join; the join is not charged)',
				`${ignored} quantile cells differ by definition (Perspective's median/q1/q3 are not quantile_cont)`
			]
		};
	} finally {
		await pain.delete();
		await patients.delete();
	}
}

export interface ImportRatioRun {
	/** Plain typed read_csv of the files (register + CREATE TABLE), alternating with the import. */
	plainMs: number[];
	/** The app's importFiles on the same bytes: scan, strict staging, typed tables, every check. */
	validatedMs: number[];
	/**
	 * The derived tables the dashboard reads (firstDeriveSql), built on each validated import right
	 * after it, as the app's upload does before its first chart: validated + derived is the app's
	 * import, bytes to validated and derived tables.
	 */
	derivedMs: number[];
	/** Rows loaded by the last validated import, per file: the import was complete each time. */
	loaded: Record<string, number>;
	/** The last validated import's statements: what, when it started and how long it ran (ms). */
	statements: { what: string; at: number; ms: number }[];
}

/**
 * The validated import against a plain typed read_csv, alternated in one fresh DuckDB so both
 * see the same machine load. Each plain read gets a copy of the bytes made before its timer starts
 * (registering transfers the buffer); the import reads the page's bytes as the app does.
 */
async function runImportRatio(reps: number): Promise<ImportRatioRun> {
	const { db: raw, close } = await openDuckdb();
	// Each statement of the validated import, with when it ran (ms from the import's start).
	let log: { what: string; at: number; ms: number }[] = [];
	let t0 = 0;
	const db = serialDatabase({
		async run(sql, params) {
			const at = performance.now();
			try {
				return await raw.query(sql, params);
			} finally {
				log.push({ what: statementName(sql), at: at - t0, ms: performance.now() - at });
			}
		},
		registerBuffer: (name, bytes) => raw.registerBuffer(name, bytes),
		dropBuffer: (name) => raw.dropBuffer(name)
	});
	const out: ImportRatioRun = { plainMs: [], validatedMs: [], derivedMs: [], loaded: {}, statements: [] };
	try {
		// Round 0 warms both paths up (the engine's first read_csv is slower) and is not kept.
		for (let i = 0; i <= reps; i++) {
			const copies = state.files.map((f) => f.bytes.slice());
			// Both reads start from empty tables: the last round's import is dropped outside the timings.
			await resetTables(db);
			let started = performance.now();
			for (const [j, f] of state.files.entries()) {
				await db.registerBuffer(`plain_${f.name}`, copies[j]!);
				await db.query(plainReadCsvSql(f.kind, headerOf(f.bytes), `plain_${f.name}`));
			}
			const plainMs = performance.now() - started;
			for (const f of state.files) {
				await db.dropBuffer(`plain_${f.name}`);
				await db.query(`DROP TABLE plain_${f.kind}`);
			}
			started = t0 = performance.now();
			log = [];
			// The scan's progress in the same timeline: when each file's scan starts and ends.
			let scanning: string | null = null;
			let since = 0;
			const lastScan = new Map<string, number>();
			const report = await importFiles(
				db,
				state.files.map((f) => ({ name: f.name, bytes: f.bytes })),
				{
					onProgress: (p) => {
						if (p.phase === 'scanning') lastScan.set(p.file, performance.now() - t0);
						const now = p.phase === 'scanning' ? p.file : null;
						if (now === scanning) return;
						const at = performance.now() - t0;
						if (scanning) log.push({ what: `(page) scan ${scanning}`, at: since, ms: at - since });
						scanning = now;
						since = at;
					}
				}
			);
			const validatedMs = performance.now() - started;
			const derivedAt = performance.now();
			for (const sql of firstDeriveSql()) await db.query(sql);
			const derivedMs = performance.now() - derivedAt;
			for (const [f, at] of lastScan) log.push({ what: `(page) scan end ${f}`, at, ms: 0 });
			if (i > 0) {
				out.plainMs.push(plainMs);
				out.validatedMs.push(validatedMs);
				out.derivedMs.push(derivedMs);
			}
			if (report.refused.length) throw new Error(`import refused: ${JSON.stringify(report.refused)}`);
			out.loaded = Object.fromEntries(report.files.map((f) => [f.kind, f.loaded]));
			out.statements = log;
		}
		return out;
	} finally {
		await close();
	}
}

export interface BenchApi {
	readFiles: typeof readFiles;
	duckdb: (changes: number) => Promise<DuckdbRun>;
	importRatio: (reps: number) => Promise<ImportRatioRun>;
	arquero: (changes: number) => Promise<EngineRun>;
	perspective: (changes: number) => Promise<EngineRun>;
	/** Whether the page may call performance.measureUserAgentSpecificMemory (needs cross-origin isolation). */
	memoryApi: () => boolean;
}

export function install(): void {
	const api: BenchApi = {
		readFiles,
		duckdb: runDuckdb,
		importRatio: runImportRatio,
		arquero: runArquero,
		perspective: runPerspective,
		memoryApi: () => crossOriginIsolated && 'measureUserAgentSpecificMemory' in performance
	};
	(window as unknown as { __bench: BenchApi }).__bench = api;
}
