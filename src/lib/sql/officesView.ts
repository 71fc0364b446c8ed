import { EXPLANT_REASONS } from '$lib/contract';
import {
	meanConfidenceInterval,
	poissonRateInterval,
	rateIsSmall,
	showHiddenCount,
	suppress,
	wilsonInterval,
	type Interval,
	type Shown,
	type SuppressionCell,
	type SuppressionGroup,
	type SuppressionReason
} from '$lib/outcomes';
import {
	CASE_MIX_CHARACTERISTICS,
	CASE_MIX_ORDER,
	type CaseMixCharacteristic,
	type UnitColumns,
	type UnitLevel
} from './offices';
import { describeFilters, NO_FILTERS, type Filters } from './filters';
import { unitKey, type OfficesData, type OfficeUnitData } from './officesData';

/**
 * The office comparison as it may be published: every count, rate, mean and interval of
 * `OfficesData` passed through small-cell suppression (outcomes.md section 6, `suppress`). The
 * page, its CSV export, its printout and the `offices` part of the command-line report all read
 * this, never the exact numbers.
 *
 * A "family" is what one cell shows for a unit: the patients count, the responder counts with
 * their rates, a mean with its n, ... A hidden family hides all of its numbers at once, so a rate
 * cannot be rebuilt from a count left in view. Sibling groups: providers add up to their office,
 * offices to the practice; case-mix categories, explant reasons and implant years add up to their
 * unit's total.
 *
 * The two responder denominators are shown side by side, as outcomes.md section 2 asks: their
 * difference, the number due without a score, is a family of its own (`completers`), and the
 * completers' n and rate go when it is small or must be hidden for a sibling.
 *
 * Not covered: other differences between two different measures of one unit: the patients count
 * and a mean's n give the number without a baseline. Nor do the rules stop bounds reasoning with `<11`
 * (1-10) beside a hidden complement; only exact recovery from sums is prevented.
 */

/** The families one unit has, with the counts the primary rule checks and the sibling size. */
const FAMILIES = {
	patients: (u: OfficeUnitData) => ({ counts: [u.patients], size: u.patients }),
	responders: ({ responders: r }: OfficeUnitData) => ({
		counts: [r.n_all, r.n_comp, r.k, r.n_all - r.k, r.n_comp - r.k],
		size: r.n_all
	}),
	// The completers' n beside the all-implanted one: the due without a score (n_all - n_comp) is a
	// count of its own, and the completers' n goes (with their rate) when it is small.
	completers: ({ responders: r }: OfficeUnitData) => ({ counts: [r.n_all - r.n_comp], size: r.n_comp }),
	baseline_pain: (u: OfficeUnitData) => ({ counts: [u.baseline_pain.n], size: u.baseline_pain.n }),
	window_pain: (u: OfficeUnitData) => ({ counts: [u.window_pain.n], size: u.window_pain.n }),
	pain_change: (u: OfficeUnitData) => ({ counts: [u.pain_change.n], size: u.pain_change.n }),
	mme_reduction: (u: OfficeUnitData) => ({ counts: [u.mme_reduction.n], size: u.mme_reduction.n }),
	opioid_free: ({ opioid_free: o }: OfficeUnitData) => ({
		counts: [o.n, o.events, o.n - o.events],
		size: o.n
	}),
	escalation: (u: OfficeUnitData) => ({ counts: [u.escalation.n], size: u.escalation.n }),
	explants: (u: OfficeUnitData) => ({
		counts: [u.exposure_n, u.explants, u.exposure_n - u.explants],
		size: u.exposure_n
	}),
	complications: (u: OfficeUnitData) => ({ counts: [u.exposure_n, u.complications], size: u.exposure_n })
} satisfies Record<string, (u: OfficeUnitData) => { counts: number[]; size: number }>;
export type OfficeFamily = keyof typeof FAMILIES;

export const cellId = (family: string, u: OfficeUnitData): string => `${family}|${unitKey(u)}`;

