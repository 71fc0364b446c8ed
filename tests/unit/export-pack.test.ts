import { describe, expect, test } from 'vitest';
import { columnsCsv, toCsv } from '../../src/lib/export/csv';
import { gather, packRows, tableRows, transferList, type Declared } from '../../src/lib/export/pack';
import type { BundleContent } from '../../src/lib/export/write';
import { NO_FILTERS } from '../../src/lib/sql';
import { DEFAULT_SETTINGS } from '../../src/lib/outcomes';

/*
 * The bundle's tables as columns of typed arrays (src/lib/export/pack.ts): packed from rows where
 * an engine gives rows, moved to the bundle worker (src/lib/export/writerWorker.ts) by transfer,
 * and written as CSV without ever becoming rows again. Every kind of cell must come back as it
 * went, nulls included, and the CSV written from columns must be the CSV written from rows.
 */
const DECLARED: Declared[] = [
	{ name: 'patient_id', type: 'text' },
	{ name: 'day', type: 'integer' },
	{ name: 'pain', type: 'double' },
	{ name: 'implanted', type: 'boolean' }
];

const ROWS = [
	{ patient_id: 'X0001', day: -30, pain: 7.5, implanted: true },
	{ patient_id: "=1+2, 'quoted'", day: 0, pain: 0.1 + 0.2, implanted: false },
	{ patient_id: null, day: null, pain: null, implanted: null },
	{ patient_id: 'X0001', day: 2147483647, pain: -0.25, implanted: true },
	{ patient_id: 'say "hi"\r\nDänemark', day: 3, pain: 1e-7, implanted: false }
];

function content(rows: Record<string, unknown>[]): BundleContent {
	const packed = packRows(DECLARED, rows);
	return {
		tables: [
			{
				file: 'patients',
				title: 'one row per patient',
				columns: DECLARED.map((d) => ({ ...d, description: '', source: '' })),
				length: packed.length,
				data: packed.columns,
				order: null
			}
		],
		filters: NO_FILTERS,
		settings: DEFAULT_SETTINGS,
		coarsening: { dropOffice: false, wideAgeBands: false },
		k: { patients: 3, classes: 2, smallest: 1, patients_below: 1 } as unknown as BundleContent['k'],
		passed: false,
		confirmation: 'yes',
		source: 'demo',
		report: null,
		inputs: null,
		now: new Date('2026-01-02T03:04:05Z')
	};
}

// The BOM kept: TextDecoder drops it unless told not to.
const text = (bytes: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

describe('the bundle tables as columns', () => {
	test('every cell survives packing and the trip to the worker: text, integers, doubles, booleans, nulls', () => {
		const sent = content(ROWS);
		const transfer = transferList(sent);
		// Text: codes; integer and double: values and nulls each; boolean: one array. Six buffers, moved.
		expect(transfer).toHaveLength(6);
		const text = sent.tables[0]!.data[0]!;
		expect(text).toMatchObject({
			kind: 'text',
			dictionary: ['X0001', "=1+2, 'quoted'", 'say "hi"\r\nDänemark']
		});
		const back = structuredClone(sent, { transfer });
		// Moved, not copied: the page's arrays are empty now.
		expect(transfer.every((b) => b.byteLength === 0)).toBe(true);
		expect(tableRows(back.tables[0]!)).toEqual(ROWS);
		expect(Object.keys(tableRows(back.tables[0]!)[0]!)).toEqual(['patient_id', 'day', 'pain', 'implanted']);
		expect(back.now).toEqual(new Date('2026-01-02T03:04:05Z'));
	});

	test('the order the rows are written in travels with them', () => {
		const sent = content(ROWS);
		const order = Int32Array.from([4, 3, 2, 1, 0]);
		sent.tables[0]!.order = order;
		const transfer = transferList(sent);
		expect(transfer).toHaveLength(7);
		expect(transfer).toContain(order.buffer);
		const back = structuredClone(sent, { transfer });
		expect([...back.tables[0]!.order!]).toEqual([4, 3, 2, 1, 0]);
	});

	test('only the declared columns are packed, and a value of the wrong type is refused', () => {
		const packed = packRows(DECLARED, [
			{ patient_id: 'X1', day: 1, pain: 2, implanted: true, source_line: 9 }
		]);
		expect(packed.names).toEqual(['patient_id', 'day', 'pain', 'implanted']);
		expect(() => packRows(DECLARED, [{ patient_id: 'X1', day: '1', pain: 2, implanted: true }])).toThrow(
			'column day (integer) got string 1'
		);
		expect(() => packRows(DECLARED, [{ patient_id: 'X1', day: 1.5, pain: 2, implanted: true }])).toThrow(
			'column day (integer) got number 1.5'
		);
		expect(() => packRows(DECLARED, [{ patient_id: 7, day: 1, pain: 2, implanted: true }])).toThrow(
			'column patient_id (text) got number 7'
		);
	});

	test('gather takes rows in the order given, of every kind', () => {
		const t = content(ROWS).tables[0]!;
		const order = Int32Array.from([4, 0, 2, 0]);
		const data = t.data.map((c) => gather(c, order));
		expect(tableRows({ ...t, length: 4, data })).toEqual([ROWS[4], ROWS[0], ROWS[2], ROWS[0]]);
	});

	test('the CSV written from columns is, byte for byte, the CSV written from rows', () => {
		const t = content(ROWS).tables[0]!;
		const names = DECLARED.map((d) => d.name);
		const fromRows = toCsv(names, ROWS);
		const fromColumns = columnsCsv(names, t.data, t.length);
		expect(text(fromColumns.bytes)).toBe(fromRows.text);
		expect(fromColumns.prefixed).toEqual(fromRows.prefixed);
		expect(fromColumns.prefixed).toEqual(['patient_id']);
		// More rows than one encoded chunk (8,192), and a table of no rows.
		const many = Array.from({ length: 20_000 }, (_, i) => ROWS[i % ROWS.length]!);
		const big = content(many).tables[0]!;
		expect(text(columnsCsv(names, big.data, big.length).bytes)).toBe(toCsv(names, many).text);
		const none = content([]).tables[0]!;
		expect(text(columnsCsv(names, none.data, 0).bytes)).toBe(toCsv(names, []).text);
	});

	test('a risky text that no row uses does not mark its column as prefixed', () => {
		const t = content(ROWS).tables[0]!;
		// Rows 0 and 2 only: "=1+2, ..." is in the dictionary but not in these rows.
		const data = t.data.map((c) => gather(c, Int32Array.from([0, 2])));
		expect(columnsCsv(['patient_id', 'day', 'pain', 'implanted'], data, 2).prefixed).toEqual([]);
	});
});
