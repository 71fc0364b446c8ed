import type { MmeFactors } from '$lib/outcomes';

/** How the factor table is named next to every MME number (outcomes.md section 3). */
export const MME_FACTORS_LABEL: Record<MmeFactors, string> = {
	cdc2022: 'CDC 2022 factors',
	cdc2016: 'CDC 2016 factors (tramadol from CDC’s conversion file)'
};

/** The short form for axes and table headers: "MME/day, CDC 2022". */
export function mmeUnit(factors: MmeFactors): string {
	return `MME/day, ${factors === 'cdc2022' ? 'CDC 2022' : 'CDC 2016'}`;
}
