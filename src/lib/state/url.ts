import { z } from 'zod';
import { DIAGNOSES, IT_DRUGS, PROGRAMS, SEX } from '$lib/contract';
import {
	DEFAULT_SETTINGS,
	DEFAULT_WINDOWS,
	FUNNEL_METHODS,
	HYDROMORPHONE_FACTOR,
	MME_FACTOR_VERSIONS,
	TOTAL_OPIOID_LOAD_RATIOS,
	type FunnelMethod,
	type Settings
} from '$lib/outcomes';
import { AGE_BANDS, NO_FILTERS, type Filters } from '$lib/sql/filters';
import { FUNNEL_METRIC_KEYS, type FunnelMetric } from '$lib/sql/officesFunnel';

/**
 * The filters and settings in the query string, so that a copied link reproduces the view.
 *
 * What may enter the URL: category values a user picks (office, provider code, diagnosis, ...),
 * year bounds, analysis settings and the pages' display options. Never a record-level value. In particular no patient id:
 * a pseudonymous id names one person's record, and URLs travel where the data must not (browser
 * history and sync, bookmarks, screenshots, chat, the static host's access log, which records
 * the query string even though the host never sees the data). The drill-down therefore keeps its
 * patient in memory (`view.patientId`, chosen on /patient or by a click on the pain page), and a
 * copied /patient link opens the patient picker. Every name below is fixed here; the parser
 * drops any other parameter (an `id=` included) and says so.
 *
 * Lists repeat their parameter (`office=Lexington&office=Danville`), so a value may hold a comma.
 * Only choices that differ from the defaults are written; order is fixed, so one view has one URL.
 */

/** One parameter left out of the view, with the reason shown in the notice. */
export interface IgnoredParam {
	name: string;
	/** The value as given (shortened), or null when echoing it could show a record-level value. */
	value: string | null;
	reason: string;
}

/**
 * The pages' own display choices, in the link too: what a copied link shows is what its sender saw.
 * Each belongs to one page but rides in every link, as the filters do.
 */
export interface ViewOptions {
	/** /offices: the funnel's measure (`funnel`). */
	funnelMetric: FunnelMetric;
	/** /offices: the funnel's limits (`limits`). */
	funnelMethod: FunnelMethod;
	/** /pain: each patient's line under the trajectory (`lines=1`). */
	painLines: boolean;
	/** /pump: the total opioid load assumption series (`opioid_load=1`). */
	opioidLoad: boolean;
	/** /dashboard: the report download with small cells suppressed throughout (`report_suppressed=1`). */
	reportSuppressed: boolean;
	/** /export: leave the office out of the bundle (`drop_office=1`). */
	dropOffice: boolean;
	/** /export: 20-year age bands in the bundle (`wide_ages=1`). */
	wideAgeBands: boolean;
}

export const DEFAULT_OPTIONS: ViewOptions = {
	funnelMetric: 'responders',
	funnelMethod: 'exact',
	painLines: false,
	opioidLoad: false,
	reportSuppressed: false,
	dropOffice: false,
	wideAgeBands: false
};

export interface ViewParams {
	filters: Filters;
	settings: Settings;
	/** Default: DEFAULT_OPTIONS. */
	options?: ViewOptions;
}

export interface ParsedView extends ViewParams {
	options: ViewOptions;
	ignored: IgnoredParam[];
}

type ListKey = Exclude<keyof Filters, 'implantYearFrom' | 'implantYearTo'>;

/** Free text from the data (office names, provider codes): any printable text up to 100 characters. */
const text = z
	.string()
	.min(1, 'empty')
	.max(100, 'longer than 100 characters')
	// eslint-disable-next-line no-control-regex
	.regex(/^[^\u0000-\u001f\u007f]*$/, 'contains control characters');

const oneOf = (values: readonly string[]) =>
	z.string().refine((v) => values.includes(v), { message: `not one of ${values.join(', ')}` });

const LISTS: { name: string; key: ListKey; value: z.ZodType<string, string> }[] = [
	{ name: 'office', key: 'offices', value: text },
	{ name: 'provider', key: 'providers', value: text },
	{ name: 'diagnosis', key: 'diagnoses', value: oneOf(DIAGNOSES) },
	{ name: 'sex', key: 'sexes', value: oneOf(SEX) },
	// `90+` typed into an address arrives as "90 " (a `+` in a query string is a space).
	{
		name: 'age',
		key: 'ageBands',
		value: z
			.string()
			.transform((v) => (v === '90 ' ? '90+' : v))
			.pipe(oneOf(AGE_BANDS))
	},
	{ name: 'program', key: 'programs', value: oneOf(PROGRAMS) },
	{ name: 'drug', key: 'itDrugs', value: oneOf(IT_DRUGS) }
];