/** A count-valued cell that adds up to a unit total (case mix, explant reasons, implant years). */
interface PartCell {
	family: string;
	category: string;
	value: (u: OfficeUnitData) => number;
	/** The unit's family whose count these parts add up to. */
	total: OfficeFamily;
	/** Extra counts for the primary rule: a case-mix share is a rate, so n - k counts too. */
	rule: (u: OfficeUnitData, k: number) => number[];
}

function partCells(data: OfficesData): PartCell[] {
	const categories = (pick: (u: OfficeUnitData) => Record<string, number>, order: readonly string[] = []) => {
		const rank = (x: string) => (order.includes(x) ? order.indexOf(x) : order.length);
		return [...new Set(data.units.flatMap((u) => Object.keys(pick(u))))].sort(
			(a, b) => rank(a) - rank(b) || a.localeCompare(b)
		);
	};
	const caseMix = CASE_MIX_CHARACTERISTICS.flatMap((c) =>
		categories((u) => u.case_mix[c], CASE_MIX_ORDER[c]).map((category): PartCell => ({
			family: `case_mix:${c}`,
			category,
			value: (u) => u.case_mix[c][category] ?? 0,
			total: 'patients',
			rule: (u, k) => [k, u.patients - k]
		}))
	);
	const reasons = categories((u) => u.explant_reasons, EXPLANT_REASONS).map((category): PartCell => ({
		family: 'explant_reason',
		category,
		value: (u) => u.explant_reasons[category] ?? 0,
		total: 'explants',
		rule: (_u, k) => [k]
	}));
	const years = categories((u) => u.implants_by_year).map((category): PartCell => ({
		family: 'implant_year',
		category,
		value: (u) => u.implants_by_year[category] ?? 0,
		total: 'patients',
		rule: (_u, k) => [k]
	}));
	return [...caseMix, ...reasons, ...years];
}

/** A unit without a provider code is never shown; with nobody in a family it is no sibling at all. */
const unseen = (u: OfficeUnitData) => u.level === 'provider' && u.provider_id === null;

/** Siblings of each unit: offices under the practice, providers under their office. */
function hierarchy(
	units: readonly OfficeUnitData[]
): { parent: OfficeUnitData; children: OfficeUnitData[] }[] {
	const practice = units.find((u) => u.level === 'practice');
	const offices = units.filter((u) => u.level === 'office');
	const out = practice ? [{ parent: practice, children: offices }] : [];
	for (const o of offices) {
		const children = units.filter((u) => u.level === 'provider' && u.office === o.office);
		if (children.length) out.push({ parent: o, children });
	}
	return out;
}

/** Which cells of the comparison are hidden, and why, at this threshold. */
export function officesSuppression(data: OfficesData, threshold: number): Map<string, SuppressionReason> {
	const cells: SuppressionCell[] = [];
	const groups: SuppressionGroup[] = [];
	const tree = hierarchy(data.units);
	// A unit without a provider code and with nobody in the family is no sibling at all.
	const sibling = (u: OfficeUnitData, size: number) => !(unseen(u) && size === 0);
	for (const [family, of] of Object.entries(FAMILIES)) {
		for (const u of data.units) {
			const { counts, size } = of(u);
			cells.push({ id: cellId(family, u), counts, size, unseen: unseen(u) && size > 0 });
		}
		for (const { parent, children } of tree) {
			groups.push({
				total: cellId(family, parent),
				members: children.filter((c) => sibling(c, of(c).size)).map((c) => cellId(family, c))
			});
		}
	}
	for (const part of partCells(data)) {
		const id = (u: OfficeUnitData) => cellId(`${part.family}:${part.category}`, u);
		const has = (u: OfficeUnitData) => part.family !== 'implant_year' || u.level !== 'provider';
		for (const u of data.units.filter(has)) {
			const k = part.value(u);
			cells.push({ id: id(u), counts: part.rule(u, k), size: k, unseen: unseen(u) && k > 0 });
		}
		for (const { parent, children } of tree) {
			const kids = children.filter((c) => has(c) && !(unseen(c) && part.value(c) === 0));
			if (kids.length) groups.push({ total: id(parent), members: kids.map(id) });
		}
	}
	// Parts add up to their unit's total (categories of one characteristic, reasons, years).
	const parts = partCells(data);
	for (const u of data.units) {
		for (const family of new Set(parts.map((p) => p.family))) {
			const mine = parts.filter((p) => p.family === family);
			if (family === 'implant_year' && u.level === 'provider') continue;
			const members = mine
				.filter((p) => !(unseen(u) && p.value(u) === 0))
				.map((p) => cellId(`${p.family}:${p.category}`, u));
			groups.push({ total: cellId(mine[0]!.total, u), members });
		}
	}
	return suppress(cells, groups, threshold);
}

