import type { HandleClientError } from '@sveltejs/kit';
import { browserDatabase } from '$lib/db/browser';

// Start DuckDB as soon as the app's code is evaluated, before SvelteKit renders the first page
// (here 100-400 ms earlier than from the layout): the worker fetches the wasm and compiles it while
// it streams, as the page starts (issue 7, cold start).
browserDatabase().catch(() => undefined);

/**
 * An address that is no page is answered by src/routes/+error.svelte ("Page not found"); only
 * other errors are worth the console.
 */
export const handleError: HandleClientError = ({ error, status, message }) => {
	if (status !== 404) console.error(error);
	return { message };
};
