/** A uniform random integer in [0, bound); injected in tests, crypto.getRandomValues otherwise. */
export type RandomInt = (bound: number) => number;

/** Unbiased: draws again when a 32-bit draw falls in the incomplete last block. */
export const cryptoRandomInt: RandomInt = (bound) => {
	if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32) throw new Error(`bad bound ${bound}`);
	const limit = 2 ** 32 - (2 ** 32 % bound);
	const draw = new Uint32Array(1);
	for (;;) {
		crypto.getRandomValues(draw);
		if (draw[0]! < limit) return draw[0]! % bound;
	}
};

/**
 * New patient ids for one export: a random permutation of X0001..Xn over the source ids, drawn
 * afresh for every export (the permutation is the per-export key, and it is never kept). The
 * result is a bijection by construction, carries nothing of the source id or its order, and two
 * exports of the same cohort cannot be joined on it. Rows should be written in the new ids' order,
 * so that file order does not leak the source order either.
 */
export function rekeyPatients(
	sourceIds: Iterable<string>,
	random: RandomInt = cryptoRandomInt
): Map<string, string> {
	const ids = [...new Set(sourceIds)];
	const n = ids.length;
	const width = Math.max(4, String(n).length);
	const slots = Array.from({ length: n }, (_, i) => i);
	// Fisher-Yates
	for (let i = n - 1; i > 0; i--) {
		const j = random(i + 1);
		[slots[i], slots[j]] = [slots[j]!, slots[i]!];
	}
	return new Map(ids.map((id, i) => [id, `X${String(slots[i]! + 1).padStart(width, '0')}`]));
}
