import { columnsOf, type FileKind } from '$lib/contract';
import { headerUnit } from '$lib/contract/headers';
import type { Database } from '$lib/db/types';
import { ident, literal } from '$lib/sql/literal';
import { decodeBytes, plural, startsWithBom } from './bytes';
import { strptimeFormats, type DateOrder } from './dates';
import { findContractHeader, type Head } from './dialect';
import { uniqueNames } from './names';
import type { ColumnPlan } from './plan';
import { prepareFile, type EarlyMode, type InputFile, type Prepared, type StagedSink } from './prepare';
import {
	MAX_PROBLEMS_IN_REPORT,
	type FileReport,
	type ImportOptions,
	type ImportReport,
	type PendingFile,
	type Problem,
	type Refusal,
	type RuleCount
} from './report';
import {
	crossFileRules,
	DUPLICATE_PATIENT,
	joinedRows,
	rowRules,
	sameDayAssessments,
	warningRules,
	type RowRule
} from './rules';
import { bufferName, insertProblems, readBodySql, readStagedSql, stagedType } from './stage';
import { createLoadedTablesSql, ensureLoadedTablesSql, loadedColumns } from './tables';
import { PatientIndex, RuleTally } from './tally';

export type { InputFile } from './prepare';

const ORDER: FileKind[] = ['patients', 'pain_scores', 'oral_opioids', 'pump_events'];

/**
 * Bytes to typed tables. Every record is loaded, rejected (with file, line, column, value and
 * rule) or skipped (with its line and reason), and the three add up to what was read, or the
 * import throws. Non-interactive by default (the command-line report): the suggested mapping is
 * applied, and a file with identifier columns or undecidable date order is refused with the
 * reason. With `interactive: true` those become `pending` questions and nothing is loaded until
 * the caller passes the user's `choices`.
 */
export async function importFiles(
	db: Database,
	inputs: readonly InputFile[],
	options: ImportOptions = {}
): Promise<ImportReport> {
	try {
		return await importAll(db, uniqueNames(inputs), options);
	} catch (e) {
		// A cancelled import leaves nothing behind: not the new files, not the previous dataset.
		if (isAbort(e)) await resetTables(db);
		throw e;
	}
}

async function importAll(
	db: Database,
	inputs: readonly InputFile[],
	options: ImportOptions
): Promise<ImportReport> {
	const early = new Map<InputFile, EarlyLoad>();
	try {
		return await importEach(db, inputs, options, early);
	} finally {
		// Whatever was loaded early and not taken (a refusal, a question, a cancel) goes.
		for (const load of early.values()) await load.drop();
	}
}

