import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, test } from 'vitest';
import type { Column } from '../../src/lib/db/columns';
import { toParquet } from '../../src/lib/export/parquet';
import type { ExportColumn } from '../../src/lib/export/tables';

const numbers = (values: (number | null)[]): Column => ({
	kind: 'number',
	values: Float64Array.from(values, (v) => v ?? 0),
	nulls: Uint8Array.from(values, (v) => (v === null ? 1 : 0))
});
const column = (name: string, type: ExportColumn['type']) => ({ name, type }) as ExportColumn;

// toParquet hands number columns without nulls to the writer as typed arrays. The file must be the
// one the writer makes from plain values (as every column went before), byte for byte.
describe('Parquet from typed columns', () => {
	const n = 5000;
	const day = Array.from({ length: n }, (_, i) => (i % 900) - 100);
	const dose = Array.from({ length: n }, (_, i) => Math.round((i % 1000) * 0.37 * 100) / 100);
	const gaps = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i));
	const columns = [
		column('day', 'integer'),
		column('dose', 'double'),
		column('gaps', 'integer'),
		column('gappy_dose', 'double')
	];
	const data = [
		numbers(day),
		numbers(dose),
		numbers(gaps),
		numbers(gaps.map((v) => (v === null ? v : v / 8)))
	];

	test('the same file as from plain values, and it reads back', async () => {
		const bytes = toParquet(columns, data, n, 'test');
		const plain = new Uint8Array(
			parquetWriteBuffer({
				createdBy: 'test',
				columnData: [
					{ name: 'day', type: 'INT32', nullable: true, data: day },
					{ name: 'dose', type: 'DOUBLE', nullable: true, data: dose },
					{ name: 'gaps', type: 'INT32', nullable: true, data: gaps },
					{
						name: 'gappy_dose',
						type: 'DOUBLE',
						nullable: true,
						data: gaps.map((v) => (v === null ? v : v / 8))
					}
				]
			})
		);
		expect(bytes).toEqual(plain);
		const rows = await parquetReadObjects({ file: bytes.buffer as ArrayBuffer });
		expect(rows.map((r) => r.day)).toEqual(day);
		expect(rows.map((r) => r.dose)).toEqual(dose);
		expect(rows[7]).toMatchObject({ gaps: null, gappy_dose: null });
	});

	test('an integer column refuses a fraction or a number INT32 cannot hold, with or without nulls', () => {
		for (const values of [
			[1, 2.5],
			[1, 2 ** 31],
			[null, 2.5],
			[null, -(2 ** 31) - 1]
		])
			expect(() => toParquet([column('x', 'integer')], [numbers(values)], 2, 'test')).toThrow(
				/column x \(integer\) got number/
			);
	});
});
