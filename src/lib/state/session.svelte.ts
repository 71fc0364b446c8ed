import { browserDatabase, browserLaterTables, debugLog } from '$lib/db/browser';
import { isAbort, type Database } from '$lib/db';
import {
	importFiles,
	isOutOfMemory,
	plural,
	problemsCsv,
	resetTables,
	problemsPage,
	type FileChoice,
	type ImportProgress,
	type ImportReport,
	type InputFile,
	type PendingFile,
	type Problem,
	type Refusal,
	uniqueNames
} from '$lib/ingest';
import { recordInputFiles } from '$lib/export/inputs';
import { firstDeriveSql, laterDeriveSql, warmFilteredQueries } from '$lib/sql';
import { ActivityStatus } from './activity';
import { demoFiles } from './demo';

export type Phase = 'idle' | 'loading' | 'review' | 'ready' | 'error';

/** Files larger than this are refused before they are read: the tab could not hold them twice. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

const STORE = 'it-pump-outcomes:import:v1:';
/** The filtered queries have run once in this page (sql/dashboard.ts): duckdb-wasm's code is warm. */
let warmed = false;

/**
 * Choices the user made for files with a given header: the mapping, the date order and the
 * dropped columns, keyed by the normalised header list. Never a data value.
 */
function remembered(): Record<string, FileChoice> {
	const out: Record<string, FileChoice> = {};
	try {
		for (let i = 0; i < localStorage.length; i++) {
			const k = localStorage.key(i);
			if (k?.startsWith(STORE))
				out[k.slice(STORE.length)] = JSON.parse(localStorage.getItem(k)!) as FileChoice;
		}
	} catch {
		// Storage may be disabled (private mode): nothing is remembered.
	}
	return out;
}

function remember(key: string, c: FileChoice): void {
	const kept: FileChoice = { mapping: c.mapping, dateOrder: c.dateOrder, drop: c.drop };
	try {
		localStorage.setItem(STORE + key, JSON.stringify(kept));
	} catch {
		// Not remembered; the import itself goes on.
	}
}

function forgetAll(): void {
	try {
		const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i));
		for (const k of keys) if (k?.startsWith(STORE)) localStorage.removeItem(k);
	} catch {
		// Storage disabled: nothing was remembered.
	}
}

/**
 * The demo cohort, imported while the start page is open and before anyone asked (issue 7: "start
 * it before the user asks"). Nothing in the tab says it is loaded until "Use demo data" adopts it;
 * any other load discards it first.
 */
interface ReadAhead {
	controller: AbortController;
	/** The import, or null when it failed or was discarded (then nothing of it is left). */
	done: Promise<{ inputs: InputFile[]; report: ImportReport; ms: number } | null>;
	/** The import's progress, shown once the user asks for the demo. */
	progress: ImportProgress | null;
	/** Set when the user asks for the demo: its progress is then shown. */
	watch?: (p: ImportProgress | null) => void;
}

