import type { Database } from '$lib/db/types';
import type { ImportReport } from '$lib/ingest';
import {
	DEFAULT_SETTINGS,
	DEFAULT_WINDOW_SETTINGS,
	eventsUpTo,
	type FunnelMethod,
	type Settings,
	type TimeCount
} from '$lib/outcomes';
import {
	describeFilters,
	itDoseReport,
	mmeReport,
	NO_FILTERS,
	officesReport,
	opioidFreeCounts,
	painReport,
	run,
	type Filters
} from '$lib/sql';
import { cohortSection } from './cohort';
import { importSection } from './importSection';

export interface ReportOptions {
	filters?: Filters;
	settings?: Settings;
	/** Limits of the `offices` funnel: exact binomial (the default) or the normal approximation. */
	funnelMethod?: FunnelMethod;
}

/** report.md fixes the window of the `offices` object, whatever the app's single-window setting. */
export const OFFICES_WINDOW = '12m';

/**
 * The report document of report.md, from exactly the query builders the dashboard uses: exact
 * counts everywhere but in `offices`, which is always published with small cells suppressed
 * (outcomes.md section 6). The app offers the same document for download (dashboard), so the two
 * can be compared number for number; `suppressReport` turns it into the `--suppress` document.
 */
export async function buildReport(db: Database, imported: ImportReport, options: ReportOptions = {}) {
	const filters = options.filters ?? NO_FILTERS;
	const settings = options.settings ?? DEFAULT_SETTINGS;
	const hasWorst = imported.files.some(
		(f) => f.kind === 'pain_scores' && f.mapping.columns.some((c) => c.target === 'pain_worst')
	);
	const pain_avg = await painReport(db, filters, DEFAULT_WINDOW_SETTINGS, 'pain_avg');
	const pain_worst = hasWorst
		? await painReport(db, filters, DEFAULT_WINDOW_SETTINGS, 'pain_worst')
		: undefined;
	const mme = await mmeReport(db, filters, settings.mmeFactors);
	// The events behind each point of the curve: what --suppress checks besides the number at risk.
	const km = await run<TimeCount>(db, opioidFreeCounts(filters));
	return {
		settings: {
			mme_factors: settings.mmeFactors,
			hydromorphone_factor: settings.hydromorphoneFactor,
			window_half_width: DEFAULT_WINDOW_SETTINGS.halfWidth,
			suppression_threshold: settings.suppressionThreshold,
			/** Which sections have small cells suppressed: `offices` always, all of them under --suppress. */
			suppressed: 'offices' as 'offices' | 'all'
		},
		// The command-line report has no filters; the app records the ones its view had.
		filters: { description: describeFilters(filters), ...structuredClone(filters) },
		import: importSection(imported),
		cohort: await cohortSection(db, filters),
		pain: pain_worst ? { pain_avg, pain_worst } : { pain_avg },
		oral_mme: {
			...mme,
			opioid_free: {
				...mme.opioid_free,
				points: mme.opioid_free.points.map((p) => ({ ...p, events: eventsUpTo(km, p.day) }))
			}
		},
		it_dose: await itDoseReport(db, filters, {
			hydromorphoneFactor: settings.hydromorphoneFactor,
			windows: DEFAULT_WINDOW_SETTINGS
		}),
		offices: await officesReport(
			db,
			filters,
			{ ...settings, window: OFFICES_WINDOW },
			options.funnelMethod ?? 'exact'
		)
	};
}

export type ReportDocument = Awaited<ReturnType<typeof buildReport>>;
export { reportSchema, suppressedReportSchema } from './schema';
export { formatSummary } from './summary';
export { suppressReport, type SuppressedReport } from './suppress';
