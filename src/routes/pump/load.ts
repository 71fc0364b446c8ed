import {
	itDoseEscalation,
	itDoseTrend,
	opioidLoadTrend,
	type ChartSpec,
	type EscalationBin
} from '$lib/charts';
import type { Database } from '$lib/db';
import {
	DEFAULT_WINDOW_SETTINGS,
	type ItDoseSettings,
	type MmeFactors,
	type TotalOpioidLoadRatio
} from '$lib/outcomes';
import {
	describeFilters,
	itDoseByMonth,
	itDoseEscalation as itDoseEscalationQuery,
	itDoseReport,
	itDoseWarningCounts,
	itDoseWarnings,
	opioidLoadByMonth,
	run,
	withItDoseFactor,
	withMmeFactors,
	type Filters,
	type ItDoseEscalation,
	type ItDoseMonth,
	type ItDoseReport,
	type ItDoseSeries,
	type ItDoseWarning,
	type ItDoseWarningCount,
	type OpioidLoadMonth
} from '$lib/sql';

const itSettings = (hydromorphoneFactor: number): ItDoseSettings => ({
	hydromorphoneFactor,
	windows: DEFAULT_WINDOW_SETTINGS
});

export interface TrendViews {
	/** One chart per series present, morphine-equivalent first. */
	charts: { series: ItDoseSeries; spec: ChartSpec<ItDoseMonth> }[];
	ms: number;
}

/** Cohort trend by month per IT series, each in its own unit. */
export async function loadTrendViews(
	db: Database,
	filters: Filters,
	hydromorphoneFactor: number
): Promise<TrendViews> {
	const started = performance.now();
	const rows = await withItDoseFactor(db, hydromorphoneFactor, () =>
		run<ItDoseMonth>(db, itDoseByMonth(filters, itSettings(hydromorphoneFactor)))
	);
	const ctx = { filters: describeFilters(filters), hydromorphoneFactor };
	// Rows come ordered by series (morphine-equivalent first), so first appearance keeps that order.
	const series = [...new Set(rows.map((r) => r.series))];
	return {
		charts: series.map((s) => ({ series: s, spec: itDoseTrend(rows, s, ctx) })),
		ms: performance.now() - started
	};
}

export interface DoseViews {
	report: ItDoseReport;
	escalationMg: ChartSpec<EscalationBin>;
	escalationPct: ChartSpec<EscalationBin>;
	ms: number;
}

/** The command-line report's `it_dose` (windows, escalation summary) and the escalation histograms. */
export async function loadDoseViews(
	db: Database,
	filters: Filters,
	hydromorphoneFactor: number
): Promise<DoseViews> {
	const started = performance.now();
	const s = itSettings(hydromorphoneFactor);
	const { report, slopes } = await withItDoseFactor(db, hydromorphoneFactor, async () => ({
		report: await itDoseReport(db, filters, s),
		slopes: await run<ItDoseEscalation>(db, itDoseEscalationQuery(filters, s))
	}));
	const ctx = { filters: describeFilters(filters), hydromorphoneFactor, summary: report.escalation };
	return {
		report,
		escalationMg: itDoseEscalation(slopes, 'per_year', ctx),
		escalationPct: itDoseEscalation(slopes, 'pct_per_year', ctx),
		ms: performance.now() - started
	};
}

export interface WarningViews {
	counts: ItDoseWarningCount[];
	warnings: ItDoseWarning[];
}

/** Plausibility warnings (a data check over every filtered patient, not an outcome). */
export async function loadWarnings(db: Database, filters: Filters): Promise<WarningViews> {
	const [counts, warnings] = await Promise.all([
		run<ItDoseWarningCount>(db, itDoseWarningCounts(filters)),
		run<ItDoseWarning>(db, itDoseWarnings(filters))
	]);
	return { counts, warnings };
}

/** The labelled "total opioid load" assumption, with the MME tables built for `factors`. */
export function loadOpioidLoad(
	db: Database,
	filters: Filters,
	settings: { mmeFactors: MmeFactors; hydromorphoneFactor: number; loadRatio: TotalOpioidLoadRatio },
	onRebuild?: (factors: MmeFactors) => void
): Promise<ChartSpec<OpioidLoadMonth>> {
	const { mmeFactors, hydromorphoneFactor, loadRatio } = settings;
	return withMmeFactors(
		db,
		mmeFactors,
		async () => {
			const rows = await run<OpioidLoadMonth>(
				db,
				opioidLoadByMonth(filters, { hydromorphoneFactor, loadRatio })
			);
			return opioidLoadTrend(rows, {
				filters: describeFilters(filters),
				factors: mmeFactors,
				hydromorphoneFactor,
				ratio: loadRatio
			});
		},
		onRebuild
	);
}
