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
			// The page a static host (and scripts/serve.js) answers an unknown address with, status
			// 404: the app's own "Page not found" (src/routes/+error.svelte), with its links.
			fallback: '404.html',
			// Precompressed by scripts/precompress.js (brotli quality 9: seconds, not minutes).
			precompress: false,
			strict: true
		})
	}
};

export default config;
