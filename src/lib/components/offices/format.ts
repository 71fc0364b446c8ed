import { formatNumber, type Interval, type Shown } from '$lib/outcomes';

/** What a hidden value shows: an en dash, explained in each table's note. */
export const HIDDEN = '–';

/** A published count: the number, `<11`, or the dash when hidden. */
export function count(v: Shown): string {
	return v === null ? HIDDEN : typeof v === 'number' ? String(v) : v;
}

/** A proportion in percent with its interval: "61.0% (52.1-69.3)". */
export function percent(rate: number | null, ci: Interval | null, digits = 1): string {
	if (rate === null) return HIDDEN;
	const main = `${formatNumber(100 * rate, digits)}%`;
	return ci === null
		? main
		: `${main} (${formatNumber(100 * ci[0], digits)}-${formatNumber(100 * ci[1], digits)})`;
}

/** A value with its interval: "4.1 (3.3 to 4.9)", signs kept readable for changes. */
export function valueCi(value: number | null, ci: Interval | null, digits = 1): string {
	if (value === null) return HIDDEN;
	return ci === null
		? formatNumber(value, digits)
		: `${formatNumber(value, digits)} (${formatNumber(ci[0], digits)} to ${formatNumber(ci[1], digits)})`;
}

/** A median with its interquartile range: "48.0 (20.0-80.0)". */
export function medianIqr(median: number | null, q1: number | null, q3: number | null, digits = 1): string {
	if (median === null) return HIDDEN;
	return `${formatNumber(median, digits)} (${formatNumber(q1, digits)} to ${formatNumber(q3, digits)})`;
}

/** Category labels for the case-mix tables. */
export const CHARACTERISTIC_LABELS = {
	diagnosis: 'Diagnosis',
	age_band: 'Age band',
	sex: 'Sex',
	program: 'Program',
	mme_band: 'Baseline oral MME (mg/day)'
} as const;
