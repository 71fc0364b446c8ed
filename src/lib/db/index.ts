export type { Database, Row } from './types';
export { QueryError } from './types';