/** What is loaded in this tab. Lives as long as the page: nothing is sent anywhere. */
class Session {
	phase = $state<Phase>('idle');
	message = $state('');
	/** "Computing…", then "Updated.": the analysis pages' status region (the layout's; activity.ts). */
	activity = $state('');
	private readonly activityStatus = new ActivityStatus((text) => (this.activity = text));
	report = $state<ImportReport | null>(null);
	source = $state<'demo' | 'upload' | null>(null);
	progress = $state<ImportProgress | null>(null);
	/**
	 * Set when the IT dose, MME and pain-window tables of the data loaded did not fit in the tab's
	 * memory: what is missing and what to do. The data and the views on the first tables stay.
	 */
	limited = $state<string | null>(null);
	/** Bumped after every load so views re-query. */
	version = $state(0);
	/**
	 * The refusals of the last upload when it loaded nothing and the data loaded before stayed
	 * (as after a cancelled review); null otherwise.
	 */
	refusedUpload = $state<Refusal[] | null>(null);
	/** How many headers this browser remembers choices for (the start page offers to forget them). */
	rememberedHeaders = $state(0);
	/** The uploaded files, kept for answering questions or editing a mapping without reading them again. */
	private inputs: InputFile[] = [];
	private controller: AbortController | null = null;
	/**
	 * Header keys of files the user asked to read with stray quotes as text (import-cases.md case
	 * 16: relaxed only on request). For these files in this tab only: never remembered.
	 */
	private lenientQuotes = new Set<string>();
	/**
	 * The dataset loaded before the current load, still in the database until it replaces the
	 * tables (questions answered, some file loaded), and its files for editing a mapping again.
	 */
	private loaded: { report: ImportReport; source: 'demo' | 'upload'; inputs: InputFile[] } | null = null;
	/** Bumped by every schedule and stop of the later tables: a failure of an older build is ignored. */
	private laterBuild = 0;
	private ahead: ReadAhead | null = null;
	/**
	 * A discarded read-ahead until it has stopped and cleaned up: a load waits for it, so that no
	 * statement of the demo lands on the tables of the user's own files.
	 */
	private discarded: Promise<unknown> = Promise.resolve();

	get pending(): PendingFile[] {
		return this.report?.pending ?? [];
	}

	/**
	 * Start DuckDB now, so the wasm compiles while the user reads the page, and import the demo
	 * behind the start page when nothing was ever loaded in this tab: "Use demo data" then finds
	 * it ready (or under way), and any other load discards it.
	 */
	warmUp(): void {
		// Another tab may have remembered or forgotten choices since.
		this.rememberedHeaders = Object.keys(remembered()).length;
		browserDatabase().catch(() => undefined);
		if (this.ahead || this.phase !== 'idle' || this.version > 0) return;
		this.ahead = this.readDemoAhead();
	}

	db(): Promise<Database> {
		return browserDatabase();
	}

	/** The demo is the app's own data: its mapping is the contract's, nothing to ask. */
	async useDemo(): Promise<boolean> {
		const ahead = this.ahead;
		this.ahead = null;
		// Whatever becomes of it, a later load waits until it has stopped.
		if (ahead) this.discarded = ahead.done;
		this.start('Fetching the demo cohort…');
		this.lenientQuotes.clear();
		if (ahead) {
			const adopted = await this.adopt(ahead);
			if (adopted !== null) return adopted;
		}
		try {
			this.inputs = await demoFiles();
		} catch (e) {
			return this.fail(e);
		}
		return this.run('demo', { interactive: false });
	}

	async useFiles(list: FileList | File[]): Promise<boolean> {
		const files = Array.from(list);
		this.start(`Reading ${plural(files.length, 'file')}…`);
		this.lenientQuotes.clear();
		const tooLarge = files.filter((f) => f.size > MAX_FILE_BYTES);
		try {
			this.inputs = await readAll(
				files.filter((f) => f.size <= MAX_FILE_BYTES),
				(p) => (this.progress = p),
				this.controller!.signal
			);
		} catch (e) {
			return this.fail(e);
		}
		// The importer refuses what is over the limit without reading it: give it an empty stand-in.
		this.inputs.push(...tooLarge.map((f) => ({ name: f.name, bytes: new Uint8Array(0), size: f.size })));
		// The names the report gives them, so that the export's manifest joins its hashes to it.
		this.inputs = uniqueNames(this.inputs);
		return this.run('upload', { interactive: true });
	}

	/**
	 * The user's answers to the pending questions: the same files imported again with them, and
	 * remembered for the files they loaded. Not before: an answer the importer cannot use (a
	 * required column ignored) would otherwise apply to every later file with that header.
	 */
	async answer(choices: Record<string, FileChoice>): Promise<boolean> {
		this.start('Importing with your choices…');
		const loaded = await this.run(this.source ?? 'upload', { interactive: true, extra: choices });
		if (!loaded || !this.report) return loaded;
		for (const f of this.report.files) {
			const c = choices[f.key];
			if (c) remember(f.key, c);
		}
		this.rememberedHeaders = Object.keys(remembered()).length;
		return loaded;
	}

