import { formatNumber, type Interval } from '$lib/outcomes';

/** "4.1 (3.3 to 4.9)"; the interval is left out when there is none. */
export function withInterval(value: number | null, ci: Interval | null, digits = 1): string {
	if (value === null) return '–';
	return ci === null
		? formatNumber(value, digits)
		: `${formatNumber(value, digits)} (${formatNumber(ci[0], digits)} to ${formatNumber(ci[1], digits)})`;
}

/** "4.0 (3.0-5.0)": a median with its interquartile range. */
export function medianIqr(median: number | null, q1: number | null, q3: number | null, digits = 1): string {
	if (median === null) return '–';
	return `${formatNumber(median, digits)} (${formatNumber(q1, digits)}-${formatNumber(q3, digits)})`;
}

/** A proportion as "12/20, 60.0% (38.7-78.1)": k/n, the percent and its interval in percent. */
export function proportion(k: number, n: number, ci: Interval | null): string {
	if (n === 0) return '0/0';
	const pct = formatNumber((100 * k) / n);
	return ci === null
		? `${k}/${n}, ${pct}%`
		: `${k}/${n}, ${pct}% (${formatNumber(100 * ci[0])}-${formatNumber(100 * ci[1])})`;
}

/** "p = 0.012", or "p < 0.001" below that. */
export function pValue(p: number | null): string {
	if (p === null) return 'p –';
	return p < 0.001 ? 'p < 0.001' : `p = ${formatNumber(p, 3)}`;
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
