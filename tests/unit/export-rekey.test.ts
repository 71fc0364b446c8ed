import { describe, expect, test } from 'vitest';
import { cryptoRandomInt, rekeyPatients, type RandomInt } from '../../src/lib/export';

/** A seeded generator (mulberry32), so a failure can be replayed. */
function seeded(seed: number): RandomInt {
	let a = seed;
	return (bound) => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * bound);
	};
}

const SOURCE = Array.from({ length: 500 }, (_, i) => `P${String(i + 1).padStart(6, '0')}`);

function expectBijection(map: Map<string, string>, source: string[]) {
	expect([...map.keys()].sort()).toEqual([...source].sort());
	const values = [...map.values()];
	expect(new Set(values).size).toBe(source.length);
	const width = Math.max(4, String(source.length).length);
	const expected = Array.from({ length: source.length }, (_, i) => `X${String(i + 1).padStart(width, '0')}`);
	expect([...values].sort()).toEqual(expected);
}

describe('rekeyPatients', () => {
	test('maps every source id to exactly one new id, X0001..Xn', () => {
		expectBijection(rekeyPatients(SOURCE, seeded(1)), SOURCE);
		expectBijection(rekeyPatients(['b', 'a', 'c'], seeded(2)), ['a', 'b', 'c']);
		expectBijection(rekeyPatients(['only'], seeded(3)), ['only']);
		expect(rekeyPatients([], seeded(4)).size).toBe(0);
	});

	test('widens the ids past 9999 patients', () => {
		const many = Array.from({ length: 10_000 }, (_, i) => `s${i}`);
		const map = rekeyPatients(many, seeded(5));
		expect(new Set(map.values()).size).toBe(10_000);
		expect([...map.values()].every((v) => /^X\d{5}$/.test(v))).toBe(true);
	});

	test('ignores repeated source ids', () => {
		expectBijection(rekeyPatients(['a', 'b', 'a'], seeded(6)), ['a', 'b']);
	});

	test('draws a different key for every export', () => {
		const a = rekeyPatients(SOURCE, seeded(7));
		const b = rekeyPatients(SOURCE, seeded(8));
		const same = SOURCE.filter((id) => a.get(id) === b.get(id)).length;
		// Two random permutations of 500 agree on about 1 position.
		expect(same).toBeLessThan(10);
		// With the page's own generator: equal only with probability 1 / 500!.
		const c = rekeyPatients(SOURCE);
		const d = rekeyPatients(SOURCE);
		expectBijection(c, SOURCE);
		expect([...c.entries()]).not.toEqual([...d.entries()]);
	});

	test('keeps nothing of the source order', () => {
		const map = rekeyPatients(SOURCE, seeded(9));
		const inOrder = SOURCE.filter((id, i) => map.get(id) === `X${String(i + 1).padStart(4, '0')}`).length;
		expect(inOrder).toBeLessThan(10);
	});
});

describe('cryptoRandomInt', () => {
	test('stays in range and covers it', () => {
		const seen = new Set<number>();
		for (let i = 0; i < 2000; i++) {
			const x = cryptoRandomInt(7);
			expect(Number.isInteger(x) && x >= 0 && x < 7).toBe(true);
			seen.add(x);
		}
		expect(seen.size).toBe(7);
		expect(cryptoRandomInt(1)).toBe(0);
		expect(() => cryptoRandomInt(0)).toThrow();
	});
});
