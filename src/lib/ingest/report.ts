import type { FileKind, Mapping } from '$lib/contract';

/** One rejected row or cell: where, what was seen (null when it may identify a person) and why. */
export interface Problem {
	line: number;
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
	headerLine: number;
	timeForm: 'day' | 'date';
}

/** Everything the user is told about one file. read = loaded + rejected + skipped, always. */
export interface FileReport {
	file: string;
	kind: FileKind;
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
	skippedLines: SkippedLine[];
	warnings: string[];
}

/** A file that could not be imported at all, and why. */
export interface Refusal {
	file: string;
	reason: string;
}

export interface ImportReport {
	files: FileReport[];
	refused: Refusal[];
	warnings: string[];
}

export const MAX_PROBLEMS_IN_REPORT = 200;

/** `pain_scores.csv line 214, column pain_avg: expected 0-10, got "11"` */
export function describeProblem(file: string, p: Problem): string {
	const where = `${file} line ${p.line}${p.column ? `, column ${p.column}` : ''}`;
	return `${where}: ${p.rule}${p.value !== null ? `, got "${p.value}"` : ''}`;
}
