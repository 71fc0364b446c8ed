// The one DuckDB-wasm instance of the page: a Web Worker running the `eh` bundle, every asset
// served from this site (no CDN). The threaded `coi` bundle is avoided: it sometimes returned an
// empty table from registerFileHandle here, and it needs cross-origin isolation.
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { arrowToRows } from './arrow';
import { arrowToColumnsPaused, yieldToPage, type ArrowTable } from './columns';
import { withQueryCache, type CachedDatabase } from './cache';
import { LaterTables } from './later';
import { isReadOnly, serialDatabase, type Engine } from './serial';
import { CONNECTION_SETTINGS } from './settings';
import { QueryError, type Row } from './types';

let shared: Promise<LaterTables<CachedDatabase>> | undefined;

/** Prepared statements kept: a filter change asks the same few shapes with new values. */
const KEEP_PREPARED = 32;

type Connection = Awaited<ReturnType<duckdb.AsyncDuckDB['connect']>>;
type Prepared = Awaited<ReturnType<Connection['prepare']>>;

/**
 * Prepared statements by SQL text, kept between calls: a parameterised query costs one round
 * trip to the worker instead of three (prepare, query, close). Any statement that is not a plain
 * read (a new import, a derived table) closes them all, so none outlives the tables it was
 * planned on.
 */
class PreparedStatements {
	private readonly kept = new Map<string, Prepared>();
	constructor(private readonly conn: Connection) {}

	async query(sql: string, params: readonly unknown[]) {
		let stmt = this.kept.get(sql);
		if (stmt) this.kept.delete(sql);
		else stmt = await this.conn.prepare(sql);
		try {
			const result = await stmt.query(...params);
			// Two reads of one text in flight at once each had a statement: keep one, close the other.
			const displaced = this.kept.get(sql);
			this.kept.set(sql, stmt);
			if (displaced && displaced !== stmt) await displaced.close().catch(() => undefined);
			return result;
		} catch (e) {
			await stmt.close().catch(() => undefined);
			throw e;
		} finally {
			for (const [old, s] of this.kept) {
				if (this.kept.size <= KEEP_PREPARED) break;
				this.kept.delete(old);
				await s.close().catch(() => undefined);
			}
		}
	}

	async clear(): Promise<void> {
		const all = [...this.kept.values()];
		this.kept.clear();
		for (const s of all) await s.close().catch(() => undefined);
	}

	/** A statement that may change a table: the kept ones are closed first, and it is not kept. */
	async once(sql: string, params: readonly unknown[]) {
		await this.clear();
		const stmt = await this.conn.prepare(sql);
		try {
			return await stmt.query(...params);
		} finally {
			await stmt.close().catch(() => undefined);
		}
	}
}

// `?debug` in the address logs every query's time to the console, and the queries answered from
// the cache or dropped as superseded. Read as the module loads: the layout soon rewrites the
// address to hold only the view.
const debug = typeof location !== 'undefined' && new URLSearchParams(location.search).has('debug');
/** A line in the `?debug` console log (the query log, DuckDB's start, the demo read ahead). */
export const debugLog = (line: string) => {
	if (debug) console.debug(line);
};

/**
 * Start DuckDB once per page. src/hooks.client.ts calls it as the app's code is evaluated, so the
 * worker starts and the wasm compiles while it streams in, before the user asks for data.
 */
export async function browserDatabase(): Promise<CachedDatabase> {
	return (await browserLaterTables()).db;
}

/** The page's later tables (db/later.ts): the session schedules and stops their builds. */
export function browserLaterTables(): Promise<LaterTables<CachedDatabase>> {
	shared ??= open().then((db) => new LaterTables(db));
	return shared;
}

async function open(): Promise<CachedDatabase> {
	debugLog(`DuckDB starting ${Math.round(performance.now())} ms after navigation start`);
	const worker = new Worker(ehWorker);
	const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
	await db.instantiate(ehWasm);
	debugLog(`DuckDB instantiated ${Math.round(performance.now())} ms after navigation start`);
	const conn = await db.connect();
	debugLog(`DuckDB connected ${Math.round(performance.now())} ms after navigation start`);
	for (const s of CONNECTION_SETTINGS) await conn.query(s);
	debugLog(`DuckDB ready ${Math.round(performance.now())} ms after navigation start`);
	const statements = new PreparedStatements(conn);
	const engine: Engine = {
		async run<T = Row>(sql: string, params: readonly unknown[]): Promise<T[]> {
			const started = performance.now();
			try {
				if (!isReadOnly(sql)) {
					if (params.length) return arrowToRows<T>(await statements.once(sql, params));
					// A statement that may change a table drops the prepared ones first.
					await statements.clear();
					return arrowToRows<T>(await conn.query(sql));
				}
				if (params.length === 0) return arrowToRows<T>(await conn.query(sql));
				return arrowToRows<T>(await statements.query(sql, params));
			} catch (e) {
				throw new QueryError(e instanceof Error ? e.message : String(e), sql, { cause: e });
			} finally {
				debugLog(`${Math.round(performance.now() - started)} ms ${sql.slice(0, 120)}`);
			}
		},
		async runColumns(sql, params) {
			const started = performance.now();
			try {
				if (!isReadOnly(sql)) throw new Error('only a read returns columns');
				const table = params.length === 0 ? await conn.query(sql) : await statements.query(sql, params);
				return await arrowToColumnsPaused(table as unknown as ArrowTable, yieldToPage);
			} catch (e) {
				throw new QueryError(e instanceof Error ? e.message : String(e), sql, { cause: e });
			} finally {
				debugLog(`${Math.round(performance.now() - started)} ms (columns) ${sql.slice(0, 120)}`);
			}
		},
		registerBuffer: (name, bytes) => db.registerFileBuffer(name, bytes),
		dropBuffer: async (name) => void (await db.dropFile(name))
	};
	const serial = serialDatabase(engine, {
		onSkip: (sql) => debugLog(`superseded: ${sql.slice(0, 120)}`),
		pipelineReads: true
	});
	return withQueryCache(serial, { onHit: (sql) => debugLog(`cache hit: ${sql.slice(0, 120)}`) });
}
