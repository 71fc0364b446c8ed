export * from './files';
export type { ColumnMeta } from './columns';
export { columnsOf, contractOf, timePairs, type ColumnSpec } from './spec';
export { normaliseHeader, mapHeaders, recogniseFile, SYNONYMS, type Mapping } from './headers';
export { dataDictionary } from './dictionary';
export { codeLabel } from './labels';
