import { columnsOf, type FileKind, type Mapping } from '$lib/contract';
import { headerKey, mapWithTargets } from '$lib/contract/headers';
import { decodeBytes, plural, type Encoding } from './bytes';
import type { ColumnStats } from './cells';
import { DATE_FORMATS, type DateOrder } from './dates';
import { findContractHeader, type Head } from './dialect';
import { describeFinding, findIdentifiers, type IdentifierFinding } from './identifiers';
import { contractPlan, type ColumnPlan } from './plan';
import type { Dialect, FileChoice, ImportOptions, PendingFile } from './report';
import {
	fileSize,
	Scanner,
	strayQuoteWarning,
	UnterminatedQuote,
	type RowSink,
	type ScanInput,
	type ScanResult
} from './scan';

export interface InputFile {
	name: string;
	bytes: Uint8Array;
	/** The file's size when its bytes were not read because it is over `maxFileBytes`. */
	size?: number;
	/**
	 * The file itself, holding exactly `bytes` (an upload's File): the export's manifest hashes it in
	 * a worker, not on the page (export/inputs.ts).
	 */
	blob?: Blob;
}

/** A file read, scanned and judged, ready to load (or refused, or waiting for the user). */
export interface Prepared {
	input: InputFile;
	kind: FileKind;
	key: string;
	encoding: Encoding;
	head: Head;
	mapping: Mapping;
	plan: ColumnPlan[];
	scan: ScanResult;
	dialect: Omit<Dialect, 'timeForm'>;
	/** The decided order of `A/B/YYYY` dates, or null when the file has none. */
	dateOrder: DateOrder | null;
	/** Lines whose dates are valid only in the order not chosen: rejected at load. */
	dateLosers: { line: number; column: string }[];
	warnings: string[];
	dropped: string[];
	/** Read with stray quotes as text, at the user's request. */
	lenientQuotes: boolean;
}

/** How a file loads while it is scanned: its own bytes read whole, or its staged records in chunks. */
export type EarlyMode = 'whole' | 'chunks';

/**
 * Loads a file while it is scanned (load.ts). Told nothing of the file's fate after its scan:
 * whoever gave it drops what it loaded unless the file is then imported.
 */
export interface StagedSink {
	/**
	 * The file's kind and columns are known and its scan starts (`text`: the file as UTF-8, the
	 * bytes the scan reads); null: not loaded early. `whole`: the sink can read the file as
	 * written (`readWhole`), a read that stands as long as the scan finds it clean. `chunks`: the
	 * sink is written to.
	 */
	open(kind: FileKind, head: Head, plan: readonly ColumnPlan[], text: Uint8Array): EarlyMode | null;
	/** Told each staged record's values once open (the rules it counts as the file is read), or null. */
	readonly rows: RowSink | null;
	/** Read the file whole, as written: its first slice was clean. */
	readWhole(): void;
	/** Whole staged records, to be read with quotes when `quoted`, trimmed where `padded`. */
	write(bytes: Uint8Array, quoted: boolean, padded: readonly boolean[]): void;
	/**
	 * A file read whole has a record that is not clean, starting at `cleanEnd` in `text`: the
	 * records before it load as written, those after are written to it in chunks.
	 */
	unclean(cleanEnd: number): EarlyMode;
}

/**
 * Staged records handed to a sink at a time: few statements, yet the load starts early. Two of
 * DuckDB's row groups (122,880 rows each): an INSERT that ends a row group short makes the next
 * INSERT merge into it, which took 2-3x as long as the read itself (oral_opioids at 1M rows:
 * 12 MiB chunks 2.1-2.5 s, whole row groups 1.1-1.2 s, one read of the whole file 1.0-1.3 s).
 */
export const CHUNK_ROWS = 2 * 122_880;

export type Preparation =
	| { status: 'ready'; file: Prepared }
	| { status: 'refused'; reason: string }
	| { status: 'pending'; pending: PendingFile };

