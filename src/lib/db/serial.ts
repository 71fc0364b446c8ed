import type { Columns } from './columns';
import type { Database, QueryOptions, Row } from './types';

/** What an engine provides: one statement at a time, failures already wrapped in QueryError. */
export interface Engine {
	run<T = Row>(sql: string, params: readonly unknown[]): Promise<T[]>;
	/** The same, as columns (db/columns.ts); engines without Arrow leave it out. */
	runColumns?(sql: string, params: readonly unknown[]): Promise<Columns>;
	registerBuffer(name: string, bytes: Uint8Array): Promise<void>;
	dropBuffer(name: string): Promise<void>;
}

const READ = /^\s*(SELECT|WITH)\b/i;
const WRITE =
	/\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|ATTACH|DETACH|TRUNCATE|PRAGMA|SET|RESET|CALL)\b/i;

/**
 * A statement that only reads: it may be sent while the read before it is still running, and it
 * leaves prepared statements and cached results valid. Guessing "not a read" by mistake costs a
 * wait or a re-run, never a wrong answer.
 */
export function isReadOnly(sql: string): boolean {
	return READ.test(sql) && !WRITE.test(sql);
}

interface Turn {
	started: Promise<unknown>;
	done: Promise<unknown>;
	read: boolean;
}

const settled: Turn = { started: Promise.resolve(), done: Promise.resolve(), read: false };

export interface SerialOptions {
	/** Hears of each query dropped because its signal aborted while it waited. */
	onSkip?: (sql: string) => void;
	/**
	 * The engine takes a statement while it runs another and runs them in the order sent
	 * (duckdb-wasm's worker does; native DuckDB's connection does not): reads may overlap.
	 */
	pipelineReads?: boolean;
}

/**
 * The statements on the one connection, in the order asked, one at a time. With `pipelineReads`,
 * a read is sent as soon as the read before it has been sent and the one before that has
 * finished: the worker then has the next read in hand while the page turns the last answer into a
 * chart. Anything else (a table created, a buffer registered) always waits for every statement
 * before it, and every statement after it waits for it. A query whose signal is aborted while it
 * waits is dropped when its turn comes: after a quick run of filter changes the connection works
 * on the view the user now sees, not on those replaced.
 */
export function serialDatabase(engine: Engine, options: SerialOptions = {}): Database {
	const { onSkip, pipelineReads = false } = options;
	let last = settled;
	let beforeLast = settled;
	const turn = <T>(read: boolean, task: () => Promise<T>): Promise<T> => {
		const prev = last;
		const gate =
			read && prev.read && pipelineReads
				? Promise.all([prev.started, beforeLast.done])
				: Promise.all([prev.done, beforeLast.done]);
		let start!: () => void;
		const started = new Promise<void>((r) => (start = r));
		const result = gate.then(
			() => {
				start();
				return task();
			},
			() => {
				start();
				return task();
			}
		);
		beforeLast = prev;
		last = { started, done: result.catch(() => undefined), read };
		return result;
	};
	const queue = <R>(sql: string, options: QueryOptions, task: () => Promise<R>): Promise<R> => {
		const { signal } = options;
		if (signal?.aborted) return Promise.reject(signal.reason);
		return turn(isReadOnly(sql), () => {
			if (signal?.aborted) {
				onSkip?.(sql);
				throw signal.reason;
			}
			return task();
		});
	};
	const runColumns = engine.runColumns?.bind(engine);
	return {
		query: <T = Row>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}) =>
			queue(sql, options, () => engine.run<T>(sql, params)),
		...(runColumns && {
			queryColumns: (sql: string, params: readonly unknown[] = [], options: QueryOptions = {}) =>
				queue(sql, options, () => runColumns(sql, params))
		}),
		registerBuffer: (name, bytes) => turn(false, () => engine.registerBuffer(name, bytes)),
		dropBuffer: (name) => turn(false, () => engine.dropBuffer(name))
	};
}
