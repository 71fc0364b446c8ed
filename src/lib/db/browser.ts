// The one DuckDB-wasm instance of the page: a Web Worker running the `eh` bundle, every asset
// served from this site (no CDN). The threaded `coi` bundle is avoided: it sometimes returned an
// empty table from registerFileHandle here, and it needs cross-origin isolation.
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { arrowToRows } from './arrow';
import { CONNECTION_SETTINGS } from './settings';
import { QueryError, type Database, type Row } from './types';

let shared: Promise<Database> | undefined;

/** Start DuckDB once per page; call early so the wasm compiles while the user reads. */
export function browserDatabase(): Promise<Database> {
	shared ??= open();
	return shared;
}

async function open(): Promise<Database> {
	const worker = new Worker(ehWorker);
	const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
	await db.instantiate(ehWasm);
	const conn = await db.connect();
	for (const s of CONNECTION_SETTINGS) await conn.query(s);
	// One query at a time on the one connection, in the order asked.
	let queue: Promise<unknown> = Promise.resolve();
	const serial = <T>(task: () => Promise<T>): Promise<T> => {
		const next = queue.then(task, task);
		queue = next.catch(() => undefined);
		return next;
	};
	// `?debug=sql` in the address logs every query's time to the console.
	const debug = new URLSearchParams(location.search).has('debug');
	return {
		query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
			return serial(async () => {
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
					if (debug) console.debug(`${Math.round(performance.now() - started)} ms`, sql.slice(0, 120));
				}
			});
		},
		registerBuffer: (name, bytes) => serial(() => db.registerFileBuffer(name, bytes)),
		dropBuffer: (name) => serial(async () => void (await db.dropFile(name)))
	};
}