const YEAR = { min: 1980, max: 2100 } as const;
const year = z
	.string()
	.regex(/^\d{4}$/, 'not a four-digit year')
	.transform(Number)
	.pipe(z.number().int().min(YEAR.min, `before ${YEAR.min}`).max(YEAR.max, `after ${YEAR.max}`));

const YEARS: { name: string; key: 'implantYearFrom' | 'implantYearTo' }[] = [
	{ name: 'implant_from', key: 'implantYearFrom' },
	{ name: 'implant_to', key: 'implantYearTo' }
];

const WINDOW_LABELS = DEFAULT_WINDOWS.map((w) => w.label);

/**
 * Settings, each with its parameter. The small-cell threshold may only be raised by a link: a
 * lower one would show counts the practice chose to hide, and a link is not where that choice is
 * made.
 */
const SETTINGS: { name: string; key: keyof Settings; value: z.ZodType<unknown> }[] = [
	{ name: 'mme', key: 'mmeFactors', value: oneOf(MME_FACTOR_VERSIONS) },
	{
		name: 'hm',
		key: 'hydromorphoneFactor',
		value: z
			.string()
			.regex(/^\d(\.\d)?$/, 'not a number with at most one decimal')
			.transform(Number)
			.pipe(
				z
					.number()
					.min(HYDROMORPHONE_FACTOR.min, `below ${HYDROMORPHONE_FACTOR.min}`)
					.max(HYDROMORPHONE_FACTOR.max, `above ${HYDROMORPHONE_FACTOR.max}`)
			)
	},
	{
		name: 'load',
		key: 'loadRatio',
		value: oneOf(TOTAL_OPIOID_LOAD_RATIOS.map(String)).transform(Number)
	},
	{ name: 'window', key: 'window', value: oneOf(WINDOW_LABELS) },
	{
		name: 'suppress',
		key: 'suppressionThreshold',
		value: z
			.string()
			.regex(/^\d{1,3}$/, 'not a whole number')
			.transform(Number)
			.pipe(
				z
					.number()
					.min(
						DEFAULT_SETTINGS.suppressionThreshold,
						`a link may raise the small-cell threshold, not lower it below ${DEFAULT_SETTINGS.suppressionThreshold}`
					)
					.max(100, 'above 100')
			)
	}
];

const flag = z.enum(['1']).transform(() => true);

/** The pages' options, each with its parameter; only a choice other than the default is written. */
const OPTIONS: { name: string; key: keyof ViewOptions; value: z.ZodType<unknown> }[] = [
	{ name: 'funnel', key: 'funnelMetric', value: oneOf(FUNNEL_METRIC_KEYS) },
	{ name: 'limits', key: 'funnelMethod', value: oneOf(FUNNEL_METHODS) },
	{ name: 'lines', key: 'painLines', value: flag },
	{ name: 'opioid_load', key: 'opioidLoad', value: flag },
	{ name: 'report_suppressed', key: 'reportSuppressed', value: flag },
	{ name: 'drop_office', key: 'dropOffice', value: flag },
	{ name: 'wide_ages', key: 'wideAgeBands', value: flag }
];

/** Every parameter name the view reads and writes. */
export const VIEW_PARAM_NAMES: readonly string[] = [
	...LISTS.map((l) => l.name),
	...YEARS.map((y) => y.name),
	...SETTINGS.map((s) => s.name),
	...OPTIONS.map((o) => o.name)
];

const shorten = (v: string) => (v.length > 40 ? `${v.slice(0, 40)}…` : v);

function firstIssue(error: z.ZodError): string {
	return error.issues[0]?.message ?? 'invalid';
}

