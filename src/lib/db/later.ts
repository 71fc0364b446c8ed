import type { Database, QueryOptions, Row } from './types';

/**
 * The derived tables the dashboard does not read: the pain windows (derivePain.ts,
 * painOutcomes.ts), the intrathecal dose and MME tables (deriveItDose.ts, deriveMme.ts, and the
 * factor tables built from them). A statement that names one of them waits until they are built
 * for the data now loaded.
 */
export const LATER_TABLES =
	/\b(pain_baseline|pain_window|pain_window_cells|it_dose_(observation|rows|kept|steps|warnings|pieces|factor|series|month|fit)|mme_(prescriptions|observed|segments|daily|factors))\b/i;

/** The tables and views these statements create (`CREATE OR REPLACE`), in order. */
export function createdTables(statements: readonly string[]): { kind: 'TABLE' | 'VIEW'; name: string }[] {
	return statements.flatMap((sql) => {
		const m = /^\s*CREATE OR REPLACE (?:TEMP )?(TABLE|VIEW) (\w+(?:\.\w+)?)/i.exec(sql);
		return m ? [{ kind: m[1]!.toUpperCase() as 'TABLE' | 'VIEW', name: m[2]! }] : [];
	});
}

/** Quiet time (ms) without a query from the page before the build starts by itself. */
export const QUIET_MS = 400;

/**
 * Builds the later tables of a load without holding up its first chart. After a load, the page
 * derives the tables its first view reads, then hands the rest here (`schedule`): they are built
 * once the page has asked nothing for QUIET_MS, one statement at a time, and any query of the page
 * goes before the next statement. A query that names a later table (LATER_TABLES) starts the build
 * at once if it has not started, and waits for it: it never reads the tables of an earlier load,
 * nor half-built ones. A failed build fails those queries with its error (and `onFailure` hears of
 * it). `stop` drops what has not run and waits for what has: a new load calls it first, so no
 * statement of the old build lands on the new tables. Until the next `schedule`, a query that
 * names a later table (and one that was waiting for the stopped build) fails as aborted: the view
 * it was for is being replaced.
 */
export class LaterTables<D extends Database> {
	readonly db: D;
	/**
	 * The database itself, past the gate and unseen by `onAsking`: for the page's own background
	 * reads of the first tables (the warm-up of sql/dashboard.ts), which no one is waiting for.
	 */
	readonly background: D;
	private pending: string[] = [];
	/** The statements of the last schedule: a failed build drops every table they create. */
	private statements: readonly string[] = [];
	private build: Promise<void> | null = null;
	private failure: unknown = null;
	/** Bumped by `schedule` and `stop`: a build of an older generation runs nothing more. */
	private generation = 0;
	/** Queries of the page running, and queries waiting for the build. */
	private asking = 0;
	private waiters = 0;
	private lastAsked = 0;
	private timer: ReturnType<typeof setTimeout> | null = null;

	/**
	 * The error a failed build's queries fail with, from the database's own (the session says why
	 * in words a user can act on, as when the tab ran out of memory).
	 */
	explainFailure: (e: unknown) => unknown = (e) => e;
	/** Hears of a build that failed (its queries fail with the same error). */
	onFailure: (e: unknown) => void = () => undefined;
	/** Hears of a build that finished. */
	onBuilt: () => void = () => undefined;
	/** Hears how many of the page's queries run or wait for the build, at each change. */
	onAsking: (n: number) => void = () => undefined;

	constructor(private readonly inner: D) {
		this.background = inner;
		const query = <T = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
			this.ask(sql, () => inner.query<T>(sql, params, options));
		const queryColumns =
			inner.queryColumns &&
			((sql: string, params?: readonly unknown[], options?: QueryOptions) =>
				this.ask(sql, () => inner.queryColumns!(sql, params, options)));
		this.db = new Proxy(inner, {
			get: (target, key, receiver) =>
				key === 'query' ? query : key === 'queryColumns' ? queryColumns : Reflect.get(target, key, receiver)
		});
	}

