import { columnsOf, type ColumnSpec, type FileKind, FILES } from '$lib/contract';
import { ident } from '$lib/sql/literal';

/** SQL type of a contract column in the loaded (day-form) tables. */
export function sqlType(c: ColumnSpec): string {
	switch (c.kind) {
		case 'integer':
			return 'INTEGER';
		case 'number':
			return 'DOUBLE';
		case 'date':
			return 'DATE';
		default:
			return 'VARCHAR';
	}
}

/** Columns of a loaded table: the contract's `day` forms (dates become days on import). */
export function loadedColumns(kind: FileKind): { name: string; type: string }[] {
	const cols = columnsOf(kind)
		.filter((c) => !(c.kind === 'date' && c.dayForm))
		.filter((c) => c.name !== 'implant_date')
		.map((c) => ({ name: c.name, type: sqlType(c) }));
	if (kind === 'patients')
		cols.push({ name: 'age', type: 'INTEGER' }, { name: 'implanted', type: 'BOOLEAN' });
	return [...cols, { name: '_line', type: 'INTEGER' }];
}

/** (Re)create the four loaded tables, empty; an absent optional file leaves its table empty. */
export function createLoadedTablesSql(): string[] {
	return loadedTables().flatMap(([name, cols]) => [
		`DROP TABLE IF EXISTS ${name}`,
		`CREATE TABLE ${name} (${cols})`
	]);
}

/** Create the loaded tables that do not exist yet, keeping those that do with what they hold. */
export function ensureLoadedTablesSql(): string[] {
	return loadedTables().map(([name, cols]) => `CREATE TABLE IF NOT EXISTS ${name} (${cols})`);
}

function loadedTables(): [string, string][] {
	return [
		['import_problems', 'file VARCHAR, line INTEGER, "column" VARCHAR, value VARCHAR, rule VARCHAR'],
		...FILES.map((f): [string, string] => [
			f.kind,
			loadedColumns(f.kind)
				.map((c) => `${ident(c.name)} ${c.type}`)
				.join(', ')
		])
	];
}