	/** Forget every remembered choice: files with those headers are asked about again. */
	forgetChoices(): void {
		forgetAll();
		this.rememberedHeaders = Object.keys(remembered()).length;
	}

	/** Show a file's mapping again for editing (the report's "Edit mapping"). */
	async editMapping(key: string): Promise<boolean> {
		this.start('Reading the files again…');
		return this.run(this.source ?? 'upload', { interactive: true, review: [key] });
	}

	/** Import the same files again, reading the stray quotes of files with this header as text. */
	async rereadLenient(key: string): Promise<boolean> {
		this.lenientQuotes.add(key);
		this.start('Reading the files again, with stray quotes as text…');
		return this.run(this.source ?? 'upload', { interactive: true });
	}

	cancel(): void {
		this.controller?.abort();
	}

	/** Leave the questions unanswered: nothing new is loaded, and what was loaded stays. */
	dismiss(): void {
		if (this.restoreLoaded()) {
			this.message = 'Import cancelled; the data loaded before is still there.';
		} else {
			this.phase = 'idle';
			this.report = null;
			this.message = 'Import cancelled; nothing was loaded.';
		}
	}

	async problems(file: string, offset: number, limit: number): Promise<Problem[]> {
		return problemsPage(await this.db(), file, offset, limit);
	}

	/** Download every problem of the import (or of one file) as CSV: lines and reasons, no identifier values. */
	async downloadProblems(file?: string): Promise<void> {
		const csv = await problemsCsv(await this.db(), file);
		const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
		const a = document.createElement('a');
		a.href = url;
		// export.csv -> export-problems.csv; "export.csv (2nd file of that name)" keeps its words.
		a.download = `${file ? file.replace(/\.[^.\s]*(?=$| \()/, '') : 'import'}-problems.csv`;
		a.click();
		setTimeout(() => URL.revokeObjectURL(url), 1000);
	}

	/**
	 * Take over the demo read ahead: its progress, its cancellation and its result. Null when it
	 * failed (the caller loads the demo the usual way).
	 */
	private async adopt(ahead: ReadAhead): Promise<boolean | null> {
		const signal = this.controller!.signal;
		signal.addEventListener('abort', () => ahead.controller.abort(), { once: true });
		this.message = 'Validating and loading…';
		this.progress = ahead.progress;
		ahead.watch = (p) => {
			if (this.controller?.signal === signal) this.progress = p;
		};
		const result = await ahead.done;
		// A newer load (or the user's cancel) took over while the demo finished.
		if (this.controller?.signal !== signal) return false;
		if (signal.aborted) return this.fail(signal.reason);
		if (!result) return null;
		debugLog('demo read ahead: adopted');
		this.inputs = result.inputs;
		this.source = 'demo';
		this.report = result.report;
		this.progress = null;
		this.loaded = null;
		this.finish(result.report, result.ms);
		return true;
	}

	/** The demo's import and derived tables, with no word in the page until it is adopted. */
	private readDemoAhead(): ReadAhead {
		const controller = new AbortController();
		const { signal } = controller;
		const ahead: ReadAhead = { controller, done: Promise.resolve(null), progress: null };
		const onProgress = (p: ImportProgress) => {
			ahead.progress = p;
			ahead.watch?.(p);
		};
		ahead.done = (async () => {
			// The import's JavaScript half (decoding and scanning the files) waits for DuckDB too:
			// run while the wasm starts, it delayed DuckDB's start by more than it saved (two cores).
			const [db, inputs] = await Promise.all([browserDatabase(), demoFiles()]);
			signal.throwIfAborted();
			await applyMemoryLimit(db);
			const started = performance.now();
			const report = await importFiles(db, inputs, {
				interactive: false,
				maxFileBytes: MAX_FILE_BYTES,
				signal,
				onProgress
			});
			await deriveTables(db, report, signal);
			await this.scheduleLater(report, signal);
			debugLog('demo read ahead: ready');
			return { inputs, report, ms: performance.now() - started };
		})().catch((e) => {
			debugLog(`demo read ahead: ${isAbort(e) ? 'stopped' : `failed (${String(e)})`}`);
			return null;
		});
		return ahead;
	}