async function importEach(
	db: Database,
	inputs: readonly InputFile[],
	options: ImportOptions,
	early: Map<InputFile, EarlyLoad>
): Promise<ImportReport> {
	const refused: Refusal[] = [];
	const pending: PendingFile[] = [];
	const byKind = new Map<FileKind, Prepared>();
	const totalBytes = inputs.reduce((s, f) => s + f.bytes.length, 0);
	let doneBytes = 0;
	const order = scanOrder(inputs);
	const scanned = new Map<Refusal | PendingFile, number>();
	// The early loads' buffers, one in the database at a time (EarlyLoad.read).
	const buffers: BufferLine = { last: Promise.resolve() };
	const patientIndex = () => {
		const patients = byKind.get('patients');
		const rows = patients && early.get(patients.input)?.rows;
		return rows instanceof PatientIndex && rows.usable ? rows : null;
	};
	for (const [index, at] of order.entries()) {
		const input = inputs[at]!;
		options.signal?.throwIfAborted();
		const report = (phase: 'scanning', bytes: number, rows: number) =>
			options.onProgress?.({
				file: input.name,
				fileIndex: index,
				fileCount: inputs.length,
				phase,
				bytes: doneBytes + bytes,
				totalBytes,
				rows
			});
		// The database loads the file while the page scans it (and the next ones), unless a
		// question is already open: then nothing will load this time.
		const load = new EarlyLoad(
			db,
			() => pending.length > 0,
			options.wholeReadMaxBytes ?? WHOLE_READ_MAX_BYTES,
			options.scanRules === false ? null : patientIndex,
			buffers
		);
		early.set(input, load);
		const p = await prepareFile(input, options, (bytes, rows) => report('scanning', bytes, rows), load);
		doneBytes += input.bytes.length;
		const refuse = (reason: string) => {
			const r = { file: input.name, reason };
			refused.push(r);
			scanned.set(r, at);
		};
		if (p.status === 'refused') {
			refuse(p.reason);
			continue;
		}
		// One file of a kind, whether it is ready or waits for a question: two waiting files with
		// one header would share the question (its choices are kept by header), and the second
		// would be refused once answered anyway.
		const kind = p.status === 'pending' ? p.pending.kind : p.file.kind;
		const earlier = byKind.get(kind)?.input.name ?? pending.find((q) => q.kind === kind)?.file;
		if (earlier)
			refuse(`${input.name} is a second ${kind} file (${earlier} is the first); combine them into one`);
		else if (p.status === 'pending') {
			pending.push(p.pending);
			scanned.set(p.pending, at);
		} else {
			byKind.set(p.file.kind, p.file);
			countEarly(byKind, early);
		}
	}
	// Refusals and questions in the order the files were given.
	const given = (x: Refusal | PendingFile) => scanned.get(x) ?? 0;
	refused.sort((a, b) => given(a) - given(b));
	pending.sort((a, b) => given(a) - given(b));
	const pendingKinds = new Set(pending.map((p) => p.kind));
	if ((byKind.size > 0 || pending.length > 0) && !byKind.has('patients') && !pendingKinds.has('patients')) {
		for (const a of byKind.values()) refused.push({ file: a.input.name, reason: noPatients(a.input.name) });
		for (const p of pending) refused.push({ file: p.file, reason: noPatients(p.file) });
		byKind.clear();
		pending.length = 0;
	}
	// Questions first: until they are answered the database keeps what it had. So it does when
	// every file is refused: an upload that loads nothing takes nothing away.
	if (pending.length) return { files: [], refused, warnings: [], pending, replaced: false };
	if (byKind.size === 0) {
		// The tables exist after any import (the first of a database included), empty or not.
		await db.query(ensureLoadedTablesSql().join(';\n'));
		return { files: [], refused, warnings: [], pending: [], replaced: false };
	}
	await resetTables(db);

	const files: FileReport[] = [];
	const ready = ORDER.flatMap((k) => byKind.get(k) ?? []);
	// The patients table is the patients file's early table, whole: counts made against it hold.
	let patientsIntact = false;
	for (const [index, a] of ready.entries()) {
		const progress = (phase: 'loading' | 'checking') =>
			options.onProgress?.({
				file: a.input.name,
				fileIndex: index,
				fileCount: ready.length,
				phase,
				bytes: totalBytes,
				totalBytes,
				rows: a.scan.read
			});
		if (a.kind !== 'patients' && !files.some((f) => f.kind === 'patients')) {
			refused.push({ file: a.input.name, reason: noPatients(a.input.name) });
			continue;
		}
		const patientsForm = files.find((f) => f.kind === 'patients')?.dialect.timeForm;
		const form = timeFormOf(a);
		if (a.kind !== 'patients' && form === 'date' && patientsForm === 'day') {
			refused.push({
				file: a.input.name,
				reason:
					`${a.input.name} gives calendar dates, but the patients file gives days from implant (implant_year): ` +
					'give the patients file implant_date and trial_date, or give this file days'
			});
			continue;
		}
		try {
			const load = early.get(a.input);
			const report = await loadFile(db, a, options, progress, load, patientsIntact);
			if (a.kind === 'patients')
				patientsIntact = load?.started === true && report.loaded === a.scan.stagedRecords;
			files.push(report);
		} catch (e) {
			try {
				await dropFile(db, a);
			} catch {
				throw e;
			}
			if (!isOutOfMemory(e)) throw e;
			refused.push({
				file: a.input.name,
				reason:
					`${a.input.name} is too large for the memory this browser tab can give the database; nothing of it was loaded. ` +
					'Split it into smaller files, or use the command-line report'
			});
		}
	}
	return { files, refused, warnings: [], pending: [], replaced: true };
}

/**
 * Queue the rule counts of every file loaded early whose patients are loaded early too (each
 * file's own rules need only itself): called as each file is ready, in whatever order they come.
 */
function countEarly(byKind: ReadonlyMap<FileKind, Prepared>, early: ReadonlyMap<InputFile, EarlyLoad>): void {
	const patients = byKind.get('patients');
	const patientsLoad = patients && early.get(patients.input);
	if (!patientsLoad?.started) return;
	for (const a of byKind.values())
		early.get(a.input)?.countRules(a.kind === 'patients' ? null : patientsLoad);
}

/**
 * The order to scan files in (kinds known from the header at the start of each file): patients
 * files first, so the others' scans count the rules across files; then the other kinds, the
 * largest first, so the database starts its longest read early and the page finishes scanning
 * sooner after it; files of one kind in the order given.
 */
function scanOrder(inputs: readonly InputFile[]): number[] {
	const kinds = inputs.map((f) => {
		// A header is on the first lines (a guess that misses only costs time).
		const decoded = decodeBytes(f.name, f.bytes.subarray(0, 4096));
		if (!decoded.ok) return null;
		const found = findContractHeader(decoded.utf8);
		return found.ok ? found.kind : null;
	});
	const size = new Map<FileKind | null, number>();
	inputs.forEach((f, i) => size.set(kinds[i]!, Math.max(size.get(kinds[i]!) ?? 0, f.bytes.length)));
	const rank = (i: number) => (kinds[i] === 'patients' ? Infinity : size.get(kinds[i]!)!);
	const group = (i: number) => kinds.indexOf(kinds[i]!);
	return inputs.map((_, i) => i).sort((a, b) => rank(b) - rank(a) || group(a) - group(b) || a - b);
}