// ---------------------------------------------------------------------------------------------
// Published rows

export interface ShownRate {
	rate: number | null;
	ci: Interval | null;
}

export interface ShownMean {
	n: Shown;
	mean: number | null;
	ci: Interval | null;
}

export interface ShownQuantiles {
	n: Shown;
	median: number | null;
	q1: number | null;
	q3: number | null;
}

export interface OfficeRow {
	key: string;
	level: UnitLevel;
	office: string | null;
	provider_id: string | null;
	label: string;
	patients: Shown;
	implants_per_year: number | null;
	responders: {
		n_all: Shown;
		n_comp: Shown;
		k: Shown;
		all_implanted: ShownRate;
		completers: ShownRate;
		suppressed: boolean;
	};
	/** Completers / all implanted at the window: the share of due patients with a score. */
	completeness: ShownRate;
	baseline_pain: ShownMean;
	window_pain: ShownMean;
	pain_change: ShownMean;
	mme_reduction: ShownQuantiles;
	opioid_free: { n: Shown; events: Shown; estimate: number | null; ci: Interval | null };
	escalation: ShownQuantiles & { median_pct_per_year: number | null };
	explants: { k: Shown; per100py: number | null; ci: Interval | null; by_reason: Record<string, Shown> };
	complications: { k: Shown; per100py: number | null; ci: Interval | null };
	patient_years: number | null;
}

export interface CaseMixRow {
	key: string;
	level: UnitLevel;
	label: string;
	patients: Shown;
	/** characteristic -> category -> count and share of the unit's patients. */
	mix: Record<CaseMixCharacteristic, Record<string, { n: Shown; share: number | null }>>;
}

export interface TrendRow {
	key: string;
	level: 'practice' | 'office';
	label: string;
	years: Record<string, Shown>;
}

export interface OfficesView {
	window: string;
	threshold: number;
	rows: OfficeRow[];
	caseMix: CaseMixRow[];
	/** Category lists, in display order, for the case-mix tables. */
	categories: Record<CaseMixCharacteristic, string[]>;
	explantReasons: string[];
	trend: { years: string[]; rows: TrendRow[] };
	/** Hidden cells by id (family|unit), for the funnel and the tests. */
	hidden: ReadonlyMap<string, SuppressionReason>;
	/** The units shown (unitKey), chosen by `UnitSelection`; the funnel plots only these. */
	units: ReadonlySet<string>;
}

/**
 * Which offices and providers the page shows. On the leadership page the office and provider
 * filters choose the units shown, not the patients counted: "All offices", an office above its
 * providers, the funnel's target and the suppression always count every office and provider (under
 * the other filters). A total narrowed to the chosen offices would give, subtracted from the
 * unfiltered page's total, the numbers of an office that page hides. The cells of a selection are
 * therefore a subset of the unselected view's, hidden or shown alike.
 */
export interface UnitSelection {
	offices: readonly string[];
	providers: readonly string[];
}

export const ALL_UNITS: UnitSelection = { offices: [], providers: [] };

/** The page's filters split: the cohort counted, and the units shown (see UnitSelection). */
export function splitOfficesFilters(f: Filters): { cohort: Filters; selection: UnitSelection; text: string } {
	const selection = { offices: f.offices, providers: f.providers };
	const cohort: Filters = { ...f, offices: [], providers: [] };
	const chosen = f.offices.length + f.providers.length > 0;
	const shown = describeFilters({ ...NO_FILTERS, offices: f.offices, providers: f.providers });
	const text = chosen
		? `${describeFilters(cohort)}; showing ${shown} (All offices, the funnel's target and the suppression count every office)`
		: describeFilters(cohort);
	return { cohort, selection, text };
}

