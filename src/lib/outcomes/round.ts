/** Round half away from zero (outcomes.md section 0), unlike Math.round which rounds -2.5 to -2. */
export function roundHalfAway(x: number, digits = 0): number {
	const f = 10 ** digits;
	const scaled = Math.abs(x) * f;
	// Guard against binary representation: 1.005 * 100 is 100.49999999999999.
	const r = Math.round(scaled + Number.EPSILON * scaled * 4);
	return (Math.sign(x) * r) / f;
}

/** Display a number with fixed decimals, half away from zero; null shows as an en dash. */
export function formatNumber(x: number | null | undefined, digits = 1): string {
	if (x === null || x === undefined || Number.isNaN(x)) return '–';
	return roundHalfAway(x, digits).toFixed(digits);
}
