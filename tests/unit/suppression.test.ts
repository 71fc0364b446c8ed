import { describe, expect, test } from 'vitest';
import {
	isSmall,
	rateIsSmall,
	showCount,
	showHiddenCount,
	smallLabel,
	suppress,
	type SuppressionCell,
	type SuppressionGroup
} from '../../src/lib/outcomes/suppression';
import { recoverable } from './offices-fixture';

const cell = (id: string, n: number, extra: number[] = []): SuppressionCell => ({
	id,
	counts: [n, ...extra],
	size: n
});

/** What a reader sees of counts after suppression: the value, or null when hidden. */
function published(cells: SuppressionCell[], hidden: Map<string, unknown>): Map<string, number | null> {
	return new Map(cells.map((c) => [c.id, hidden.has(c.id) ? null : c.size]));
}

describe('primary rules (threshold 11)', () => {
	test('counts from 1 to 10 are small; 0 and 11 are not', () => {
		expect([0, 1, 10, 11, 250].map((n) => isSmall(n, 11))).toEqual([false, true, true, false, false]);
		expect([0, 1, 10, 11].map((n) => showCount(n, 11))).toEqual([0, '<11', '<11', 11]);
	});

	test('the threshold is a setting: at 5, counts 1-4 are small and shown as <5', () => {
		expect([0, 1, 4, 5].map((n) => showCount(n, 5))).toEqual([0, '<5', '<5', 5]);
		expect(smallLabel(20)).toBe('<20');
		expect(() => smallLabel(0)).toThrow(/threshold/);
		expect(() => smallLabel(2.5)).toThrow(/threshold/);
	});

	test('a rate is hidden when n, k or n - k is small', () => {
		expect(rateIsSmall(40, 20, 11)).toBe(false);
		expect(rateIsSmall(8, 0, 11)).toBe(true); // n small
		expect(rateIsSmall(40, 10, 11)).toBe(true); // k small
		expect(rateIsSmall(40, 33, 11)).toBe(true); // n - k = 7
		expect(rateIsSmall(40, 40, 11)).toBe(false); // n - k = 0 reveals nobody
		expect(rateIsSmall(40, 0, 11)).toBe(false);
	});

	test('a hidden count is <11 when small, otherwise null (never its value, not even 0)', () => {
		expect(showHiddenCount(7, true, 11)).toBe('<11');
		expect(showHiddenCount(30, true, 11)).toBeNull();
		expect(showHiddenCount(0, true, 11)).toBeNull();
		expect(showHiddenCount(30, false, 11)).toBe(30);
	});
});