	private start(message: string): void {
		if (this.phase === 'ready' && this.report && this.source)
			this.loaded = { report: this.report, source: this.source, inputs: this.inputs };
		this.refusedUpload = null;
		if (this.ahead) {
			debugLog('demo read ahead: discarded for another load');
			this.ahead.controller.abort();
			this.discarded = this.ahead.done;
			this.ahead = null;
		}
		this.controller?.abort();
		this.controller = new AbortController();
		this.phase = 'loading';
		this.message = message;
		this.progress = null;
	}

	private fail(e: unknown): false {
		this.progress = null;
		if (e instanceof Error && e.name === 'AbortError') {
			// A cancelled import empties the tables (importFiles), whatever was loaded before.
			this.loaded = null;
			this.phase = 'idle';
			this.report = null;
			this.version++;
			this.message = 'Import cancelled; nothing was loaded.';
		} else if (e instanceof TooLarge) {
			this.loaded = null;
			this.phase = 'error';
			this.report = null;
			this.version++;
			this.message = e.message;
		} else if (e instanceof RangeError) {
			this.phase = 'error';
			this.message =
				'The files are too large for this browser tab to hold. Split them, or use the command-line report.';
		} else {
			this.phase = 'error';
			this.message = `Import failed: ${e instanceof Error ? e.message : String(e)}`;
		}
		return false;
	}

	private async run(
		source: 'demo' | 'upload',
		how: { interactive: boolean; extra?: Record<string, FileChoice>; review?: string[] }
	): Promise<boolean> {
		const signal = this.controller!.signal;
		try {
			this.message = 'Starting the in-browser database…';
			await this.discarded;
			// Nothing of the last load's later tables may land on the new tables.
			await this.stopLater();
			const db = await browserDatabase();
			await applyMemoryLimit(db);
			this.message = 'Validating and loading…';
			const started = performance.now();
			// The demo is the app's own files, in the contract's columns: a choice remembered for an
			// export with the same header (office ignored, say) is not for them.
			const choices = source === 'demo' ? {} : { ...remembered(), ...how.extra };
			for (const key of this.lenientQuotes) choices[key] = { ...choices[key], lenientQuotes: true };
			const report = await importFiles(db, this.inputs, {
				interactive: how.interactive,
				choices,
				review: how.review,
				maxFileBytes: MAX_FILE_BYTES,
				signal,
				onProgress: (p) => (this.progress = p)
			});
			this.progress = null;
			// Every file refused: the tables hold what they held, and so does the page.
			if (!report.pending.length && !report.replaced && this.loaded)
				return await this.keepLoaded(report, signal);
			this.source = source;
			this.report = report;
			if (report.pending.length) {
				this.phase = 'review';
				this.message = `${plural(report.pending.length, 'file')} ${report.pending.length === 1 ? 'needs' : 'need'} your decision before anything is loaded.`;
				// The database keeps the last dataset until the questions are answered: its IT dose
				// and MME tables, stopped above, are built again for it.
				if (this.loaded) await this.scheduleLater(this.loaded.report, signal);
				return false;
			}
			this.loaded = null;
			// Nothing loaded, nothing shown as loaded: a demo read ahead and not adopted goes too.
			if (!report.replaced) await resetTables(db);
			await deriveTables(db, report);
			await this.scheduleLater(report, signal);
			return this.finish(report, performance.now() - started);
		} catch (e) {
			return this.fail(e);
		}
	}

