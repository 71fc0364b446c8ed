// Native DuckDB (@duckdb/node-api 1.4.3, the engine version inside duckdb-wasm 1.32) behind the
// same Database interface as the page and node.ts, for the command-line report on files too large
// for a browser (docs/report.md, "Which engine, which format"). Imported only from Node code.
//
// @duckdb/node-api is not a dependency: the registry here lacks its macOS and Windows binary
// packages, and `npm ci` fails on a lock file that names them. It is installed on demand with
// NATIVE_INSTALL and imported by name at run time, so nothing breaks when it is absent.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serialDatabase } from './serial';
import { CONNECTION_SETTINGS } from './settings';
import { QueryError, type Database, type Row } from './types';

export const NATIVE_PACKAGE = '@duckdb/node-api';
/** The release built on DuckDB 1.4.3, the engine inside @duckdb/duckdb-wasm 1.32. */
export const NATIVE_VERSION = '1.4.3-r.3';
/** DuckDB's version string for that release and for duckdb-wasm 1.32. */
export const NATIVE_DUCKDB = 'v1.4.3';
export const NATIVE_INSTALL = `npm install --no-save ${NATIVE_PACKAGE}@${NATIVE_VERSION}`;

/** The few members of @duckdb/node-api used here. */
interface NodeApi {
	DuckDBInstance: { create(path: string, options?: Record<string, string>): Promise<Instance> };
	DOUBLE: unknown;
	VARCHAR: unknown;
	BOOLEAN: unknown;
	version(): string;
}
interface Instance {
	connect(): Promise<Connection>;
	closeSync(): void;
}
interface Connection {
	runAndReadAll(sql: string, values?: unknown[], types?: unknown[]): Promise<Reader>;
	closeSync(): void;
}
interface Reader {
	getRowObjectsJS(): Record<string, unknown>[];
}

/** Database over native DuckDB, with the DuckDB version and a way to let go of it. */
export interface NativeDatabase extends Database {
	/** DuckDB's own version string, e.g. `v1.4.3`. */
	readonly version: string;
	/** Close the connection and remove the scratch folder of registered buffers. */
	close(): Promise<void>;
}

/** @duckdb/node-api is not installed (or its binary for this platform is missing). */
export class NativeUnavailable extends Error {
	constructor(cause: unknown) {
		super(`native DuckDB (${NATIVE_PACKAGE}) is not installed; install it with: ${NATIVE_INSTALL}`, {
			cause
		});
		this.name = 'NativeUnavailable';
	}
}

async function loadApi(): Promise<NodeApi> {
	// A variable specifier: neither TypeScript nor a bundler resolves a package that may be absent.
	const specifier = NATIVE_PACKAGE;
	try {
		return (await import(/* @vite-ignore */ specifier)) as NodeApi;
	} catch (e) {
		throw new NativeUnavailable(e);
	}
}

/** True when @duckdb/node-api can be loaded here. */
export async function nativeAvailable(): Promise<boolean> {
	try {
		await loadApi();
		return true;
	} catch (e) {
		if (e instanceof NativeUnavailable) return false;
		throw e;
	}
}

export interface NativeOptions {
	/** DuckDB's `threads` setting; DuckDB's default (one per core) when absent. */
	threads?: number;
}

/**
 * A new in-memory native DuckDB. node-api has no in-memory file registry like duckdb-wasm's
 * `registerFileBuffer`, so a registered buffer is written to a private scratch folder and the
 * folder is DuckDB's `file_search_path`: `read_csv('__ingest_1_x.csv')` finds it there without
 * changing the working directory. The same folder takes DuckDB's spill files (`temp_directory`).
 * Values come back as from the wasm engine (arrow.ts, as it behaves): BIGINT and HUGEINT as numbers,
 * DATE and TIMESTAMP as epoch milliseconds; parameters are bound as the wasm engine binds them (every
 * number as DOUBLE), so the same SQL gives the same rows. One difference: a null parameter is an
 * untyped NULL here and a VARCHAR NULL there (node-api makes no typed null; the app binds none).
 */
export async function nativeDatabase(options: NativeOptions = {}): Promise<NativeDatabase> {
	const api = await loadApi();
	const scratch = mkdtempSync(path.join(tmpdir(), 'it-pump-native-'));
	const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
	process.once('exit', removeScratch);
	let instance: Instance | undefined;
	let conn: Connection | undefined;
	try {
		const config: Record<string, string> = { temp_directory: path.join(scratch, 'spill') };
		if (options.threads !== undefined) config.threads = String(options.threads);
		instance = await api.DuckDBInstance.create(':memory:', config);
		conn = await instance.connect();
		for (const s of [...CONNECTION_SETTINGS, `SET file_search_path = ${sqlString(scratch)}`])
			await conn.runAndReadAll(s);
	} catch (e) {
		conn?.closeSync();
		instance?.closeSync();
		removeScratch();
		process.off('exit', removeScratch);
		throw e;
	}
	const connection = conn;
	const db = instance;
	const typeOf = (v: unknown): unknown => {
		if (v === null || v === undefined || typeof v === 'string') return api.VARCHAR;
		if (typeof v === 'number') return api.DOUBLE;
		if (typeof v === 'boolean') return api.BOOLEAN;
		throw new Error(`a query parameter of type ${typeof v} is not supported`);
	};
	const fileOf = (name: string) => {
		if (path.basename(name) !== name || name.startsWith('.'))
			throw new Error(`buffer name ${JSON.stringify(name)} is not a plain file name`);
		return path.join(scratch, name);
	};
	const database = serialDatabase({
		async run<T = Row>(sql: string, params: readonly unknown[]): Promise<T[]> {
			try {
				const reader =
					params.length === 0
						? await connection.runAndReadAll(sql)
						: await connection.runAndReadAll(
								sql,
								params.map((v) => v ?? null),
								params.map(typeOf)
							);
				return reader.getRowObjectsJS().map((r) => plainRow(r) as T);
			} catch (e) {
				throw new QueryError(e instanceof Error ? e.message : String(e), sql, { cause: e });
			}
		},
		async registerBuffer(name, bytes) {
			writeFileSync(fileOf(name), bytes);
		},
		async dropBuffer(name) {
			rmSync(fileOf(name), { force: true });
		}
	});
	let closed = false;
	return {
		...database,
		version: api.version(),
		async close() {
			if (closed) return;
			closed = true;
			connection.closeSync();
			db.closeSync();
			removeScratch();
			process.off('exit', removeScratch);
		}
	};
}

function sqlString(s: string): string {
	return `'${s.replaceAll("'", "''")}'`;
}

function plainRow(row: Record<string, unknown>): Row {
	const out: Row = {};
	for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
	return out;
}

function plainValue(v: unknown): unknown {
	if (typeof v === 'bigint') return Number(v);
	if (v instanceof Date) return v.getTime();
	if (Array.isArray(v)) return v.map(plainValue);
	if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
		return plainRow(v as Record<string, unknown>);
	return v;
}
