import type { ResolvedPathname } from '$app/types';

/**
 * A resolved page path with the view's query string (filters and settings, from url.ts). The
 * one place a query is appended to a `resolve()`d path: the query changes neither the route nor
 * the base path, so the result is still a resolved link, and it is typed as one.
 */
export function withQuery(path: ResolvedPathname, search: string): ResolvedPathname {
	if (search !== '' && !search.startsWith('?')) throw new Error(`not a query string: ${search}`);
	return `${path}${search}` as ResolvedPathname;
}