/**
 * The units a selection shows: the practice always; the chosen offices (without a choice of
 * offices, those of the chosen providers, else all); under them the chosen providers (else all).
 */
export function selectedUnits(
	units: readonly UnitColumns[],
	selection: UnitSelection
): (u: UnitColumns) => boolean {
	const { offices, providers } = selection;
	const chosen = (p: string | null) => p !== null && providers.includes(p);
	const ofProviders = new Set(
		units.filter((u) => u.level === 'provider' && chosen(u.provider_id)).map((u) => u.office)
	);
	const office = (o: string | null) =>
		offices.length > 0 ? o !== null && offices.includes(o) : providers.length === 0 || ofProviders.has(o);
	return (u) =>
		u.level === 'practice' ||
		(office(u.office) && (u.level === 'office' || providers.length === 0 || chosen(u.provider_id)));
}

export const PRACTICE_LABEL = 'All offices';
export const unitLabel = (u: { level: UnitLevel; office: string | null; provider_id: string | null }) =>
	u.level === 'practice' ? PRACTICE_LABEL : u.level === 'office' ? u.office! : u.provider_id!;

const rate = (k: number, n: number, hidden: boolean): ShownRate =>
	hidden || n === 0 ? { rate: null, ci: null } : { rate: k / n, ci: wilsonInterval(k, n) };

const per100 = (k: number, years: number, hidden: boolean) =>
	hidden || years <= 0
		? { per100py: null, ci: null }
		: {
				per100py: (100 * k) / years,
				ci: poissonRateInterval(k, years)!.map((x) => 100 * x) as Interval
			};

/**
 * The comparison as published at this threshold: suppression decided over every unit, then the
 * units of the selection shown.
 */
