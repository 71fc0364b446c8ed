import type { Database } from '$lib/db/types';
import {
	DEFAULT_WINDOW_SETTINGS,
	kaplanMeier,
	kmPoint,
	type Settings,
	type TimeCount,
	type Window,
	type WindowSettings
} from '$lib/outcomes';
import type { Filters } from './filters';
import { withItDoseFactor } from './deriveItDose';
import { withMmeFactors } from './mmePatients';
import {
	CASE_MIX_CHARACTERISTICS,
	officeBaselinePain,
	officeCaseMix,
	officeEscalation,
	officeExplantReasons,
	officeImplantYears,
	officeMmeReduction,
	officeOpioidFreeTimes,
	officePainWindow,
	officeUnits,
	type CaseMixCharacteristic,
	type OfficeBaselinePainRow,
	type OfficeCaseMixRow,
	type OfficeCountRow,
	type OfficeEscalationRow,
	type OfficeOpioidFreeTime,
	type OfficePainRow,
	type OfficeQuantileRow,
	type OfficeUnitRow,
	type OfficeYearRow,
	type UnitColumns
} from './offices';
import { run } from './run';

/**
 * Every exact number of the office comparison, per unit (practice, offices, providers), before
 * suppression: officesView.ts decides what may be shown. One query per measure serves all units.
 */

export interface MeanStat {
	n: number;
	mean: number | null;
	sd: number | null;
}

export interface QuantileStat {
	n: number;
	median: number | null;
	q1: number | null;
	q3: number | null;
}

export interface ResponderCounts {
	/** Due at the window with a baseline >= 4: the all-implanted denominator. */
	n_all: number;
	/** Of those, with a score in the window: the completers denominator. */
	n_comp: number;
	/** >= 30% responders (the same patients under both denominators). */
	k: number;
}

export interface OpioidFreeStat {
	/** Patients on oral opioids in the month before implant (the Kaplan-Meier population). */
	n: number;
	/** Opioid-free events up to the target day. */
	events: number;
	/** 1 - S(target); null beyond the last observed time. */
	estimate: number | null;
	/** Greenwood standard error. */
	se: number | null;
	/** 95% interval of 1 - S (log-log), null where the curve has none. */
	ci: [number, number] | null;
}

export interface OfficeUnitData extends UnitColumns {
	patients: number;
	first_year: number | null;
	exposure_n: number;
	patient_years: number;
	explants: number;
	complications: number;
	explant_reasons: Record<string, number>;
	case_mix: Record<CaseMixCharacteristic, Record<string, number>>;
	/** Implants by year (practice and offices only; empty for providers). */
	implants_by_year: Record<string, number>;
	responders: ResponderCounts;
	baseline_pain: MeanStat;
	window_pain: MeanStat;
	/** Window - baseline, completers with a baseline (negative is better). */
	pain_change: MeanStat;
	/** % reduction from baseline oral MME, patients with baseline > 0. */
	mme_reduction: QuantileStat;
	opioid_free: OpioidFreeStat;
	escalation: QuantileStat & { median_pct_per_year: number | null };
}

export interface OfficesData {
	window: Window;
	/** The latest implant year in the filtered data: implants per year run up to it. */
	last_year: number | null;
	units: OfficeUnitData[];
}

export type OfficesSettings = Pick<Settings, 'window' | 'mmeFactors' | 'hydromorphoneFactor'>;

export const unitKey = (u: UnitColumns): string => JSON.stringify([u.level, u.office, u.provider_id]);

export function findWindow(label: string, s: WindowSettings = DEFAULT_WINDOW_SETTINGS): Window {
	const w = s.windows.find((x) => x.label === label);
	if (!w)
		throw new Error(`unknown window ${label}: expected one of ${s.windows.map((x) => x.label).join(', ')}`);
	return w;
}

function opioidFree(times: readonly OfficeOpioidFreeTime[], target: number): OpioidFreeStat {
	const byTime = new Map<number, TimeCount>();
	for (const t of times) {
		const row = byTime.get(t.time) ?? { time: t.time, events: 0, censored: 0 };
		if (t.event) row.events++;
		else row.censored++;
		byTime.set(t.time, row);
	}
	const km = kaplanMeier([...byTime.values()]);
	const p = kmPoint(km, target);
	const events = km.steps.filter((s) => s.time <= target).reduce((a, s) => a + s.events, 0);
	const flip = (x: number | null) => (x === null ? null : 1 - x);
	return {
		n: km.n,
		events,
		estimate: flip(p.survival),
		se: p.se,
		// The interval for 1 - S is the interval for S turned over.
		ci: p.lower === null || p.upper === null ? null : [1 - p.upper, 1 - p.lower]
	};
}