describe('complementary suppression', () => {
	test('one small provider hides the next smallest sibling, so the office total gives nothing away', () => {
		// Office 45 = A 25 + B 13 + C 7. C alone hidden: 45 - 25 - 13 = 7.
		const cells = [cell('office', 45), cell('A', 25), cell('B', 13), cell('C', 7)];
		const groups = [{ total: 'office', members: ['A', 'B', 'C'] }];
		const naive = new Map(cells.map((c) => [c.id, c.id === 'C' ? null : c.size]));
		expect(recoverable(naive, groups)).toEqual(['C']);

		const hidden = suppress(cells, groups, 11);
		expect([...hidden.entries()]).toEqual([
			['C', 'primary'],
			['B', 'complementary']
		]);
		expect(recoverable(published(cells, hidden), groups)).toEqual([]);
	});

	test('ties on size are broken by id, so the result does not depend on input order', () => {
		const cells = [cell('office', 60), cell('Z', 20), cell('Y', 20), cell('X', 5), cell('W', 15)];
		const groups = [{ total: 'office', members: ['Z', 'Y', 'X', 'W'] }];
		expect([...suppress(cells, groups, 11).keys()]).toEqual(['X', 'W']);
		const tied = [cell('office', 45), cell('Z', 20), cell('Y', 20), cell('X', 5)];
		expect([...suppress(tied, [{ total: 'office', members: ['Z', 'Y', 'X'] }], 11).keys()]).toEqual([
			'X',
			'Y'
		]);
		expect([
			...suppress([...tied].reverse(), [{ total: 'office', members: ['X', 'Y', 'Z'] }], 11).keys()
		]).toEqual(['X', 'Y']);
	});

	test('a cell published elsewhere (keep) is passed over while another can be hidden, and hidden when none can', () => {
		// Due 295 = all-implanted 286 + left out 9: 286 is the complement, unless another section
		// publishes it (the offices' target); then due goes.
		const cells = [cell('due', 295), cell('all', 286), cell('out', 9)];
		const groups = [{ total: 'due', members: ['all', 'out'] }];
		expect(Object.fromEntries(suppress(cells, groups, 11))).toEqual({ out: 'primary', all: 'complementary' });
		const kept = cells.map((c) => (c.id === 'all' ? { ...c, keep: true } : c));
		const hidden = suppress(kept, groups, 11);
		expect(Object.fromEntries(hidden)).toEqual({ out: 'primary', due: 'complementary' });
		expect(recoverable(published(kept, hidden), groups)).toEqual([]);
		// Every other cell kept too: the small cell still may not be recovered, so a kept one goes.
		const allKept = cells.map((c) => (c.id === 'out' ? c : { ...c, keep: true }));
		const forced = suppress(allKept, groups, 11);
		expect(Object.fromEntries(forced)).toEqual({ out: 'primary', all: 'complementary' });
		expect(recoverable(published(allKept, forced), groups)).toEqual([]);
	});

	test('two small siblings protect each other: nothing more is hidden', () => {
		const cells = [cell('office', 50), cell('A', 35), cell('B', 8), cell('C', 7)];
		const hidden = suppress(cells, [{ total: 'office', members: ['A', 'B', 'C'] }], 11);
		expect([...hidden.keys()].sort()).toEqual(['B', 'C']);
	});

	test('a sibling of size 0 is never the complement; with no other sibling the total is hidden', () => {
		// Total 19 = A 12 + B 7 + Z 0: B is small; hiding Z (0) would leave B = 19 - 12.
		const cells = [cell('office', 19), cell('A', 12), cell('B', 7), cell('Z', 0)];
		const groups = [{ total: 'office', members: ['A', 'B', 'Z'] }];
		expect([...suppress(cells, groups, 11).keys()]).toEqual(['B', 'A']);
		// Only zeros beside the small cell: the total goes.
		const lonely = [cell('office', 7), cell('B', 7), cell('Z', 0)];
		const g2 = [{ total: 'office', members: ['B', 'Z'] }];
		// (The total 7 is small itself here; the rule would hide a large total the same way.)
		expect(Object.fromEntries(suppress(lonely, g2, 11))).toEqual({ office: 'primary', B: 'primary' });
		const large = [cell('office', 20), { id: 'B', counts: [7], size: 20 }, cell('Z', 0)];
		expect(Object.fromEntries(suppress(large, g2, 11))).toEqual({ B: 'primary', office: 'complementary' });
	});

	test('a group whose total is the complement hides the total, and the total then protects its own members', () => {
		// Due 141 = scored 135 + unscored 6: the 6 goes, and due with it (the scores stay). Due is
		// also all-implanted 137 + left out 4: with due hidden, the 4 needs no further complement.
		const cells = [cell('due', 141), cell('n', 135), cell('unscored', 6), cell('all', 137), cell('out', 4)];
		// (Listed second: such a group is resolved first, whatever the order.)
		const groups: SuppressionGroup[] = [
			{ total: 'due', members: ['all', 'out'] },
			{ total: 'due', members: ['n', 'unscored'], complementTotal: true }
		];
		const hidden = suppress(cells, groups, 11);
		expect(Object.fromEntries(hidden)).toEqual({ unscored: 'primary', out: 'primary', due: 'complementary' });
		expect(recoverable(published(cells, hidden), groups)).toEqual([]);
		// Without the flag the sibling goes (n), and then the total too (all would give out back).
		const plain = groups.map((g) => ({ total: g.total, members: g.members }));
		expect(Object.fromEntries(suppress(cells, plain, 11))).toEqual({
			unscored: 'primary',
			out: 'primary',
			n: 'complementary',
			all: 'complementary'
		});
	});

	test('a hidden total with every member shown hides the smallest member (the sum would give it back)', () => {
		// Practice 100 = offices P 40 + Q 50 + R 10. R small -> Q? no: next smallest is P (40).
		// P hidden complementarily; P = P1 20 + P2 20 would rebuild P, so P1 (tie broken by id) goes too.
		const cells = [
			cell('practice', 100),
			cell('P', 40),
			cell('Q', 50),
			cell('R', 10),
			cell('P1', 20),
			cell('P2', 20)
		];
		const groups: SuppressionGroup[] = [
			{ total: 'practice', members: ['P', 'Q', 'R'] },
			{ total: 'P', members: ['P1', 'P2'] }
		];
		const hidden = suppress(cells, groups, 11);
		expect(Object.fromEntries(hidden)).toEqual({ R: 'primary', P: 'complementary', P1: 'complementary' });
		expect(recoverable(published(cells, hidden), groups)).toEqual([]);
	});

	test('a cell that is never shown (no provider code) counts as hidden for its siblings', () => {
		// Office 50 = A 30 + B 18 + (no code) 2: the uncoded 2 would be 50 - 30 - 18.
		const cells = [cell('office', 50), cell('A', 30), cell('B', 18), { ...cell('none', 2), unseen: true }];
		const groups = [{ total: 'office', members: ['A', 'B', 'none'] }];
		const hidden = suppress(cells, groups, 11);
		expect(Object.fromEntries(hidden)).toEqual({ none: 'unseen', B: 'complementary' });
		expect(recoverable(published(cells, hidden), groups)).toEqual([]);
	});

	test('two-way tables: hiding a complement in a row re-checks its column until nothing changes', () => {
		// Rows = offices, columns = categories, with row, column and grand totals shown.
		//          c1  c2  c3 | total
		//   P      30  20   4 |  54
		//   Q      25  15  12 |  52
		//   total  55  35  16 | 106
		const v: Record<string, number> = { P1: 30, P2: 20, P3: 4, Q1: 25, Q2: 15, Q3: 12 };
		v.P = 54;
		v.Q = 52;
		v.T1 = 55;
		v.T2 = 35;
		v.T3 = 16;
		v.T = 106;
		const cells = Object.entries(v).map(([id, n]) => cell(id, n));
		const groups: SuppressionGroup[] = [
			{ total: 'P', members: ['P1', 'P2', 'P3'] },
			{ total: 'Q', members: ['Q1', 'Q2', 'Q3'] },
			{ total: 'T1', members: ['P1', 'Q1'] },
			{ total: 'T2', members: ['P2', 'Q2'] },
			{ total: 'T3', members: ['P3', 'Q3'] },
			{ total: 'T', members: ['P', 'Q'] },
			{ total: 'T', members: ['T1', 'T2', 'T3'] }
		];
		const hidden = suppress(cells, groups, 11);
		expect(hidden.get('P3')).toBe('primary');
		// Every row and column with a hidden cell has at least two.
		for (const g of groups) {
			const n = g.members.filter((m) => hidden.has(m)).length;
			if (!hidden.has(g.total)) expect(n === 0 || n >= 2, `group ${g.total}: ${n} hidden`).toBe(true);
		}
		expect(recoverable(published(cells, hidden), groups)).toEqual([]);
	});

	test('rejects a group naming an unknown cell', () => {
		expect(() => suppress([cell('a', 5)], [{ total: 'a', members: ['b'] }], 11)).toThrow(/unknown cell b/);
	});
});

describe('the recoverability check itself', () => {
	test('finds a cell pinned down through two equations, and not one left free', () => {
		// T = A + B (A hidden, B hidden), B = B1 + B2 (B hidden, B1 20 and B2 hidden) with B2 = C (shown 5)
		// through a third group: B2 is known, so B = 25 and A = T - 25.
		const values = new Map<string, number | null>([
			['T', 60],
			['A', null],
			['B', null],
			['B1', 20],
			['B2', null],
			['C', 5]
		]);
		const groups = [
			{ total: 'T', members: ['A', 'B'] },
			{ total: 'B', members: ['B1', 'B2'] },
			{ total: 'C', members: ['B2'] }
		];
		expect(recoverable(values, groups)).toEqual(['A', 'B', 'B2']);
		expect(recoverable(values, groups.slice(0, 2))).toEqual([]);
	});
});
