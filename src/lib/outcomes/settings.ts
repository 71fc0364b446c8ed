import type { MmeFactors } from './mme';

/** Analysis settings a user may change; every export records them. */
export interface Settings {
	mmeFactors: MmeFactors;
	/** IT hydromorphone to morphine factor, 4-6 (outcomes.md section 4). */
	hydromorphoneFactor: number;
	/** Oral : IT ratio for the labelled "total opioid load" assumption. */
	loadRatio: 300 | 100;
	/** The window single-window views use (slope chart, office comparison). */
	window: string;
	/** Small-cell suppression threshold: counts 1..threshold-1 are hidden (outcomes.md section 6). */
	suppressionThreshold: number;
}

export const DEFAULT_SETTINGS: Settings = {
	mmeFactors: 'cdc2022',
	hydromorphoneFactor: 5,
	loadRatio: 300,
	window: '12m',
	suppressionThreshold: 11
};
