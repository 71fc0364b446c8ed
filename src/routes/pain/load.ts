import { painSlope, painTrajectory, TRAJECTORY_PIXELS, type ChartSpec } from '$lib/charts';
import type { Database } from '$lib/db';
import { DEFAULT_WINDOW_SETTINGS } from '$lib/outcomes';
import {
	describeFilters,
	painByMonth,
	painLinePatients,
	painLines,
	painPairs,
	painPatients,
	painReport,
	run,
	runOne,
	type Filters,
	type PainLinePoint,
	type PainMeasure,
	type PainMonth,
	type PainPair
} from '$lib/sql';

/** Individual lines beyond this many patients show a fixed sample (painLines says which). */
export const MAX_LINES = 1000;

export const MEASURE_LABEL: Record<PainMeasure, string> = {
	pain_avg: 'average pain',
	pain_worst: 'worst pain'
};

/** The derived tables are built with the default windows (derive.ts); so are these queries. */
export const WINDOWS = DEFAULT_WINDOW_SETTINGS;

export function painMeasureReport(db: Database, f: Filters, measure: PainMeasure) {
	return painReport(db, f, WINDOWS, measure);
}

export async function trajectorySpec(
	db: Database,
	f: Filters,
	withLines: boolean
): Promise<ChartSpec<PainMonth>> {
	const [months, patients] = await Promise.all([
		run<PainMonth>(db, painByMonth(f)),
		runOne<{ n: number }>(db, painPatients(f))
	]);
	let lines: { points: PainLinePoint[]; shown: number; total: number } | undefined;
	if (withLines) {
		const [points, total] = await Promise.all([
			run<PainLinePoint>(db, painLines(f, { buckets: TRAJECTORY_PIXELS, maxPatients: MAX_LINES })),
			runOne<{ n: number }>(db, painLinePatients(f))
		]);
		lines = { points, shown: new Set(points.map((p) => p.patient_id)).size, total: total.n };
	}
	return painTrajectory(months, { patients: patients.n, filters: describeFilters(f), lines });
}

export async function slopeSpec(db: Database, f: Filters, window: string, measure: PainMeasure = 'pain_avg') {
	const w = WINDOWS.windows.find((x) => x.label === window);
	if (!w) throw new Error(`no window ${window}`);
	const pairs = await run<PainPair>(db, painPairs(f, window, measure));
	return painSlope(pairs, {
		window,
		target: w.target,
		halfWidth: WINDOWS.halfWidth,
		measure: MEASURE_LABEL[measure],
		filters: describeFilters(f)
	});
}
