import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	worker: { format: 'es' },
	optimizeDeps: { exclude: ['@duckdb/duckdb-wasm'] },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		// One shared DuckDB instance across files keeps the suite fast.
		isolate: false,
		fileParallelism: false,
		testTimeout: 60_000,
		hookTimeout: 60_000
	}
});