function noPatients(file: string): string {
	return `${file} not imported: a patients file (patient_id, office, diagnosis) is required`;
}

const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';
/** DuckDB (or the tab) ran out of memory: the one failure that says the data is too large. */
export const isOutOfMemory = (e: unknown) =>
	e instanceof Error &&
	/out of memory|could not allocate|failed to allocate|allocation failed|memory limit/i.test(e.message);

/** Empty every loaded table: after a failure nothing partial stays behind. */
export async function resetTables(db: Database): Promise<void> {
	// One batch: a round trip to the database worker each would add up to more than the work.
	await db.query([...createLoadedTablesSql(), 'DROP TABLE IF EXISTS __patient_anchor'].join(';\n'));
}

/** Remove every trace of a file that failed halfway: a partial table is never left behind. */
async function dropFile(db: Database, a: Prepared): Promise<void> {
	await db.query(`DELETE FROM import_problems WHERE file = ?`, [a.input.name]);
	await db.query(`DELETE FROM ${a.kind}`);
	if (a.kind === 'patients') await db.query('DROP TABLE IF EXISTS __patient_anchor');
}

function timeFormOf(a: { kind: FileKind; plan: readonly ColumnPlan[] }): 'day' | 'date' {
	const has = (c: string) => a.plan.some((p) => p.target === c);
	if (a.kind === 'patients') return has('implant_date') ? 'date' : 'day';
	return has(a.kind === 'oral_opioids' ? 'start_day' : 'day') ? 'day' : 'date';
}

/** What the SQL over a staged read needs to know of its file. */
interface StagingSpec {
	kind: FileKind;
	plan: readonly ColumnPlan[];
	delimiter: string;
	dateOrder: DateOrder | null;
	/** A kept field was quoted: read with quotes. */
	quoted: boolean;
	/** Per column: a quoted value had padding (trim it). */
	padded: readonly boolean[];
	/** Read the file's own bytes after the header (readBodySql), the first row on this line. */
	bodyLine?: number;
}

const specOf = (a: Prepared): StagingSpec => ({
	kind: a.kind,
	plan: a.plan,
	delimiter: a.head.delimiter,
	dateOrder: a.dateOrder,
	quoted: a.scan.quoted,
	padded: a.scan.stats.map((st) => st.quotedPadding === true)
});

/** The contract's columns of a file as SQL over its staged read, and the join they need. */
function stagingOf(a: StagingSpec) {
	const kind = a.kind;
	const kept = a.plan.filter((p) => p.keep);
	const has = keptHas(a.plan);
	const timeForm = timeFormOf(a);
	const units = headerUnits(a);
	const value = (c: string) => (has(c) ? raw(a, c) : c in units ? literal(units[c]!) : 'NULL');
	const date = (c: string) => (has(c) ? dateSql(raw(a, c), a.dateOrder) : 'NULL');
	const anchor = `coalesce(${date('implant_date')}, ${date('trial_date')})`;
	const exprs: Record<string, string> = { _line: '__line' };
	const dayFrom = (day: string, d: string, from: string) => {
		if (!has(day) && has(d)) exprs[day] = `(${date(d)} - ${from})::INTEGER`;
	};
	let join = '';
	if (kind === 'patients') {
		const implantYear =
			timeForm === 'date' ? `year(${date('implant_date')})::INTEGER` : value('implant_year');
		Object.assign(exprs, {
			age: has('age_at_implant')
				? `CASE WHEN ${value('age_at_implant')} = '90+' THEN 90 ELSE CAST(${value('age_at_implant')} AS INTEGER) END`
				: 'NULL',
			implant_year: implantYear,
			implanted: `(${implantYear}) IS NOT NULL`
		});
		dayFrom('trial_day', 'trial_date', anchor);
		dayFrom('followup_end_day', 'followup_end_date', anchor);
	} else {
		const pairs =
			kind === 'oral_opioids' ? { start_day: 'start_date', end_day: 'end_date' } : { day: 'date' };
		for (const [day, d] of Object.entries(pairs)) dayFrom(day, d, 'a.anchor');
		if (timeForm === 'date')
			join = `LEFT JOIN __patient_anchor a ON a.anchor_patient_id = ${raw(a, 'patient_id')}`;
	}
	const cols = loadedColumns(kind).map((c) => exprs[c.name] ?? value(c.name));
	const source = (buffer: string) =>
		a.bodyLine !== undefined
			? readBodySql(buffer, a.delimiter, a.plan, a.bodyLine)
			: readStagedSql(
					buffer,
					a.delimiter,
					kept.map((p) => [p.target!, stagedType(p)]),
					a.quoted
				);
	return {
		has,
		units,
		timeForm,
		value,
		date,
		anchor,
		source,
		/** Each column cast to its loaded type: the same SQL inserts into a table or creates one. */
		select: (buffer: string) =>
			`SELECT ${loadedColumns(kind)
				.map((c, k) => `CAST(${cols[k]} AS ${c.type}) AS ${ident(c.name)}`)
				.join(', ')} FROM ${source(buffer)} ${join}`
	};
}

