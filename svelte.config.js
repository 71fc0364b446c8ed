import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A static site: no server ever sees patient data.
		adapter: adapter({
			pages: 'build',
			assets: 'build',
			fallback: undefined,
			// Precompressed by scripts/precompress.js (brotli quality 9: seconds, not minutes).
			precompress: false,
			strict: true
		})
	}
};

export default config;
