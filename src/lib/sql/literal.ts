/**
 * The one audited way to put a value into SQL text, for the few places DuckDB cannot bind a
 * parameter (table-function options such as read_csv's delimiter). Everything else is bound.
 */
export function literal(value: string | number | boolean | null): string {
	if (value === null) return 'NULL';
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
		return String(value);
	}
	if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
	return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted identifier: `"name"` with embedded quotes doubled. */
export function ident(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}