/**
 * A file whose rows need nothing from another file or from the end of its own scan: in day form
 * and without dates (their order is decided once every value is seen), its staged read is its
 * table. In date form the event files count days from each patient's anchor in the patients file.
 */
function selfContained(kind: FileKind, plan: readonly ColumnPlan[]): boolean {
	return timeFormOf({ kind, plan }) === 'day' && !plan.some((p) => p.keep && p.rule?.kind === 'date');
}

/** What counts the rules of a file as it is scanned (tally.ts), or null when the SQL does. */
function tallyOf(
	kind: FileKind,
	plan: readonly ColumnPlan[],
	patients: PatientIndex | null
): PatientIndex | RuleTally | null {
	if (kind === 'patients') return new PatientIndex(plan);
	if (!patients) return null;
	const units = headerUnits({ plan });
	const { rules, cross, warns } = checksOf(kind, keptHas(plan), units, false);
	const tests = [...rules, ...cross, ...warns].map((r) => r.test);
	if (!tests.every((t) => t !== undefined)) return null;
	return new RuleTally(kind, plan, units, tests, patients);
}

/** The last early buffer's read and drop, settled (EarlyLoad.read). */
interface BufferLine {
	last: Promise<unknown>;
}

let earlyTables = 0;
const LF = 0x0a;

/**
 * Largest file body read whole as written while it is scanned: that read holds a copy of the
 * bytes beside the page's own (larger files load in staged chunks).
 */
export const WHOLE_READ_MAX_BYTES = 128 * 1024 * 1024;

/**
 * One file loading while it is scanned, into a table of the file's own. A file of up to
 * WHOLE_READ_MAX_BYTES whose every column is kept is read whole, as written, once the scan's first
 * slice is clean (`readWhole`); the read stands as long as the scan finds every record clean
 * (ScanResult.clean). From the first record that is not (`unclean`), the records before it are
 * read as written again and the rest loads in chunks of staged records as the scan hands them
 * over; other files load in chunks from the start. The loaded tables
 * are untouched until every file is ready (loadFile then renames this table into place);
 * importAll drops it otherwise.
 */
class EarlyLoad implements StagedSink {
	/** Named when the scan starts: `__early_<n>_<kind>`. */
	table = '';
	private spec: Omit<StagingSpec, 'quoted' | 'padded'> | null = null;
	private readonly parts: Promise<number>[] = [];
	/** The file, while it may be read as written: all of it, or the records before one not clean. */
	private body: { text: Uint8Array; head: Head } | null = null;
	/** Skips the whole read while it still waits for the database (one under way runs to its end). */
	private wholeRead: AbortController | null = null;
	/** A whole read the scan did not confirm, dropped once it has run. */
	private discarded: Promise<unknown> | null = null;

	/** Counts the rules as the file is scanned (the patients file: indexes its patients). */
	rows: PatientIndex | RuleTally | null = null;

	constructor(
		private readonly db: Database,
		private readonly skip: () => boolean,
		private readonly wholeMaxBytes: number,
		/** The patients file's index, once it is scanned and can stand for its table; null: count in SQL. */
		private readonly patients: (() => PatientIndex | null) | null,
		private readonly buffers: BufferLine
	) {}

	open(kind: FileKind, head: Head, plan: readonly ColumnPlan[], text: Uint8Array): EarlyMode | null {
		if (this.skip() || !selfContained(kind, plan)) return null;
		this.spec = { kind, plan, delimiter: head.delimiter, dateOrder: null };
		this.rows = this.patients ? tallyOf(kind, plan, this.patients()) : null;
		this.table = `__early_${++earlyTables}_${kind}`;
		const bodyBytes = text.length - head.bodyStart;
		const whole =
			bodyBytes > 0 &&
			bodyBytes <= this.wholeMaxBytes &&
			// Rows end with LF (as the header does), the form the read expects.
			head.header !== null &&
			text[head.header.end] === LF &&
			// Every column is the contract's: an unmapped or dropped column never reaches DuckDB.
			plan.every((p) => p.keep) &&
			// DuckDB skips a byte-order mark at the start of its buffer; the scan keeps it in the value.
			!startsWithBom(text, head.bodyStart);
		if (!whole) return 'chunks';
		this.body = { text, head };
		return 'whole';
	}

	/** Start the whole read (the scan's first slice was clean). */
	readWhole(): void {
		this.wholeRead = new AbortController();
		this.readAsWritten(this.body!.text.length, this.wholeRead.signal);
	}

	/**
	 * Read the file's own records as written, from the body's start to `end` (the end of a record),
	 * into a new table: the file whole, or the clean records before the first that is not.
	 */
	private readAsWritten(end: number, signal?: AbortSignal): void {
		const { text, head } = this.body!;
		const buffer = bufferName(this.spec!.kind);
		const select = stagingOf({
			...this.spec!,
			quoted: true,
			padded: this.spec!.plan.map(() => false),
			bodyLine: head.bodyLine
		}).select(buffer);
		this.read(
			buffer,
			text.slice(head.bodyStart, end),
			`CREATE OR REPLACE TABLE ${this.table} AS ${select}`,
			signal
		);
	}