/**
 * Bytes per slice of the scan between progress reports, cancel checks and the database worker's
 * answers (the files loading early, load.ts, take their next step between two slices).
 */
const SLICE_BYTES = 256 * 1024;

/**
 * Let the event loop run (a paint, a click on Cancel, a message from the database worker), without
 * the 4 ms a nested setTimeout(0) waits in browsers.
 */
export function nextTask(): Promise<void> {
	if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
	return new Promise((resolve) => {
		const { port1, port2 } = new MessageChannel();
		port1.onmessage = () => {
			port1.close();
			port2.close();
			resolve();
		};
		port2.postMessage(null);
	});
}

/** Read, scan and judge one file. Nothing here touches the database. */
export async function prepareFile(
	input: InputFile,
	options: ImportOptions,
	progress: (bytes: number, rows: number) => void,
	sink?: StagedSink
): Promise<Preparation> {
	const file = input.name;
	const refuse = (reason: string): Preparation => ({ status: 'refused', reason });
	const size = input.size ?? input.bytes.length;
	if (options.maxFileBytes !== undefined && size > options.maxFileBytes)
		return refuse(tooLarge(file, size, options.maxFileBytes));
	const decoded = decodeBytes(file, input.bytes);
	if (!decoded.ok) return refuse(decoded.reason);
	const found = findContractHeader(decoded.utf8);
	if (!found.ok) return refuse(`${file}: ${found.reason}`);
	const { kind, ...head } = found;
	const key = headerKey(head.names);
	const choice: FileChoice = options.choices?.[key] ?? {};
	const drop = new Set((choice.drop ?? []).filter((i) => i >= 0 && i < head.names.length));
	let mapping = choice.mapping ? mapWithTargets(kind, head.names, choice.mapping) : found.mapping;
	if (drop.size)
		mapping = mapWithTargets(
			kind,
			head.names,
			mapping.columns.map((c, i) => (drop.has(i) ? null : c.target))
		);
	const targets = mapping.columns.map((c) =>
		c.target && mapping.ambiguous.includes(c.target) ? null : c.target
	);
	const plan = contractPlan(kind, head.names, targets, drop, head.delimiter);

	let scan: ScanResult;
	try {
		let early = sink?.open(kind, head, plan, decoded.utf8) ?? null;
		const scanner = new Scanner({
			bytes: decoded.utf8,
			head,
			plan,
			exact: false,
			invalid: decoded.invalid,
			duplicateKey: duplicateKeyOf(kind, plan),
			lenientQuotes: choice.lenientQuotes === true,
			rows: sink?.rows ?? undefined,
			discardClean: early === 'whole'
		});
		let wholeRead = false;
		const chunk = options.earlyChunkRows ?? CHUNK_ROWS;
		let chunkEnd = early === 'chunks' ? chunk : Infinity;
		while (!scanner.done) {
			options.signal?.throwIfAborted();
			scanner.step(SLICE_BYTES, chunkEnd);
			if (early === 'whole' && !scanner.clean) {
				// Not as written after all: the clean records before the first that is not are read as
				// written, the staged ones make the first chunk (whole row groups).
				early = sink!.unclean(scanner.cleanEnd);
				chunkEnd = Math.max(chunk, Math.ceil(scanner.stagedRecords / chunk) * chunk);
			} else if (early === 'whole' && !wholeRead) {
				// Only once the first slice is clean: a file unclean from its start costs DuckDB nothing.
				sink!.readWhole();
				wholeRead = true;
			}
			if (early === 'chunks' && scanner.untaken > 0 && (scanner.done || scanner.stagedRecords >= chunkEnd)) {
				sink!.write(scanner.takeStaged(), scanner.anyQuoted, scanner.padded());
				chunkEnd = scanner.stagedRecords + chunk;
			}
			progress(scanner.position, scanner.records);
			// Let the page paint the progress bar, see a click on "Cancel", and pass the database
			// worker's answers on (the early load's next statement).
			await nextTask();
		}
		scan = scanner.result();
	} catch (e) {
		if (e instanceof UnterminatedQuote) return refuse(`${file}: ${e.message}`);
		if (e instanceof RangeError) return refuse(tooLarge(file, input.bytes.length, null));
		throw e;
	}

	const warnings = [...decoded.warnings];
	const identifiers = findIdentifiers(
		kind,
		plan.flatMap((p, i) =>
			p.watch
				? [
						{
							column: i,
							header: p.header,
							contract: contractRole(kind, p.target),
							values: scan.stats[i]!.values,
							hits: scan.stats[i]!.hits
						}
					]
				: []
		)
	);
	// Values of a flagged column never leave the scan, not even in a problem.
	const flagged = new Set(identifiers.map((f) => f.header));
	for (const p of scan.problems) if (p.column !== null && flagged.has(p.column)) p.value = null;

	const decimals = decimalColumns(plan, scan.stats);
	if (decimals.mixed) return refuse(`${file}: ${decimals.mixed}`);
	for (const c of decimals.comma) warnings.push(`column "${c}" was read with a decimal comma (5,5 is 5.5)`);

	const dates = dateOrderOf(plan, scan.stats, choice.dateOrder ?? options.dateOrder ?? null);
	warnings.push(...dates.warnings);
	const dialect: Omit<Dialect, 'timeForm'> = {
		delimiter: head.delimiter,
		quote: '"',
		encoding: decoded.encoding,
		headerLine: head.header!.line,
		newline: newlineOf(scan.newlines),
		dateFormat: dates.format,
		dateOrderFrom: dates.from,
		decimalComma: decimals.comma
	};
	warnings.push(...timeWarnings(plan, scan.stats), ...formulaWarnings(plan, scan.stats));
	if (scan.trailingDelimiter)
		warnings.push(
			`${plural(scan.trailingDelimiter, 'line')} end with an extra delimiter; the empty field after it was ignored`
		);
	if (choice.lenientQuotes && scan.strayQuotes.count) warnings.push(strayQuoteWarning(scan.strayQuotes));
	if (head.names.length > 1 && head.names.at(-1) === '')
		warnings.push('the header ends with a delimiter: the empty, unnamed last column was ignored');

	const invalid = scan.problems.filter((p) => p.rule.startsWith('not valid UTF-8'));
	const mappingProblem = mappingIssue(file, mapping, head.names);
	const interactive = options.interactive === true;
	const renamed = mapping.columns.some((c) => c.via === 'synonym');
	const mustConfirm =
		interactive && (options.review?.includes(key) || (!choice.mapping && renamed) || mappingProblem !== null);

	if (!interactive) {
		if (mappingProblem) return refuse(mappingProblem);
		if (identifiers.length) return refuse(identifierRefusal(file, identifiers));
		if (dates.undecided) return refuse(`${file}: ${dates.undecided}`);
		if (invalid.length)
			return refuse(
				`${file}: ${plural(invalid.length, 'line')} ${invalid.length === 1 ? 'is' : 'are'} not valid UTF-8 text (first: line ${invalid[0]!.line}); check the encoding, or export as "CSV UTF-8"`
			);
	} else if (
		mustConfirm ||
		identifiers.length ||
		dates.undecided ||
		(invalid.length && !choice.acceptInvalidText)
	) {
		return {
			status: 'pending',
			pending: {
				file,
				key,
				kind,
				headers: head.names,
				dialect,
				mapping,
				mappingReason:
					mappingProblem ?? (mustConfirm ? 'columns were matched by synonym; check the mapping' : null),
				dateOrder: dates.undecided ? { columns: dates.columns, reason: dates.undecided } : null,
				identifiers,
				invalidText:
					invalid.length && !choice.acceptInvalidText
						? { lines: invalid.slice(0, 20).map((p) => p.line), count: invalid.length }
						: null,
				warnings,
				read: scan.read
			}
		};
	}
	return {
		status: 'ready',
		file: {
			input,
			kind,
			key,
			encoding: decoded.encoding,
			head,
			mapping,
			plan,
			scan,
			dialect,
			dateOrder: dates.order,
			dateLosers: dates.losers,
			warnings,
			dropped: [...drop].sort((a, b) => a - b).map((i) => head.names[i]!),
			lenientQuotes: choice.lenientQuotes === true
		}
	};
}

