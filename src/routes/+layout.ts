// Every page renders in the browser only: DuckDB-wasm cannot run during prerender.
export const ssr = false;
export const prerender = true;
