import type { Database, QueryOptions, Row } from './types';

/** What an engine provides: one statement at a time, failures already wrapped in QueryError. */
export interface Engine {
	run<T = Row>(sql: string, params: readonly unknown[]): Promise<T[]>;
	registerBuffer(name: string, bytes: Uint8Array): Promise<void>;
	dropBuffer(name: string): Promise<void>;
}

/**
 * One statement at a time on the one connection, in the order asked. A query whose signal is
 * aborted while it waits is dropped when its turn comes (`onSkip` hears of it): after a quick run
 * of filter changes the connection works on the view the user now sees, not on those replaced.
 */
export function serialDatabase(engine: Engine, onSkip?: (sql: string) => void): Database {
	let queue: Promise<unknown> = Promise.resolve();
	const serial = <T>(task: () => Promise<T>): Promise<T> => {
		const next = queue.then(task, task);
		queue = next.catch(() => undefined);
		return next;
	};
	return {
		query<T = Row>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<T[]> {
			const { signal } = options;
			if (signal?.aborted) return Promise.reject(signal.reason);
			return serial(() => {
				if (signal?.aborted) {
					onSkip?.(sql);
					throw signal.reason;
				}
				return engine.run<T>(sql, params);
			});
		},
		registerBuffer: (name, bytes) => serial(() => engine.registerBuffer(name, bytes)),
		dropBuffer: (name) => serial(() => engine.dropBuffer(name))
	};
}
