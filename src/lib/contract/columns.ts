import { z } from 'zod';

/**
 * How one contract column is read, validated and documented. The zod schema is the executable
 * form; this metadata (kept in zod's registry via `.meta()`) drives the SQL casts, the import
 * checks and the generated data dictionary, so the three cannot drift apart.
 */
export interface ColumnMeta {
	description: string;
	/** `yes`, `no`, or the condition under which it is required. */
	required: 'yes' | 'no' | string;
	kind: 'id' | 'text' | 'integer' | 'number' | 'enum' | 'date' | 'age';
	unit?: string;
	values?: readonly string[];
	min?: number;
	max?: number;
	/** Exclusive lower bound (`> 0`). */
	positive?: boolean;
	maxDecimals?: number;
	/** Time columns come in a `day` (integer) and a `date` (ISO) form; this names the `day` one. */
	dayForm?: string;
	/**
	 * An input a row may lack although the column is required: empty, and for numbers 0, is "not
	 * recorded" and loaded as NULL (never as the number 0, never a reject). Says what follows.
	 */
	notRecorded?: string;
}

export type Column = z.ZodType & { meta(): ColumnMeta | undefined };

function tag<T extends z.ZodType>(schema: T, meta: ColumnMeta): T {
	return schema.meta(meta as unknown as Record<string, unknown>) as T;
}

type Opt = Omit<ColumnMeta, 'kind' | 'description' | 'required' | 'values'>;

export const col = {
	id: (description: string, required = 'yes') =>
		tag(z.string().min(1).max(64), { kind: 'id', description, required }),
	text: (description: string, required = 'no') =>
		tag(z.string().min(1), { kind: 'text', description, required }),
	integer: (description: string, required = 'no', opt: Opt = {}) =>
		tag(nullableIf(bounded(z.number().int(), opt), opt), { kind: 'integer', description, required, ...opt }),
	number: (description: string, required = 'no', opt: Opt = {}) =>
		tag(nullableIf(bounded(z.number(), opt), opt), { kind: 'number', description, required, ...opt }),
	enum: <const V extends readonly [string, ...string[]]>(
		values: V,
		description: string,
		required = 'no',
		opt: Pick<Opt, 'notRecorded'> = {}
	) => tag(nullableIf(z.enum(values), opt), { kind: 'enum', description, required, values, ...opt }),
	date: (description: string, required = 'no', dayForm?: string) =>
		tag(z.iso.date(), { kind: 'date', description, required, ...(dayForm ? { dayForm } : {}) }),
	age: (description: string) =>
		tag(z.union([z.number().int().min(18).max(89), z.literal('90+')]), {
			kind: 'age',
			description,
			required: 'no',
			min: 18,
			max: 89
		})
};

/** A loaded row holds NULL where an input was not recorded. */
function nullableIf<T extends z.ZodType>(s: T, opt: Pick<Opt, 'notRecorded'>): T | z.ZodNullable<T> {
	return opt.notRecorded === undefined ? s : s.nullable();
}

function bounded(s: z.ZodNumber, opt: Opt): z.ZodNumber {
	let out = s;
	if (opt.min !== undefined) out = out.min(opt.min);
	if (opt.max !== undefined) out = out.max(opt.max);
	if (opt.positive) out = out.positive();
	return out;
}