/** pain_scores in day form: the scanner finds repeated (patient_id, day) keys while the file is sorted. */
function duplicateKeyOf(kind: FileKind, plan: readonly ColumnPlan[]): ScanInput['duplicateKey'] {
	if (kind !== 'pain_scores') return undefined;
	const text = plan.findIndex((p) => p.target === 'patient_id');
	const int = plan.findIndex((p) => p.target === 'day');
	return text >= 0 && int >= 0 ? { text, int } : undefined;
}

export function tooLarge(file: string, size: number, limit: number | null): string {
	return (
		`${file} is ${fileSize(size)}: too large for in-browser import` +
		(limit === null ? ' (this tab could not allocate the memory)' : ` (limit ${fileSize(limit)})`) +
		'. Split it into smaller files, or use the command-line report'
	);
}

function contractRole(kind: FileKind, target: string | null): 'date' | 'age' | 'other' | null {
	if (!target) return null;
	const spec = columnsOf(kind).find((c) => c.name === target);
	return spec?.kind === 'date' ? 'date' : spec?.kind === 'age' ? 'age' : 'other';
}

function mappingIssue(file: string, mapping: Mapping, headers: readonly string[]): string | null {
	const found = headers.map((h) => `"${h}"`).join(', ');
	if (mapping.missing.length) return `${file}: no column for ${mapping.missing.join(', ')}; found: ${found}`;
	if (mapping.ambiguous.length)
		return `${file}: more than one column could be ${mapping.ambiguous.join(', ')}; found: ${found}`;
	return null;
}

