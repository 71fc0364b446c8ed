import type { Database } from '$lib/db/types';
import type { ImportReport } from '$lib/ingest';
import { DEFAULT_SETTINGS, DEFAULT_WINDOW_SETTINGS, type Settings } from '$lib/outcomes';
import { itDoseReport, mmeReport, NO_FILTERS, painReport, type Filters } from '$lib/sql';
import { cohortSection } from './cohort';
import { importSection } from './importSection';

export interface ReportOptions {
	filters?: Filters;
	settings?: Settings;
}

/**
 * The report document of report.md, from exactly the query builders the dashboard uses. The app
 * offers the same document for download, so the two can be compared number for number.
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
	return {
		settings: {
			mme_factors: settings.mmeFactors,
			hydromorphone_factor: settings.hydromorphoneFactor,
			window_half_width: DEFAULT_WINDOW_SETTINGS.halfWidth
		},
		import: importSection(imported),
		cohort: await cohortSection(db, filters),
		pain: pain_worst ? { pain_avg, pain_worst } : { pain_avg },
		oral_mme: await mmeReport(db, filters, settings.mmeFactors),
		it_dose: await itDoseReport(db, filters, {
			hydromorphoneFactor: settings.hydromorphoneFactor,
			windows: DEFAULT_WINDOW_SETTINGS
		})
	};
}

export type ReportDocument = Awaited<ReturnType<typeof buildReport>>;
export { reportSchema } from './schema';
export { formatSummary } from './summary';
