import { isCacheable } from './cache';
import type { Database, QueryOptions, Row } from './types';

/**
 * The same database, with `signal` on every read: a view's builders need not pass it along.
 * Statements that change data (a view rebuilding the MME tables for other factors) always run:
 * dropping one halfway would leave the tables half built.
 */
export function withSignal(db: Database, signal: AbortSignal): Database {
	return {
		query<T = Row>(sql: string, params?: readonly unknown[], options: QueryOptions = {}): Promise<T[]> {
			if (!isCacheable(sql)) return db.query<T>(sql, params, options);
			const signals = options.signal ? [signal, options.signal] : [signal];
			return db.query<T>(sql, params, { signal: signals.length > 1 ? AbortSignal.any(signals) : signal });
		},
		registerBuffer: (name, bytes) => db.registerBuffer(name, bytes),
		dropBuffer: (name) => db.dropBuffer(name)
	};
}

/**
 * One view's latest request: `next(db)` supersedes the queries of the previous request (those
 * still waiting do not run) and returns the database for the new one. A page keeps one per
 * section it draws, and calls `abort()` when it goes away.
 */
export class Latest {
	#controller: AbortController | null = null;

	next(db: Database): Database {
		this.abort();
		this.#controller = new AbortController();
		return withSignal(db, this.#controller.signal);
	}

	abort(): void {
		this.#controller?.abort(new DOMException('superseded by a newer view', 'AbortError'));
		this.#controller = null;
	}
}
