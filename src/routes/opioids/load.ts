import {
	kmOpioidFree,
	mmeByWindow,
	mmeOpioidFree,
	mmeReductionHistogram,
	type ChartSpec,
	type KmCurvePoint,
	type MmeTimepoint,
	type OpioidFreeWindow,
	type ReductionBin
} from '$lib/charts';
import type { Database } from '$lib/db';
import {
	DEFAULT_WINDOW_SETTINGS,
	kaplanMeier,
	type MmeFactors,
	type TimeCount,
	type Window
} from '$lib/outcomes';
import {
	describeFilters,
	mmeReduction,
	mmeReductionByPatient,
	mmeReport,
	mmeWindows,
	opioidFreeCounts,
	run,
	runOne,
	withMmeFactors,
	type Filters,
	type MmeReductionPatient,
	type MmeSummary,
	type MmeWindowRow,
	type OralMmeReport
} from '$lib/sql';

export interface OpioidViews {
	report: OralMmeReport;
	byWindow: ChartSpec<MmeTimepoint>;
	opioidFree: ChartSpec<OpioidFreeWindow>;
	km: ChartSpec<KmCurvePoint>;
	/** Time spent querying and charting, in ms (the MME rebuild excluded). */
	ms: number;
}

/**
 * The /opioids page's numbers: the command-line report's `oral_mme` (same builders, same
 * numbers) and the Kaplan-Meier curve, with the MME tables built for `factors` first.
 */
export function loadOpioidViews(
	db: Database,
	filters: Filters,
	factors: MmeFactors,
	onRebuild?: (factors: MmeFactors) => void
): Promise<OpioidViews> {
	return withMmeFactors(
		db,
		factors,
		async () => {
			const started = performance.now();
			const words = describeFilters(filters);
			const report = await mmeReport(db, filters, factors);
			const km = kaplanMeier(await run<TimeCount>(db, opioidFreeCounts(filters)));
			return {
				report,
				byWindow: mmeByWindow(report, { filters: words }),
				opioidFree: mmeOpioidFree(report, { filters: words }),
				km: kmOpioidFree(km, { filters: words, factors }),
				ms: performance.now() - started
			};
		},
		onRebuild
	);
}

export interface ReductionView {
	window: Window;
	spec: ChartSpec<ReductionBin>;
}

/** The distribution of % reduction at the window the settings name. */
export function loadReductionView(
	db: Database,
	filters: Filters,
	factors: MmeFactors,
	label: string
): Promise<ReductionView> {
	const window = DEFAULT_WINDOW_SETTINGS.windows.find((w) => w.label === label);
	if (!window) {
		const known = DEFAULT_WINDOW_SETTINGS.windows.map((w) => w.label).join(', ');
		return Promise.reject(new Error(`no follow-up window "${label}"; the windows are ${known}`));
	}
	return withMmeFactors(db, factors, async () => {
		const only = { ...DEFAULT_WINDOW_SETTINGS, windows: [window] };
		const [rows, summary, [inWindow]] = await Promise.all([
			run<MmeReductionPatient>(db, mmeReductionByPatient(filters, window)),
			runOne<MmeSummary>(db, mmeReduction(filters, only)),
			// Patients with an MME value at the window, to count those left out for lack of a baseline.
			run<MmeWindowRow>(db, mmeWindows(filters, only))
		]);
		return {
			window,
			spec: mmeReductionHistogram(rows, {
				filters: describeFilters(filters),
				factors,
				window: window.label,
				targetDay: window.target,
				summary,
				leftOut: (inWindow?.n ?? 0) - rows.length
			})
		};
	});
}
