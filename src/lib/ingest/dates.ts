/**
 * Dates as Excel and EHR exports write them, read from bytes without making strings: ISO
 * `YYYY-MM-DD`, and `A/B/YYYY` (separator `/`, `-` or `.`) whose order (month or day first) the
 * file's values decide, or the user. An optional time after the date is accepted and ignored:
 * the calendar date is used as written, never shifted by a time zone.
 */
export type DateOrder = 'mdy' | 'dmy';

export const DATE_FORMATS: Record<DateOrder | 'ymd', string> = {
	ymd: 'YYYY-MM-DD',
	mdy: 'M/D/YYYY',
	dmy: 'D/M/YYYY'
};

/** What a date value turned out to be. */
export const DATE_BAD = 0;
export const DATE_ISO = 1;
/** `A/B/YYYY` valid only as month/day. */
export const DATE_MDY = 2;
/** `A/B/YYYY` valid only as day/month. */
export const DATE_DMY = 3;
/** `A/B/YYYY` valid either way: the order must come from other values or from the user. */
export const DATE_EITHER = 4;
/** Digits only: an Excel serial date number. */
export const DATE_SERIAL = 5;

export interface DateRead {
	form: number;
	/** End of the date part (the time, if any, follows). */
	dateEnd: number;
	hasTime: boolean;
	hasZone: boolean;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDay(y: number, m: number, d: number): boolean {
	if (m < 1 || m > 12 || d < 1) return false;
	if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
	return d <= DAYS[m - 1]!;
}

function digits(b: Uint8Array, s: number, e: number): number {
	let v = 0;
	for (let i = s; i < e; i++) v = v * 10 + b[i]! - 0x30;
	return v;
}

const TIME_RE = /^[T ]\s*\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm])?\s*(Z|[+-]\d{2}(:?\d{2})?)?$/;
const decoder = new TextDecoder();

/** Read the date in `b[s, e)` (already trimmed). */
export function readDate(b: Uint8Array, s: number, e: number, out: DateRead): DateRead {
	out.form = DATE_BAD;
	out.hasTime = false;
	out.hasZone = false;
	out.dateEnd = e;
	let i = s;
	while (i < e && isDigit(b[i])) i++;
	const first = i - s;
	if (i === e) {
		if (first >= 1 && first <= 6) out.form = DATE_SERIAL;
		return out;
	}
	let dateEnd: number;
	const sep = b[i]!;
	if (first === 4 && sep === 0x2d) {
		// YYYY-MM-DD
		if (!(
			isDigit(b[i + 1]) &&
			isDigit(b[i + 2]) &&
			b[i + 3] === 0x2d &&
			isDigit(b[i + 4]) &&
			isDigit(b[i + 5])
		))
			return out;
		dateEnd = i + 6;
		const y = digits(b, s, s + 4);
		if (!validDay(y, digits(b, i + 1, i + 3), digits(b, i + 4, i + 6))) return out;
		out.form = DATE_ISO;
	} else if ((first === 1 || first === 2) && (sep === 0x2f || sep === 0x2d || sep === 0x2e)) {
		const bs = i + 1;
		let j = bs;
		while (j < e && isDigit(b[j])) j++;
		if (j - bs < 1 || j - bs > 2 || b[j] !== sep) return out;
		const ys = j + 1;
		let k = ys;
		while (k < e && isDigit(b[k])) k++;
		if (k - ys !== 4) return out;
		dateEnd = k;
		const a = digits(b, s, i);
		const m = digits(b, bs, j);
		const y = digits(b, ys, k);
		const asMdy = validDay(y, a, m);
		const asDmy = validDay(y, m, a);
		out.form = asMdy && asDmy ? DATE_EITHER : asMdy ? DATE_MDY : asDmy ? DATE_DMY : DATE_BAD;
		if (out.form === DATE_BAD) return out;
	} else return out;
	out.dateEnd = dateEnd;
	if (dateEnd < e) {
		const tail = decoder.decode(b.subarray(dateEnd, e));
		const m = TIME_RE.exec(tail);
		if (!m) {
			out.form = DATE_BAD;
			return out;
		}
		out.hasTime = true;
		out.hasZone = m[4] !== undefined;
	}
	return out;
}

/** DuckDB formats that parse a staged date value (the date part only) for a decided order. */
export function strptimeFormats(order: DateOrder | null): string[] {
	const [a, b] = order === 'dmy' ? ['%d', '%m'] : ['%m', '%d'];
	return ['%Y-%m-%d', ...(order ? ['/', '-', '.'].map((s) => `${a}${s}${b}${s}%Y`) : [])];
}
