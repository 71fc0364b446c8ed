/** A named query: SQL text with `?` placeholders and the values bound to them. */
export interface Query {
	name: string;
	sql: string;
	params: unknown[];
	/**
	 * Turns the rows DuckDB returns into the query's answer, when a little arithmetic over a few
	 * rows in the page is cheaper than a window in duckdb-wasm (painByMonth).
	 */
	shape?: (rows: Record<string, unknown>[]) => Record<string, unknown>[];
}