	write(bytes: Uint8Array, quoted: boolean, padded: readonly boolean[]): void {
		const spec = this.spec!;
		const buffer = bufferName(spec.kind);
		const select = stagingOf({ ...spec, quoted, padded }).select(buffer);
		const sql = this.parts.length
			? `INSERT INTO ${this.table} ${select}`
			: `CREATE OR REPLACE TABLE ${this.table} AS ${select}`;
		this.read(buffer, bytes, sql);
	}

	/**
	 * Register the buffer once the last early buffer of the import is dropped, read it, drop it.
	 * One at a time: the next buffer may take the memory of the last (at a million rows, the
	 * oral_opioids buffer registered in 23 ms after pump_events' was dropped, against about 265 ms
	 * beside it).
	 */
	private read(buffer: string, bytes: Uint8Array, sql: string, signal?: AbortSignal): void {
		const registered = this.buffers.last.then(() => this.db.registerBuffer(buffer, bytes));
		const part = registered
			.then(() => this.db.query(sql, [], { signal }))
			.then(count)
			.finally(() => this.db.dropBuffer(buffer));
		this.buffers.last = part.catch(() => undefined);
		part.catch(() => undefined);
		this.parts.push(part);
	}

	/**
	 * The scan found a record that is not clean, starting at `cleanEnd`: a whole read still waiting
	 * for the database is skipped, one under way is dropped as soon as it has run (the drop is
	 * queued behind it). Into a table of a new name, the records before `cleanEnd` are read as
	 * written (the scan did not stage them), and the staged records follow in chunks.
	 */
	unclean(cleanEnd: number): EarlyMode {
		this.wholeRead?.abort();
		if (this.parts.length) {
			const dropped = this.db.query(`DROP TABLE IF EXISTS ${this.table}`);
			this.discarded = Promise.allSettled([...this.parts.splice(0), dropped]);
			this.table = `__early_${++earlyTables}_${this.spec!.kind}`;
		}
		if (cleanEnd > this.body!.head.bodyStart) this.readAsWritten(cleanEnd);
		this.body = null;
		return 'chunks';
	}

	/** The scan counted the rules (as long as its patients index stands for the patients table). */
	get tallied(): RuleTally | null {
		return this.rows instanceof RuleTally && this.rows.sure ? this.rows : null;
	}

	/** Some of the file went in early (else it loads in turn). */
	get started(): boolean {
		return this.parts.length > 0;
	}

	/** Rows loaded once every chunk is in; the first failure (out of memory) is thrown. */
	async loaded(): Promise<number> {
		let n = 0;
		for (const part of this.parts) n += await part;
		return n;
	}

	/**
	 * The file's rule counts (checksOf), beside the patients file's early table, queued after its
	 * last chunk: they run while the page scans the next file. Null when that query failed.
	 */
	counts: Promise<number[] | null> | null = null;

	countRules(patients: EarlyLoad | null): void {
		if (!this.started || this.counts || this.tallied) return;
		const { kind, plan } = this.spec!;
		const { countsSql } = checksOf(kind, keptHas(plan), headerUnits({ plan }), false);
		if (!countsSql) return;
		const tables = { rows: this.table, patients: patients?.table ?? 'patients' };
		this.counts = countsOf(this.db, countsSql(rowsOf(kind, false, tables))).catch(() => null);
	}

	private taken = false;

	/** Drop the loaded table of that name and rename this one into place: nothing is left to drop. */
	async takeInto(name: string): Promise<void> {
		await this.db.query(`DROP TABLE ${name}; ALTER TABLE ${this.table} RENAME TO ${name}`);
		this.taken = true;
	}

	/** Wait for every chunk, then drop the table, unless it was renamed into place. */
	async drop(): Promise<void> {
		await Promise.allSettled([...this.parts, this.counts, this.discarded]);
		if (this.started && !this.taken) await this.db.query(`DROP TABLE IF EXISTS ${this.table}`);
	}
}