function identifierRefusal(file: string, found: readonly IdentifierFinding[]): string {
	return (
		`${file} has columns that look like direct identifiers: ${found.map(describeFinding).join('; ')}. ` +
		'Remove them from the export, or drop them in the app, before importing'
	);
}

function decimalColumns(plan: readonly ColumnPlan[], stats: readonly ColumnStats[]) {
	const comma: string[] = [];
	let mixed: string | null = null;
	plan.forEach((p, i) => {
		const s = stats[i]!;
		if (!p.rule?.decimalComma || s.comma === 0) return;
		if (s.point > 0) {
			mixed ??=
				`column "${p.header}" mixes decimal commas (${lineList(s.commaLines, s.comma)}) and decimal points ` +
				`(${lineList(s.pointLines, s.point)}); export the column with one decimal separator`;
		} else comma.push(p.header);
	});
	return { comma, mixed };
}

/** `line 5`, `lines 2, 3, 6`, or `lines 2, 3, …, 24 in all` when only the first are kept. */
function lineList(lines: readonly number[], total: number): string {
	return `${total === 1 ? 'line' : 'lines'} ${lines.join(', ')}${total > lines.length ? `, …, ${total} in all` : ''}`;
}

/** The words that end a refusal (or question) for undecidable date order. */
const CHOOSE_DATE_ORDER = 'choose the order';

/** A refusal a date order would answer (the command line's `--date-order`). */
export function asksDateOrder(reason: string): boolean {
	return reason.includes(`; ${CHOOSE_DATE_ORDER}`);
}

/**
 * Day-month order of `A/B/YYYY` dates: decided by a value that is valid one way only; when no
 * value decides (or values contradict each other), by the user's choice; else undecided.
 */
