import { afterEach, describe, expect, test, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../src/lib/outcomes';
import { NO_FILTERS, type Filters } from '../../src/lib/sql/filters';
import {
	DEFAULT_OPTIONS,
	describeIgnored,
	parseView,
	serializeView,
	UrlSync,
	VIEW_PARAM_NAMES,
	viewSearch,
	type ViewOptions,
	type ViewParams
} from '../../src/lib/state/url';

const view = (filters: Partial<Filters> = {}, settings: Partial<Settings> = {}): ViewParams => ({
	filters: { ...NO_FILTERS, ...filters },
	settings: { ...DEFAULT_SETTINGS, ...settings }
});

/** Every page option away from its default. */
const NON_DEFAULT_OPTIONS: ViewOptions = {
	funnelMetric: 'opioid_free',
	funnelMethod: 'normal',
	painLines: true,
	opioidLoad: true,
	reportSuppressed: true,
	dropOffice: true,
	wideAgeBands: true
};

describe('serialising the view', () => {
	test('writes nothing for the default view', () => {
		expect(viewSearch(view())).toBe('');
	});

	test('writes only the choices that differ from the defaults, in a fixed order', () => {
		const v = view(
			{ sexes: ['F'], offices: ['Lexington', 'Danville'], implantYearTo: 2020 },
			{ window: '12m', hydromorphoneFactor: 4.5, mmeFactors: 'cdc2022' }
		);
		// window 12m and cdc2022 are the defaults; lists come before years, years before settings.
		expect(viewSearch(v)).toBe('?office=Lexington&office=Danville&sex=F&implant_to=2020&hm=4.5');
	});

	test('percent-encodes values, so quotes, commas and ampersands survive', () => {
		const v = view({ offices: ["O'Brien, Lex & Co", 'Zürich 2'] });
		expect(viewSearch(v)).toBe('?office=O%27Brien%2C+Lex+%26+Co&office=Z%C3%BCrich+2');
	});
});

describe('parsing a link', () => {
	test('reads back every kind of choice it wrote (round trip)', () => {
		const v = view(
			{
				offices: ["O'Brien, Lex & Co", 'Danville'],
				providers: ['DR-LEX-3'],
				diagnoses: ['fbss', 'crps'],
				sexes: ['M'],
				ageBands: ['50-59', '90+'],
				programs: ['low_dose'],
				itDrugs: ['ziconotide', 'morphine'],
				implantYearFrom: 2016,
				implantYearTo: 2021
			},
			{
				mmeFactors: 'cdc2016',
				hydromorphoneFactor: 6,
				loadRatio: 100,
				window: '24m',
				suppressionThreshold: 20
			}
		);
		const parsed = parseView(serializeView(v));
		expect(parsed.ignored).toEqual([]);
		expect({ filters: parsed.filters, settings: parsed.settings }).toEqual(v);
		expect(viewSearch(parsed)).toBe(viewSearch(v));
	});

	test('an empty query gives the default view', () => {
		expect(parseView('')).toEqual({ ...view(), options: DEFAULT_OPTIONS, ignored: [] });
	});

	test("reads back the pages' display options it wrote, after the settings; defaults are not written", () => {
		const options = NON_DEFAULT_OPTIONS;
		const v = { ...view({ sexes: ['F'] }, { window: '24m' }), options };
		const search = viewSearch(v);
		expect(search).toBe(
			'?sex=F&window=24m&funnel=opioid_free&limits=normal&lines=1&opioid_load=1&report_suppressed=1&drop_office=1&wide_ages=1'
		);
		const parsed = parseView(search);
		expect(parsed.ignored).toEqual([]);
		expect(parsed.options).toEqual(options);
		expect(viewSearch({ ...v, options: DEFAULT_OPTIONS })).toBe('?sex=F&window=24m');
		expect(viewSearch({ ...v, options: { ...DEFAULT_OPTIONS, funnelMetric: 'explants' } })).toBe(
			'?sex=F&window=24m&funnel=explants'
		);
	});

	test('an option value it does not know keeps the default and is listed', () => {
		const parsed = parseView('?funnel=mortality&lines=yes&limits=normal');
		expect(parsed.options).toEqual({ ...DEFAULT_OPTIONS, funnelMethod: 'normal' });
		expect(parsed.ignored.map((i) => i.name)).toEqual(['funnel', 'lines']);
	});

	test('keeps the valid parameters and lists each invalid one with the reason, using the default', () => {
		const parsed = parseView(
			'?office=Lexington&sex=Q&hm=9&window=99m&implant_from=20x0&mme=cdc2010&load=200&age=50-59&office='
		);
		expect(parsed.filters).toEqual({ ...NO_FILTERS, offices: ['Lexington'], ageBands: ['50-59'] });
		expect(parsed.settings).toEqual(DEFAULT_SETTINGS);
		expect(describeIgnored(parsed.ignored)).toEqual([
			'office = "": empty',
			'sex = "Q": not one of F, M, X, U',
			'implant_from = "20x0": not a four-digit year',
			'mme = "cdc2010": not one of cdc2022, cdc2016',
			'hm = "9": above 6',
			'load = "200": not one of 300, 100',
			'window = "99m": not one of 3m, 6m, 12m, 18m, 24m, 36m'
		]);
	});

	test('drops repeated list values and extra copies of a single setting', () => {
		const parsed = parseView('?office=Danville&office=Danville&window=6m&window=24m');
		expect(parsed.filters.offices).toEqual(['Danville']);
		expect(parsed.settings.window).toBe('6m');
		expect(describeIgnored(parsed.ignored)).toEqual(['window = "24m": given more than once']);
	});

	test('reads 90+ typed into an address, where the + arrives as a space', () => {
		expect(parseView('?age=90+').filters.ageBands).toEqual(['90+']);
		expect(parseView('?age=90%2B').filters.ageBands).toEqual(['90+']);
		expect(parseView('?age=90').ignored.map((i) => i.name)).toEqual(['age']);
	});

	test('ignores a year range that runs backwards', () => {
		const parsed = parseView('?implant_from=2022&implant_to=2018');
		expect(parsed.filters.implantYearFrom).toBeNull();
		expect(parsed.filters.implantYearTo).toBeNull();
		expect(parsed.ignored.map((i) => i.reason)).toEqual(['the first year is after the last']);
	});

	test('lets a link raise the small-cell threshold but not lower it', () => {
		expect(parseView('?suppress=20').settings.suppressionThreshold).toBe(20);
		const lowered = parseView('?suppress=5');
		expect(lowered.settings.suppressionThreshold).toBe(11);
		expect(lowered.ignored[0]?.reason).toMatch(/not lower it below 11/);
	});

	test('accepts a hydromorphone factor from 4 to 6 with at most one decimal', () => {
		expect(parseView('?hm=4').settings.hydromorphoneFactor).toBe(4);
		expect(parseView('?hm=5.5').settings.hydromorphoneFactor).toBe(5.5);
		expect(parseView('?hm=3.9').ignored[0]?.reason).toBe('below 4');
		expect(parseView('?hm=4.25').ignored[0]?.reason).toBe('not a number with at most one decimal');
		expect(parseView('?hm=NaN').settings.hydromorphoneFactor).toBe(5);
	});
});

describe('record-level values stay out of the URL', () => {
	test('a patient id in a link is ignored, not echoed, and not written back', () => {
		const parsed = parseView('?id=P000123&office=Maysville&utm_source=mail');
		expect(parsed.filters.offices).toEqual(['Maysville']);
		expect(parsed.ignored).toEqual([
			{
				name: 'id',
				value: null,
				reason: 'patients are never chosen by a link: open the patient page and pick one there'
			},
			{ name: 'utm_source', value: null, reason: 'not a filter or setting of this app' }
		]);
		expect(describeIgnored(parsed.ignored).join(' ')).not.toContain('P000123');
		expect(viewSearch(parsed)).toBe('?office=Maysville');
	});

	test('?debug (the query log) is neither reported as unknown nor written back', () => {
		const parsed = parseView('?debug&office=Danville');
		expect(parsed.ignored).toEqual([]);
		expect(viewSearch(parsed)).toBe('?office=Danville');
	});

	test('only the fixed parameter names are ever written', () => {
		const v = view(
			{
				offices: ['a'],
				providers: ['b'],
				diagnoses: ['other'],
				sexes: ['X'],
				ageBands: ['18-29'],
				programs: ['conventional'],
				itDrugs: ['baclofen'],
				implantYearFrom: 1999,
				implantYearTo: 2000
			},
			{
				mmeFactors: 'cdc2016',
				hydromorphoneFactor: 4,
				loadRatio: 100,
				window: '3m',
				suppressionThreshold: 12
			}
		);
		const names = [...new Set(serializeView({ ...v, options: NON_DEFAULT_OPTIONS }).keys())];
		expect(names.sort()).toEqual([...VIEW_PARAM_NAMES].sort());
	});
});

describe('UrlSync', () => {
	afterEach(() => vi.useRealTimers());

	test('coalesces rapid changes into one write of the last view', () => {
		vi.useFakeTimers();
		const writes: string[] = [];
		const sync = new UrlSync((s) => writes.push(s), 100);
		sync.update(view({ sexes: ['F'] }));
		vi.advanceTimersByTime(50);
		sync.update(view({ sexes: ['M'] }));
		vi.advanceTimersByTime(99);
		expect(writes).toEqual([]);
		vi.advanceTimersByTime(1);
		expect(writes).toEqual(['?sex=M']);
	});

	test('flush writes the pending view at once; cancel drops it', () => {
		vi.useFakeTimers();
		const writes: string[] = [];
		const sync = new UrlSync((s) => writes.push(s), 100);
		sync.update(view({ programs: ['low_dose'] }));
		sync.flush();
		expect(writes).toEqual(['?program=low_dose']);
		sync.update(view());
		sync.cancel();
		vi.advanceTimersByTime(500);
		expect(writes).toEqual(['?program=low_dose']);
	});
});
