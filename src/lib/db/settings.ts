/**
 * Run on every connection. duckdb-wasm links only its core: parquet, json and icu are extensions
 * it would fetch from an outside host (off-origin, and a hang offline). Failing fast is better.
 */
export const CONNECTION_SETTINGS = [
	'SET autoinstall_known_extensions = false',
	'SET autoload_known_extensions = false'
];
