export { importFiles, type InputFile } from './load';
export { decodeBytes } from './bytes';
export { scanCsv, splitLine, guessDelimiter } from './scan';
export { NULL_SPELLINGS } from './typing';
export { describeProblem, type FileReport, type ImportReport, type Problem, type Refusal } from './report';
