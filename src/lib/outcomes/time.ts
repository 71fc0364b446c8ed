/** Months on chart axes are days / 30.4375 (outcomes.md section 1). */
export const DAYS_PER_MONTH = 30.4375;

/** The dashboard's trajectory range, in months from implant. */
export const TRAJECTORY_MONTHS = { from: -6, to: 36 } as const;

/** Month m holds days [m x 30.4375, (m + 1) x 30.4375): day -1 is month -1, day 0 is month 0. */
export function monthOfDay(day: number): number {
	return Math.floor(day / DAYS_PER_MONTH);
}
