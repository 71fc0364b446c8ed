// The same engine as the browser (duckdb-wasm's blocking Node build), for tests and the
// command-line report. Imported only from Node code, never from a page.
import { createRequire } from 'node:module';
import path from 'node:path';
import { arrowToRows } from './arrow';
import { arrowToColumns, type ArrowTable } from './columns';
import { serialDatabase } from './serial';
import { CONNECTION_SETTINGS } from './settings';
import { QueryError, type Database, type Row } from './types';

const require = createRequire(import.meta.url);

// The blocking build's own types are not reachable through the package's "exports"; these are the
// few members used here.
interface Blocking {
	createDuckDB(bundles: unknown, logger: unknown, runtime: unknown): Promise<BlockingDb>;
	VoidLogger: new () => unknown;
	NODE_RUNTIME: unknown;
}
interface BlockingDb {
	instantiate(): Promise<unknown>;
	connect(): BlockingConnection;
	registerFileBuffer(name: string, bytes: Uint8Array): void;
	dropFile(name: string): void;
}
type Arrow = Parameters<typeof arrowToRows>[0];
interface BlockingConnection {
	query(sql: string): Arrow;
	prepare(sql: string): { query(...params: unknown[]): Arrow; close(): void };
}

let shared: Promise<Database> | undefined;

/**
 * One DuckDB per process: tests share it (vitest `isolate: false`). Serial like the page's, without
 * its cache (tests wrap it with `withQueryCache` when they need one).
 */
export function nodeDatabase(): Promise<Database> {
	shared ??= open();
	return shared;
}

async function open(): Promise<Database> {
	const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs') as Blocking;
	const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));
	const bundles = {
		mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: '' },
		eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: '' }
	};
	const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
	await db.instantiate();
	const conn = db.connect();
	for (const s of CONNECTION_SETTINGS) conn.query(s);
	/** The statement's Arrow result; a failure carries its SQL. */
	const arrow = (sql: string, params: readonly unknown[]): Arrow => {
		try {
			if (params.length === 0) return conn.query(sql);
			const stmt = conn.prepare(sql);
			try {
				return stmt.query(...params);
			} finally {
				stmt.close();
			}
		} catch (e) {
			throw new QueryError(e instanceof Error ? e.message : String(e), sql, { cause: e });
		}
	};
	return serialDatabase({
		run: async <T = Row>(sql: string, params: readonly unknown[]) => arrowToRows<T>(arrow(sql, params)),
		runColumns: async (sql, params) => arrowToColumns(arrow(sql, params) as unknown as ArrowTable),
		async registerBuffer(name, bytes) {
			db.registerFileBuffer(name, bytes);
		},
		async dropBuffer(name) {
			db.dropFile(name);
		}
	});
}
