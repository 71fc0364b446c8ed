import type { Database, QueryOptions, Row } from './types';
import { isReadOnly } from './serial';

/** A Database that answers repeated reads from memory until the data changes. */
export interface CachedDatabase extends Database {
	/** Forget every cached result; the next read of each query runs again. */
	invalidate(): void;
	/** Bumped by every invalidation: a write, a registered or dropped file, or `invalidate()`. */
	readonly version: number;
}

export interface CacheOptions {
	/** Results kept, least recently used dropped first. */
	maxEntries?: number;
	/** Results with more rows than this are returned but not kept (an export, a patient list). */
	maxRows?: number;
	/** Told of every answer served from memory (the `?debug` log). */
	onHit?: (sql: string) => void;
}

// Only plain reads are cached. Anything else (CREATE, INSERT, SET, a read_csv of a registered
// file, a call of random() or now()) runs every time and empties the cache, so a result can never
// outlive the data it was computed from. Guessing "not cacheable" by mistake costs a re-run,
// never a wrong number.
const VOLATILE =
	/\b(random|uuid|gen_random_uuid|nextval|currval|setseed|now|current_date|current_time|current_timestamp|get_current_time|read_csv|read_csv_auto|read_parquet|read_json|read_json_auto|glob)\b/i;

export function isCacheable(sql: string): boolean {
	return isReadOnly(sql) && !VOLATILE.test(sql);
}

interface Entry {
	promise: Promise<unknown[]>;
	done: boolean;
	/** Callers still waiting that can be superseded; the shared run is dropped when none is left. */
	waiting: number;
	/** A caller without a signal waits: the run must happen. */
	pinned: boolean;
	controller: AbortController;
}

function keyOf(sql: string, params: readonly unknown[]): string {
	return `${sql}\u0000${JSON.stringify(params, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
}

/**
 * A query cache keyed by SQL text and bound parameters, over a serial Database (serial.ts).
 * Equal queries asked while one is running share that run. A caller whose signal aborts is
 * released at once; the shared run is dropped before it starts when every caller has gone.
 */
export function withQueryCache(inner: Database, options: CacheOptions = {}): CachedDatabase {
	const { maxEntries = 256, maxRows = 20_000, onHit } = options;
	const entries = new Map<string, Entry>();
	let version = 0;

	const invalidate = () => {
		entries.clear();
		version++;
	};

	const start = (key: string, sql: string, params: readonly unknown[]): Entry => {
		const controller = new AbortController();
		const entry: Entry = { promise: Promise.resolve([]), done: false, waiting: 0, pinned: false, controller };
		entry.promise = inner.query<unknown>(sql, params, { signal: controller.signal }).then(
			(rows) => {
				const current = entries.get(key) === entry;
				if (current && rows.length <= maxRows) entry.done = true;
				else if (current) entries.delete(key);
				return rows;
			},
			(e: unknown) => {
				if (entries.get(key) === entry) entries.delete(key);
				throw e;
			}
		);
		entries.set(key, entry);
		for (const old of entries.keys()) {
			if (entries.size <= maxEntries) break;
			entries.delete(old);
		}
		return entry;
	};

	return {
		get version() {
			return version;
		},
		invalidate,
		query<T = Row>(sql: string, params: readonly unknown[] = [], opts: QueryOptions = {}): Promise<T[]> {
			const { signal } = opts;
			if (!isCacheable(sql)) {
				invalidate();
				return inner.query<T>(sql, params, opts);
			}
			if (signal?.aborted) return Promise.reject(signal.reason);
			const key = keyOf(sql, params);
			let entry = entries.get(key);
			if (entry?.done) {
				// Most recently used last: Map keeps insertion order.
				entries.delete(key);
				entries.set(key, entry);
				onHit?.(sql);
			}
			entry ??= start(key, sql, params);
			const shared = entry;
			if (signal) shared.waiting++;
			else shared.pinned = true;
			return new Promise<T[]>((resolve, reject) => {
				const onAbort = () => {
					shared.waiting--;
					if (shared.waiting === 0 && !shared.pinned && !shared.done) {
						if (entries.get(key) === shared) entries.delete(key);
						shared.controller.abort(signal!.reason);
					}
					reject(signal!.reason);
				};
				signal?.addEventListener('abort', onAbort, { once: true });
				shared.promise.then(
					(rows) => {
						signal?.removeEventListener('abort', onAbort);
						// A copy: a caller sorting its rows must not reorder the cached ones.
						resolve([...rows] as T[]);
					},
					(e: unknown) => {
						signal?.removeEventListener('abort', onAbort);
						reject(e);
					}
				);
			});
		},
		...(inner.queryColumns && {
			queryColumns: (sql: string, params: readonly unknown[] = [], opts: QueryOptions = {}) => {
				// Not kept: a large result is what it is for. Anything but a read clears the cache.
				if (!isCacheable(sql)) invalidate();
				return inner.queryColumns!(sql, params, opts);
			}
		}),
		registerBuffer(name, bytes) {
			invalidate();
			return inner.registerBuffer(name, bytes);
		},
		dropBuffer(name) {
			invalidate();
			return inner.dropBuffer(name);
		}
	};
}