	/**
	 * Every file was refused, and the database holds what it held: so does the page, with the data
	 * loaded before (its later tables, stopped for this load, built again) and the refusals beside it.
	 */
	private async keepLoaded(report: ImportReport, signal: AbortSignal): Promise<false> {
		this.restoreLoaded();
		this.refusedUpload = report.refused;
		this.message = 'Nothing new was loaded: every file was refused. The data loaded before is still there.';
		await this.scheduleLater(this.report!, signal);
		return false;
	}

	/** Show the dataset loaded before this load again, when there was one. */
	private restoreLoaded(): boolean {
		const loaded = this.loaded;
		if (!loaded) return false;
		this.loaded = null;
		this.phase = 'ready';
		this.report = loaded.report;
		this.source = loaded.source;
		this.inputs = loaded.inputs;
		return true;
	}

	/**
	 * The pain windows, IT dose and MME tables are built after the first chart, when the page is
	 * quiet, or at once when a view asks for them (db/later.ts). A build that runs out of memory
	 * drops what it built; the data and the views on the first tables stay, and the views that need
	 * the missing tables say why (`limited`).
	 */
	private async scheduleLater(report: ImportReport, signal: AbortSignal): Promise<void> {
		const later = await browserLaterTables();
		// A newer load took over: its own tables follow it.
		if (signal.aborted) return;
		const build = ++this.laterBuild;
		this.limited = null;
		later.explainFailure = (e) =>
			isOutOfMemory(e) ? new TooLarge(tooLargeForLaterTables(report), { cause: e }) : e;
		later.onFailure = (e) => this.laterFailed(e, build);
		later.onAsking = (n) => this.activityStatus.running(n);
		later.onBuilt = () => {
			debugLog(`later tables: built ${Math.round(performance.now())} ms after navigation start`);
			if (warmed) return;
			warmed = true;
			// Once per page, when it is quiet: the user's first filter change then costs what the
			// next ones do (sql/dashboard.ts). Past the status region's count: no one asked for it.
			// A failure here only loses the head start.
			warmFilteredQueries(later.background).then(
				(f) => debugLog(`warm-up: ${f ? 'filtered queries run' : 'nothing to filter'}`),
				(e) => debugLog(`warm-up failed: ${String(e)}`)
			);
		};
		later.schedule(laterDeriveSql());
	}

	private async stopLater(): Promise<void> {
		this.laterBuild++;
		await (await browserLaterTables()).stop();
	}

	/**
	 * Only for the load on the page: a build stopped or replaced since is not reported, and a
	 * demo read ahead not yet adopted leaves the error to the queries that wait for its tables.
	 */
	private laterFailed(e: unknown, build: number): void {
		// The database's own error, not the words the page shows for it.
		debugLog(`later tables: failed (${String(e instanceof Error && e.cause ? e.cause : e)})`);
		if (build !== this.laterBuild || this.phase !== 'ready') return;
		if (e instanceof TooLarge) {
			this.limited = e.message;
			return;
		}
		this.phase = 'error';
		this.message = `Building the pain window, IT dose and MME tables failed: ${e instanceof Error ? e.message : String(e)}`;
	}

	/** A load's tables are built: the page may say so, and every view queries them. */
	private finish(report: ImportReport, ms: number): boolean {
		// The export's manifest names these files with their SHA-256: of the bytes as read, hashed
		// when the export page opens (export/inputs.ts), not beside the user's first queries.
		if (report.files.length) recordInputFiles(this.inputs);
		this.version++;
		const loaded = loadedRows(report);
		this.message = report.files.length
			? `Loaded ${plural(loaded, 'row')} from ${plural(report.files.length, 'file')} in ${Math.round(ms)} ms.`
			: 'Nothing was loaded: every file was refused. The import report on the Load data page says why.';
		this.phase = report.files.length ? 'ready' : 'error';
		return report.files.length > 0;
	}
}

