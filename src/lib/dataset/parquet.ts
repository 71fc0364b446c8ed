import {
	parquetMetadata,
	parquetRead,
	parquetSchema,
	type FileMetaData,
	type ParquetParsers,
	type SchemaTree
} from 'hyparquet';
import type { InputFile } from '$lib/ingest';

/**
 * A Parquet file as the CSV text of the same table, so that the importer applies every rule, count
 * and reconciliation of a CSV file to it (docs/report.md, "Which engine, which format"). Nothing is
 * decided here about what a value means: a cell is written as its text, and the importer judges
 * it. A header row of the Parquet column names comes first, so row r of the Parquet file (from 0)
 * is line r + 2, as in the CSV the export bundle writes beside it, plus one per line break inside a
 * text cell of an earlier row. Null is an empty cell.
 *
 * - Integers are written in decimal, DOUBLE with JavaScript's shortest round-trip form, FLOAT
 *   with the shortest decimal that is the same 32-bit float (0.1f is `0.1`, not
 *   `0.10000000149011612`).
 * - DATE is `YYYY-MM-DD`; a TIMESTAMP at midnight UTC is its date, another one its full ISO text in
 *   UTC (the importer keeps its date and warns of the time of day, as for such a CSV cell; hyparquet
 *   gives the instant, so a TIMESTAMP without a time zone is counted as one with it).
 * - Text is quoted where CSV needs it.
 * - Nested columns (lists, structs, maps), binary columns and compression codecs hyparquet does not
 *   read (anything but Snappy and none) refuse the file with the reason.
 */
export type ParquetAsCsv = { ok: true; file: InputFile } | { ok: false; reason: string };

export const PARQUET_NAME = /\.parquet$/i;

/** Codecs hyparquet reads without extra packages. */
const READABLE_CODECS = new Set(['UNCOMPRESSED', 'SNAPPY']);

/** Row groups are read one at a time, so only one group's values are held at once. */
export async function parquetAsCsv(name: string, bytes: Uint8Array): Promise<ParquetAsCsv> {
	const refuse = (reason: string): ParquetAsCsv => ({ ok: false, reason: `${name}: ${reason}` });
	const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
	let metadata: FileMetaData;
	try {
		metadata = parquetMetadata(buffer);
	} catch (e) {
		return refuse(`not a readable Parquet file (${message(e)})`);
	}
	const columns = parquetSchema(metadata).children;
	if (columns.length === 0) return refuse('the Parquet file has no columns');
	for (const c of columns) {
		const problem = unsupported(c);
		if (problem) return refuse(`column ${c.element.name}: ${problem}`);
	}
	const codecs = new Set(
		metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec ?? 'UNCOMPRESSED'))
	);
	const unreadable = [...codecs].filter((c) => !READABLE_CODECS.has(c));
	if (unreadable.length)
		return refuse(
			`compressed with ${unreadable.join(', ')}, which this reader does not read; write it with Snappy ` +
				`or no compression (DuckDB: COPY ... TO '${name}' (COMPRESSION snappy)), or as CSV`
		);

	const format = columns.map((c) => formatter(c));
	const encoder = new TextEncoder();
	const parts: Uint8Array[] = [encoder.encode(columns.map((c) => csvText(c.element.name)).join(',') + '\n')];
	let rowStart = 0;
	for (const group of metadata.row_groups) {
		const rowEnd = rowStart + Number(group.num_rows);
		let rows: unknown[][] = [];
		try {
			await parquetRead({
				file: buffer,
				metadata,
				rowStart,
				rowEnd,
				parsers: PARSERS,
				onComplete: (r) => (rows = r)
			});
		} catch (e) {
			return refuse(`rows ${rowStart + 1}-${rowEnd} could not be read (${message(e)})`);
		}
		let text = '';
		for (const [i, row] of rows.entries()) {
			for (let j = 0; j < format.length; j++) {
				const cell = format[j]!(row[j]);
				if (typeof cell !== 'string')
					return refuse(`line ${rowStart + i + 2}, column ${columns[j]!.element.name}: ${cell.problem}`);
				text += j === 0 ? cell : ',' + cell;
			}
			// A row of one empty cell would be a blank line, which the importer skips: quote it.
			text += format.length === 1 && row[0] == null ? '""\n' : '\n';
		}
		parts.push(encoder.encode(text));
		rowStart = rowEnd;
	}
	return { ok: true, file: { name, bytes: concat(parts) } };
}

type Cell = string | { problem: string };

/** Why a column cannot be a contract column, or null. */
function unsupported(c: SchemaTree): string | null {
	const e = c.element;
	if (c.children.length > 0 || e.repetition_type === 'REPEATED')
		return 'a nested column (list, struct or map); the contract has plain values only';
	const logical = e.logical_type?.type;
	if (e.type === 'FIXED_LEN_BYTE_ARRAY' && !e.converted_type && !logical)
		return 'binary values; the contract has text and numbers only';
	if (logical === 'GEOMETRY' || logical === 'GEOGRAPHY' || logical === 'VARIANT')
		return `${logical} values; the contract has text and numbers only`;
	return null;
}

/** Dates and timestamps as the text a CSV would hold (the reader's defaults make Date objects). */
const PARSERS: Partial<ParquetParsers> = {
	dateFromDays: (days) => isoDay(days * 86_400_000),
	timestampFromMilliseconds: (ms) => isoTime(Number(ms)),
	timestampFromMicroseconds: (us) => isoTime(Number(us / 1000n)),
	timestampFromNanoseconds: (ns) => isoTime(Number(ns / 1_000_000n))
};

function isoDay(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

function isoTime(ms: number): string {
	return ms % 86_400_000 === 0 ? isoDay(ms) : new Date(ms).toISOString();
}

function formatter(c: SchemaTree): (v: unknown) => Cell {
	const float32 = c.element.type === 'FLOAT';
	return (v) => {
		if (v === null || v === undefined) return '';
		switch (typeof v) {
			case 'string':
				return csvText(v);
			case 'number':
				return float32 ? shortestFloat32(v) : String(v);
			case 'bigint':
				return String(v);
			case 'boolean':
				return v ? 'true' : 'false';
			default:
				if (v instanceof Date) return csvText(v.toISOString());
				return { problem: `a ${describe(v)} value, not text or a number` };
		}
	};
}

/** The shortest decimal that reads back as the same 32-bit float (what a float32 column holds). */
export function shortestFloat32(v: number): string {
	if (!Number.isFinite(v)) return String(v);
	for (let digits = 1; digits <= 9; digits++) {
		const s = String(Number(v.toPrecision(digits)));
		if (Math.fround(Number(s)) === v) return s;
	}
	return String(v);
}

/**
 * A CSV field: quoted when it holds a comma, a quote, a line break or outer spaces, or begins with
 * `#` (at the start of a line the importer would skip it as a comment line: `#P000001`, an id).
 */
function csvText(s: string): string {
	return /[",\r\n]|^\s|\s$|^#/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function describe(v: unknown): string {
	if (v instanceof Uint8Array) return 'binary';
	if (Array.isArray(v)) return 'list';
	return typeof v === 'object' ? 'structured' : typeof v;
}

function message(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}
