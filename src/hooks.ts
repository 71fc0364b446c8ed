import type { Reroute } from '@sveltejs/kit';
import { pageOfHtmlPath } from '$lib/htmlPath';

/** `/pump.html` is the `/pump` page, `/index.html` the start page (lib/htmlPath.ts). */
export const reroute: Reroute = ({ url }) => pageOfHtmlPath(url.pathname);
