import { columnsOf, type FileKind } from '$lib/contract';
import type { ColumnPlan } from './plan';
import type { RowBlock, RowTest } from './rules';
import { same, type RowSink } from './scan';

/** What the rules across files ask of a patient. */
interface PatientFacts {
	implanted: boolean;
	/** followup_end_day, NaN when NULL. */
	end: number;
}

/**
 * The rules counted as a file is scanned, from each staged record's values, so the database need
 * not count them (load.ts). Each rule's `test` is its SQL condition in JavaScript; the counts only
 * say whether a rule caught any row, and the SQL then finds and reports those rows, so a count of
 * 0 is the one answer that must be right (tests compare both ways on every fixture).
 */

/** The code of a text value outside its column's enum (a unit from a header). */
const OUTSIDE_ENUM = 1e9;

/** Rows tested at a time: the arrays a block's tests read. */
const BLOCK_ROWS = 4096;

/** Where a file's contract columns sit in CellChecker.values, and their enums' values. */
class Columns {
	/** Plan index by contract column. */
	readonly at = new Map<string, number>();
	/** An enum column's values, by contract column (a kept column's CellRule holds the same). */
	readonly enums = new Map<string, readonly string[]>();

	constructor(kind: FileKind, plan: readonly ColumnPlan[]) {
		for (const c of columnsOf(kind)) if (c.values) this.enums.set(c.name, c.values);
		plan.forEach((p, i) => {
			if (p.keep && p.target) this.at.set(p.target, i);
		});
	}

	code(column: string, value: string): number {
		const k = this.enums.get(column)?.indexOf(value) ?? -1;
		return k < 0 ? NaN : k;
	}
}

/** The rows of one block, column by column (RowBlock). */
class Block implements RowBlock {
	n = 0;
	serial = 0;
	readonly known = new Uint8Array(BLOCK_ROWS);
	readonly implanted = new Uint8Array(BLOCK_ROWS);
	readonly end = new Float64Array(BLOCK_ROWS);
	/** The columns tests asked for, with the plan index each is filled from (-1: absent). */
	readonly filled: { from: number; values: Float64Array }[] = [];
	private readonly byName = new Map<string, Float64Array>();

	constructor(
		private readonly columns: Columns,
		/** Units from a value column's header, the loaded value of an absent unit column. */
		private readonly units: Readonly<Record<string, string>>
	) {}

	values(column: string): Float64Array {
		let values = this.byName.get(column);
		if (values) return values;
		values = new Float64Array(BLOCK_ROWS);
		const from = this.columns.at.get(column) ?? -1;
		// An absent column loads as NULL, or as the unit its value column's header gives: a value
		// its enum may not hold (`g/day`), then a code no value of the enum has, and not NULL.
		if (from < 0) {
			const unit = this.units[column];
			const code = unit === undefined ? NaN : this.code(column, unit);
			values.fill(unit !== undefined && code !== code ? OUTSIDE_ENUM : code);
		} else this.filled.push({ from, values });
		this.byName.set(column, values);
		return values;
	}

	code(column: string, value: string): number {
		return this.columns.code(column, value);
	}
}

const decoder = new TextDecoder();

/** A patient_id's text from its bytes (short ASCII ids without a TextDecoder call). */
function idText(b: Uint8Array, start: number, end: number): string {
	if (end - start <= 32) {
		let s = '';
		for (let k = start; k < end; k++) {
			const c = b[k]!;
			if (c >= 0x80) return decoder.decode(b.subarray(start, end));
			s += String.fromCharCode(c);
		}
		return s;
	}
	return decoder.decode(b.subarray(start, end));
}

/**
 * The patients file as its scan staged it (day form): each patient_id with what the rules across
 * files ask of it. It stands for the patients table while no staged row is removed at load
 * (`repeated`: a duplicate patient_id is) and every id was read as loaded (`sure`).
 */
export class PatientIndex implements RowSink {
	readonly byId = new Map<string, PatientFacts>();
	repeated = false;
	sure = true;
	readonly idColumn: number;
	private readonly implantYear: number;
	private readonly end: number;

