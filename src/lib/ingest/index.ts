export { importFiles, isOutOfMemory, resetTables, type InputFile } from './load';
export { uniqueNames } from './names';
export { decodeBytes, plural, type Decoded, type Encoding } from './bytes';
export { NULL_SPELLINGS } from './cells';
export { DATE_FORMATS, type DateOrder } from './dates';
export {
	IDENTIFIER_LABEL,
	describeFinding,
	type IdentifierFinding,
	type IdentifierKind
} from './identifiers';
export { identifiersInCsv, readCsvTable, readRecords, type CsvTable } from './generic';
export { csvCell, problemsCsv, problemsPage, PROBLEM_COLUMNS } from './export';
export {
	describeProblem,
	MAX_PROBLEMS_IN_REPORT,
	type Dialect,
	type FileChoice,
	type FileReport,
	type ImportOptions,
	type ImportProgress,
	type ImportReport,
	type PendingFile,
	type Problem,
	type Refusal,
	type RuleCount,
	type SkippedLine
} from './report';
