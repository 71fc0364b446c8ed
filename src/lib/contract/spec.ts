import { z } from 'zod';
import type { ColumnMeta } from './columns';
import { FILES, type FileContract, type FileKind } from './files';

export interface ColumnSpec extends ColumnMeta {
	name: string;
	/** Required in every file of this kind (not merely conditionally). */
	mandatory: boolean;
}

const columnSpecs = new Map<FileKind, readonly ColumnSpec[]>();

/** The columns of one contract file, in contract order, with their metadata. */
export function columnsOf(kind: FileKind): ColumnSpec[] {
	// Read from the schema once per kind: header matching asks for them per candidate record.
	let specs = columnSpecs.get(kind);
	if (!specs) {
		const shape = contractOf(kind).schema.shape as Record<string, z.ZodType>;
		specs = Object.entries(shape).map(([name, schema]) => {
			const meta = metaOf(schema);
			return Object.freeze({ name, ...meta, mandatory: meta.required === 'yes' });
		});
		columnSpecs.set(kind, specs);
	}
	return [...specs];
}

export function contractOf(kind: FileKind): FileContract {
	const c = FILES.find((f) => f.kind === kind);
	if (!c) throw new Error(`unknown file kind ${kind}`);
	return c;
}

function metaOf(schema: z.ZodType): ColumnMeta {
	let s: z.ZodType = schema;
	while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
	const meta = s.meta() as ColumnMeta | undefined;
	if (!meta) throw new Error('contract column without metadata');
	return meta;
}

/** Columns that must be present in one of two forms (`day` or `date`), keyed by the day form. */
export function timePairs(kind: FileKind): { day: string; date: string; required: boolean }[] {
	const cols = columnsOf(kind);
	return cols
		.filter((c) => c.kind === 'date' && c.dayForm)
		.map((c) => {
			const day = cols.find((d) => d.name === c.dayForm);
			return { day: c.dayForm!, date: c.name, required: (day?.required ?? '').startsWith('yes') };
		});
}