	/** True while a schedule has tables not yet built (or building). */
	get waiting(): boolean {
		return this.pending.length > 0 || this.build !== null;
	}

	/**
	 * Build these statements' tables for the data just loaded, when the page is quiet. The caller
	 * has stopped the previous build (`stop`), so that its last statement has finished.
	 */
	schedule(statements: readonly string[]): void {
		// A build still running belongs to an older load: nothing more of it runs.
		this.generation++;
		this.build = null;
		this.pending = [...statements];
		this.statements = statements;
		this.failure = null;
		this.lastAsked = now();
		this.wake();
	}

	/** Build now, and resolve once built (or reject with the build's failure). */
	ready(): Promise<void> {
		if (this.failure) return Promise.reject(this.failure);
		if (!this.build && this.pending.length === 0) return Promise.resolve();
		this.build ??= this.run(false);
		return this.build;
	}

	/** Drop the statements not yet run and wait for the one running: nothing more of this build runs. */
	async stop(): Promise<void> {
		this.generation++;
		this.pending = [];
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		const build = this.build;
		this.build = null;
		this.failure = stopped();
		await build?.catch(() => undefined);
	}

	/** A query of the page (`run` asks the database): it waits for the build when it names a later table. */
	private async ask<R>(sql: string, run: () => Promise<R>): Promise<R> {
		if (LATER_TABLES.test(sql) && (this.waiting || this.failure)) {
			this.waiters++;
			this.onAsking(this.asking + this.waiters);
			try {
				await this.ready();
			} finally {
				this.waiters--;
			}
		}
		this.asking++;
		this.onAsking(this.asking + this.waiters);
		try {
			return await run();
		} finally {
			this.asking--;
			this.lastAsked = now();
			this.onAsking(this.asking + this.waiters);
		}
	}

	/** Start the build by itself once the page has been quiet for QUIET_MS. */
	private wake(): void {
		if (this.timer || this.build || this.pending.length === 0) return;
		const wait = Math.max(0, this.lastAsked + QUIET_MS - now());
		this.timer = setTimeout(() => {
			this.timer = null;
			if (this.build || this.pending.length === 0) return;
			if (this.asking > 0 || now() - this.lastAsked < QUIET_MS) return this.wake();
			this.build = this.run(true);
			// Its failure reaches onFailure, and the queries that wait for it.
			this.build.catch(() => undefined);
		}, wait);
	}

	private async run(yieldToPage: boolean): Promise<void> {
		const generation = this.generation;
		const current = () => generation === this.generation;
		try {
			while (this.pending.length > 0) {
				// The page's queries go first (let the ones it is asking finish), unless a query is
				// waiting for these tables: then the build goes on without a break.
				if (yieldToPage)
					while (this.asking > 0 && this.waiters === 0) await new Promise((r) => setTimeout(r, 10));
				if (!current()) throw stopped();
				const sql = this.pending.shift()!;
				await this.inner.query(sql);
			}
			if (!current()) throw stopped();
			this.build = null;
			this.onBuilt();
		} catch (e) {
			// Stopped: the queries that waited for it fail as aborted; onFailure is not told.
			if (!current()) throw stopped();
			this.pending = [];
			const failure = this.explainFailure(e);
			this.failure = failure;
			// None of its tables stays: half a set never answers a view, and a build that ran out of
			// memory gives back what it took.
			await this.dropCreated();
			if (!current()) throw stopped();
			this.build = null;
			this.onFailure(failure);
			throw failure;
		}
	}

	private async dropCreated(): Promise<void> {
		for (const t of createdTables(this.statements).reverse())
			await this.inner.query(`DROP ${t.kind} IF EXISTS ${t.name}`).catch(() => undefined);
	}
}

const now = () => performance.now();

/** The rejection of a query of a stopped build's tables: its view is being replaced. */
const stopped = () => new DOMException('the tables of this load were replaced', 'AbortError');
