/**
 * Readable names for the contract's codes, for people reading the page (data-contract.md gives
 * the meaning of `fbss`; CRPS is the usual abbreviation). The files, the address, the exports and
 * the report keep the codes: a label is only ever shown beside its code or in its place on screen.
 */
const LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
	diagnosis: {
		fbss: 'Failed back surgery syndrome',
		spine_other: 'Other spine',
		peripheral_neuropathy: 'Peripheral neuropathy',
		crps: 'Complex regional pain syndrome',
		cancer_pain: 'Cancer pain',
		spasticity: 'Spasticity',
		other: 'Other'
	},
	program: { low_dose: 'Low dose', conventional: 'Conventional' }
};

/** The readable name of a code in a contract column; an unknown code is itself, `_` as spaces. */
export function codeLabel(column: string, code: string): string {
	return LABELS[column]?.[code] ?? code.replaceAll('_', ' ');
}
