import { describe, expect, test } from 'vitest';
import { csvField, toCsv, unneutralise, type Cell } from '../../src/lib/export';

// OWASP CSV Injection: text beginning with = + - @ tab CR LF gets one leading '. So does text
// beginning with ' (then removing one leading ' is always exact). Numbers are never prefixed.
const CASES: [string, Cell, string, boolean][] = [
	['plain text', 'Lexington', 'Lexington', false],
	['a formula', '=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`, true],
	['a plus sign', '+1', "'+1", true],
	['a minus sign in text', '-3', "'-3", true],
	['an at sign', '@SUM(A1)', "'@SUM(A1)", true],
	['a leading tab', '\tx', "'\tx", true],
	['a leading carriage return', '\r=1', `"'\r=1"`, true],
	['a leading line feed', '\n=1', `"'\n=1"`, true],
	['a leading apostrophe', "'=1", "''=1", true],
	['an apostrophe inside', "O'Brien", "O'Brien", false],
	['an equals sign inside', 'a=b', 'a=b', false],
	['a leading space before =', ' =1', ' =1', false],
	['a comma', 'a,b', '"a,b"', false],
	['a quote', 'say "hi"', '"say ""hi"""', false],
	['a line feed inside', 'a\nb', '"a\nb"', false],
	['an empty string', '', '', false],
	['a negative number', -2.1, '-2.1', false],
	['a negative integer', -3, '-3', false],
	['zero', 0, '0', false],
	['a tiny number', 1e-7, '1e-7', false],
	['a double with 17 significant digits', 0.1 + 0.2, '0.30000000000000004', false],
	['a large number', 1e21, '1e+21', false],
	['true', true, 'true', false],
	['false', false, 'false', false],
	['a missing value', null, '', false]
];

describe('csvField', () => {
	test.each(CASES)('writes %s', (_, value, field, prefixed) => {
		expect(csvField(value)).toEqual({ field, prefixed });
	});

	test.each(CASES.filter(([, v]) => typeof v === 'string'))(
		'restores %s by removing one leading apostrophe',
		(_, value) => {
			const field = csvField(value).field;
			const unquoted = field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
			expect(unneutralise(unquoted)).toBe(value);
		}
	);

	test.each(CASES.filter(([, v]) => typeof v === 'number'))('reads %s back bit for bit', (_, value) => {
		expect(Number(csvField(value).field)).toBe(value);
	});

	test('refuses a value that is not a finite number', () => {
		expect(() => csvField(Number.NaN)).toThrow(/NaN/);
		expect(() => csvField(Number.POSITIVE_INFINITY)).toThrow(/Infinity/);
	});
});

describe('toCsv', () => {
	test('writes a byte order mark, a header, CRLF records and the prefixed columns', () => {
		const out = toCsv(
			['id', 'office', 'change'],
			[
				{ id: 'X1', office: '=1+1', change: -1.5 },
				{ id: 'X2', office: 'Danville', change: null },
				{ id: '-X3', office: null, change: 2 }
			]
		);
		expect(out.text).toBe("\uFEFFid,office,change\r\nX1,'=1+1,-1.5\r\nX2,Danville,\r\n'-X3,,2\r\n");
		expect(out.prefixed).toEqual(['id', 'office']);
	});

	test('lists no column when nothing was prefixed, and writes missing keys as empty', () => {
		const out = toCsv(['a', 'b'], [{ a: 1 }]);
		expect(out).toEqual({ text: '\uFEFFa,b\r\n1,\r\n', prefixed: [] });
	});
});