async function loadFile(
	db: Database,
	a: Prepared,
	options: ImportOptions,
	progress: (phase: 'loading' | 'checking') => void,
	early: EarlyLoad | undefined,
	patientsIntact: boolean
): Promise<FileReport> {
	const file = a.input.name;
	const kind = a.kind;
	const headerOf = headersByColumn(a);
	const { has, units, timeForm, value, date, anchor, source, select } = stagingOf(specOf(a));
	const check = () => options.signal?.throwIfAborted();

	progress('loading');
	await insertProblems(db, file, [
		...a.scan.problems,
		...a.dateLosers.map((l) => ({
			line: l.line,
			column: l.column,
			value: null,
			rule: `not a valid date as ${a.dialect.dateFormat} (the order this file's dates use)`
		}))
	]);
	const losers = new Set(a.dateLosers.map((l) => l.line));
	let inserted: number;
	if (early?.started) {
		inserted = await early.loaded();
		await early.takeInto(kind);
	} else {
		const buffer = bufferName(kind);
		await db.registerBuffer(buffer, a.scan.staged);
		try {
			check();
			inserted = count(await db.query(`INSERT INTO ${kind} ${select(buffer)}`));
			if (kind === 'patients' && timeForm === 'date') {
				// Where each patient's dates count from, for the event files in date form.
				await db.query(
					`CREATE OR REPLACE TEMP TABLE __patient_anchor AS SELECT ${value('patient_id')} AS anchor_patient_id, ` +
						`${anchor} AS anchor, ${date('followup_end_date')} IS NOT NULL AS has_end, __line AS anchor_line FROM ${source(buffer)}`
				);
			}
		} finally {
			await db.dropBuffer(buffer);
		}
	}
	if (inserted !== a.scan.stagedRecords) {
		throw new Error(
			`${file}: DuckDB read ${inserted} records where ${a.scan.stagedRecords} were staged; import stopped`
		);
	}
	await deleteLines(db, kind, losers);

	check();
	progress('checking');
	const warnings = [...a.warnings];
	const { rules, cross, warns, countsSql } = checksOf(kind, has, units, timeForm === 'date');
	const rows = rowsOf(kind, timeForm === 'date');
	// One pass counts every rule; the rare file that breaks one pays for the details. A file
	// loaded early had them counted as its last chunk went in, while the page scanned on: those
	// counts hold when the patients they saw are the patients loaded (none removed since).
	// The scan's counts, the same way, hold on the same condition.
	const tallied = patientsIntact ? (early?.tallied ?? null) : null;
	const counted =
		tallied?.counts ?? (early?.counts && (kind === 'patients' || patientsIntact) ? await early.counts : null);
	const counts = counted ?? (countsSql ? await countsOf(db, countsSql(rows)) : []);
	const rejectedAny = counts.slice(0, rules.length + cross.length).some((n) => n > 0);
	if (counts.slice(0, rules.length).some((n) => n > 0))
		await rejectAll(db, file, kind, rows, rules, headerOf);
	// Each rule across files sees the rows that passed the ones before it.
	if (counts.slice(rules.length, rules.length + cross.length).some((n) => n > 0))
		for (const rule of cross) await rejectAll(db, file, kind, rows, [rule], headerOf);
	// The scan's index saw every staged patient_id as loaded: no repeat there, none in the table.
	const index = early?.rows instanceof PatientIndex ? early.rows : null;
	let repeatedPatients = 0;
	if (kind === 'patients' && !(index?.usable && early?.started))
		repeatedPatients = await keepFirst(db, file, kind, DUPLICATE_PATIENT, headerOf);
	if (kind === 'pain_scores') {
		// A sorted file was checked in the scan; only rows still loaded count.
		let repeats = a.scan.duplicates;
		if (repeats?.length) {
			const loaded = await db.query<{ line: number }>(
				`SELECT _line AS line FROM pain_scores WHERE _line IN (${repeats.map((r) => r.line).join(', ')})`
			);
			const kept = new Set(loaded.map((r) => r.line));
			repeats = repeats.filter((r) => kept.has(r.line));
		}
		repeats ??= await db.query<{ line: number; first: number }>(
			'SELECT t._line AS line, g.first FROM pain_scores t JOIN (SELECT patient_id, day, min(_line) AS first ' +
				'FROM pain_scores GROUP BY ALL HAVING count(*) > 1) g USING (patient_id, day) WHERE t._line > g.first ORDER BY 1'
		);
		const w = sameDayAssessments(repeats);
		if (w) warnings.push(w);
	}
	if (kind === 'patients' && timeForm === 'date') {
		await rejectAll(
			db,
			file,
			kind,
			rows,
			[
				{
					column: 'implant_date',
					when: 't._line IN (SELECT anchor_line FROM __patient_anchor WHERE anchor IS NULL AND has_end)',
					rule: 'date form needs implant_date or trial_date to place the patient in time',
					value: null
				}
			],
			headerOf
		);
		await db.query('DELETE FROM __patient_anchor WHERE anchor_line NOT IN (SELECT _line FROM patients)');
	}
	for (const [k, w] of warns.entries()) {
		if (!counts[rules.length + cross.length + k]) continue;
		const lines = await db.query<{ line: number; n: number }>(
			`SELECT t._line AS line, (count(*) OVER ())::INTEGER AS n FROM ${rows} WHERE ${w.when} ORDER BY t._line LIMIT 10`
		);
		const n = lines[0]?.n ?? 0;
		if (n)
			warnings.push(
				w.message(
					plural(n, 'row'),
					lineList(
						lines.map((r) => r.line),
						n
					)
				)
			);
	}
	if (kind === 'pump_events') {
		// The scan's count holds while no row was rejected since.
		const [{ n }] =
			tallied && !rejectedAny
				? [{ n: tallied.missingImplants() }]
				: ((await db.query<{ n: number }>(
						`SELECT count(*)::INTEGER AS n FROM patients p WHERE implanted AND NOT EXISTS ` +
							`(SELECT 1 FROM pump_events e WHERE e.patient_id = p.patient_id AND e.event = 'implant')`
					)) as [{ n: number }]);
		if (n)
			warnings.push(
				`${plural(n, 'implanted patient')} ${n === 1 ? 'has' : 'have'} no implant row in ${file}`
			);
	}
	// Nothing was rejected or removed since the load (most files): the counts are known.
	const untouched =
		a.scan.problems.length === 0 &&
		losers.size === 0 &&
		!rejectedAny &&
		repeatedPatients === 0 &&
		!(kind === 'patients' && timeForm === 'date');
	return fileReport(db, a, timeForm, warnings, literal(file), untouched ? inserted : null);
}

