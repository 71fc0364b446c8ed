import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { nodeDatabase } from '../../src/lib/db/node';
import { readRecords } from '../../src/lib/ingest';

// Public conformance files, read from ../shared at test time (never copied into the project).
const SHARED = new URL('../../../shared/conformance/', import.meta.url);
const present = existsSync(SHARED);
if (!present) console.warn('../shared/conformance is absent: the CSV conformance suites are skipped');

const bytesOf = (path: string) => new Uint8Array(readFileSync(new URL(path, SHARED)));

describe.skipIf(!present)('csv-spectrum: every file parses to exactly its expected JSON', () => {
	const names = present
		? readdirSync(new URL('csv-spectrum/csvs/', SHARED))
				.filter((n) => n.endsWith('.csv'))
				.map((n) => n.slice(0, -4))
		: [];

	test('all 11 files are here', () => {
		expect(names.sort()).toEqual([
			'comma_in_quotes',
			'empty',
			'empty_crlf',
			'escaped_quotes',
			'json',
			'newlines',
			'newlines_crlf',
			'quotes_and_newlines',
			'simple',
			'simple_crlf',
			'utf8'
		]);
	});

	test.each(names)('%s.csv', async (name) => {
		const db = await nodeDatabase();
		const { table, header, rows } = await readRecords(
			db,
			`${name}.csv`,
			bytesOf(`csv-spectrum/csvs/${name}.csv`),
			{
				header: 'first'
			}
		);
		expect(table.ok).toBe(true);
		const expected = JSON.parse(
			readFileSync(new URL(`csv-spectrum/json/${name}.json`, SHARED), 'utf8')
		) as Record<string, string>[];
		// Every record has exactly the header's fields: none dropped or padded by the zip below.
		for (const r of rows) expect(r).toHaveLength(header!.length);
		const objects = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
		expect(objects).toEqual(expected);
		if (!table.ok) return;
		expect({ problems: table.problems, skipped: table.skippedLines, warnings: table.warnings }).toEqual({
			problems: [],
			skipped: [],
			warnings: []
		});
		expect(table.read).toBe(table.loaded + table.rejected + table.skipped);
		expect(table.loaded).toBe(expected.length);
	});
});

/**
 * DuckDB's own nasty CSV files (conformance/duckdb-csv/README.md). Each either loads with the
 * shape read from the file by hand (columns, rows, first values), or fails with a named reason
 * on a line. Expectations come from the files' bytes and the README, not from this importer.
 */
interface Shape {
	columns: string[] | number;
	header: number | null;
	rows: number;
	/** Some rows, by index into the loaded rows. */
	sample?: Record<number, string[]>;
	rejects?: { line: number; column: string | null; rule: string | RegExp }[];
	skipped?: { line: number; reason: string }[];
	encoding?: string;
	delimiter?: string;
	/** Every warning, in order (none when absent). */
	warnings?: (string | RegExp)[];
}

