import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

/** The installed version of a package, as its package.json says. */
const installed = (name: string): string =>
	(JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;

/** The commit this build was made from, marked when the working tree had changes; null outside git. */
function commit(): string | null {
	const git = (args: string) =>
		execSync(`git ${args}`, { stdio: ['ignore', 'pipe', 'ignore'] })
			.toString()
			.trim();
	try {
		return (
			git('rev-parse --short=12 HEAD') + (git('status --porcelain --untracked-files=no') ? '+changes' : '')
		);
	} catch {
		return null;
	}
}

/** What an export records about the software that wrote it (src/lib/export/version.ts). */
const BUILD = {
	commit: commit(),
	duckdb_wasm: installed('@duckdb/duckdb-wasm'),
	hyparquet_writer: installed('hyparquet-writer'),
	fflate: installed('fflate')
};

export default defineConfig({
	plugins: [sveltekit()],
	define: { __BUILD__: JSON.stringify(BUILD) },
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
