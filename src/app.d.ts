// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {}
	/** Set by vite.config.ts at build time: the commit and library versions of this build. */
	const __BUILD__: { commit: string | null; duckdb_wasm: string; hyparquet_writer: string; fflate: string };
}

export {};