async function fileReport(
	db: Database,
	a: Prepared,
	timeForm: 'day' | 'date',
	warnings: string[],
	f: string,
	/** Rows loaded when nothing of the file was rejected (no problem recorded): no query then. */
	allLoaded: number | null
): Promise<FileReport> {
	const file = a.input.name;
	const [{ loaded, rejected, problems }] =
		allLoaded !== null
			? [{ loaded: allLoaded, rejected: 0, problems: 0 }]
			: ((await db.query<{
					loaded: number;
					rejected: number;
					problems: number;
				}>(
					`SELECT (SELECT count(*) FROM ${a.kind})::INTEGER AS loaded, count(DISTINCT line)::INTEGER AS rejected, ` +
						`count(*)::INTEGER AS problems FROM import_problems WHERE file = ${f}`
				)) as [{ loaded: number; rejected: number; problems: number }]);
	// A clean file (most) asks nothing more.
	const first = problems
		? await db.query<Problem>(
				`SELECT line, "column", value, rule FROM import_problems WHERE file = ${f} ORDER BY line, "column", rule LIMIT ${MAX_PROBLEMS_IN_REPORT}`
			)
		: [];
	const rules = problems
		? await db.query<RuleCount>(
				`SELECT "column", rule, count(DISTINCT line)::INTEGER AS rows FROM import_problems WHERE file = ${f} ` +
					'GROUP BY ALL ORDER BY rows DESC, "column", rule'
			)
		: [];
	const skipped = a.scan.skipped.length;
	if (a.scan.read !== loaded + rejected + skipped) {
		throw new Error(
			`${file}: read ${a.scan.read} records but loaded ${loaded} + rejected ${rejected} + skipped ${skipped}; import stopped`
		);
	}
	for (const c of a.mapping.columns) {
		if (!c.target && !a.dropped.includes(c.header) && c.header !== '')
			warnings.push(`ignored column "${c.header}" (not in the data contract)`);
	}
	if (a.dropped.length)
		warnings.push(
			`dropped ${plural(a.dropped.length, 'column')} that may identify a person: ${a.dropped.map((d) => `"${d}"`).join(', ')}`
		);
	if (a.scan.read - skipped === 0) warnings.push(`${file} has 0 data rows`);
	if (timeForm === 'date') {
		warnings.push(
			`${file} gives calendar dates: shifted dates are a limited data set, not Safe Harbor de-identification; they were converted to days from implant`
		);
	}
	return {
		file,
		kind: a.kind,
		key: a.key,
		bytes: a.input.bytes.length,
		dialect: { ...a.dialect, timeForm },
		mapping: a.mapping,
		read: a.scan.read,
		loaded,
		rejected,
		skipped,
		problems: first.map((p) => ({ line: p.line, column: p.column, value: p.value, rule: p.rule })),
		problemCount: problems,
		rules: rules.map((r) => ({ column: r.column, rule: r.rule, rows: r.rows })),
		skippedLines: a.scan.skipped,
		warnings,
		dropped: a.dropped,
		strayQuotes: { count: a.scan.strayQuotes.count, relaxed: a.lenientQuotes }
	};
}

/** Whether a file gives a contract column (mapped and kept). */
const keptHas = (plan: readonly ColumnPlan[]) => (column: string) =>
	plan.some((p) => p.keep && p.target === column);

/** The rules a loaded file is checked against, and one SQL counting the rows each would catch. */
function checksOf(
	kind: FileKind,
	has: (column: string) => boolean,
	units: Record<string, string>,
	dateForm: boolean
) {
	const rules = rowRules(kind, has, units);
	const cross = crossFileRules(kind, dateForm);
	const warns = warningRules(kind);
	const all = [...rules.map((r) => r.when), ...cross.map((r) => r.when), ...warns.map((w) => w.when)];
	const countsSql = all.length
		? (rows: string) =>
				`SELECT ${all.map((w, i) => `count(*) FILTER (WHERE ${w})::INTEGER AS c${i}`).join(', ')} FROM ${rows}`
		: null;
	return { rules, cross, warns, countsSql };
}