	constructor(plan: readonly ColumnPlan[]) {
		const at = new Columns('patients', plan).at;
		this.idColumn = at.get('patient_id') ?? -1;
		this.implantYear = at.get('implant_year') ?? -1;
		this.end = at.get('followup_end_day') ?? -1;
	}

	add(values: Float64Array, b: Uint8Array, id: { start: number; end: number; sure: boolean }): void {
		if (!id.sure) this.sure = false;
		const key = idText(b, id.start, id.end);
		if (this.byId.has(key)) {
			this.repeated = true;
			return;
		}
		// As load.ts loads a patient in day form: implanted when implant_year is given.
		const year = this.implantYear < 0 ? NaN : values[this.implantYear]!;
		this.byId.set(key, { implanted: year === year, end: this.end < 0 ? NaN : values[this.end]! });
	}

	/** The index can stand for the patients table (still to be confirmed against what loaded). */
	get usable(): boolean {
		return this.sure && !this.repeated;
	}
}

/** Counts, per rule, the staged rows of an event file that break it (day form). */
export class RuleTally implements RowSink {
	/** Every patient_id was read as loaded. */
	sure = true;
	readonly idColumn: number;
	private readonly block: Block;
	private readonly tests: ((n: number) => number)[];
	private readonly tallies: number[];
	private readonly event: number;
	private last = { start: 0, end: -1, patient: null as PatientFacts | null, id: '' };
	/** pump_events: the patients with an implant row. */
	private readonly implants: Set<string> | null;
	private readonly implantCode: number;

	constructor(
		kind: FileKind,
		plan: readonly ColumnPlan[],
		units: Readonly<Record<string, string>>,
		tests: readonly RowTest[],
		private readonly patients: PatientIndex
	) {
		const columns = new Columns(kind, plan);
		this.idColumn = columns.at.get('patient_id') ?? -1;
		this.block = new Block(columns, units);
		this.tests = tests.map((t) => t(this.block));
		this.tallies = tests.map(() => 0);
		this.event = columns.at.get('event') ?? -1;
		this.implants = kind === 'pump_events' ? new Set() : null;
		this.implantCode = columns.code('event', 'implant');
	}

	add(values: Float64Array, b: Uint8Array, id: { start: number; end: number; sure: boolean }): void {
		if (!id.sure) this.sure = false;
		const last = this.last;
		// Files are mostly grouped by patient: the same bytes as the last row, the same patient.
		if (!sameBytes(b, id.start, id.end, last.start, last.end)) {
			last.id = idText(b, id.start, id.end);
			last.patient = this.patients.byId.get(last.id) ?? null;
			last.start = id.start;
			last.end = id.end;
		}
		const block = this.block;
		const i = block.n;
		const filled = block.filled;
		for (let k = 0; k < filled.length; k++) filled[k]!.values[i] = values[filled[k]!.from]!;
		const p = last.patient;
		block.known[i] = p ? 1 : 0;
		block.implanted[i] = p?.implanted ? 1 : 0;
		block.end[i] = p ? p.end : NaN;
		if (this.implants && this.event >= 0 && values[this.event] === this.implantCode)
			this.implants.add(last.id);
		if (++block.n === BLOCK_ROWS) this.flush();
	}

	/** Rows that break each rule, in the order of the tests given. */
	get counts(): number[] {
		this.flush();
		return [...this.tallies];
	}

	/** Implanted patients (in the index) without an implant row in this file. */
	missingImplants(): number {
		let n = 0;
		for (const [id, p] of this.patients.byId) if (p.implanted && !this.implants!.has(id)) n++;
		return n;
	}

	private flush(): void {
		const n = this.block.n;
		if (n === 0) return;
		for (let k = 0; k < this.tests.length; k++) this.tallies[k]! += this.tests[k]!(n);
		this.block.n = 0;
		this.block.serial++;
	}
}

/** `b[s1, e1)` and `b[s2, e2)` hold the same bytes. */
const sameBytes = (b: Uint8Array, s1: number, e1: number, s2: number, e2: number) =>
	e1 - s1 === e2 - s2 && same(b, s1, s2, e1 - s1);
