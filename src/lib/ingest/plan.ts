import { columnsOf, type ColumnSpec, type FileKind } from '$lib/contract';

/** How the scanner checks one cell of a contract column (the executable form of its ColumnSpec). */
export interface CellRule {
	kind: ColumnSpec['kind'];
	required: boolean;
	min?: number;
	max?: number;
	positive?: boolean;
	maxDecimals?: number;
	values?: readonly string[];
	/** An MME input: 0 is "not recorded", staged as empty (NULL) like an empty cell. */
	zeroIsNull: boolean;
	/** `;`-delimited file and a number column: `5,5` is read as 5.5 (data-contract.md). */
	decimalComma: boolean;
}

/** What happens to one source column during the scan. */
export interface ColumnPlan {
	/** The header as written in the file (trimmed), for messages. */
	header: string;
	/** The contract column it loads into, or null (ignored, dropped, or a generic read). */
	target: string | null;
	/** Copied into the staged buffer DuckDB reads. */
	keep: boolean;
	rule: CellRule | null;
	/** Values scanned for identifiers (every column the user has not dropped). */
	watch: boolean;
	/** Count non-empty values even when nothing else is checked (generic reads). */
	count: boolean;
}

export function cellRule(spec: ColumnSpec, delimiter: string): CellRule {
	return {
		kind: spec.kind,
		// A column the file must have may still leave an input not recorded in a row.
		required: spec.required.startsWith('yes') && spec.notRecorded === undefined,
		min: spec.min,
		max: spec.max,
		positive: spec.positive,
		maxDecimals: spec.maxDecimals,
		values: spec.values,
		zeroIsNull: spec.notRecorded !== undefined && (spec.kind === 'number' || spec.kind === 'integer'),
		decimalComma: spec.kind === 'number' && delimiter === ';'
	};
}

/**
 * The plan of a contract file: mapped columns are kept and checked, other columns are only
 * watched for identifiers, and dropped columns are skipped entirely (never copied, never read).
 */
export function contractPlan(
	kind: FileKind,
	headers: readonly string[],
	targets: readonly (string | null)[],
	drop: ReadonlySet<number>,
	delimiter: string
): ColumnPlan[] {
	const specs = new Map(columnsOf(kind).map((s) => [s.name, s]));
	return headers.map((header, i) => {
		const target = drop.has(i) ? null : (targets[i] ?? null);
		const spec = target ? specs.get(target) : undefined;
		return {
			header,
			target,
			keep: spec !== undefined,
			rule: spec ? cellRule(spec, delimiter) : null,
			watch: !drop.has(i),
			count: false
		};
	});
}

/** A generic read: every column kept as text, exactly as written. */
export function genericPlan(names: readonly string[]): ColumnPlan[] {
	return names.map((header) => ({ header, target: null, keep: true, rule: null, watch: false, count: true }));
}
