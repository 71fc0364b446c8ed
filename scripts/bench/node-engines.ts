// One engine on one cohort, in its own process (so peak memory is its own):
//   tsx scripts/bench/node-engines.ts --dir DIR --engine native|wasm [--threads N] [--changes N] [--no-import] --out FILE
// Runs, with per-statement times: the plain typed read_csv of the four files; the app's derive SQL
// and the dashboard's metric set (the app's query builders) on those tables; the filter-change
// sequence; and the app's own importer (loadDataset) on the same bytes. `native` is DuckDB 1.4.3
// through @duckdb/node-api, `wasm` the duckdb-wasm Node build the app's tests use.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDataset } from '../../src/lib/dataset/index.ts';
import type { Database, Row } from '../../src/lib/db/types.ts';
import { nodeDatabase } from '../../src/lib/db/node.ts';
import { deriveSql } from '../../src/lib/sql/index.ts';
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
} from '../../src/routes/bench/metricSet.ts';
import { summarize, timed, total, type Sample, type Timed } from '../../src/routes/bench/timing.ts';

export interface EngineResult {
	engine: string;
	threads: number | null;
	dir: string;
	rows: Record<string, number>;
	/** Plain typed read_csv of the four files (bytes already in memory or on disk). */
	plainReadCsvMs: number;
	plainReadCsv: Timed[];
	shapeMs: number;
	/** The app's derive SQL (deriveSql) on the plain-loaded tables, statement by statement. */
	deriveMs: number;
	derive: Timed[];
	/** The metric set, unfiltered, repeated: each run's total and each query's median. */
	metricSetMs: Sample;
	metricQueriesMs: Record<string, number>;
	/** The metric set per office filter change (query time only). */
	filterChangeMs: Sample;
	/** The app's importer and derive (loadDataset) on the same bytes; null when skipped (--no-import). */
	appImportMs: number | null;
	appImport: Timed[];
	metricSet: MetricSet;
	/** Differences between the metric set after the plain load and after the app's import. */
	appVsPlain: string[];
	peakRssMb: number;
}

function args(argv: string[]) {
	const get = (flag: string) => {
		const i = argv.indexOf(flag);
		return i >= 0 ? argv[i + 1] : undefined;
	};
	const dir = get('--dir');
	const engine = get('--engine');
	const out = get('--out');
	if (!dir || !out || (engine !== 'native' && engine !== 'wasm')) {
		console.error(
			'usage: node-engines.ts --dir DIR --engine native|wasm [--threads N] [--changes N] --out FILE'
		);
		process.exit(2);
	}
	const threads = get('--threads');
	return {
		dir: path.resolve(dir),
		engine,
		out: path.resolve(out),
		threads: threads ? Number(threads) : null,
		changes: Number(get('--changes') ?? 30),
		appImport: !argv.includes('--no-import')
	};
}

/** The few members of @duckdb/node-api used here. */
interface NodeApi {
	DuckDBInstance: {
		create(
			path: string,
			options: Record<string, string>
		): Promise<{
			connect(): Promise<{
				runAndReadAll(
					sql: string,
					values?: unknown[]
				): Promise<{ getRowObjectsJS(): Record<string, unknown>[] }>;
			}>;
		}>;
	};
}

/**
 * The app's Database interface over native DuckDB; buffers become files in a scratch folder.
 * @duckdb/node-api is not in the lock file (the registry here lacks its macOS and Windows
 * builds, which `npm ci` refuses): run.ts installs it on demand, so it is imported by name here.
 */
async function nativeDatabase(threads: number | null, scratch: string): Promise<Database> {
	const specifier = '@duckdb/node-api';
	const { DuckDBInstance } = (await import(specifier)) as NodeApi;
	const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
	const conn = await instance.connect();
	const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);
	return {
		async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
			const reader = await conn.runAndReadAll(sql, params.length ? [...params] : undefined);
			return reader
				.getRowObjectsJS()
				.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])) as T);
		},
		async registerBuffer(name, bytes) {
			writeFileSync(path.join(scratch, name), bytes);
		},
		async dropBuffer(name) {
			rmSync(path.join(scratch, name), { force: true });
		}
	};
}

