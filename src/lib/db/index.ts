export type { Database, QueryOptions, Row } from './types';
export { QueryError, isAbort } from './types';
export { withQueryCache, isCacheable, type CachedDatabase, type CacheOptions } from './cache';
export { serialDatabase, type Engine } from './serial';
export { withSignal, Latest } from './supersede';