const DUCKDB: Record<string, Shape | { refused: RegExp }> = {
	'auto/duplicate_header_columns.csv': {
		// 12 headers `a` and an empty 13th with values: renamed, and the rename is reported.
		columns: ['a', ...Array.from({ length: 11 }, (_, i) => `a_${i + 2}`), 'column13'],
		header: 1,
		rows: 2,
		sample: { 0: ['123', 'TEST2', 'text1', '', '', '', '', '', '', '', '', '', 'value1'] },
		warnings: [/^renamed 11 columns: "a" -> a_2, .*"a" -> a_12$/]
	},
	'auto/semicolon_delim.csv': {
		columns: ['column1', 'column2', 'column3'],
		header: null,
		delimiter: ';',
		rows: 3,
		sample: { 2: ['567', 'TEST9', 'text3'] }
	},
	'auto/time_date_timestamp_dd-mm-yyyy.csv': {
		columns: ['a', 'b', 't', 'd', 'ts'],
		header: 1,
		rows: 3,
		sample: { 2: ['346', 'TEST2', '15:16:17', '13-12-2004', '13-12-2004 15:16:00'] }
	},
	'auto/time_date_timestamp_mm-dd-yyyy.csv': {
		columns: ['a', 'b', 't', 'd', 'ts'],
		header: 1,
		rows: 3,
		sample: { 2: ['346', 'TEST2', '15:16:17', '12-13-2004', '12-13-2004 03:16:00 PM'] }
	},
	'auto/utf8bom.csv': { columns: ['id', 'name'], header: 1, rows: 2, sample: { 1: ['2', 'Hannes'] } },
	'comments/simple.csv': {
		columns: ['a', 'b'],
		header: 3,
		delimiter: ';',
		rows: 2,
		sample: { 0: ['1', '3'], 1: ['6', '7'] },
		skipped: [1, 2, 4, 7].map((line) => ({ line, reason: 'comment line' }))
	},
	'encodings/latin1.csv': {
		columns: ['name', 'age'],
		header: 1,
		rows: 12,
		encoding: 'windows-1252',
		sample: { 0: ['José Álvarez', '30'], 11: ['Léonard Dubois', '29'] },
		warnings: [/not UTF-8: it was read as Windows-1252 .* on 12 lines \(first: line 2\)/]
	},
	'encodings/utf16.csv': {
		columns: ['name', 'age'],
		header: 1,
		rows: 20,
		encoding: 'utf-16le',
		sample: { 0: ['José Álvarez', '30'], 12: ['Dvořák Novak', '60'] },
		warnings: [/is UTF-16 \(little-endian, .*converted to UTF-8$/]
	},
	'extra_delimiters.csv': {
		columns: ['a', 'b', 'c'],
		header: 1,
		rows: 3,
		rejects: [{ line: 4, column: null, rule: 'expected 3 fields, found 5' }]
	},
	'header_only.csv': {
		columns: ['abs_file_name'],
		header: 1,
		rows: 0,
		warnings: [/header_only\.csv has 0 data rows$/]
	},
	'leading_zeros.csv': {
		columns: 8,
		header: 1,
		rows: 6,
		sample: { 0: ['09001', '0', '0', '0', '1', '1', '1', '0'] }
	},
	'locations_header_trailing_comma.csv': {
		columns: ['id', 'name', 'lat', 'lon'],
		header: 1,
		rows: 1,
		sample: { 0: ['1', 'name', '0', '0'] },
		warnings: ['the header ends with a delimiter: the empty, unnamed last column was dropped']
	},
	'mixed_dates.csv': {
		columns: ['A', 'B'],
		header: 1,
		rows: 5,
		sample: { 2: ['3', '03/10/2024'] }
	},
	'mixed_decimal.csv': {
		columns: ['A', 'B'],
		header: 1,
		delimiter: ';',
		rows: 5,
		sample: { 0: ['1', '5,5'], 3: ['4', '5.555'] }
	},
	'null/multiple_nulls.csv': {
		columns: ['name', 'age', 'height'],
		header: 1,
		rows: 3,
		// A generic read keeps text as written; the contract's null list applies on import.
		sample: { 1: ['Mark', 'null', ''], 2: ['Thijs', '26', 'none'] }
	},
	'nullbyte.csv': {
		columns: ['col1', 'col2', 'col3'],
		header: 1,
		delimiter: '|',
		rows: 0,
		rejects: [{ line: 2, column: 'col2', rule: 'a NUL byte (0x00) in the value' }],
		warnings: [/nullbyte\.csv: no row loaded; every data row was rejected \(1 row\)$/]
	},
	'real/ontime_sample.csv': {
		// 109 named columns; the 110th field of every line is the empty one after a trailing comma.
		columns: 109,
		header: 1,
		rows: 9,
		warnings: ['the header ends with a delimiter: the empty, unnamed last column was dropped']
	},
	'rejects/incorrect_columns/small_mix.csv': {
		columns: ['a', 'b', 'c', 'd'],
		header: 1,
		rows: 2,
		rejects: [
			{ line: 3, column: null, rule: 'expected 4 fields, found 5' },
			{ line: 4, column: null, rule: 'expected 4 fields, found 3 (no value for d)' }
		]
	},
	'rejects/multiple_errors/multiple_errors.csv': {
		columns: ['name', 'age', 'current_day', 'barks'],
		header: 1,
		rows: 2,
		sample: { 0: ['oogie boogie', '3', ' 2023-01-01', ' 2'] },
		rejects: [
			{ line: 4, column: null, rule: 'expected 4 fields, found 5' },
			{ line: 5, column: null, rule: 'expected 4 fields, found 5' },
			{ line: 6, column: null, rule: /quote character inside a field/ },
			{ line: 7, column: null, rule: 'expected 4 fields, found 3 (no value for barks)' },
			{ line: 8, column: null, rule: 'expected 4 fields, found 3 (no value for barks)' }
		]
	},
	'test/invalid_utf_complex.csv': {
		columns: ['valid', 'valid_2', 'valid_3'],
		header: 1,
		rows: 19,
		rejects: [{ line: 11, column: 'valid_2', rule: /not valid UTF-8/ }],
		warnings: ['renamed 2 columns: "valid" -> valid_2, "valid" -> valid_3']
	},
	'test/mixed_line_endings.csv': {
		columns: ['column1', 'column2', 'column3'],
		header: null,
		rows: 3,
		sample: { 0: ['10', 'hello', '20'], 1: ['20', 'world', '30'], 2: ['30', 'test', '30'] }
	},
	'test/quoted_newline.csv': {
		columns: ['column1', 'column2'],
		header: null,
		rows: 2,
		sample: { 0: ['hello\nworld', '5'], 1: ['what,\n brings, you here\n , today', '6'] }
	},
	'test/unterminated.csv': { refused: /unterminated quote starting line 1$/ },
	'thousands_separator/simple_quoted.csv': {
		columns: ['column1'],
		header: null,
		rows: 5,
		sample: { 0: ['100,000.00'], 4: ['9999999999.20'] }
	},
	'unescaped_quotes/unescaped_quote.csv': {
		columns: ['column1', 'column2'],
		header: null,
		delimiter: ';',
		rows: 0,
		warnings: [/unescaped_quote\.csv: no row loaded; every data row was rejected \(6 rows\)$/],
		rejects: [1, 2, 3, 4, 5, 6].map((line) => ({
			line,
			column: null,
			rule: /quote character inside a field/
		}))
	}
};

describe.skipIf(!present)(
	'duckdb-csv: each file loads with its shape or fails with a named, line-numbered reason',
	() => {
		test('every file of the folder has an expectation', () => {
			const walk = (dir: URL, prefix: string): string[] =>
				readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
					e.isDirectory()
						? walk(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`)
						: e.name.endsWith('.csv')
							? [`${prefix}${e.name}`]
							: []
				);
			expect(walk(new URL('duckdb-csv/', SHARED), '').sort()).toEqual(Object.keys(DUCKDB).sort());
		});

		test.each(Object.keys(DUCKDB))('%s', async (path) => {
			const db = await nodeDatabase();
			const expected = DUCKDB[path]!;
			const { table, rows } = await readRecords(db, path, bytesOf(`duckdb-csv/${path}`));
			if ('refused' in expected) {
				expect(table.ok).toBe(false);
				if (!table.ok) expect(table.reason).toMatch(expected.refused);
				return;
			}
			if (!table.ok) throw new Error(table.reason);
			const columns = typeof expected.columns === 'number' ? table.columns.length : table.columns;
			expect({ columns, header: table.headerLine, rows: rows.length }).toEqual({
				columns: expected.columns,
				header: expected.header,
				rows: expected.rows
			});
			for (const [i, row] of Object.entries(expected.sample ?? {})) expect(rows[Number(i)]).toEqual(row);
			expect(table.problems).toEqual(
				(expected.rejects ?? []).map((r) => ({
					line: r.line,
					column: r.column,
					value: null,
					rule: typeof r.rule === 'string' ? r.rule : expect.stringMatching(r.rule)
				}))
			);
			expect(table.skippedLines).toEqual(expected.skipped ?? []);
			if (expected.encoding) expect(table.encoding).toBe(expected.encoding);
			expect(table.delimiter).toBe(expected.delimiter ?? ',');
			expect(table.warnings).toEqual(
				(expected.warnings ?? []).map((w) => (typeof w === 'string' ? w : expect.stringMatching(w)))
			);
			expect(table.read).toBe(table.loaded + table.rejected + table.skipped);
		});
	}
);