/**
 * The outcome tables the first views read, built once after a load (the others follow:
 * `scheduleLater`). A load too large for them keeps nothing half-built, and neither does a
 * stopped read-ahead (`signal`).
 */
async function deriveTables(db: Database, report: ImportReport, signal?: AbortSignal): Promise<void> {
	try {
		for (const sql of firstDeriveSql()) await db.query(sql, [], { signal });
	} catch (e) {
		if (isAbort(e)) {
			await resetTables(db).catch(() => undefined);
			throw e;
		}
		if (!isOutOfMemory(e)) throw e;
		// Checked and loaded, but the outcome tables do not fit: keep nothing half-built.
		await resetTables(db).catch(() => undefined);
		throw new TooLarge(tooLargeForTables(report));
	}
}

const loadedRows = (report: ImportReport) => report.files.reduce((s, f) => s + f.loaded, 0);

function tooLargeForTables(report: ImportReport): string {
	const rows = loadedRows(report);
	return (
		`The files were read and checked (${rows.toLocaleString('en-US')} rows), but building the outcome ` +
		'tables needs more memory than this browser tab can give the database, so nothing was kept. ' +
		'Load fewer rows (for example one office or a few implant years at a time), or use the ' +
		'command-line report with native DuckDB (npm run report; docs/report.md).'
	);
}

function tooLargeForLaterTables(report: ImportReport): string {
	const rows = loadedRows(report);
	return (
		`The ${rows.toLocaleString('en-US')} rows loaded are more than this browser tab can give the database ` +
		'memory for the pain windows (baseline, 3, 6 and 12 months), the intrathecal dose and the oral MME ' +
		'tables: the views that need them are not shown. The cohort and the pain-by-month charts are. ' +
		'For the rest, load fewer rows (for example one office or a few implant years at a time), or use ' +
		'the command-line report with native DuckDB (npm run report; docs/report.md).'
	);
}

/** The data is more than the tab can hold: the message says what to do instead. */
class TooLarge extends Error {
	override name = 'TooLarge';
}

/**
 * Read files into memory, reporting each file as it starts and stopping when cancelled between
 * files. `File.arrayBuffer()` reads a file whole: at a million pain scores (147 MB in 4 files),
 * 0.6 s in Chromium here against 1.0-1.7 s for the same bytes through `stream()` in 64 KB chunks.
 */
async function readAll(
	files: File[],
	progress: (p: ImportProgress) => void,
	signal: AbortSignal
): Promise<InputFile[]> {
	const totalBytes = files.reduce((s, f) => s + f.size, 0);
	let done = 0;
	const out: InputFile[] = [];
	for (const [fileIndex, f] of files.entries()) {
		signal.throwIfAborted();
		progress({
			file: f.name,
			fileIndex,
			fileCount: files.length,
			phase: 'reading',
			bytes: done,
			totalBytes,
			rows: 0
		});
		const bytes = new Uint8Array(await f.arrayBuffer());
		done += f.size;
		// The file itself too: the export's input hash is made from it in a worker (export/inputs.ts).
		out.push({ name: f.name, bytes, blob: f });
	}
	signal.throwIfAborted();
	return out;
}

/**
 * `#memory_limit=64MB` in the address caps the database's memory, as a small machine would (the
 * large-file test uses it). A diagnostic setting like `?debug=sql`, never needed for normal use;
 * in the hash, because the query string holds the view and unknown keys are reported there. Read
 * as the module loads: a link followed before the first load drops the hash.
 */
const MEMORY_LIMIT = (() => {
	if (typeof location === 'undefined') return null;
	const limit = new URLSearchParams(location.hash.slice(1)).get('memory_limit');
	return limit && /^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i.test(limit) ? limit : null;
})();

async function applyMemoryLimit(db: Database): Promise<void> {
	if (MEMORY_LIMIT) await db.query(`SET memory_limit = '${MEMORY_LIMIT}'`);
}

export const session = new Session();
