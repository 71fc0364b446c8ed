import type { Database } from '$lib/db/types';
import { type FunnelFlag, type FunnelMethod, type Interval, type Settings, type Shown } from '$lib/outcomes';
import { toCsv, type Cell, type CsvResult } from '$lib/export/csv';
import type { Filters } from './filters';
import { CASE_MIX_CHARACTERISTICS } from './offices';
import { officesData, type OfficesData } from './officesData';
import { officesFunnel } from './officesFunnel';
import {
	ALL_UNITS,
	officesView,
	splitOfficesFilters,
	type OfficeRow,
	type OfficesView,
	type UnitSelection
} from './officesView';

/**
 * report.md's `offices` object: the responder rate (>= 30%, all-implanted denominator) at the
 * settings' window per office, with funnel limits and flags, and per provider; every number as
 * published on the leadership page (small cells suppressed at the settings' threshold).
 */

export interface OfficesReportUnit {
	office: string;
	n: Shown;
	k: Shown;
	rate: number | null;
	ci: Interval | null;
	limits95: Interval | null;
	limits998: Interval | null;
	flag: FunnelFlag | null;
	suppressed: boolean;
}

export interface OfficesReportProvider {
	office: string;
	provider_id: string;
	n: Shown;
	k: Shown;
	rate: number | null;
	ci: Interval | null;
	suppressed: boolean;
}

export interface OfficesReport {
	window: string;
	metric: 'responders30';
	method: FunnelMethod;
	target: number | null;
	suppression_threshold: number;
	units: OfficesReportUnit[];
	providers: OfficesReportProvider[];
}

/** The `offices` object from already computed numbers, for the units of `selection`. */
export function officesReportFrom(
	data: OfficesData,
	threshold: number,
	method: FunnelMethod,
	selection: UnitSelection = ALL_UNITS
): OfficesReport {
	const view = officesView(data, threshold, selection);
	const funnel = officesFunnel(data, view.hidden, 'responders', method, view.units);
	const rows = (level: OfficeRow['level']) => view.rows.filter((r) => r.level === level);
	const base = (r: OfficeRow) => ({
		office: r.office!,
		n: r.responders.n_all,
		k: r.responders.k,
		rate: r.responders.all_implanted.rate,
		ci: r.responders.all_implanted.ci
	});
	return {
		window: view.window,
		metric: 'responders30',
		method,
		target: funnel.target,
		suppression_threshold: threshold,
		units: rows('office').map((r) => {
			const point = funnel.points.find((p) => p.label === r.office);
			return {
				...base(r),
				limits95: point?.limits.limits95 ?? null,
				limits998: point?.limits.limits998 ?? null,
				flag: point?.flag ?? null,
				suppressed: r.responders.suppressed
			};
		}),
		providers: rows('provider').map((r) => ({
			...base(r),
			provider_id: r.provider_id!,
			suppressed: r.responders.suppressed
		}))
	};
}

/** report.md's `offices` for the command-line report (and the app's download of it, with filters). */
export async function officesReport(
	db: Database,
	filters: Filters,
	settings: Settings,
	method: FunnelMethod = 'exact'
): Promise<OfficesReport> {
	// As on the leadership page: the office and provider filters choose the units listed, and the
	// totals, the target and the suppression count every office (officesView.ts, UnitSelection).
	const { cohort, selection } = splitOfficesFilters(filters);
	const data = await officesData(db, cohort, settings);
	return officesReportFrom(data, settings.suppressionThreshold, method, selection);
}

// ---------------------------------------------------------------------------------------------
// CSV export of the published table

export interface ExportMeta {
	filters: string;
	dataVersion: string;
	settings: Settings;
	/** ISO date of the export. */
	date: string;
}

type Column = [name: string, value: (r: OfficeRow, view: OfficesView) => unknown];

const lo = (i: Interval | null) => i?.[0] ?? null;
const hi = (i: Interval | null) => i?.[1] ?? null;