function dateOrderOf(plan: readonly ColumnPlan[], stats: readonly ColumnStats[], chosen: DateOrder | null) {
	const columns: string[] = [];
	let mdy: number[] = [];
	let dmy: number[] = [];
	const byLine = new Map<number, string>();
	let iso = 0;
	plan.forEach((p, i) => {
		if (p.rule?.kind !== 'date') return;
		const s = stats[i]!;
		iso += s.iso;
		if (s.mdyLines.length + s.dmyLines.length + s.either === 0) return;
		columns.push(p.header);
		for (const l of s.mdyLines) byLine.set(l, p.header);
		for (const l of s.dmyLines) byLine.set(l, p.header);
		mdy = mdy.concat(s.mdyLines);
		dmy = dmy.concat(s.dmyLines);
	});
	const warnings: string[] = [];
	const none = { order: null, from: null, undecided: null, losers: [], columns, warnings };
	if (columns.length === 0) return { ...none, format: iso ? DATE_FORMATS.ymd : null };
	const byValues: DateOrder | null =
		mdy.length && !dmy.length ? 'mdy' : dmy.length && !mdy.length ? 'dmy' : null;
	const order = byValues ?? chosen;
	if (iso)
		warnings.push(
			`columns ${columns.map((c) => `"${c}"`).join(', ')} mix YYYY-MM-DD dates with A/B/YYYY dates; each was read by its own format`
		);
	if (!order) {
		const undecided =
			mdy.length && dmy.length
				? `dates contradict each other: some are valid only as month/day (line ${mdy[0]}), others only as day/month (line ${dmy[0]}); ${CHOOSE_DATE_ORDER} the export used, and the other dates are rejected`
				: `no date decides whether ${columns.map((c) => `"${c}"`).join(', ')} ${columns.length === 1 ? 'is' : 'are'} month/day/year or day/month/year (e.g. 01/02/2024); ${CHOOSE_DATE_ORDER}`;
		return { ...none, format: null, undecided };
	}
	if (byValues && chosen && chosen !== byValues)
		warnings.push(
			`the dates are ${DATE_FORMATS[byValues]} (values decide it), not the remembered ${DATE_FORMATS[chosen]}`
		);
	const losers = (order === 'mdy' ? dmy : mdy).map((line) => ({ line, column: byLine.get(line)! }));
	return {
		order,
		from: byValues ? ('values' as const) : ('choice' as const),
		undecided: null,
		losers,
		columns,
		warnings,
		format: DATE_FORMATS[order]
	};
}

function timeWarnings(plan: readonly ColumnPlan[], stats: readonly ColumnStats[]): string[] {
	return plan.flatMap((p, i) => {
		const s = stats[i]!;
		if (p.rule?.kind !== 'date' || s.withTime === 0) return [];
		const naive = s.withTime - s.withZone;
		return [
			`column "${p.header}": ${plural(s.withTime, 'value')} carry a time of day (${naive} without a time zone, ${s.withZone} with one); ` +
				'only the calendar date as written is used, never shifted by a time zone'
		];
	});
}

function formulaWarnings(plan: readonly ColumnPlan[], stats: readonly ColumnStats[]): string[] {
	return plan.flatMap((p, i) => {
		const n = stats[i]!.formula;
		return n
			? [
					`column "${p.header}": ${plural(n, 'value')} start with = + - @ or a control character (spreadsheet formula syntax); ` +
						"imported as text, and exported with a leading '"
				]
			: [];
	});
}

function newlineOf(n: { lf: number; crlf: number; cr: number }): Dialect['newline'] {
	const kinds = (n.lf ? 1 : 0) + (n.crlf ? 1 : 0) + (n.cr ? 1 : 0);
	if (kinds > 1) return 'mixed';
	return n.crlf ? 'CRLF' : n.cr ? 'CR' : n.lf ? 'LF' : 'none';
}
