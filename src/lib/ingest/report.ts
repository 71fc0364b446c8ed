import type { FileKind, Mapping } from '$lib/contract';
import type { DateOrder } from './dates';
import type { IdentifierFinding } from './identifiers';

/** One rejected row or cell: where, what was seen (null when it may identify a person) and why. */
export interface Problem {
	line: number;
	/** The column's header as written in the file; null for a problem of the whole record. */
	column: string | null;
	value: string | null;
	rule: string;
}

export interface SkippedLine {
	line: number;
	reason: 'blank line' | 'comment line' | 'repeated header' | 'preamble';
}

export interface Dialect {
	delimiter: string;
	quote: '"';
	encoding: string;
	/** Physical line of the header row. */
	headerLine: number;
	timeForm: 'day' | 'date';
	newline: 'LF' | 'CRLF' | 'CR' | 'mixed' | 'none';
	/** The date format of the file's date columns: YYYY-MM-DD, M/D/YYYY or D/M/YYYY; null without dates. */
	dateFormat: string | null;
	/** Who decided day-month order: the values, or the user (remembered for this header). */
	dateOrderFrom: 'values' | 'choice' | null;
	/** Number columns read with a decimal comma (`;`-delimited files only). */
	decimalComma: string[];
}

/** Rejected rows counted by column and rule: the report's summary of the problem list. */
export interface RuleCount {
	column: string | null;
	rule: string;
	rows: number;
}

/** Everything the user is told about one file. read = loaded + rejected + skipped, always. */
export interface FileReport {
	/** The file's name, unique among the files of the import (names.ts). */
	file: string;
	kind: FileKind;
	/** The normalised header list: the key of remembered choices for files with this header. */
	key: string;
	bytes: number;
	dialect: Dialect;
	mapping: Mapping;
	read: number;
	loaded: number;
	rejected: number;
	skipped: number;
	/** The first problems (all of them are in the `import_problems` table). */
	problems: Problem[];
	problemCount: number;
	rules: RuleCount[];
	skippedLines: SkippedLine[];
	warnings: string[];
	/** Columns the user dropped as identifiers (headers only). */
	dropped: string[];
	/**
	 * Records with a stray quote (import-cases.md case 16): rejected by the strict read, or read as
	 * text when the user asked for the relaxed read (`FileChoice.lenientQuotes`).
	 */
	strayQuotes: { count: number; relaxed: boolean };
}

/** A file that could not be imported at all, and why. */
export interface Refusal {
	file: string;
	reason: string;
}

/** A file that needs the user's decision before anything is loaded (interactive imports only). */
export interface PendingFile {
	file: string;
	key: string;
	kind: FileKind;
	headers: string[];
	dialect: Omit<Dialect, 'timeForm'>;
	/** The suggested (or remembered) mapping; the user confirms or edits it. */
	mapping: Mapping;
	/** Why the mapping must be looked at: it renames columns, or a column is missing or ambiguous. */
	mappingReason: string | null;
	/** Day-month order the values do not decide; the columns holding such dates. */
	dateOrder: { columns: string[]; reason: string } | null;
	/** Columns that look like direct identifiers: counts only, never values. */
	identifiers: IdentifierFinding[];
	/** Records that are not valid UTF-8 and would be rejected. */
	invalidText: { lines: number[]; count: number } | null;
	warnings: string[];
	read: number;
}

export interface ImportReport {
	files: FileReport[];
	refused: Refusal[];
	warnings: string[];
	/** Interactive imports: files waiting for decisions. When non-empty, nothing was loaded. */
	pending: PendingFile[];
	/**
	 * The loaded tables were emptied for this import's files. False when it loaded nothing and
	 * left them as they were: questions pending, or every file refused before any was loaded.
	 */
	replaced: boolean;
}

/** Decisions for the files with one header (the key of FileReport and PendingFile). */
export interface FileChoice {
	/** Contract column per source column (null: ignore), as confirmed or edited by the user. */
	mapping?: (string | null)[];
	dateOrder?: DateOrder;
	/** Source columns (by index) dropped before anything is read: identifier columns. */
	drop?: number[];
	/** Load the other rows of a file with lines that are not valid UTF-8 text. */
	acceptInvalidText?: boolean;
	/** The relaxed read, on the user's request only: stray quotes are text, not rejects. */
	lenientQuotes?: boolean;
}

export interface ImportProgress {
	file: string;
	fileIndex: number;
	fileCount: number;
	/** `reading` is the caller's (the page reading the files); the importer reports the others. */
	phase: 'reading' | 'scanning' | 'loading' | 'checking';
	bytes: number;
	totalBytes: number;
	rows: number;
}

export interface ImportOptions {
	/**
	 * Ask instead of deciding: a renamed or incomplete mapping, undecidable date order, identifier
	 * columns and invalid text become `pending` questions and nothing is loaded. Default false: the
	 * command-line mode, which applies the suggested mapping and refuses the file instead.
	 */
	interactive?: boolean;
	/** Decisions by header key (remembered, or just made by the user). */
	choices?: Readonly<Record<string, FileChoice>>;
	/**
	 * The order of `A/B/YYYY` dates where no value decides it, for every file (the command line's
	 * `--date-order`). A file's own choice comes first, and values that decide it come before both.
	 */
	dateOrder?: DateOrder;
	/** Header keys whose mapping is shown again even when remembered (the report's "edit mapping"). */
	review?: readonly string[];
	onProgress?: (p: ImportProgress) => void;
	signal?: AbortSignal;
	/** Refuse larger files before reading them (the browser's limit). */
	maxFileBytes?: number;
	/** Staged records per chunk a file loads in while it is scanned (load.ts); prepare.ts's CHUNK_ROWS by default. */
	earlyChunkRows?: number;
	/** Largest file body read whole, as written, while it is scanned (load.ts); WHOLE_READ_MAX_BYTES by default, 0 for never. */
	wholeReadMaxBytes?: number;
	/**
	 * Count the rules in the scan, where it can (tally.ts); default true. False: the database counts
	 * them all (tests compare the two).
	 */
	scanRules?: boolean;
}

export const MAX_PROBLEMS_IN_REPORT = 200;

/** `pain_scores.csv line 214, column pain_avg: expected 0-10, got "11"` */
export function describeProblem(file: string, p: Problem): string {
	const where = `${file} line ${p.line}${p.column ? `, column ${p.column}` : ''}`;
	return `${where}: ${p.rule}${p.value !== null ? `, got "${p.value}"` : ''}`;
}
