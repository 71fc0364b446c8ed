import { describe, expect, test } from 'vitest';
import { codeLabel, DIAGNOSES, PROGRAMS } from '../../src/lib/contract';

describe('readable names for codes', () => {
	test('every diagnosis and program code has its own name, never the bare code', () => {
		for (const [column, codes] of [
			['diagnosis', DIAGNOSES],
			['program', PROGRAMS]
		] as const) {
			const names = codes.map((c) => codeLabel(column, c));
			expect(new Set(names).size, column).toBe(codes.length);
			for (const [i, c] of codes.entries()) expect(names[i], c).not.toBe(c);
		}
		expect(codeLabel('diagnosis', 'fbss')).toBe('Failed back surgery syndrome');
		expect(codeLabel('diagnosis', 'crps')).toBe('Complex regional pain syndrome');
	});

	test('a code without a name reads with spaces for underscores; other columns are untouched', () => {
		expect(codeLabel('diagnosis', 'not_in_contract')).toBe('not in contract');
		expect(codeLabel('office', 'Lexington')).toBe('Lexington');
		expect(codeLabel('mme_band', '50-89')).toBe('50-89');
	});
});
