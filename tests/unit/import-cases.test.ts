import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { headerKey } from '../../src/lib/contract/headers';
import { nodeDatabase } from '../../src/lib/db/node';
import {
	identifiersInCsv,
	importFiles,
	problemsCsv,
	readRecords as readRecordsRaw,
	type ImportOptions,
	type ImportReport
} from '../../src/lib/ingest';
import { deriveSql, NO_FILTERS } from '../../src/lib/sql';
import { mmeReport } from '../../src/lib/sql/mme';
import { enc, files, importChecked } from './helpers';

/**
 * The 35 bad-input cases of ../shared/docs/import-cases.md, one test (or a few) each, asserting
 * the documented behaviour and that read = loaded + rejected + skipped. Fixtures are read from
 * ../shared at test time; "generate" fixtures are built here.
 */
const SHARED = new URL('../../../shared/', import.meta.url);
const hasShared = existsSync(SHARED);
if (!hasShared) console.warn('../shared is absent: import cases that read its fixtures are skipped');
const shared = (path: string) => new Uint8Array(readFileSync(new URL(path, SHARED)));
const withShared = test.skipIf(!hasShared);

async function load(map: Record<string, string | Uint8Array>, options: ImportOptions = {}) {
	const db = await nodeDatabase();
	const report = await importChecked(db, files(map), options);
	for (const f of report.files)
		expect(f.read, `${f.file} reconciles`).toBe(f.loaded + f.rejected + f.skipped);
	return { db, report };
}

/** A generic read that must reconcile too: every record is loaded, rejected or skipped. */
async function records(...args: Parameters<typeof readRecordsRaw>) {
	const out = await readRecordsRaw(...args);
	if (out.table.ok) {
		expect(out.table.read, `${args[1]} reconciles`).toBe(
			out.table.loaded + out.table.rejected + out.table.skipped
		);
		expect(out.rows).toHaveLength(out.table.loaded);
	}
	return out;
}

const file = (report: ImportReport, name: string) => {
	const f = report.files.find((x) => x.file === name);
	if (!f) throw new Error(`${name} not imported: ${JSON.stringify(report.refused)}`);
	return f;
};

const counts = (report: ImportReport, name: string) => {
	const f = file(report, name);
	return { read: f.read, loaded: f.loaded, rejected: f.rejected, skipped: f.skipped };
};

const PATIENTS = 'patient_id,office,diagnosis,implant_year\nP1,Lexington,fbss,2020\nP2,Danville,crps,2021\n';
const bom = (s: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...enc(s)]);
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf16le = (s: string) => {
	const out = new Uint8Array(2 + s.length * 2);
	out.set([0xff, 0xfe]);
	for (let i = 0; i < s.length; i++) {
		out[2 + 2 * i] = s.charCodeAt(i) & 0xff;
		out[3 + 2 * i] = s.charCodeAt(i) >> 8;
	}
	return out;
};

describe('1-8: bytes before CSV', () => {
	test('1: a 0-byte file and a BOM-only file are refused as empty', async () => {
		const { report } = await load({ 'x.csv': '', 'y.csv': new Uint8Array([0xef, 0xbb, 0xbf]) });
		expect(report.refused).toEqual([
			{ file: 'x.csv', reason: 'x.csv is empty' },
			{ file: 'y.csv', reason: 'y.csv is empty' }
		]);
		expect(report.files).toEqual([]);
	});

	test('2: a header-only file is accepted with a "0 data rows" warning, and nothing is charted', async () => {
		const { db, report } = await load({ 'patients.csv': 'patient_id,office,diagnosis\n' });
		expect(counts(report, 'patients.csv')).toEqual({ read: 0, loaded: 0, rejected: 0, skipped: 0 });
		expect(file(report, 'patients.csv').warnings).toContain('patients.csv has 0 data rows');
		expect(await db.query('SELECT count(*)::INTEGER AS n FROM patients')).toEqual([{ n: 0 }]);
	});

	withShared('2: header-only files from DuckDB and OMOP read as 0 rows with the warning', async () => {
		const db = await nodeDatabase();
		for (const path of ['conformance/duckdb-csv/header_only.csv', 'formats/synthea27nj-omop/CARE_SITE.csv']) {
			const { table, rows } = await records(db, path, shared(path));
			expect(rows).toEqual([]);
			expect(table.ok && table.warnings).toContain(`${path} has 0 data rows`);
		}
	});

	test('3: UTF-8 with BOM and CRLF: the first header is patient_id, not \\uFEFFpatient_id', async () => {
		const { report } = await load({ 'patients.csv': bom(PATIENTS.replaceAll('\n', '\r\n')) });
		const f = file(report, 'patients.csv');
		expect(f.mapping.columns[0]).toEqual({ header: 'patient_id', target: 'patient_id', via: 'exact' });
		expect(f.dialect).toMatchObject({ encoding: 'utf-8', newline: 'CRLF', headerLine: 1 });
		expect(counts(report, 'patients.csv')).toEqual({ read: 2, loaded: 2, rejected: 0, skipped: 0 });
	});

	withShared('3: auto/utf8bom.csv reads header id, name', async () => {
		const { header, rows } = await records(
			await nodeDatabase(),
			'utf8bom.csv',
			shared('conformance/duckdb-csv/auto/utf8bom.csv')
		);
		expect(header).toEqual(['id', 'name']);
		expect(rows).toEqual([
			['1', 'Mark'],
			['2', 'Hannes']
		]);
	});

	test('4: a Windows-1252 (Latin-1) file is detected, read with a warning, and its letters kept', async () => {
		// Provider names as in duckdb-csv's encodings/latin1.csv, one byte per letter.
		const names = ['José Álvarez', 'Müller', 'François Dupont'];
		const csv =
			'patient_id,office,diagnosis,provider_id\n' +
			names.map((n, i) => `P${i},Lexington,fbss,${n}\n`).join('');
		const { db, report } = await load({ 'patients.csv': latin1(csv) });
		const f = file(report, 'patients.csv');
		expect(f.dialect.encoding).toBe('windows-1252');
		expect(f.warnings[0]).toMatch(/is not UTF-8: it was read as Windows-1252 .* 3 lines \(first: line 2\)/);
		expect(await db.query('SELECT provider_id FROM patients ORDER BY _line')).toEqual(
			names.map((provider_id) => ({ provider_id }))
		);
	});

	withShared('4: encodings/latin1.csv is read as Windows-1252 with its letters', async () => {
		const { table, rows } = await records(
			await nodeDatabase(),
			'latin1.csv',
			shared('conformance/duckdb-csv/encodings/latin1.csv')
		);
		expect(table.ok && table.encoding).toBe('windows-1252');
		expect(rows.slice(0, 3).map((r) => r[0])).toEqual(['José Álvarez', 'Müller', 'François Dupont']);
	});

	test('5: UTF-16LE with BOM, tab-delimited (Excel "Unicode text"), is converted with a warning', async () => {
		const tsv = PATIENTS.replaceAll(',', '\t').replace('Lexington', 'Lexingtön');
		const { db, report } = await load({ 'patients.txt': utf16le(tsv) });
		const f = file(report, 'patients.txt');
		expect(f.dialect).toMatchObject({ encoding: 'utf-16le', delimiter: '\t' });
		expect(f.warnings[0]).toMatch(/UTF-16 \(little-endian.*converted to UTF-8/);
		expect(counts(report, 'patients.txt')).toEqual({ read: 2, loaded: 2, rejected: 0, skipped: 0 });
		expect(await db.query('SELECT office FROM patients ORDER BY _line')).toEqual([
			{ office: 'Lexingtön' },
			{ office: 'Danville' }
		]);
	});

	withShared('5: encodings/utf16.csv is converted: 20 rows', async () => {
		const { table, rows } = await records(
			await nodeDatabase(),
			'utf16.csv',
			shared('conformance/duckdb-csv/encodings/utf16.csv')
		);
		expect(table.ok && table.encoding).toBe('utf-16le');
		expect(rows).toHaveLength(20);
	});

	test('6: a line that is not UTF-8 in a UTF-8 file: refused from the command line, rejected only if the user accepts', async () => {
		const good = enc('patient_id,office,diagnosis\nP1,Müllerville,fbss\n');
		const bad = new Uint8Array([
			...good,
			...enc('P2,Dan'),
			0xff,
			0xfe,
			...enc('ville,crps\nP3,Maysville,crps\n')
		]);
		const cli = await load({ 'patients.csv': bad });
		expect(cli.report.refused).toEqual([
			{
				file: 'patients.csv',
				reason:
					'patients.csv: 1 line is not valid UTF-8 text (first: line 3); check the encoding, or export as "CSV UTF-8"'
			}
		]);
		const asked = await load({ 'patients.csv': bad }, { interactive: true });
		expect(asked.report.pending[0]!.invalidText).toEqual({ lines: [3], count: 1 });
		const key = asked.report.pending[0]!.key;
		const { report } = await load(
			{ 'patients.csv': bad },
			{ interactive: true, choices: { [key]: { acceptInvalidText: true } } }
		);
		expect(counts(report, 'patients.csv')).toEqual({ read: 3, loaded: 2, rejected: 1, skipped: 0 });
		expect(file(report, 'patients.csv').problems).toEqual([
			{
				line: 3,
				column: 'office',
				value: null,
				rule: 'not valid UTF-8 text: check the file encoding, or export as "CSV UTF-8"'
			}
		]);
	});

	withShared('6: invalid_utf_complex.csv: line 11, column 2 rejected, the other 19 rows kept', async () => {
		const { table, rows } = await records(
			await nodeDatabase(),
			'x.csv',
			shared('conformance/duckdb-csv/test/invalid_utf_complex.csv')
		);
		expect(rows).toHaveLength(19);
		expect(table.ok && table.problems).toEqual([
			{ line: 11, column: 'valid_2', value: null, rule: expect.stringMatching(/not valid UTF-8/) }
		]);
	});

	test('7: a NUL byte inside a value rejects its line, naming the column; no NUL is loaded', async () => {
		const csv = new Uint8Array([
			...enc('patient_id,office,diagnosis\nP1,Lex'),
			0,
			...enc('ington,fbss\nP2,Danville,crps\n')
		]);
		const { db, report } = await load({ 'patients.csv': csv });
		expect(file(report, 'patients.csv').problems).toEqual([
			{ line: 2, column: 'office', value: null, rule: 'a NUL byte (0x00) in the value' }
		]);
		expect(counts(report, 'patients.csv')).toEqual({ read: 2, loaded: 1, rejected: 1, skipped: 0 });
		expect(
			await db.query(`SELECT count(*)::INTEGER AS n FROM patients WHERE contains(office, chr(0))`)
		).toEqual([{ n: 0 }]);
	});

	test('8: XLSX, gzip, PDF and old XLS renamed .csv are recognised by their magic bytes', async () => {
		const { report } = await load({
			'a.csv': new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]),
			'b.csv': new Uint8Array([0x1f, 0x8b, 0x08, 0x00]),
			'c.csv': enc('%PDF-1.7\n'),
			'd.csv': new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1])
		});
		expect(report.refused.map((r) => r.reason)).toEqual([
			'a.csv is an Excel workbook or zip archive, not a CSV file: export it as "CSV UTF-8"',
			'b.csv is a gzip archive, not a CSV file: decompress it first',
			'c.csv is a PDF document, not a CSV file: export the data as CSV instead',
			'd.csv is an old Excel (.xls) workbook, not a CSV file: export it as "CSV UTF-8"'
		]);
	});
});