const median = (xs: number[]) => summarize(xs).p50;

async function main() {
	const a = args(process.argv.slice(2));
	const scratch = mkdtempSync(path.join(tmpdir(), 'bench-'));
	// Native DuckDB resolves read_csv('__stage_x.csv') against the working directory.
	process.chdir(scratch);
	try {
		const files = KINDS.map((kind) => {
			const bytes = new Uint8Array(readFileSync(path.join(a.dir, `${kind}.csv`)));
			return { kind, name: `${kind}.csv`, bytes, header: headerOf(bytes) };
		});
		const db = a.engine === 'native' ? await nativeDatabase(a.threads, scratch) : await nodeDatabase();
		const now = () => performance.now();

		// 1. Plain typed read_csv. wasm reads a registered buffer (as the page does); native reads
		// the file from disk (page cache, after the read above).
		const plain: Timed[] = [];
		const tplain = timed(db, plain, now);
		for (const f of files) {
			const source = a.engine === 'native' ? path.resolve(a.dir, f.name) : `__plain_${f.name}`;
			if (a.engine === 'wasm') await tplain.registerBuffer(source, f.bytes.slice());
			await tplain.query(plainReadCsvSql(f.kind, f.header, source));
			if (a.engine === 'wasm') await db.dropBuffer(source);
		}
		const rows: Record<string, number> = {};
		for (const f of files) {
			const [r] = await db.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM plain_${f.kind}`);
			rows[f.kind] = r!.n;
		}

		// 2. The app's SQL on the plain tables.
		const shape: Timed[] = [];
		for (const f of files) await timed(db, shape, now).query(shapeSql(f.kind, f.header));
		const derive: Timed[] = [];
		for (const sql of deriveSql()) await timed(db, derive, now).query(sql);

		const runs: number[] = [];
		const perQuery: Record<string, number[]> = {};
		let metricSet: MetricSet | undefined;
		for (let i = 0; i < 5; i++) {
			const log: Timed[] = [];
			const started = now();
			metricSet = await duckdbMetricSet(timed(db, log, now));
			runs.push(now() - started);
			log.forEach((t, j) => (perQuery[`q${j + 1} ${t.what.slice(0, 40)}`] ??= []).push(t.ms));
		}
		const changes = officeChanges(await officesOf(db), a.changes);
		const changeMs: number[] = [];
		for (const f of changes) {
			const started = now();
			await duckdbMetricSet(db, f);
			changeMs.push(now() - started);
		}
		for (const f of files) await db.query(`DROP TABLE plain_${f.kind}`);

		// 3. The app's importer on the same bytes (the browser run measures it too; slow at 1M).
		const appImport: Timed[] = [];
		let appImportMs: number | null = null;
		let appVsPlain: string[] = [];
		if (a.appImport) {
			const started = now();
			await loadDataset(
				timed(db, appImport, now),
				files.map((f) => ({ name: f.name, bytes: f.bytes }))
			);
			appImportMs = now() - started;
			appVsPlain = differences(metricSet!, await duckdbMetricSet(db));
		}

		const result: EngineResult = {
			engine:
				a.engine === 'native' ? `native DuckDB (threads=${a.threads ?? 'default'})` : 'duckdb-wasm (Node)',
			threads: a.threads,
			dir: a.dir,
			rows,
			plainReadCsvMs: total(plain),
			plainReadCsv: plain,
			shapeMs: total(shape),
			deriveMs: total(derive),
			derive,
			metricSetMs: summarize(runs),
			metricQueriesMs: Object.fromEntries(Object.entries(perQuery).map(([k, v]) => [k, median(v)])),
			filterChangeMs: summarize(changeMs),
			appImportMs,
			appImport,
			metricSet: metricSet!,
			appVsPlain,
			peakRssMb: process.resourceUsage().maxRSS / 1024
		};
		writeFileSync(a.out, JSON.stringify(result, null, 1));
	} finally {
		rmSync(scratch, { recursive: true, force: true });
	}
}

main().then(
	() => process.exit(0),
	(e) => {
		console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
		process.exit(1);
	}
);