/** Filters and settings from a query string; anything invalid keeps its default and is listed. */
export function parseView(search: URLSearchParams | string): ParsedView {
	const params = typeof search === 'string' ? new URLSearchParams(search) : search;
	const filters: Filters = structuredClone(NO_FILTERS);
	const settings: Settings = { ...DEFAULT_SETTINGS };
	const ignored: IgnoredParam[] = [];

	for (const { name, key, value } of LISTS) {
		const kept: string[] = [];
		for (const raw of params.getAll(name)) {
			const r = value.safeParse(raw);
			if (!r.success) ignored.push({ name, value: shorten(raw), reason: firstIssue(r.error) });
			else if (!kept.includes(r.data)) kept.push(r.data);
		}
		filters[key] = kept;
	}

	const single = (name: string): string | null => {
		const all = params.getAll(name);
		if (all.length > 1) {
			ignored.push({ name, value: all.slice(1).map(shorten).join(', '), reason: 'given more than once' });
		}
		return all[0] ?? null;
	};

	for (const { name, key } of YEARS) {
		const raw = single(name);
		if (raw === null) continue;
		const r = year.safeParse(raw);
		if (r.success) filters[key] = r.data;
		else ignored.push({ name, value: shorten(raw), reason: firstIssue(r.error) });
	}
	if (
		filters.implantYearFrom !== null &&
		filters.implantYearTo !== null &&
		filters.implantYearFrom > filters.implantYearTo
	) {
		ignored.push({
			name: 'implant_from, implant_to',
			value: `${filters.implantYearFrom}, ${filters.implantYearTo}`,
			reason: 'the first year is after the last'
		});
		filters.implantYearFrom = null;
		filters.implantYearTo = null;
	}

	// Settings and options: one parameter each, parsed into the field it names.
	const readSingles = <T extends object>(
		defs: { name: string; key: keyof T; value: z.ZodType<unknown> }[],
		into: T
	) => {
		for (const { name, key, value } of defs) {
			const raw = single(name);
			if (raw === null) continue;
			const r = value.safeParse(raw);
			if (r.success) (into as Record<keyof T, unknown>)[key] = r.data;
			else ignored.push({ name, value: shorten(raw), reason: firstIssue(r.error) });
		}
	};
	readSingles(SETTINGS, settings);
	const options: ViewOptions = { ...DEFAULT_OPTIONS };
	readSingles(OPTIONS, options);

	const known = new Set(VIEW_PARAM_NAMES);
	for (const name of new Set(params.keys())) {
		// `debug` is the developers' query log (src/lib/db/browser.ts), not part of the view.
		if (known.has(name) || name === 'debug') continue;
		// The value is not echoed: an unknown parameter may carry anything, a patient id included.
		const reason = /^(id|patient|patient_id)$/i.test(name)
			? 'patients are never chosen by a link: open the patient page and pick one there'
			: 'not a filter or setting of this app';
		ignored.push({ name, value: null, reason });
	}
	return { filters, settings, options, ignored };
}

/** The query parameters for a view: only what differs from the defaults, in a fixed order. */
export function serializeView({ filters, settings, options = DEFAULT_OPTIONS }: ViewParams): URLSearchParams {
	const out = new URLSearchParams();
	for (const { name, key } of LISTS) {
		for (const v of new Set(filters[key])) out.append(name, v);
	}
	for (const { name, key } of YEARS) {
		const v = filters[key];
		if (v !== null) out.append(name, String(v));
	}
	for (const { name, key } of SETTINGS) {
		if (settings[key] !== DEFAULT_SETTINGS[key]) out.append(name, String(settings[key]));
	}
	for (const { name, key } of OPTIONS) {
		const v = options[key];
		if (v !== DEFAULT_OPTIONS[key]) out.append(name, v === true ? '1' : String(v));
	}
	return out;
}

/** `?a=b&...`, or '' for the default view. */
export function viewSearch(view: ViewParams): string {
	const s = serializeView(view).toString();
	return s ? `?${s}` : '';
}

/** Whether a URL names any part of the view (else the view in memory is kept). */
export function hasViewParams(search: URLSearchParams | string): boolean {
	const params = typeof search === 'string' ? new URLSearchParams(search) : search;
	return [...params.keys()].length > 0;
}

/** One line per ignored parameter, for the notice. */
export function describeIgnored(ignored: readonly IgnoredParam[]): string[] {
	return ignored.map((i) => `${i.name}${i.value === null ? '' : ` = "${i.value}"`}: ${i.reason}`);
}

/**
 * Mirrors the view into the URL through an injected writer (SvelteKit's `replaceState` in the
 * layout; src/lib never imports $app). Writes replace the history entry, never add one, so ten
 * checkbox clicks do not leave ten Back steps; and they are coalesced over `delayMs`, because
 * browsers throttle history calls (Chrome ignores them beyond about 200 per 10 s) and a held-down
 * arrow key on a number field changes the view many times a second.
 */
export class UrlSync {
	private timer: ReturnType<typeof setTimeout> | null = null;
	private pending: string | null = null;

	constructor(
		private readonly write: (search: string) => void,
		private readonly delayMs = 120
	) {}

	/** Schedule writing this view's search. */
	update(view: ViewParams): void {
		this.pending = viewSearch(view);
		if (this.timer !== null) clearTimeout(this.timer);
		this.timer = setTimeout(() => this.flush(), this.delayMs);
	}

	/** Write what is pending now (before a navigation, or in tests). */
	flush(): void {
		if (this.timer !== null) clearTimeout(this.timer);
		this.timer = null;
		if (this.pending === null) return;
		const search = this.pending;
		this.pending = null;
		this.write(search);
	}

	cancel(): void {
		if (this.timer !== null) clearTimeout(this.timer);
		this.timer = null;
		this.pending = null;
	}
}
