/**
 * The page a `.html` path names: the prerendered file of a page (`/pump.html`, `/index.html`),
 * which a static host serves as readily as the page's own path (`/pump`, `/`). Undefined for
 * any other path. src/hooks.ts reroutes by it, so a bookmark or link to the file opens the page.
 */
export function pageOfHtmlPath(pathname: string): string | undefined {
	if (!pathname.endsWith('.html')) return undefined;
	const page = pathname.slice(0, -'.html'.length);
	if (page === '/index') return '/';
	return page.endsWith('/index') ? page.slice(0, -'/index'.length) : page;
}