/** The rows the rules see: a file's table `t`, beside its patient `p` (rules.ts joinedRows). */
function rowsOf(
	kind: FileKind,
	dateForm: boolean,
	tables: { rows: string; patients: string } = { rows: kind, patients: 'patients' }
): string {
	return kind === 'patients' ? `${tables.rows} t` : joinedRows(kind, dateForm, tables);
}

async function countsOf(db: Database, sql: string): Promise<number[]> {
	return Object.values((await db.query(sql))[0]!).map(Number);
}

/** The staged column of a contract column, trimmed when a quoted value had padding. */
function raw(a: StagingSpec, column: string): string {
	const i = a.plan.findIndex((p) => p.target === column);
	return a.padded[i] ? `trim(${ident(column)})` : ident(column);
}

/** A staged date (its date part, shape already checked) as a DATE, in the file's order. */
function dateSql(v: string, order: DateOrder | null): string {
	if (!order) return `CAST(${v} AS DATE)`;
	const formats = `[${strptimeFormats(order).map(literal).join(', ')}]`;
	return `CAST(try_strptime(${v}, ${formats}) AS DATE)`;
}

/** Report problems on a contract column under the header the file gave it. */
function headersByColumn(a: Prepared): (column: string) => string {
	const byTarget = new Map<string, string>();
	for (const p of a.plan) if (p.target) byTarget.set(p.target, p.header);
	const specs = columnsOf(a.kind);
	return (column) => {
		const direct = byTarget.get(column);
		if (direct) return direct;
		const dateForm = specs.find((s) => s.dayForm === column)?.name;
		return (dateForm && byTarget.get(dateForm)) || column;
	};
}

/** Units given in the brackets of a value column's header, by the unit column they stand for. */
function headerUnits(a: { plan: readonly ColumnPlan[] }): Record<string, string> {
	const pairs: Record<string, [string, (u: string) => string | null]> = {
		daily_dose: [
			'daily_dose_unit',
			(u) => (u === 'mg' ? 'mg/day' : u === 'mcg' ? 'mcg/day' : u.endsWith('/day') ? u : null)
		],
		concentration: ['concentration_unit', (u) => (u.endsWith('/mL') ? u : null)],
		strength: ['strength_unit', (u) => (u === 'mg' || u === 'mcg/hr' ? u : null)]
	};
	const out: Record<string, string> = {};
	for (const p of a.plan) {
		const pair = p.target ? pairs[p.target] : undefined;
		const unit = pair && headerUnit(p.header);
		const fits = unit ? pair[1](unit) : null;
		if (pair && fits) out[pair[0]] = fits;
	}
	return out;
}

const count = (rows: Record<string, unknown>[]) => Number(rows[0]?.Count ?? rows[0]?.count ?? 0);

function lineList(lines: readonly number[], total: number): string {
	const shown = lines.slice(0, 10).map((l) => `line ${l}`);
	return shown.join(', ') + (total > 10 ? ', …' : '');
}

/** Remove rows whose lines already carry a problem (dates valid only in the other order). */
async function deleteLines(db: Database, table: string, lines: ReadonlySet<number>): Promise<number> {
	if (lines.size === 0) return 0;
	return count(await db.query(`DELETE FROM ${table} WHERE _line IN (${[...lines].join(', ')})`));
}

/** Report every rule a row breaks (rows: the table `t`, maybe joined), then remove those rows. */
async function rejectAll(
	db: Database,
	file: string,
	table: string,
	rows: string,
	rules: readonly RowRule[],
	headerOf: (c: string) => string
): Promise<void> {
	if (rules.length === 0) return;
	const f = literal(file);
	const parts = rules.map(
		(r) =>
			`SELECT ${f}, t._line, ${literal(headerOf(r.column))}, ${r.value ? `left(${r.value}, 80)` : 'NULL'}, ${literal(r.rule)} FROM ${rows} WHERE ${r.when}`
	);
	const n = count(await db.query(`INSERT INTO import_problems ${parts.join(' UNION ALL ')}`));
	if (n)
		await db.query(
			`DELETE FROM ${table} WHERE _line IN (SELECT line FROM import_problems WHERE file = ${f})`
		);
}

/** Keep the first row of each duplicate group; report and remove the others. */
async function keepFirst(
	db: Database,
	file: string,
	table: string,
	dup: { column: string; partition: string; rule: string },
	headerOf: (c: string) => string
): Promise<number> {
	const f = literal(file);
	const line = '_line';
	const groups = `(SELECT ${dup.partition}, min(${line}) AS first_line FROM ${table} GROUP BY ALL HAVING count(*) > 1)`;
	const n = count(
		await db.query(
			`INSERT INTO import_problems SELECT ${f}, t.${line}, ${literal(headerOf(dup.column))}, left(CAST(t.${ident(dup.column)} AS VARCHAR), 80), ${dup.rule} ` +
				`FROM ${table} t JOIN ${groups} g USING (${dup.partition}) WHERE t.${line} > g.first_line`
		)
	);
	if (n)
		await db.query(
			`DELETE FROM ${table} WHERE ${line} IN (SELECT line FROM import_problems WHERE file = ${f})`
		);
	return n;
}
