// The one DuckDB-wasm instance of the page: a Web Worker running the `eh` bundle, every asset
// served from this site (no CDN). The threaded `coi` bundle is avoided: it sometimes returned an
// empty table from registerFileHandle here, and it needs cross-origin isolation.
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { arrowToRows } from './arrow';
import { withQueryCache, type CachedDatabase } from './cache';
import { serialDatabase, type Engine } from './serial';
import { CONNECTION_SETTINGS } from './settings';
import { QueryError, type Row } from './types';

let shared: Promise<CachedDatabase> | undefined;

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
export function browserDatabase(): Promise<CachedDatabase> {
	shared ??= open();
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
	const engine: Engine = {
		async run<T = Row>(sql: string, params: readonly unknown[]): Promise<T[]> {
			const started = performance.now();
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
			} finally {
				debugLog(`${Math.round(performance.now() - started)} ms ${sql.slice(0, 120)}`);
			}
		},
		registerBuffer: (name, bytes) => db.registerFileBuffer(name, bytes),
		dropBuffer: async (name) => void (await db.dropFile(name))
	};
	const serial = serialDatabase(engine, (sql) => debugLog(`superseded: ${sql.slice(0, 120)}`));
	return withQueryCache(serial, { onHit: (sql) => debugLog(`cache hit: ${sql.slice(0, 120)}`) });
}