export function officesView(data: OfficesData, threshold: number, selection = ALL_UNITS): OfficesView {
	const hidden = officesSuppression(data, threshold);
	const selected = selectedUnits(data.units, selection);
	const isHidden = (family: string, u: OfficeUnitData) => hidden.has(cellId(family, u));
	// The n of a hidden cell shows as <11 when small (outcomes.md section 6); its other counts are
	// hidden outright: a `<11` beside an empty cell would tell 1-10 from 0 (k = 0: a rate of 0).
	const count = (value: number, family: string, u: OfficeUnitData) =>
		showHiddenCount(value, isHidden(family, u), threshold);
	const part = (value: number, family: string, u: OfficeUnitData): Shown =>
		isHidden(family, u) ? null : value;
	const mean = (family: 'baseline_pain' | 'window_pain' | 'pain_change', u: OfficeUnitData): ShownMean => {
		const s = u[family];
		const h = isHidden(family, u);
		return {
			n: count(s.n, family, u),
			mean: h ? null : s.mean,
			ci: h ? null : meanConfidenceInterval(s.mean, s.sd, s.n)
		};
	};
	const shown = data.units.filter((u) => !unseen(u) && selected(u)).sort(displayOrder);
	const parts = partCells(data);
	const categoriesOf = (family: string) => parts.filter((p) => p.family === family).map((p) => p.category);

	const rows = shown.map((u): OfficeRow => {
		const r = u.responders;
		const rh = isHidden('responders', u);
		const ch = rh || isHidden('completers', u);
		const years = data.last_year !== null && u.first_year !== null ? data.last_year - u.first_year + 1 : null;
		const eh = isHidden('explants', u);
		return {
			key: unitKey(u),
			level: u.level,
			office: u.office,
			provider_id: u.provider_id,
			label: unitLabel(u),
			patients: count(u.patients, 'patients', u),
			implants_per_year: isHidden('patients', u) || years === null ? null : u.patients / years,
			responders: {
				n_all: count(r.n_all, 'responders', u),
				n_comp: ch ? null : r.n_comp,
				k: part(r.k, 'responders', u),
				all_implanted: rate(r.k, r.n_all, rh),
				completers: rate(r.k, r.n_comp, ch),
				suppressed: rh
			},
			// n_comp of n_all: hidden with the completers' n (also when n_all - n_comp is small).
			completeness: rate(r.n_comp, r.n_all, ch || rateIsSmall(r.n_all, r.n_comp, threshold)),
			baseline_pain: mean('baseline_pain', u),
			window_pain: mean('window_pain', u),
			pain_change: mean('pain_change', u),
			mme_reduction: quantiles(u.mme_reduction, isHidden('mme_reduction', u), threshold),
			opioid_free: {
				n: count(u.opioid_free.n, 'opioid_free', u),
				events: part(u.opioid_free.events, 'opioid_free', u),
				estimate: isHidden('opioid_free', u) ? null : u.opioid_free.estimate,
				ci: isHidden('opioid_free', u) ? null : u.opioid_free.ci
			},
			escalation: {
				...quantiles(u.escalation, isHidden('escalation', u), threshold),
				median_pct_per_year: isHidden('escalation', u) ? null : u.escalation.median_pct_per_year
			},
			explants: {
				k: part(u.explants, 'explants', u),
				...per100(u.explants, u.patient_years, eh),
				by_reason: Object.fromEntries(
					categoriesOf('explant_reason').map((c) => [
						c,
						count(u.explant_reasons[c] ?? 0, `explant_reason:${c}`, u)
					])
				)
			},
			complications: {
				k: part(u.complications, 'complications', u),
				...per100(u.complications, u.patient_years, isHidden('complications', u))
			},
			// Exposure reveals nothing small on its own, but with the explant rate it gives the count.
			patient_years: eh ? null : u.patient_years
		};
	});

	const caseMix = shown.map((u): CaseMixRow => {
		const patientsHidden = isHidden('patients', u);
		return {
			key: unitKey(u),
			level: u.level,
			label: unitLabel(u),
			patients: count(u.patients, 'patients', u),
			mix: Object.fromEntries(
				CASE_MIX_CHARACTERISTICS.map((c) => [
					c,
					Object.fromEntries(
						categoriesOf(`case_mix:${c}`).map((category) => {
							const k = u.case_mix[c][category] ?? 0;
							const h = isHidden(`case_mix:${c}:${category}`, u);
							const share = h || patientsHidden || u.patients === 0 ? null : k / u.patients;
							return [category, { n: showHiddenCount(k, h, threshold), share }];
						})
					)
				])
			) as CaseMixRow['mix']
		};
	});

	const yearList = categoriesOf('implant_year');
	const trendRows = shown
		.filter((u): u is OfficeUnitData & { level: 'practice' | 'office' } => u.level !== 'provider')
		.map((u): TrendRow => ({
			key: unitKey(u),
			level: u.level,
			label: unitLabel(u),
			years: Object.fromEntries(
				yearList.map((y) => [y, count(u.implants_by_year[y] ?? 0, `implant_year:${y}`, u)])
			)
		}));

	return {
		window: data.window.label,
		threshold,
		rows,
		caseMix,
		categories: Object.fromEntries(
			CASE_MIX_CHARACTERISTICS.map((c) => [c, categoriesOf(`case_mix:${c}`)])
		) as OfficesView['categories'],
		explantReasons: categoriesOf('explant_reason'),
		trend: { years: yearList, rows: trendRows },
		hidden,
		units: new Set(shown.map(unitKey))
	};
}

/** The practice first, then each office followed by its providers. */
function displayOrder(a: OfficeUnitData, b: OfficeUnitData): number {
	const rank = { practice: 0, office: 1, provider: 2 } as const;
	const key = (u: OfficeUnitData) => [u.office ?? '', rank[u.level], u.provider_id ?? ''] as const;
	const [x, y] = [key(a), key(b)];
	return x[0].localeCompare(y[0]) || x[1] - y[1] || x[2].localeCompare(y[2]);
}

function quantiles(
	s: { n: number; median: number | null; q1: number | null; q3: number | null },
	hidden: boolean,
	threshold: number
): ShownQuantiles {
	return {
		n: showHiddenCount(s.n, hidden, threshold),
		median: hidden ? null : s.median,
		q1: hidden ? null : s.q1,
		q3: hidden ? null : s.q3
	};
}