const COLUMNS: Column[] = [
	['level', (r) => r.level],
	['office', (r) => r.office],
	['provider_id', (r) => r.provider_id],
	['patients', (r) => r.patients],
	['implants_per_year', (r) => r.implants_per_year],
	['due_n', (r) => r.responders.n_all],
	['completers_n', (r) => r.responders.n_comp],
	['responders30_k', (r) => r.responders.k],
	['responders30_all_implanted_rate', (r) => r.responders.all_implanted.rate],
	['responders30_all_implanted_ci_lo', (r) => lo(r.responders.all_implanted.ci)],
	['responders30_all_implanted_ci_hi', (r) => hi(r.responders.all_implanted.ci)],
	['responders30_completers_rate', (r) => r.responders.completers.rate],
	['responders30_completers_ci_lo', (r) => lo(r.responders.completers.ci)],
	['responders30_completers_ci_hi', (r) => hi(r.responders.completers.ci)],
	['completeness_rate', (r) => r.completeness.rate],
	['completeness_ci_lo', (r) => lo(r.completeness.ci)],
	['completeness_ci_hi', (r) => hi(r.completeness.ci)],
	...(['baseline_pain', 'window_pain', 'pain_change'] as const).flatMap((m): Column[] => [
		[`${m}_n`, (r) => r[m].n],
		[`${m}_mean`, (r) => r[m].mean],
		[`${m}_ci_lo`, (r) => lo(r[m].ci)],
		[`${m}_ci_hi`, (r) => hi(r[m].ci)]
	]),
	['mme_reduction_n', (r) => r.mme_reduction.n],
	['mme_reduction_median_pct', (r) => r.mme_reduction.median],
	['mme_reduction_q1', (r) => r.mme_reduction.q1],
	['mme_reduction_q3', (r) => r.mme_reduction.q3],
	['opioid_free_n', (r) => r.opioid_free.n],
	['opioid_free_events', (r) => r.opioid_free.events],
	['opioid_free_km', (r) => r.opioid_free.estimate],
	['opioid_free_ci_lo', (r) => lo(r.opioid_free.ci)],
	['opioid_free_ci_hi', (r) => hi(r.opioid_free.ci)],
	['it_escalation_n', (r) => r.escalation.n],
	['it_escalation_median_mg_day_per_year', (r) => r.escalation.median],
	['it_escalation_q1', (r) => r.escalation.q1],
	['it_escalation_q3', (r) => r.escalation.q3],
	['it_escalation_median_pct_per_year', (r) => r.escalation.median_pct_per_year],
	['patient_years', (r) => r.patient_years],
	['explants', (r) => r.explants.k],
	['explants_per_100py', (r) => r.explants.per100py],
	['explants_per_100py_ci_lo', (r) => lo(r.explants.ci)],
	['explants_per_100py_ci_hi', (r) => hi(r.explants.ci)],
	['complications', (r) => r.complications.k],
	['complications_per_100py', (r) => r.complications.per100py],
	['complications_per_100py_ci_lo', (r) => lo(r.complications.ci)],
	['complications_per_100py_ci_hi', (r) => hi(r.complications.ci)]
];

/** Columns that depend on the categories present: explant reasons, case mix, implant years. */
function dynamicColumns(view: OfficesView): Column[] {
	const caseMix = (r: OfficeRow) => view.caseMix.find((c) => c.key === r.key)!;
	const trend = (r: OfficeRow) => view.trend.rows.find((t) => t.key === r.key);
	return [
		...view.explantReasons.map((reason): Column => [
			`explants_${reason}`,
			(r) => r.explants.by_reason[reason]
		]),
		...CASE_MIX_CHARACTERISTICS.flatMap((c) =>
			view.categories[c].flatMap((category): Column[] => [
				[`case_mix_${c}_${category}_n`, (r) => caseMix(r).mix[c][category]?.n],
				[`case_mix_${c}_${category}_share`, (r) => caseMix(r).mix[c][category]?.share]
			])
		),
		...view.trend.years.map((y): Column => [`implants_${y}`, (r) => trend(r)?.years[y] ?? null])
	];
}

/**
 * The published table as CSV (the export module's writer: BOM, CRLF, formula-safe text), one row
 * per unit; the last columns record what was used: window, suppression threshold, MME factors,
 * hydromorphone factor, data version, filters and date. Suppressed counts are `<11`, hidden values
 * empty.
 */
export function officesCsv(view: OfficesView, meta: ExportMeta): CsvResult {
	const columns = [...COLUMNS, ...dynamicColumns(view)];
	const about: [string, Cell][] = [
		['window', view.window],
		['suppression_threshold', view.threshold],
		['mme_factors', meta.settings.mmeFactors],
		['hydromorphone_factor', meta.settings.hydromorphoneFactor],
		['data_version', meta.dataVersion],
		['filters', meta.filters],
		['exported_on', meta.date]
	];
	const rows = view.rows.map((r) => ({
		...Object.fromEntries(columns.map(([name, value]) => [name, value(r, view) as Cell])),
		...Object.fromEntries(about)
	}));
	return toCsv([...columns.map(([name]) => name), ...about.map(([name]) => name)], rows);
}
