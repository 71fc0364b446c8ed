import { describe, expect, test } from 'vitest';
import { packContent, unpackContent } from '../../src/lib/export/pack';
import type { BundleContent } from '../../src/lib/export/write';
import { NO_FILTERS } from '../../src/lib/sql';
import { DEFAULT_SETTINGS } from '../../src/lib/outcomes';

/*
 * The tables' trip to the bundle worker (src/lib/export/writerWorker.ts): packed into typed arrays
 * on the page, unpacked there. Every kind of cell must come back as it went, nulls included, and
 * only the declared columns travel.
 */
const content = (rows: Record<string, string | number | boolean | null>[]): BundleContent => ({
	tables: [
		{
			file: 'patients',
			title: 'one row per patient',
			columns: [
				{ name: 'patient_id', type: 'text', description: '', source: '' },
				{ name: 'day', type: 'integer', description: '', source: '' },
				{ name: 'pain', type: 'double', description: '', source: '' },
				{ name: 'implanted', type: 'boolean', description: '', source: '' }
			],
			rows
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
});

describe('packing the tables for the bundle worker', () => {
	test('every cell comes back as it went: text, integers, doubles, booleans and nulls', () => {
		const rows = [
			{ patient_id: 'X0001', day: -30, pain: 7.5, implanted: true },
			{ patient_id: "=1+2, 'quoted'", day: 0, pain: 0.1 + 0.2, implanted: false },
			{ patient_id: null, day: null, pain: null, implanted: null },
			{ patient_id: 'X0001', day: 2147483647, pain: -0.25, implanted: true }
		];
		const { packed, transfer } = packContent(content(rows));
		// Text: codes; integer and double: values and nulls each; boolean: one array. Six buffers, moved.
		expect(transfer).toHaveLength(6);
		const text = packed.tables[0]!.packed[0]!;
		expect(text).toMatchObject({ kind: 'text', dictionary: ['X0001', "=1+2, 'quoted'"] });
		const back = unpackContent(structuredClone(packed, { transfer }));
		expect(back.tables[0]!.rows).toEqual(rows);
		expect(Object.keys(back.tables[0]!.rows[0]!)).toEqual(['patient_id', 'day', 'pain', 'implanted']);
		expect(back.now).toEqual(new Date('2026-01-02T03:04:05Z'));
	});

	test('only the declared columns travel, and a value of the wrong type is refused', () => {
		const back = unpackContent(
			packContent(content([{ patient_id: 'X1', day: 1, pain: 2, implanted: true, source_line: 9 }])).packed
		);
		expect(back.tables[0]!.rows).toEqual([{ patient_id: 'X1', day: 1, pain: 2, implanted: true }]);
		expect(() => packContent(content([{ patient_id: 'X1', day: '1', pain: 2, implanted: true }]))).toThrow(
			'column day (integer) got string 1'
		);
	});
});
