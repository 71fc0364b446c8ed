import { DATE_FORMATS, type Dialect } from '$lib/ingest';

const DELIMITER: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/** "semicolon-delimited, quote \", UTF-8, header on line 1, CRLF line ends, dates M/D/YYYY (from the values)" */
export function describeDialect(d: Omit<Dialect, 'timeForm'> & { timeForm?: Dialect['timeForm'] }): string {
	const parts = [
		`${DELIMITER[d.delimiter] ?? d.delimiter}-delimited`,
		`quote ${d.quote}`,
		d.encoding.toUpperCase(),
		`header on line ${d.headerLine}`,
		d.newline === 'none' ? 'one line' : `${d.newline} line ends`
	];
	if (d.dateFormat)
		parts.push(
			`dates ${d.dateFormat}${d.dateOrderFrom === 'choice' ? ' (your choice)' : d.dateFormat === DATE_FORMATS.ymd ? '' : ' (from the values)'}`
		);
	if (d.decimalComma.length) parts.push(`decimal comma in ${d.decimalComma.join(', ')}`);
	if (d.timeForm) parts.push(`time as ${d.timeForm}s`);
	return parts.join(', ');
}

/** A count with its thousands grouped: 30,002. */
export const count = (n: number) => n.toLocaleString('en-US');

/** Bytes for people: 12.3 MB. */
export function size(n: number): string {
	if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} KB`;
	return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