const same = (a: UnitColumns, b: UnitColumns) =>
	a.level === b.level && a.office === b.office && a.provider_id === b.provider_id;

/** Which rows of a per-patient list belong to the unit. */
const belongs = (u: UnitColumns, x: { office: string; provider_id: string | null }) =>
	u.level === 'practice' ||
	(x.office === u.office && (u.level === 'office' || x.provider_id === u.provider_id));

/**
 * All exact per-unit numbers for the office comparison at the settings' window. Builds the MME
 * tables for the settings' factors first (one caller at a time: see withMmeFactors).
 */
export function officesData(
	db: Database,
	filters: Filters,
	settings: OfficesSettings,
	windows: WindowSettings = DEFAULT_WINDOW_SETTINGS
): Promise<OfficesData> {
	const window = findWindow(settings.window, windows);
	const itSettings = { hydromorphoneFactor: settings.hydromorphoneFactor, windows };
	return withMmeFactors(db, settings.mmeFactors, async () => {
		const [units, reasons, caseMix, years, times, escalation, pain, baseline, reduction] = await Promise.all([
			run<OfficeUnitRow>(db, officeUnits(filters)),
			run<OfficeCountRow>(db, officeExplantReasons(filters)),
			run<OfficeCaseMixRow>(db, officeCaseMix(filters)),
			run<OfficeYearRow>(db, officeImplantYears(filters)),
			run<OfficeOpioidFreeTime>(db, officeOpioidFreeTimes(filters)),
			// The IT dose tables for the settings' hydromorphone factor (one caller at a time).
			withItDoseFactor(db, settings.hydromorphoneFactor, () =>
				run<OfficeEscalationRow>(db, officeEscalation(filters, itSettings))
			),
			run<OfficePainRow>(db, officePainWindow(filters, window)),
			run<OfficeBaselinePainRow>(db, officeBaselinePain(filters)),
			run<OfficeQuantileRow>(db, officeMmeReduction(filters, window))
		]);
		// Provider rows exist only when some patient has a provider code.
		const anyProvider = units.some((u) => u.level === 'provider' && u.provider_id !== null);
		const kept = units.filter((u) => u.level !== 'provider' || anyProvider);
		const lastYear = units.find((u) => u.level === 'practice')?.last_year ?? null;
		return {
			window,
			last_year: lastYear,
			units: kept.map((u): OfficeUnitData => {
				const esc = escalation.find((e) => same(e, u));
				const p = pain.find((x) => same(x, u));
				const b = baseline.find((x) => same(x, u));
				const m = reduction.find((x) => same(x, u));
				return {
					level: u.level,
					office: u.office,
					provider_id: u.provider_id,
					patients: u.patients,
					first_year: u.first_year,
					exposure_n: u.exposure_n,
					patient_years: u.patient_years,
					explants: u.explants,
					complications: u.complications,
					explant_reasons: Object.fromEntries(
						reasons.filter((r) => same(r, u)).map((r) => [r.category, r.n])
					),
					case_mix: Object.fromEntries(
						CASE_MIX_CHARACTERISTICS.map((c) => [
							c,
							Object.fromEntries(
								caseMix.filter((r) => r.characteristic === c && same(r, u)).map((r) => [r.category, r.n])
							)
						])
					) as OfficeUnitData['case_mix'],
					implants_by_year: Object.fromEntries(
						u.level === 'provider'
							? []
							: years
									.filter((y) => y.level === u.level && y.office === u.office)
									.map((y) => [String(y.implant_year), y.n])
					),
					responders: { n_all: p?.n_all ?? 0, n_comp: p?.n_comp ?? 0, k: p?.k ?? 0 },
					baseline_pain: { n: b?.n ?? 0, mean: b?.mean ?? null, sd: b?.sd ?? null },
					window_pain: { n: p?.window_n ?? 0, mean: p?.window_mean ?? null, sd: p?.window_sd ?? null },
					pain_change: { n: p?.change_n ?? 0, mean: p?.change_mean ?? null, sd: p?.change_sd ?? null },
					mme_reduction: { n: m?.n ?? 0, median: m?.median ?? null, q1: m?.q1 ?? null, q3: m?.q3 ?? null },
					opioid_free: opioidFree(
						times.filter((t) => belongs(u, t)),
						window.target
					),
					escalation: {
						n: esc?.n ?? 0,
						median: esc?.median_per_year ?? null,
						q1: esc?.q1 ?? null,
						q3: esc?.q3 ?? null,
						median_pct_per_year: esc?.median_pct_per_year ?? null
					}
				};
			})
		};
	});
}
