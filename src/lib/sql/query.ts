/** A named query: SQL text with `?` placeholders and the values bound to them. */
export interface Query {
	name: string;
	sql: string;
	params: unknown[];
}
