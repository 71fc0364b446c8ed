// The committed demo cohort, bundled as same-origin assets at build time.
const urls = import.meta.glob('/data/demo/*.csv', {
	query: '?url',
	import: 'default',
	eager: true
}) as Record<string, string>;

/** The demo files as an upload would give them: names and bytes, fetched from this site. */
export async function demoFiles(): Promise<{ name: string; bytes: Uint8Array }[]> {
	return Promise.all(
		Object.entries(urls).map(async ([path, url]) => {
			const res = await fetch(url);
			if (!res.ok) throw new Error(`could not fetch the demo file ${path}: HTTP ${res.status}`);
			return { name: path.split('/').pop()!, bytes: new Uint8Array(await res.arrayBuffer()) };
		})
	);
}
