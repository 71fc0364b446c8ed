export function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}

/** Rounds half away from zero to `decimals` places; never returns -0. */
export function roundTo(value: number, decimals: number): number {
	const scale = 10 ** decimals;
	const rounded = (Math.sign(value) * Math.round(Math.abs(value) * scale)) / scale;
	return rounded === 0 ? 0 : rounded;
}
