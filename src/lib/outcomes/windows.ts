/** A follow-up window (outcomes.md section 1): half-open [target - halfWidth, target + halfWidth). */
export interface Window {
	label: string;
	target: number;
}

export const DEFAULT_WINDOWS: readonly Window[] = [
	{ label: '3m', target: 90 },
	{ label: '6m', target: 180 },
	{ label: '12m', target: 365 },
	{ label: '18m', target: 545 },
	{ label: '24m', target: 730 },
	{ label: '36m', target: 1095 }
];

export const DEFAULT_HALF_WIDTH = 45;

export interface WindowSettings {
	windows: readonly Window[];
	halfWidth: number;
}

export const DEFAULT_WINDOW_SETTINGS: WindowSettings = {
	windows: DEFAULT_WINDOWS,
	halfWidth: DEFAULT_HALF_WIDTH
};

/** The windows as a SQL VALUES list: (label, target, lo, hi) with lo inclusive, hi exclusive. */
export function windowsValuesSql(s: WindowSettings = DEFAULT_WINDOW_SETTINGS): string {
	return s.windows
		.map((w) => {
			if (!/^[0-9A-Za-z_]+$/.test(w.label) || !Number.isInteger(w.target))
				throw new Error(`bad window ${w.label}`);
			return `('${w.label}', ${w.target}, ${w.target - s.halfWidth}, ${w.target + s.halfWidth})`;
		})
		.join(', ');
}
