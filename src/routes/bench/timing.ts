// Bench only: a Database that records each statement's time, and the summaries the report uses.
import type { Database } from '$lib/db/types';

export interface Timed {
	/** What ran: the derived or loaded table a statement creates, or the SQL's first words. */
	what: string;
	ms: number;
}

/** A short name for a statement: `create pain_window`, `insert patients`, or its first 60 characters. */
export function statementName(sql: string): string {
	const s = sql.replace(/\s+/g, ' ').trim();
	const create = /^CREATE (?:OR REPLACE )?(?:TEMP )?(?:TABLE|VIEW|MACRO) (\S+)/i.exec(s);
	if (create) return `create ${create[1]}`;
	const insert = /^INSERT INTO (\S+)/i.exec(s);
	if (insert) return `insert ${insert[1]}`;
	return s.slice(0, 60);
}

/** Wrap a Database so that every query's wall time lands in `log`. */
export function timed(db: Database, log: Timed[], now: () => number = () => performance.now()): Database {
	return {
		async query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
			const started = now();
			try {
				return await db.query<T>(sql, params);
			} finally {
				log.push({ what: statementName(sql), ms: now() - started });
			}
		},
		async registerBuffer(name, bytes) {
			const started = now();
			try {
				await db.registerBuffer(name, bytes);
			} finally {
				log.push({ what: `register ${name}`, ms: now() - started });
			}
		},
		dropBuffer: (name) => db.dropBuffer(name)
	};
}

/** Nearest-rank percentile (p in 0..100) of a non-empty sample. */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
	return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface Sample {
	n: number;
	p50: number;
	p95: number;
	min: number;
	max: number;
}

export function summarize(values: readonly number[]): Sample {
	return {
		n: values.length,
		p50: percentile(values, 50),
		p95: percentile(values, 95),
		min: values.length ? Math.min(...values) : NaN,
		max: values.length ? Math.max(...values) : NaN
	};
}

/** Sum of the logged times whose name matches. */
export function total(log: readonly Timed[], match: (what: string) => boolean = () => true): number {
	return log.filter((t) => match(t.what)).reduce((s, t) => s + t.ms, 0);
}