describe('9-23: structure and dialect', () => {
	const PAIN_SEMI = 'patient_id;day;pain_avg;pain_worst\nP1;-30;7,5;8\nP1;30;4;5,5\nP2;-10;6;7\n';

	test('9: ";" and decimal commas: the dialect is shown and pain_avg is read as 7.5 with a warning', async () => {
		const { db, report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': PAIN_SEMI });
		const f = file(report, 'pain.csv');
		expect(f.dialect).toMatchObject({ delimiter: ';', decimalComma: ['pain_avg', 'pain_worst'] });
		expect(f.warnings).toContain('column "pain_avg" was read with a decimal comma (5,5 is 5.5)');
		expect(await db.query('SELECT day, pain_avg, pain_worst FROM pain_scores ORDER BY _line')).toEqual([
			{ day: -30, pain_avg: 7.5, pain_worst: 8 },
			{ day: 30, pain_avg: 4, pain_worst: 5.5 },
			{ day: -10, pain_avg: 6, pain_worst: 7 }
		]);
	});

	withShared('9: mixed_decimal.csv (5,5 beside 5.555) is refused, listing the lines of each', async () => {
		// Its column B as pain_worst of a contract file, line for line.
		const lines = new TextDecoder()
			.decode(shared('conformance/duckdb-csv/mixed_decimal.csv'))
			.split('\n')
			.slice(1);
		const csv =
			'patient_id;day;pain_avg;pain_worst\n' + lines.map((l, i) => `P1;${i};5;${l.split(';')[1]}\n`).join('');
		const { report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': csv });
		expect(report.refused).toEqual([
			{
				file: 'pain.csv',
				reason:
					'pain.csv: column "pain_worst" mixes decimal commas (lines 2, 3, 6) and decimal points (line 5); export the column with one decimal separator'
			}
		]);
		const { table } = await records(
			await nodeDatabase(),
			'semi.csv',
			shared('conformance/duckdb-csv/auto/semicolon_delim.csv')
		);
		expect(table.ok && [table.delimiter, table.columns.length, table.loaded]).toEqual([';', 3, 3]);
	});

	test('9: with "," delimiters a decimal comma is never accepted', async () => {
		const pain = 'patient_id,day,pain_avg\nP1,1,"5,5"\nP1,2,5\n';
		const { report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': pain });
		expect(file(report, 'pain.csv').problems).toEqual([
			{
				line: 2,
				column: 'pain_avg',
				value: '5,5',
				rule: 'expected a number with a decimal point (a decimal comma is read only in ;-delimited files)'
			}
		]);
	});

	test('10: a row with too many fields is rejected, never loaded with its extra values dropped', async () => {
		const pain = 'patient_id,day,pain_avg\nP1,1,5\nP1,2,5\nP1,3,4,5,6\nP1,4,3\n';
		const { db, report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': pain });
		expect(file(report, 'pain.csv').problems).toEqual([
			{ line: 4, column: null, value: null, rule: 'expected 3 fields, found 5' }
		]);
		expect(counts(report, 'pain.csv')).toEqual({ read: 4, loaded: 3, rejected: 1, skipped: 0 });
		expect(await db.query('SELECT day FROM pain_scores ORDER BY day')).toEqual([
			{ day: 1 },
			{ day: 2 },
			{ day: 4 }
		]);
	});

	test('11: a row with too few fields is rejected naming the missing column (no NULL padding)', async () => {
		const { report } = await load({
			'patients.csv': 'patient_id,office,diagnosis,sex\nP1,Lexington,fbss,F\nP2,Danville,crps\n'
		});
		expect(file(report, 'patients.csv').problems).toEqual([
			{ line: 3, column: null, value: null, rule: 'expected 4 fields, found 3 (no value for sex)' }
		]);
	});

	test('12: a trailing delimiter on the header (or on every line) is accepted with a warning', async () => {
		const { report } = await load({
			'patients.csv': 'patient_id,office,diagnosis,\nP1,Lexington,fbss\nP2,Danville,crps,\n',
			'pain.csv': 'patient_id,day,pain_avg\nP1,1,5,\nP2,1,4,\n'
		});
		expect(counts(report, 'patients.csv')).toEqual({ read: 2, loaded: 2, rejected: 0, skipped: 0 });
		expect(file(report, 'patients.csv').warnings).toContain(
			'the header ends with a delimiter: the empty, unnamed last column was ignored'
		);
		expect(counts(report, 'pain.csv')).toEqual({ read: 2, loaded: 2, rejected: 0, skipped: 0 });
		expect(file(report, 'pain.csv').warnings).toContain(
			'2 lines end with an extra delimiter; the empty field after it was ignored'
		);
	});

	test('13: CR, LF and CRLF mixed: every row loads with its physical line number', async () => {
		const { db, report } = await load({
			'patients.csv':
				'patient_id,office,diagnosis\r\nP1,Lexington,fbss\rP2,Danville,crps\nP3,Maysville,fbss\r\n'
		});
		expect(file(report, 'patients.csv').dialect.newline).toBe('mixed');
		expect(await db.query('SELECT patient_id, _line FROM patients ORDER BY _line')).toEqual([
			{ patient_id: 'P1', _line: 2 },
			{ patient_id: 'P2', _line: 3 },
			{ patient_id: 'P3', _line: 4 }
		]);
	});

	test('14: quoted fields keep embedded commas and CRLF byte-exact, and later errors keep physical lines', async () => {
		const p =
			'patient_id,office,diagnosis\r\nP1,"Lex,\r\nington",fbss\r\nP2,"Dan\nville",crps\r\nP3,Maysville,nope\r\n';
		const { db, report } = await load({ 'patients.csv': p });
		expect(await db.query('SELECT office FROM patients ORDER BY _line')).toEqual([
			{ office: 'Lex,\r\nington' },
			{ office: 'Dan\nville' }
		]);
		expect(file(report, 'patients.csv').problems).toEqual([
			{ line: 6, column: 'diagnosis', value: 'nope', rule: expect.stringMatching(/^expected one of fbss/) }
		]);
	});

	test('15: an unterminated quote is refused naming the line it starts on', async () => {
		const { report } = await load({
			'patients.csv': 'patient_id,office,diagnosis\nP1,Lexington,fbss\nP2,"Dan\nville,crps\n'
		});
		expect(report.refused).toEqual([
			{ file: 'patients.csv', reason: 'patients.csv: unterminated quote starting line 3' }
		]);
	});

	withShared('15: test/unterminated.csv is refused the same way', async () => {
		const { table } = await records(
			await nodeDatabase(),
			'u.csv',
			shared('conformance/duckdb-csv/test/unterminated.csv')
		);
		expect(table).toEqual({ ok: false, reason: 'u.csv: unterminated quote starting line 1' });
	});

	const STRAY =
		'patient_id,office,diagnosis,provider_id\n' +
		'P1,"Lex "the city" ington",fbss,D1\n' + // a stray quote inside a quoted field
		'P2,Danville,crps,Dr "Bob"\n' + // quotes inside a field that does not start with one
		'P3,Maysville,fbss,"D ""3"""\n' + // properly escaped: never stray
		'P4,Cynthiana,"fb"ss",D4\n'; // read as text, the diagnosis is not a contract value

	test('16: an unescaped quote inside a quoted field rejects the line', async () => {
		const { report } = await load({ 'patients.csv': STRAY });
		const f = file(report, 'patients.csv');
		expect(f.problems.map((p) => [p.line, p.column, p.rule])).toEqual([
			[2, null, 'a quote character inside a field that is not properly quoted'],
			[3, null, 'a quote character inside a field that is not properly quoted'],
			[5, null, 'a quote character inside a field that is not properly quoted']
		]);
		// The report offers the relaxed read for these lines.
		expect(f.strayQuotes).toEqual({ count: 3, relaxed: false });
		expect(f.warnings.join('\n')).not.toMatch(/stray quotes/);
	});

	test('16: on request, stray quotes are read as text, with a warning counting the lines', async () => {
		const key = headerKey(['patient_id', 'office', 'diagnosis', 'provider_id']);
		const { db, report } = await load(
			{ 'patients.csv': STRAY },
			{ choices: { [key]: { lenientQuotes: true } } }
		);
		const f = file(report, 'patients.csv');
		expect(counts(report, 'patients.csv')).toEqual({ read: 4, loaded: 3, rejected: 1, skipped: 0 });
		expect(f.strayQuotes).toEqual({ count: 3, relaxed: true });
		expect(f.warnings).toContain(
			'read with stray quotes as text, on request: 3 lines have a quote character inside a field that is not properly quoted, ' +
				'kept as part of the value (line 2, line 3, line 5); check those values'
		);
		expect(f.problems.map((p) => [p.line, p.column, p.value])).toEqual([[5, 'diagnosis', 'fb"ss']]);
		expect(await db.query('SELECT patient_id, office, provider_id FROM patients ORDER BY _line')).toEqual([
			{ patient_id: 'P1', office: 'Lex "the city" ington', provider_id: 'D1' },
			{ patient_id: 'P2', office: 'Danville', provider_id: 'Dr "Bob"' },
			{ patient_id: 'P3', office: 'Maysville', provider_id: 'D "3"' }
		]);
	});

	test('16: the relaxed read stages fields with many stray quotes (the staged copy grows)', async () => {
		const many = '"'.repeat(150);
		const patients =
			'patient_id,office,diagnosis,provider_id\n' +
			`P1,Lexington,fbss,x${many}\n` +
			`P2,"Danville${' "'.repeat(80)} end",crps,D2\n`;
		const key = headerKey(['patient_id', 'office', 'diagnosis', 'provider_id']);
		const { db, report } = await load(
			{ 'patients.csv': patients },
			{ choices: { [key]: { lenientQuotes: true } } }
		);
		expect(counts(report, 'patients.csv')).toEqual({ read: 2, loaded: 2, rejected: 0, skipped: 0 });
		expect(await db.query('SELECT office, provider_id FROM patients ORDER BY _line')).toEqual([
			{ office: 'Lexington', provider_id: `x${many}` },
			{ office: `Danville${' "'.repeat(80)} end`, provider_id: 'D2' }
		]);
	});

	withShared('16: unescaped_quote.csv read on request as DuckDB reads it with strict_mode off', async () => {
		const bytes = shared('conformance/duckdb-csv/unescaped_quotes/unescaped_quote.csv');
		const db = await nodeDatabase();
		const strict = await records(db, 'u.csv', bytes, { header: 'none' });
		expect(strict.rows).toEqual([]);
		const relaxed = await records(db, 'u.csv', bytes, { header: 'none', lenientQuotes: true });
		expect(relaxed.table.ok && relaxed.table.warnings).toEqual([
			'read with stray quotes as text, on request: 6 lines have a quote character inside a field that is not properly quoted, ' +
				'kept as part of the value (line 1, line 2, line 3, line 4, line 5, line 6); check those values'
		]);
		// The file's lines are `N;"pedro "pdet" holanda"` (line 3: `ho;landa`). As text, the stray
		// quotes stay in the value; DuckDB's strict_mode = false drops them (pedro pdet holanda).
		const value = 'pedro "pdet" holanda';
		expect(relaxed.rows).toEqual([
			['1', value],
			['2', value],
			['3', 'pedro "pdet" ho;landa'],
			['4', value],
			['5', value],
			['6', value]
		]);
	});

	test('17: an EHR preamble and comment lines are skipped and listed by line', async () => {
		const p =
			'Pump outcomes export\nRun date: 2024-05-01\n\npatient_id,office,diagnosis\nP1,Lexington,fbss\n# reviewed by QA\nP2,Danville,crps\n';
		const { report } = await load({ 'patients.csv': p });
		const f = file(report, 'patients.csv');
		expect(f.dialect.headerLine).toBe(4);
		expect(f.skippedLines).toEqual([
			{ line: 1, reason: 'preamble' },
			{ line: 2, reason: 'preamble' },
			{ line: 3, reason: 'blank line' },
			{ line: 6, reason: 'comment line' }
		]);
		expect(counts(report, 'patients.csv')).toEqual({ read: 6, loaded: 2, rejected: 0, skipped: 4 });
	});

	test('18: blank and whitespace-only lines are skipped and counted, and the dialect holds', async () => {
		const db = await nodeDatabase();
		const { table, rows } = await records(db, 'x.csv', enc('id,pain\n1,3\n   \n\n2,4\n'));
		expect(rows).toEqual([
			['1', '3'],
			['2', '4']
		]);
		expect(table.ok && [table.delimiter, table.skippedLines]).toEqual([
			',',
			[
				{ line: 3, reason: 'blank line' },
				{ line: 4, reason: 'blank line' }
			]
		]);
		const { report } = await load({
			'patients.csv': 'patient_id,office,diagnosis\nP1,Lexington,fbss\n \t \n,,\n\nP2,Danville,crps\n'
		});
		expect(counts(report, 'patients.csv')).toEqual({ read: 5, loaded: 2, rejected: 0, skipped: 3 });
	});

	test('19: a header repeated mid-file (concatenated exports) is skipped with its line', async () => {
		const p = `${PATIENTS}patient_id,office,diagnosis,implant_year\nP3,Maysville,fbss,2022\n`;
		const { report } = await load({ 'patients.csv': p });
		expect(file(report, 'patients.csv').skippedLines).toEqual([{ line: 4, reason: 'repeated header' }]);
		expect(counts(report, 'patients.csv')).toEqual({ read: 4, loaded: 3, rejected: 0, skipped: 1 });
	});

	test('20: a 2.2 MB line is rejected naming its line and size', async () => {
		const p = `patient_id,office,diagnosis\nP1,Lexington,fbss\nP2,${'x'.repeat(2.2 * 1024 * 1024)},crps\nP3,Danville,fbss\n`;
		const { report } = await load({ 'patients.csv': p });
		expect(file(report, 'patients.csv').problems).toEqual([
			{ line: 3, column: null, value: null, rule: 'the record is 2.2 MB, over the 2 MB limit for one record' }
		]);
		expect(counts(report, 'patients.csv')).toEqual({ read: 3, loaded: 2, rejected: 1, skipped: 0 });
	});

	test('21: case-variant duplicates of a required column are refused; the user may pick one', async () => {
		const pain = 'patient_id,day,Pain,pain,PAIN\nP1,1,5,6,7\n';
		const refused = await load({ 'patients.csv': PATIENTS, 'pain.csv': pain });
		expect(refused.report.refused).toEqual([
			{
				file: 'pain.csv',
				reason:
					'pain.csv: more than one column could be pain_avg; found: "patient_id", "day", "Pain", "pain", "PAIN"'
			}
		]);
		const asked = await load({ 'patients.csv': PATIENTS, 'pain.csv': pain }, { interactive: true });
		const pending = asked.report.pending.find((p) => p.file === 'pain.csv')!;
		expect(pending.mappingReason).toMatch(/more than one column could be pain_avg/);
		const choices = { [pending.key]: { mapping: ['patient_id', 'day', null, 'pain_avg', null] } };
		const { db, report } = await load(
			{ 'patients.csv': PATIENTS, 'pain.csv': pain },
			{ interactive: true, choices }
		);
		expect(file(report, 'pain.csv').warnings).toEqual([
			'ignored column "Pain" (not in the data contract)',
			'ignored column "PAIN" (not in the data contract)'
		]);
		expect(await db.query('SELECT pain_avg FROM pain_scores')).toEqual([{ pain_avg: 6 }]);
	});

	withShared(
		'21: duplicate and empty header names of a generic file are renamed with the mapping shown',
		async () => {
			const { table } = await records(
				await nodeDatabase(),
				'd.csv',
				shared('conformance/duckdb-csv/auto/duplicate_header_columns.csv')
			);
			expect(table.ok && table.columns.slice(0, 3)).toEqual(['a', 'a_2', 'a_3']);
			expect(table.ok && table.columns.at(-1)).toBe('column13');
			expect(table.ok && table.warnings[0]).toMatch(/^renamed 11 columns: "a" -> a_2, "a" -> a_3/);
		}
	);

	test('22: a required column missing is refused naming it and the headers found; a renamed one is matched', async () => {
		const { report } = await load({ 'patients.csv': PATIENTS, 'x.csv': 'patient_id,day,Severity\nP1,1,5\n' });
		expect(report.refused).toEqual([
			{ file: 'x.csv', reason: 'x.csv: no column for pain_avg; found: "patient_id", "day", "Severity"' }
		]);
		const renamed = await load({
			'patients.csv': PATIENTS,
			'x.csv': 'Subject ID,Study Day,Pain Score (0-10)\nP1,1,5\n'
		});
		expect(file(renamed.report, 'x.csv').mapping.columns.map((c) => c.target)).toEqual([
			'patient_id',
			'day',
			'pain_avg'
		]);
		const noDay = await load({ 'patients.csv': PATIENTS, 'x.csv': 'patient_id,pain_avg\nP1,5\n' });
		expect(noDay.report.refused).toEqual([
			{ file: 'x.csv', reason: 'x.csv: no column for day (or date); found: "patient_id", "pain_avg"' }
		]);
	});

	withShared('23: a first record that is data is never taken for a header', async () => {
		const db = await nodeDatabase();
		for (const path of ['thousands_separator/simple_quoted.csv', 'unescaped_quotes/unescaped_quote.csv']) {
			const { table } = await records(db, path, shared(`conformance/duckdb-csv/${path}`));
			expect(table.ok && [table.headerLine, table.read]).toEqual([
				null,
				path.startsWith('thousands') ? 5 : 6
			]);
		}
		// A contract file without its header row is refused, so no data row becomes a header.
		const { report } = await load({ 'patients.csv': 'P1,Lexington,fbss,2020\nP2,Danville,crps,2021\n' });
		expect(report.refused[0]!.reason).toMatch(/no header row matching the data contract/);
	});
});

describe('24-32: values', () => {
	const DATES =
		'patient_id,office,diagnosis,implant_date,trial_date\nA,Lexington,fbss,01/02/2024,12/01/2024\nB,Danville,crps,03/04/2024,03/03/2024\n';

	test('24: dates no value disambiguates are refused from the command line and asked in the app', async () => {
		const cli = await load({ 'patients.csv': DATES });
		expect(cli.report.refused[0]!.reason).toMatch(
			/^patients\.csv: no date decides whether "implant_date", "trial_date" are month\/day\/year or day\/month\/year/
		);
		const asked = await load({ 'patients.csv': DATES }, { interactive: true });
		const p = asked.report.pending[0]!;
		expect(p.dateOrder).toEqual({
			columns: ['implant_date', 'trial_date'],
			reason: expect.stringMatching(/choose the order/)
		});
		// The choice is keyed by the normalised header, so it applies to any file with this header.
		expect(p.key).toBe(headerKey(['patient_id', 'office', 'diagnosis', 'implant_date', 'trial_date']));
		const { db, report } = await load(
			{ 'patients.csv': DATES },
			{ interactive: true, choices: { [p.key]: { dateOrder: 'dmy' } } }
		);
		expect(file(report, 'patients.csv').dialect).toMatchObject({
			dateFormat: 'D/M/YYYY',
			dateOrderFrom: 'choice'
		});
		// D/M: implant 1 Feb 2024, trial 12 Jan 2024 (20 days before); implant 3 Apr, trial 3 Mar (31 days before).
		expect(await db.query('SELECT patient_id, trial_day, implant_year FROM patients ORDER BY 1')).toEqual([
			{ patient_id: 'A', trial_day: -20, implant_year: 2024 },
			{ patient_id: 'B', trial_day: -31, implant_year: 2024 }
		]);
	});

	withShared('24: the mm-dd and dd-mm files decide their own order (12-13-2004 / 13-12-2004)', async () => {
		for (const [path, format] of [
			['auto/time_date_timestamp_mm-dd-yyyy.csv', 'M/D/YYYY'],
			['auto/time_date_timestamp_dd-mm-yyyy.csv', 'D/M/YYYY']
		] as const) {
			const { rows } = await records(await nodeDatabase(), path, shared(`conformance/duckdb-csv/${path}`));
			// Column d: 01-01-2000, 02-02-2002 and the deciding date (12-13-2004 or 13-12-2004), as implant dates.
			const csv =
				'patient_id,office,diagnosis,implant_date,trial_date\n' +
				rows.map((r, i) => `P${i},Lexington,fbss,${r[3]},${r[3]}\n`).join('');
			expect(rows.map((r) => r[3])).toEqual([
				'01-01-2000',
				'02-02-2002',
				path.includes('mm-dd') ? '12-13-2004' : '13-12-2004'
			]);
			const { db, report } = await load({ 'patients.csv': csv });
			expect(file(report, 'patients.csv').dialect).toMatchObject({
				dateFormat: format,
				dateOrderFrom: 'values'
			});
			expect(await db.query('SELECT implant_year FROM patients ORDER BY _line')).toEqual([
				{ implant_year: 2000 },
				{ implant_year: 2002 },
				{ implant_year: 2004 }
			]);
		}
	});

	test('25: mixed date formats: each value by its own format, never reinterpreted; unparsable lines rejected', async () => {
		// The values of duckdb-csv's mixed_dates.csv (ISO dates around one 03/10/2024), and a bad one.
		const values = ['2024-03-08', '2024-03-09', '03/10/2024', '2024-03-11', '2024-03-12', '2024-13-45'];
		const csv =
			'patient_id,office,diagnosis,implant_date\n' +
			values.map((v, i) => `P${i + 1},Lexington,fbss,${v}\n`).join('');
		const asked = await load({ 'patients.csv': csv }, { interactive: true });
		const key = asked.report.pending[0]!.key;
		const { db, report } = await load({ 'patients.csv': csv }, { choices: { [key]: { dateOrder: 'mdy' } } });
		expect(file(report, 'patients.csv').problems).toEqual([
			{
				line: 7,
				column: 'implant_date',
				value: '2024-13-45',
				rule: 'expected a date (YYYY-MM-DD, M/D/YYYY or D/M/YYYY)'
			}
		]);
		expect(file(report, 'patients.csv').warnings.join('\n')).toMatch(
			/mix YYYY-MM-DD dates with A\/B\/YYYY dates/
		);
		const anchors = await db.query<{ anchor: string }>(
			'SELECT CAST(anchor AS VARCHAR) AS anchor FROM __patient_anchor ORDER BY anchor_line'
		);
		expect(anchors.map((a) => a.anchor)).toEqual([
			'2024-03-08',
			'2024-03-09',
			'2024-03-10',
			'2024-03-11',
			'2024-03-12'
		]);
	});

	test('26: Excel serial numbers in a date column are rejected; times are read by their date, zones never applied', async () => {
		const csv =
			'patient_id,office,diagnosis,implant_date\nA,Lexington,fbss,45123\nB,Lexington,fbss,2024-01-02T23:30:00Z\n' +
			'C,Lexington,fbss,2024-01-02 23:30:00-05:00\nD,Lexington,fbss,2024-01-02 00:00:00\n';
		const { db, report } = await load({ 'patients.csv': csv });
		const f = file(report, 'patients.csv');
		expect(f.problems).toEqual([
			{
				line: 2,
				column: 'implant_date',
				value: '45123',
				rule: 'a number, not a date: an Excel serial date? Format the column as dates (YYYY-MM-DD) before exporting'
			}
		]);
		expect(f.warnings).toContain(
			'column "implant_date": 3 values carry a time of day (1 without a time zone, 2 with one); only the calendar date as written is used, never shifted by a time zone'
		);
		const anchors = await db.query<{ anchor: string }>(
			'SELECT CAST(anchor AS VARCHAR) AS anchor FROM __patient_anchor'
		);
		expect(anchors.map((a) => a.anchor)).toEqual(['2024-01-02', '2024-01-02', '2024-01-02']);
	});

	test('27: the documented null spellings are null; other text in a number column is rejected with its line', async () => {
		const pain =
			'patient_id,day,pain_avg,pain_worst\nP1,1,5,NA\nP1,2,5,n/a\nP1,3,5,NULL\nP1,4,5,-\nP1,5,5,.\nP1,6,5,None\nP1,7,5,""\nP1,8,5,unknown\n';
		const { db, report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': pain });
		expect(file(report, 'pain.csv').problems).toEqual([
			{ line: 9, column: 'pain_worst', value: 'unknown', rule: 'expected a number' }
		]);
		expect(
			await db.query('SELECT count(*)::INTEGER AS n, count(pain_worst)::INTEGER AS worst FROM pain_scores')
		).toEqual([{ n: 7, worst: 0 }]);
	});

	test('28: a bad value on line 30,002, past any sniff sample, is rejected by line and column', async () => {
		const rows = Array.from({ length: 30001 }, (_, i) => `P1,${i},${i === 30000 ? 'N/A' : (i % 11) % 10}`);
		const pain = `patient_id,day,pain\n${rows.join('\n')}\n`;
		const { db, report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': pain });
		expect(file(report, 'pain.csv').problems).toEqual([
			{ line: 30002, column: 'pain', value: null, rule: 'required value missing' }
		]);
		expect(counts(report, 'pain.csv')).toEqual({ read: 30001, loaded: 30000, rejected: 1, skipped: 0 });
		// Completeness by the rows materialised, not by count(*) over the file.
		expect(
			await db.query('SELECT count(*)::INTEGER AS n, max(_line)::INTEGER AS last FROM pain_scores')
		).toEqual([{ n: 30000, last: 30001 }]);
	});

	test('29: units and thousands separators in numbers are rejected with a reason, never read as NULL or 0', async () => {
		const oral =
			'patient_id,start_day,days_supply,drug,strength,strength_unit,units_per_day\n' +
			'P1,1,30,oxycodone,5 mg,mg,2\nP1,2,30,oxycodone,"1,200",mg,2\nP1,3,30,oxycodone,7.5mg,mg,2\nP1,4,30,oxycodone,7.5,mg,2\n';
		const { report } = await load({ 'patients.csv': PATIENTS, 'oral.csv': oral });
		expect(file(report, 'oral.csv').problems).toEqual([
			{
				line: 2,
				column: 'strength',
				value: '5 mg',
				rule: 'expected a number without a unit ("mg" belongs in the unit column)'
			},
			{ line: 3, column: 'strength', value: '1,200', rule: 'expected a number without thousands separators' },
			{
				line: 4,
				column: 'strength',
				value: '7.5mg',
				rule: 'expected a number without a unit ("mg" belongs in the unit column)'
			}
		]);
		expect(counts(report, 'oral.csv')).toEqual({ read: 4, loaded: 1, rejected: 3, skipped: 0 });
	});

	test('30: clinically impossible values are rejected per row with their rule', async () => {
		const pain = 'patient_id,day,pain_avg\nP1,1,11\nP1,2,-1\nP1,3,7.55\nP1,4,7.5\n';
		const oral =
			'patient_id,start_day,days_supply,drug,strength,strength_unit,units_per_day,mme_per_day\n' +
			'P1,1,30,morphine,10,mg,1,NaN\nP1,2,30,morphine,10,mg,1,inf\nP1,3,30,morphine,10,mg,1,-5\nP1,4,30,morphine,10,mg,1,10\n';
		const pump =
			'patient_id,day,event,drug,daily_dose,daily_dose_unit\nP1,0,implant,morphine,-1,mg/day\nP1,1,refill,morphine,1,mg/day\n';
		const { report } = await load({
			'patients.csv': PATIENTS,
			'pain.csv': pain,
			'oral.csv': oral,
			'pump.csv': pump
		});
		expect(file(report, 'pain.csv').problems.map((p) => [p.line, p.rule])).toEqual([
			[2, 'expected 0-10'],
			[3, 'expected 0-10'],
			[4, 'expected at most 1 decimal']
		]);
		expect(file(report, 'oral.csv').problems.map((p) => [p.line, p.value, p.rule])).toEqual([
			[2, 'NaN', 'expected a finite number'],
			[3, 'inf', 'expected a finite number'],
			[4, '-5', 'expected at least 0']
		]);
		expect(file(report, 'pump.csv').problems.map((p) => [p.line, p.column, p.rule])).toEqual([
			[2, 'daily_dose', 'expected at least 0']
		]);
	});

	test('31: identifiers with leading zeros or more than 15 digits stay text, exactly as written', async () => {
		const p =
			'patient_id,office,diagnosis,icd10\n00123,Lexington,fbss,M96.1\n12345678901234567890123,Danville,crps,G90.50\n';
		const { db } = await load({ 'patients.csv': p });
		expect(await db.query('SELECT patient_id, icd10 FROM patients ORDER BY _line')).toEqual([
			{ patient_id: '00123', icd10: 'M96.1' },
			{ patient_id: '12345678901234567890123', icd10: 'G90.50' }
		]);
	});

	withShared('31: leading_zeros.csv and comma_in_quotes.csv keep 09001 and 08123', async () => {
		const db = await nodeDatabase();
		const a = await records(db, 'z.csv', shared('conformance/duckdb-csv/leading_zeros.csv'));
		expect(a.rows.map((r) => r[0])).toEqual(['09001', '09002', '09003', '09004', '09005', '09006']);
		const b = await records(db, 'c.csv', shared('conformance/csv-spectrum/csvs/comma_in_quotes.csv'));
		expect(b.rows[0]![4]).toBe('08123');
	});

	test('32: MME that cannot be computed (quantity 0, days_supply 0, no strength) is loaded, warned by reason, and never 0', async () => {
		// The facts of OMOP DRUG_EXPOSURE's opioid rows in the contract's form, beside rows that
		// stay rejects: a negative number, a non-number, a strength without its unit.
		const oral =
			'patient_id,start_day,end_day,days_supply,drug,strength,strength_unit,quantity,units_per_day\n' +
			'P1,1,14,14,oxycodone,10,mg,0,\n' + // 2: quantity 0, no units_per_day: quantity missing, days 1-14
			'P1,20,,0,codeine,15,mg,30,\n' + // 3: days_supply 0 and no end: days supply missing, day 20 only
			'P1,40,,30,tramadol,,,60,\n' + // 4: no strength (nor unit): strength missing, days 40-69
			'P1,80,,30,tramadol,50,mg,60,\n' + // 5: 60 / 30 = 2 a day, 50 x 2 x 0.2 = 20 MME, days 80-109
			'P1,120,,30,oxycodone,-5,mg,60,\n' + // 6: rejected (negative strength)
			'P1,130,,ten,morphine,10,mg,60,\n' + // 7: rejected (not a number)
			'P2,5,,0,buprenorphine,8,mg,0,\n' + // 8: no CDC factor: excluded for that, not counted as not computable
			'P1,150,179,,oxycodone,5,mg,60,\n' + // 9: quantity without days_supply: days supply missing, days 150-179
			'P1,200,,30,morphine,0.0,mg,,2\n' + // 10: strength 0.0: strength missing, days 200-229
			'P1,240,,30,morphine,10,mg,,-1\n' + // 11: rejected (negative units_per_day)
			'P1,250,,30,morphine,10,,,2\n'; // 12: rejected (strength without a unit)
		const { db, report } = await load({ 'patients.csv': PATIENTS, 'oral.csv': oral });
		expect(counts(report, 'oral.csv')).toEqual({ read: 11, loaded: 7, rejected: 4, skipped: 0 });
		expect(file(report, 'oral.csv').problems.map((p) => [p.line, p.column, p.value, p.rule])).toEqual([
			[6, 'strength', '-5', 'expected a number greater than 0'],
			[7, 'days_supply', 'ten', 'expected a whole number'],
			[11, 'units_per_day', '-1', 'expected a number greater than 0'],
			[12, 'strength_unit', null, 'required value missing (strength is given)']
		]);
		const tail = 'loaded, and left out of MME (never counted as 0)';
		expect(file(report, 'oral.csv').warnings).toEqual([
			`MME not computable for 1 row (quantity missing): line 2; ${tail}`,
			`MME not computable for 2 rows (days supply missing): line 3, line 9; ${tail}`,
			`MME not computable for 2 rows (strength missing): line 4, line 10; ${tail}`
		]);
		// 0 is "not recorded": loaded as NULL, never as the number 0.
		expect(
			await db.query(
				'SELECT _line, strength, strength_unit, days_supply, quantity, units_per_day FROM oral_opioids ORDER BY _line'
			)
		).toEqual([
			{ _line: 2, strength: 10, strength_unit: 'mg', days_supply: 14, quantity: null, units_per_day: null },
			{ _line: 3, strength: 15, strength_unit: 'mg', days_supply: null, quantity: 30, units_per_day: null },
			{ _line: 4, strength: null, strength_unit: null, days_supply: 30, quantity: 60, units_per_day: null },
			{ _line: 5, strength: 50, strength_unit: 'mg', days_supply: 30, quantity: 60, units_per_day: null },
			{ _line: 8, strength: 8, strength_unit: 'mg', days_supply: null, quantity: null, units_per_day: null },
			{ _line: 9, strength: 5, strength_unit: 'mg', days_supply: null, quantity: 60, units_per_day: null },
			{ _line: 10, strength: null, strength_unit: 'mg', days_supply: 30, quantity: null, units_per_day: 2 }
		]);

		// The MME chart leaves them out with their count by reason, and never plots them as 0.
		for (const sql of deriveSql()) await db.query(sql);
		const mme = await mmeReport(db, NO_FILTERS, 'cdc2022');
		expect(mme.excluded_prescriptions).toEqual([
			{ reason: 'not computable: days supply missing', n: 2 },
			{ reason: 'not computable: strength missing', n: 2 },
			{ reason: 'no CDC factor', n: 1 },
			{ reason: 'not computable: quantity missing', n: 1 }
		]);
		expect(
			await db.query('SELECT _line, from_day, to_day, mme_per_day FROM mme_prescriptions ORDER BY _line')
		).toEqual([
			{ _line: 2, from_day: 1, to_day: 14, mme_per_day: null },
			{ _line: 3, from_day: 20, to_day: 20, mme_per_day: null },
			{ _line: 4, from_day: 40, to_day: 69, mme_per_day: null },
			{ _line: 5, from_day: 80, to_day: 109, mme_per_day: 20 },
			{ _line: 8, from_day: 5, to_day: 5, mme_per_day: null },
			{ _line: 9, from_day: 150, to_day: 179, mme_per_day: null },
			{ _line: 10, from_day: 200, to_day: 229, mme_per_day: null }
		]);
		// P1 is observed on days 1-229 (no follow-up end: its last covered day). Days covered only by
		// the five: 14 + 1 + 30 + 30 + 30 = 105, all null; 20 MME on 80-109; 0 on the other 94.
		const daily = (where: string) =>
			db.query(
				`SELECT count(*)::INTEGER AS n, min(day) AS first, max(day) AS last FROM mme_daily WHERE patient_id = 'P1' AND ${where}`
			);
		const covered =
			'day BETWEEN 1 AND 14 OR day = 20 OR day BETWEEN 40 AND 69 OR day BETWEEN 150 AND 179 OR day BETWEEN 200 AND 229';
		expect(await daily(`mme IS NULL`)).toEqual([{ n: 105, first: 1, last: 229 }]);
		expect(await daily(`mme IS NULL AND (${covered})`)).toEqual([{ n: 105, first: 1, last: 229 }]);
		expect(await daily('mme = 20')).toEqual([{ n: 30, first: 80, last: 109 }]);
		expect(await daily('mme = 0')).toEqual([{ n: 229 - 105 - 30, first: 15, last: 199 }]);
		expect(
			await db.query(
				`SELECT day, mme FROM mme_daily WHERE patient_id = 'P1' AND day IN (19, 20, 21) ORDER BY day`
			)
		).toEqual([
			{ day: 19, mme: 0 },
			{ day: 20, mme: null },
			{ day: 21, mme: 0 }
		]);
	});

	withShared('32: OMOP DRUG_EXPOSURE is not a contract file: refused, nothing loaded as 0', async () => {
		const { db, report } = await load({
			'patients.csv': PATIENTS,
			'DRUG_EXPOSURE.csv': shared('formats/synthea27nj-omop/DRUG_EXPOSURE.csv')
		});
		expect(report.refused[0]).toEqual({
			file: 'DRUG_EXPOSURE.csv',
			reason: expect.stringMatching(/^DRUG_EXPOSURE\.csv: no header row matching the data contract/)
		});
		expect(await db.query('SELECT count(*)::INTEGER AS n FROM oral_opioids')).toEqual([{ n: 0 }]);
	});
});

describe('33-35: privacy, exports, size', () => {
	const PHI =
		'patient_id,office,diagnosis,age,name,street,phone,email,ssn,mrn,dob,zip,device_serial,notes,rxnorm,ndc,loinc\n' +
		'P1,Lexington,fbss,95,Jane Doe,12 Main St,(859) 555-0101,jane@example.org,123-45-6789,A123,1950-03-04,40502,NGP123456H,Called about refill,1049625,00409-1234-01,72514-3\n' +
		'P2,Danville,crps,44,John Roe,34 Oak Avenue,859.555.0102,john@example.org,987-65-4321,B456,1961-07-08,40422,NGP654321H,Fine,835603,0409-1234-01,72514-3\n';
	const VALUES = [
		'Jane',
		'Main St',
		'555-0101',
		'jane@',
		'123-45-6789',
		'A123',
		'1950-03-04',
		'40502',
		'NGP123456H',
		'refill',
		'95'
	];

	test('33: identifier columns are refused from the command line, naming columns and counts, never values', async () => {
		const { report } = await load({ 'patients.csv': PHI });
		const reason = report.refused[0]!.reason;
		for (const h of [
			'age',
			'name',
			'street',
			'phone',
			'email',
			'ssn',
			'mrn',
			'dob',
			'zip',
			'device_serial',
			'notes'
		])
			expect(reason).toContain(`column "${h}"`);
		for (const decoy of ['rxnorm', 'ndc', 'loinc', 'patient_id', 'office'])
			expect(reason).not.toContain(`"${decoy}"`);
		for (const v of VALUES) expect(JSON.stringify(report)).not.toContain(v);
	});

	test('33: a file without a header row is refused without its first line: fields counted by shape, never shown', async () => {
		// Every field a value the user must not see on screen: a name, an SSN, an e-mail, a phone, a birth date.
		const first = 'Smith, John,123-45-6789,john@x.com,(859) 555-0101,1950-03-04';
		const { report } = await load({
			'export.csv': `${first}\nDoe, Jane,987-65-4321,jane@x.com,(859) 555-0102,1960-01-02\n`
		});
		const reason = report.refused[0]!.reason;
		for (const v of first.split(',')) expect(reason).not.toContain(v.trim());
		// Six comma-separated fields, counted by hand: the two dashed runs of digits look like dates.
		expect(reason).toMatch(
			/^export\.csv: no header row matching the data contract .*; line 1, the first with data, has 6 comma-separated fields \(2 dates, 4 text; values not shown\); it looks like data: is the header row missing\?$/
		);
	});

	test('33: the first line of a refused file is counted with its own delimiter, not always the comma', async () => {
		const { report } = await load({ 'x.csv': '\nsite;year;score;note\nLexington;2020;4,5;\n' });
		expect(report.refused[0]!.reason).toMatch(
			/; line 2, the first with data, has 4 semicolon-separated fields \(4 text; values not shown\)$/
		);
		const one = await load({ 'y.csv': 'hello\nworld\n' });
		expect(one.report.refused[0]!.reason).toMatch(
			/; line 1, the first with data, has 1 field \(1 text; values not shown\)$/
		);
	});

	test('33: in the app the user sees columns and counts, drops them, and no value reaches the problems', async () => {
		const asked = await load({ 'patients.csv': PHI }, { interactive: true });
		const p = asked.report.pending[0]!;
		expect(p.identifiers.map((f) => [f.header, f.kind, f.by, f.matched, f.of])).toEqual([
			['age', 'age_over_89', 'values', 1, 2],
			['name', 'name', 'name', 2, 2],
			['street', 'address', 'name', 2, 2],
			['phone', 'phone', 'name', 2, 2],
			['email', 'email', 'name', 2, 2],
			['ssn', 'ssn', 'name', 2, 2],
			['mrn', 'mrn', 'name', 2, 2],
			['dob', 'birth_date', 'name', 2, 2],
			['zip', 'zip', 'name', 2, 2],
			['device_serial', 'serial', 'name', 2, 2],
			['notes', 'free_text', 'name', 2, 2]
		]);
		for (const v of VALUES) expect(JSON.stringify(asked.report)).not.toContain(v);
		const drop = p.identifiers.map((f) => f.column);
		// Row 2's diagnosis is wrong too: its problem names only its own column.
		const data = PHI.replace('P2,Danville,crps', 'P2,Danville,other_dx');
		const { db, report } = await load(
			{ 'patients.csv': data },
			{ interactive: true, choices: { [p.key]: { drop } } }
		);
		const f = file(report, 'patients.csv');
		expect(f.dropped).toEqual([
			'age',
			'name',
			'street',
			'phone',
			'email',
			'ssn',
			'mrn',
			'dob',
			'zip',
			'device_serial',
			'notes'
		]);
		expect(counts(report, 'patients.csv')).toEqual({ read: 2, loaded: 1, rejected: 1, skipped: 0 });
		const exported = await problemsCsv(db);
		for (const v of VALUES) {
			expect(exported).not.toContain(v);
			expect(JSON.stringify(report)).not.toContain(v);
		}
		expect(await db.query('SELECT age, age_at_implant FROM patients')).toEqual([
			{ age: null, age_at_implant: null }
		]);
	});

	test('33: decoys do not trigger: NDC, RxNorm, LOINC codes, pain scores, doses, pseudonymous ids, days', async () => {
		const pump =
			'patient_id,day,event,drug,daily_dose,daily_dose_unit,ndc,rxnorm,loinc,pain_score,study_code\n' +
			'P1,0,implant,morphine,1.5,mg/day,00409-1234-01,10689,72514-3,10,40502\nP1,10000,refill,morphine,2,mg/day,0409-1234-01,1049625,72514-3,0,40503\n';
		const { report } = await load({ 'patients.csv': PATIENTS, 'pump.csv': pump });
		expect(report.refused).toEqual([]);
		expect(counts(report, 'pump.csv')).toEqual({ read: 2, loaded: 2, rejected: 0, skipped: 0 });
	});

	withShared(
		'33: OMOP PERSON and DEATH: birth dates, source ids and death dates are found, codes are not',
		async () => {
			const person = identifiersInCsv('PERSON.csv', shared('formats/synthea27nj-omop/PERSON.csv'));
			expect(Array.isArray(person) && person.map((f) => [f.header, f.kind])).toEqual([
				['month_of_birth', 'birth_date'],
				['day_of_birth', 'birth_date'],
				['birth_datetime', 'birth_date'],
				['person_source_value', 'mrn']
			]);
			const death = identifiersInCsv('DEATH.csv', shared('formats/synthea27nj-omop/DEATH.csv'));
			expect(Array.isArray(death) && death.map((f) => [f.header, f.kind, f.matched])).toEqual([
				['death_date', 'full_date', 3],
				['death_datetime', 'full_date', 3]
			]);
		}
	);

	test('34: formula payloads are imported as text with a flag, and exported with one leading quote', async () => {
		const p =
			'patient_id,office,diagnosis,provider_id,icd10\nP1,"=HYPERLINK(""http://x"",""click"")",fbss,+1,@SUM\nP2,Danville,crps,-2,"\tM96.1"\n';
		const pain = 'patient_id,day,pain_avg\nP1,1,=1+1\nP2,1,-3\n';
		const { db, report } = await load({ 'patients.csv': p, 'pain.csv': pain });
		expect(await db.query('SELECT office, provider_id, icd10 FROM patients ORDER BY _line')).toEqual([
			{ office: '=HYPERLINK("http://x","click")', provider_id: '+1', icd10: '@SUM' },
			{ office: 'Danville', provider_id: '-2', icd10: '\tM96.1' }
		]);
		expect(file(report, 'patients.csv').warnings.filter((w) => w.includes('formula'))).toHaveLength(3);
		const csv = await problemsCsv(db, 'pain.csv');
		expect(csv).toBe(
			'file,line,column,value,rule\r\n' +
				`"pain.csv",2,"pain_avg","'=1+1","expected a number"\r\n` +
				`"pain.csv",3,"pain_avg","'-3","expected 0-10"\r\n`
		);
		// Round trip: removing the one added quote gives every value back.
		const values = [...csv.matchAll(/^"pain\.csv",\d+,"pain_avg","(.*?)",/gm)].map((m) =>
			m[1]!.replace(/^'/, '')
		);
		expect(values).toEqual(['=1+1', '-3']);
	});

	withShared('35: a 110-column file (real/ontime_sample.csv) loads', async () => {
		const { table, rows } = await records(
			await nodeDatabase(),
			'ontime.csv',
			shared('conformance/duckdb-csv/real/ontime_sample.csv')
		);
		expect(table.ok && [table.columns.length, rows.length]).toEqual([109, 9]);
	});

	test('35: a file over the size limit is refused before reading, naming the limit', async () => {
		const { db } = await load({ 'earlier.csv': 'patient_id,office,diagnosis\nE1,Lexington,fbss\n' });
		const before = await db.query('SELECT patient_id FROM patients');
		expect(before).toEqual([{ patient_id: 'E1' }]);
		const { report } = await load({ 'patients.csv': PATIENTS }, { maxFileBytes: 64 });
		expect(report.refused).toEqual([
			{
				file: 'patients.csv',
				reason: `patients.csv is ${PATIENTS.length} bytes: too large for in-browser import (limit 64 bytes). Split it into smaller files, or use the command-line report`
			}
		]);
		// Nothing of it is read, and what the database held stays (the app's previous dataset).
		expect(report.replaced).toBe(false);
		expect(await db.query('SELECT patient_id FROM patients')).toEqual(before);
	});

	test('35: running out of database memory refuses the file, drops its partial table and leaves the database usable', async () => {
		const db = await nodeDatabase();
		const pain =
			'patient_id,day,pain_avg\n' +
			Array.from({ length: 200_000 }, (_, i) => `P1,${i},${i % 10}`).join('\n') +
			'\n';
		const [{ limit }] = (await db.query<{ limit: string }>(
			`SELECT current_setting('memory_limit') AS limit`
		)) as [{ limit: string }];
		// The limit drops for the statement that reads pain.csv into the database (early, while
		// the scan goes on, or in turn), so patients.csv loads.
		const squeezed: typeof db = {
			async query(sql, params) {
				if (!/^(INSERT INTO|CREATE OR REPLACE TABLE) (__early_\d+_)?pain_scores /.test(sql))
					return db.query(sql, params);
				await db.query("SET memory_limit = '4MB'");
				try {
					return await db.query(sql, params);
				} finally {
					await db.query(`SET memory_limit = '${limit}'`);
				}
			},
			dropBuffer: (name) => db.dropBuffer(name),
			registerBuffer: (name, bytes) => db.registerBuffer(name, bytes)
		};
		let report: ImportReport;
		try {
			report = await importFiles(squeezed, files({ 'patients.csv': PATIENTS, 'pain.csv': pain }));
		} finally {
			// Set back explicitly: RESET updates the setting but leaves the buffer pool at 4 MB (DuckDB 1.4.3).
			await db.query(`SET memory_limit = '${limit}'`);
		}
		expect(report.refused).toEqual([
			{
				file: 'pain.csv',
				reason: expect.stringMatching(
					/^pain\.csv is too large for the memory this browser tab can give the database/
				)
			}
		]);
		expect(await db.query('SELECT count(*)::INTEGER AS n FROM pain_scores')).toEqual([{ n: 0 }]);
		expect(
			await db.query(`SELECT count(*)::INTEGER AS n FROM import_problems WHERE file = 'pain.csv'`)
		).toEqual([{ n: 0 }]);
		expect(counts(report, 'patients.csv')).toEqual({ read: 2, loaded: 2, rejected: 0, skipped: 0 });
	});
});
