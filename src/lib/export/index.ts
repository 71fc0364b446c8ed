export { buildBundle, ExportBlocked, TABLE_DESCRIPTIONS, type Bundle, type BundleRequest } from './bundle';
export {
	writeBundle,
	type BundleContent,
	type BundleTable,
	type BundleWriter,
	type WrittenBundle
} from './write';
export { toCsv, csvField, neutralise, unneutralise, BOM, type Cell, type CsvResult } from './csv';
export { hashInputFiles, recordInputFiles, recordedInputFiles, type InputFileHash } from './inputs';
export { sha256Hex } from './sha256';
export {
	kAnonymity,
	kAnonymityOptions,
	passes,
	QUASI_IDENTIFIERS,
	type KAnonymity,
	type CoarseningOption
} from './kAnonymity';
export type { Manifest, ManifestInput, ManifestTable, ManifestKAnonymity } from './manifest';
export { rekeyPatients, cryptoRandomInt, type RandomInt } from './rekey';
export {
	NO_COARSENING,
	WIDE_AGE_BANDS,
	PATIENT_LEVEL_TABLES,
	patientLevelColumns,
	patientLevelCounts,
	wideAgeBandSql,
	type Coarsening,
	type ColumnType,
	type ExportColumn,
	type PatientLevelTable
} from './tables';
export { analysisColumns } from './analysis';
export { APP_NAME, APP_VERSION, contractVersion } from './version';
export { aggregateExport, type AggregateExport, type AggregateRow } from './aggregate';
export { captionedSvg, wrapWords, type SvgCaption } from './svgCaption';
