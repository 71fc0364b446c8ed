import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import { DEFAULT_SETTINGS, type Shown } from '../../src/lib/outcomes';
import {
	itDoseEscalationSummary,
	mmeReduction,
	mmeReport,
	NO_FILTERS,
	painBaselineSummary,
	painReport,
	run,
	runOne,
	type Filters,
	type ItDoseEscalationSummary,
	type PainBaselineRow
} from '../../src/lib/sql';
import { deriveMme } from '../../src/lib/sql/deriveMme';
import {
	dataVersion,
	officeCaseMix,
	officeUnits,
	type OfficeCaseMixRow,
	type OfficeUnitRow
} from '../../src/lib/sql/offices';
import { officesData, type OfficesData } from '../../src/lib/sql/officesData';
import { officesFunnel } from '../../src/lib/sql/officesFunnel';
import {
	officesCsv,
	officesReport,
	officesReportFrom,
	type OfficesReport
} from '../../src/lib/sql/officesReport';
import {
	officesView,
	splitOfficesFilters,
	type OfficeRow,
	type OfficesView
} from '../../src/lib/sql/officesView';
import { files } from './helpers';
import {
	fixtureCounts,
	fixtureCsv,
	FIXTURE_UNITS,
	recoverable,
	type PublishedGroup
} from './offices-fixture';

const SETTINGS = DEFAULT_SETTINGS;

async function load(map: Record<string, string | Uint8Array>): Promise<Database> {
	const db = await nodeDatabase();
	await loadDataset(db, files(map));
	return db;
}

// ---------------------------------------------------------------------------------------------
// Builders on a hand-made cohort

// Outcome population: A1-A3 (North), B1-B2 (South). S1 is spasticity, T1 was never implanted.
//   A1 2020, follow-up to day 730 (2 years), explanted (infection), complications on days 10 and 700
//      (both counted) and day 800 (after follow-up: not counted).
//   A2 2021, follow-up to day 365, ongoing, one complication on day -5 (before implant: not counted).
//   A3 2022, no follow-up end: no exposure, its explant is not counted; provider code missing.
//   B1 2019, 1461 days (4 years), explanted with no reason recorded.
//   B2 2022, day -10 as the end: exposure 0 (clipped), ongoing.
const PATIENTS = `patient_id,office,provider_id,sex,age_at_implant,diagnosis,program,trial_day,trial_result,implant_year,followup_end_day,followup_end_reason,explant_reason
A1,North,DR-1,F,45,fbss,low_dose,-20,pass,2020,730,explant,infection
A2,North,DR-1,M,90+,crps,,-20,pass,2021,365,ongoing,
A3,North,,,62,fbss,conventional,-20,pass,2022,,explant,granuloma
B1,South,DR-2,F,71,other,conventional,-20,pass,2019,1461,explant,
B2,South,DR-2,F,33,fbss,conventional,-20,pass,2022,-10,ongoing,
S1,North,DR-1,M,50,spasticity,,,pass,2020,400,ongoing,
T1,South,DR-2,F,50,fbss,,-10,fail,,20,,
`;
const PUMP = `patient_id,day,event,complication
A1,10,complication,catheter
A1,700,complication,csf_leak
A1,800,complication,other
A2,-5,complication,infection
S1,50,complication,infection
`;
const OPIOIDS = `patient_id,start_day,end_day,drug,strength,strength_unit,units_per_day
A1,-200,-50,oxycodone,10,mg,3
A2,-120,-91,morphine,60,mg,2
B1,-100,-95,morphine,100,mg,1
`;
// Baseline MME over [-180, -91]: A1 10 x 3 x 1.5 = 45 on every day (days -180..-91) -> 45, <50.
// A2 morphine 120 on days -120..-91; observed from day -120, so the mean is over those 30 days: 120,
// ≥90. B1 100 on days -100..-95, then 0 on -94..-91 (observed, no prescription): 600 / 10 = 60,
// 50-89. A3, B2 have no prescriptions: no MME data.

describe('office builders on a hand-made cohort', () => {
	let db: Database;
	beforeAll(async () => {
		db = await load({
			'patients.csv': PATIENTS,
			'pump_events.csv': PUMP,
			'oral_opioids.csv': OPIOIDS
		});
		await deriveMme(db, 'cdc2022');
	});

	test('counts patients, patient-years, explants and complications per practice, office and provider', async () => {
		const rows = await run<OfficeUnitRow>(db, officeUnits(NO_FILTERS));
		const pick = (level: string, office: string | null, provider: string | null) =>
			rows.find((r) => r.level === level && r.office === office && r.provider_id === provider);
		// North: A1 730 + A2 365 days = 1095 / 365.25 = 2.997947 years; A3 has no follow-up end, so
		// neither its years nor its explant count. 1 explant (A1), 2 complications (days 10 and 700).
		expect(pick('office', 'North', null)).toMatchObject({
			patients: 3,
			first_year: 2020,
			last_year: 2022,
			exposure_n: 2,
			explants: 1,
			complications: 2
		});
		expect(pick('office', 'North', null)!.patient_years).toBeCloseTo(1095 / 365.25, 12);
		// South: B1 1461 days = 4 years, B2 clipped to 0 days; one explant (B1).
		expect(pick('office', 'South', null)).toMatchObject({
			patients: 2,
			exposure_n: 2,
			explants: 1,
			complications: 0
		});
		expect(pick('office', 'South', null)!.patient_years).toBeCloseTo(4, 12);
		expect(pick('practice', null, null)).toMatchObject({ patients: 5, first_year: 2019, last_year: 2022 });
		expect(pick('provider', 'North', null)).toMatchObject({ patients: 1, exposure_n: 0 });
		expect(pick('provider', 'North', 'DR-1')).toMatchObject({ patients: 2, explants: 1, complications: 2 });
	});

	test('case mix adds up to the patients of each unit, with baseline MME bands', async () => {
		const rows = await run<OfficeCaseMixRow>(db, officeCaseMix(NO_FILTERS));
		const mix = (level: string, office: string | null, c: string) =>
			Object.fromEntries(
				rows
					.filter(
						(r) =>
							r.level === level && r.office === office && r.provider_id === null && r.characteristic === c
					)
					.map((r) => [r.category, r.n])
			);
		expect(mix('practice', null, 'mme_band')).toEqual({ '<50': 1, '50-89': 1, '≥90': 1, 'no MME data': 2 });
		expect(mix('office', 'North', 'diagnosis')).toEqual({ fbss: 2, crps: 1 });
		expect(mix('office', 'North', 'sex')).toEqual({ F: 1, M: 1, 'not recorded': 1 });
		expect(mix('office', 'North', 'program')).toEqual({ low_dose: 1, conventional: 1, 'not recorded': 1 });
		expect(mix('practice', null, 'age_band')).toEqual({
			'30-39': 1,
			'40-49': 1,
			'60-69': 1,
			'70-79': 1,
			'90+': 1
		});
	});

	test('the data version is stable for the same data and changes with any value', async () => {
		const a = await runOne<{ version: string }>(db, dataVersion());
		expect(a.version).toMatch(/^[0-9a-f]{12}$/);
		expect((await runOne<{ version: string }>(db, dataVersion())).version).toBe(a.version);
		const other = await load({
			'patients.csv': PATIENTS.replace('A1,North,DR-1,F,45', 'A1,North,DR-1,F,46')
		});
		expect((await runOne<{ version: string }>(other, dataVersion())).version).not.toBe(a.version);
	});
});

// ---------------------------------------------------------------------------------------------
// Suppression on a cohort built to leak

/** Every (n, k) the published page, JSON or CSV gives for one unit, keyed like fixtureCounts. */
type Published = Map<string, { n: Shown; k: Shown }>;

const asNumber = (v: Shown | string | undefined): number | null => {
	if (v === undefined || v === null || v === '') return null;
	if (typeof v === 'number') return v;
	const x = Number(v);
	// '<11' is a range, not a value: for exact recovery it counts as unknown.
	return Number.isFinite(x) ? x : null;
};

/**
 * Offices add up to the practice, providers (and the patients without a code, never published) to
 * their office: what a reader of the page knows without being told.
 */
function relations(keys: string[]): PublishedGroup[] {
	const offices = keys.filter((k) => k.startsWith('office:'));
	return [
		{ total: 'practice', members: offices },
		...offices.map((o) => ({
			total: o,
			members: keys.filter((k) => k.startsWith(`provider:${o.slice('office:'.length)}/`))
		}))
	];
}

function leaks(published: Published): string[] {
	const truth = fixtureCounts();
	const found: string[] = [];
	for (const which of ['n', 'k'] as const) {
		const values = new Map<string, number | null>();
		for (const key of truth.keys()) values.set(key, asNumber(published.get(key)?.[which]));
		for (const id of recoverable(values, relations([...truth.keys()]))) found.push(`${which} of ${id}`);
	}
	return found;
}

const keyOf = (r: { level: string; office: string | null; provider_id: string | null }) =>
	r.level === 'practice'
		? 'practice'
		: r.level === 'office'
			? `office:${r.office}`
			: `provider:${r.office}/${r.provider_id}`;

describe('small-cell suppression on a cohort where a small provider could be recovered by subtraction', () => {
	let db: Database;
	let data: OfficesData;
	let view: OfficesView;
	let report: OfficesReport;
	beforeAll(async () => {
		db = await load(fixtureCsv());
		data = await officesData(db, NO_FILTERS, SETTINGS);
		view = officesView(data, 11);
		report = officesReportFrom(data, 11, 'exact');
	});

	const row = (key: string): OfficeRow => view.rows.find((r) => keyOf(r) === key)!;

	test('the exact counts per unit are the generator’s (before suppression)', () => {
		for (const [key, c] of fixtureCounts()) {
			const u = data.units.find((x) => keyOf({ ...x, provider_id: x.provider_id ?? '' }) === key)!;
			expect(u.responders, key).toEqual(c);
		}
		// The generated units: 8 rows, one of them (Beta's) without a provider code.
		expect(FIXTURE_UNITS.reduce((s, u) => s + u.n, 0)).toBe(
			data.units.find((u) => u.level === 'practice')!.patients
		);
	});

	test('naively published, the small provider and the uncoded pair are recoverable', () => {
		const naive: Published = new Map();
		for (const [key, c] of fixtureCounts()) {
			const small = c.n_all < 11;
			naive.set(key, { n: small ? '<11' : c.n_all, k: small ? '<11' : c.k });
		}
		expect(leaks(naive)).toEqual(
			expect.arrayContaining(['n of provider:Alpha/DR-A3', 'n of provider:Beta/', 'n of office:Delta'])
		);
	});

	test('which responder cells are hidden, and why', () => {
		const hidden = (key: string) => row(key).responders.suppressed;
		expect(hidden('provider:Alpha/DR-A3')).toBe(true); // 6 patients: primary
		expect(hidden('provider:Alpha/DR-A2')).toBe(true); // next smallest in Alpha: complementary
		expect(hidden('provider:Alpha/DR-A1')).toBe(false);
		expect(hidden('provider:Beta/DR-B2')).toBe(true); // beside the 2 uncoded patients
		expect(hidden('provider:Beta/DR-B1')).toBe(false);
		expect(hidden('office:Delta')).toBe(true); // 5 patients: primary
		expect(hidden('office:Gamma')).toBe(true); // next smallest office
		expect(hidden('provider:Gamma/DR-G1')).toBe(true); // Gamma's only provider would give it back
		expect(hidden('office:Alpha')).toBe(false);
		expect(hidden('practice')).toBe(false);
		// A small hidden n shows as <11, a large one is empty; the other counts, rates and intervals of a
		// hidden cell are null (a `<11` k beside an empty one would tell 1-10 from 0).
		expect(row('provider:Alpha/DR-A3').responders).toMatchObject({ n_all: '<11', k: null });
		expect(row('provider:Alpha/DR-A2').responders).toMatchObject({
			n_all: null,
			k: null,
			all_implanted: { rate: null, ci: null },
			completers: { rate: null, ci: null }
		});
		// The uncoded patients have no row at all.
		expect(view.rows.some((r) => r.level === 'provider' && r.provider_id === null)).toBe(false);
	});

	test('nothing on the page model lets a hidden count be recovered', () => {
		const published: Published = new Map(
			view.rows.map((r) => [keyOf(r), { n: r.responders.n_all, k: r.responders.k }])
		);
		expect(leaks(published)).toEqual([]);
		// Nor from the patients column (the same providers, by patient count).
		const patients: Published = new Map(view.rows.map((r) => [keyOf(r), { n: r.patients, k: r.patients }]));
		expect(leaks(patients)).toEqual([]);
		// And a shown rate never sits beside a hidden count.
		for (const r of view.rows) {
			if (r.responders.all_implanted.rate !== null) expect(typeof r.responders.k).toBe('number');
		}
	});

	test('nothing in the JSON (report.md offices) lets it be recovered', () => {
		const published: Published = new Map([
			...report.units.map((u) => [`office:${u.office}`, { n: u.n, k: u.k }] as const),
			...report.providers.map((p) => [`provider:${p.office}/${p.provider_id}`, { n: p.n, k: p.k }] as const)
		]);
		// The practice total is the target's denominator: a reader has it from the dashboard anyway.
		const truth = fixtureCounts().get('practice')!;
		published.set('practice', { n: truth.n_all, k: truth.k });
		expect(leaks(published)).toEqual([]);
		expect(report.target).toBeCloseTo(truth.k / truth.n_all, 12);
		const delta = report.units.find((u) => u.office === 'Delta')!;
		expect(delta).toEqual({
			office: 'Delta',
			n: '<11',
			k: null,
			rate: null,
			ci: null,
			limits95: null,
			limits998: null,
			flag: null,
			suppressed: true
		});
		// Limits would give n back (they depend on n alone): hidden with the unit.
		expect(report.units.find((u) => u.office === 'Gamma')).toMatchObject({
			n: null,
			limits95: null,
			flag: null
		});
	});

	test('nothing in the CSV export lets it be recovered, and it records the threshold', () => {
		const csv = officesCsv(view, {
			filters: 'no filters',
			dataVersion: 'test',
			settings: SETTINGS,
			date: '2025-01-01'
		}).text.replace(/^\uFEFF/, '');
		const [header, ...lines] = csv
			.trim()
			.split('\r\n')
			.map((l) => l.split(','));
		const col = (name: string) => header!.indexOf(name);
		const published: Published = new Map(
			lines.map((cells) => {
				const [level, office, provider] = [
					cells[col('level')],
					cells[col('office')],
					cells[col('provider_id')]
				];
				const key =
					level === 'practice'
						? 'practice'
						: level === 'office'
							? `office:${office}`
							: `provider:${office}/${provider}`;
				return [key, { n: cells[col('due_n')] as Shown, k: cells[col('responders30_k')] as Shown }];
			})
		);
		expect(leaks(published)).toEqual([]);
		expect(lines.every((cells) => cells[col('suppression_threshold')] === '11')).toBe(true);
		// DR-A3's row: <11 for n, empty k and rate.
		const a3 = lines.find((cells) => cells[col('provider_id')] === 'DR-A3')!;
		expect([a3[col('due_n')], a3[col('responders30_k')], a3[col('responders30_all_implanted_rate')]]).toEqual(
			['<11', '', '']
		);
	});

	test('the threshold is a setting: at 5, DR-A3 (6 patients, 3 responders) is still hidden, by its k', () => {
		const at5 = officesView(data, 5);
		const a3 = at5.rows.find((r) => keyOf(r) === 'provider:Alpha/DR-A3')!;
		// n = 6 is no longer small, so it is hidden as a plain hidden cell (empty), not `<5`.
		expect(a3.responders).toMatchObject({ n_all: null, k: null, suppressed: true });
		// Delta (5 patients, 2 responders): k = 2 < 5.
		expect(at5.rows.find((r) => keyOf(r) === 'office:Delta')!.responders).toMatchObject({
			n_all: null,
			suppressed: true
		});
		const at2 = officesView(data, 2);
		expect(at2.rows.find((r) => keyOf(r) === 'provider:Alpha/DR-A3')!.responders.suppressed).toBe(false);
	});

	test('the funnel plots only shown offices and names the others with the reason', () => {
		const funnel = officesFunnel(data, view.hidden, 'responders', 'exact');
		expect(funnel.points.map((p) => p.label).sort()).toEqual(['Alpha', 'Beta']);
		expect(funnel.leftOut.map((p) => p.label).sort()).toEqual(['Delta', 'Gamma']);
		expect(funnel.leftOut.every((p) => /suppressed/.test(p.reason))).toBe(true);
		// Delta (5 patients) is small; Gamma is hidden so that Delta cannot be worked out.
		const reason = (label: string) => funnel.leftOut.find((p) => p.label === label)!.reason;
		expect(reason('Delta')).toBe('suppressed: small numbers (fewer than the threshold)');
		expect(reason('Gamma')).toMatch(/^suppressed: hidden so that another office's small numbers/);
		expect(funnel.overdispersionNote).toMatch(/not estimated with fewer than 10 units \(here 4\)/);
	});

	// The office and provider filters choose the units shown; the totals keep every office.
	const practiceN = (v: OfficesView) => v.rows.find((r) => r.level === 'practice')!.responders.n_all;
	const exactN = (key: string) =>
		data.units.find((u) => keyOf({ ...u, provider_id: u.provider_id ?? '' }) === key)!.responders.n_all;

	test('choosing offices: narrowing the patients would give Delta by subtraction; the page shows a subset of the unfiltered cells instead', async () => {
		const f = { ...NO_FILTERS, offices: ['Alpha', 'Beta', 'Gamma'] };
		// What a filtered total would publish: the practice minus it is Delta's hidden n (5).
		const narrowed = officesView(await officesData(db, f, SETTINGS), 11);
		expect(row('office:Delta').responders.n_all).toBe('<11');
		expect((practiceN(view) as number) - (practiceN(narrowed) as number)).toBe(exactN('office:Delta'));

		const { cohort, selection, text } = splitOfficesFilters(f);
		expect(cohort).toEqual(NO_FILTERS);
		expect(text).toBe(
			"no filters; showing office: Alpha, Beta, Gamma (All offices, the funnel's target and the suppression count every office)"
		);
		const chosenData = await officesData(db, cohort, SETTINGS);
		const chosen = officesView(chosenData, 11, selection);
		expect(chosen.rows.map(keyOf)).toEqual(view.rows.map(keyOf).filter((k) => !k.includes('Delta')));
		// Every cell shown is the unfiltered page's, hidden or not: nothing new to subtract.
		for (const r of chosen.rows) expect(r, r.label).toEqual(view.rows.find((x) => x.key === r.key));
		for (const r of chosen.caseMix) expect(r, r.label).toEqual(view.caseMix.find((x) => x.key === r.key));
		for (const r of chosen.trend.rows)
			expect(r, r.label).toEqual(view.trend.rows.find((x) => x.key === r.key));
		expect(chosen.hidden).toEqual(view.hidden);
		// The funnel: the same target and points; Gamma still listed as hidden, Delta not at all.
		const all = officesFunnel(data, view.hidden, 'responders', 'exact');
		const some = officesFunnel(chosenData, chosen.hidden, 'responders', 'exact', chosen.units);
		expect(some.target).toBe(all.target);
		expect(some.points).toEqual(all.points);
		expect(some.leftOut.map((l) => l.label)).toEqual(['Gamma']);
		expect(some.units).toBe(3);
		// The report's `offices` (the dashboard's JSON download carries the filters): the same rule.
		const filtered = await officesReport(db, f, { ...SETTINGS, window: '12m' });
		const unfiltered = await officesReport(db, NO_FILTERS, { ...SETTINGS, window: '12m' });
		expect(filtered.target).toBe(unfiltered.target);
		expect(filtered.units).toEqual(unfiltered.units.filter((u) => u.office !== 'Delta'));
		expect(filtered.providers).toEqual(unfiltered.providers.filter((p) => p.office !== 'Delta'));
	});

	test('choosing providers: the office above them keeps all its patients, so the small DR-A3 stays hidden', async () => {
		const f = { ...NO_FILTERS, providers: ['DR-A1', 'DR-A2'] };
		const narrowed = officesView(await officesData(db, f, SETTINGS), 11);
		const alpha = (v: OfficesView) =>
			v.rows.find((r) => keyOf(r) === 'office:Alpha')!.responders.n_all as number;
		expect(alpha(view) - alpha(narrowed)).toBe(exactN('provider:Alpha/DR-A3'));

		const { cohort, selection } = splitOfficesFilters(f);
		const chosen = officesView(await officesData(db, cohort, SETTINGS), 11, selection);
		expect(chosen.rows.map(keyOf)).toEqual([
			'practice',
			'office:Alpha',
			'provider:Alpha/DR-A1',
			'provider:Alpha/DR-A2'
		]);
		for (const r of chosen.rows) expect(r, r.label).toEqual(view.rows.find((x) => x.key === r.key));
		// Both offices and providers chosen: the providers of the chosen offices only.
		const both = officesView(data, 11, { offices: ['Beta'], providers: ['DR-A1', 'DR-B1'] });
		expect(both.rows.map(keyOf)).toEqual(['practice', 'office:Beta', 'provider:Beta/DR-B1']);
	});
});

// ---------------------------------------------------------------------------------------------
// The demo: per-unit numbers agree with the dashboard's report

describe('office comparison on the demo cohort', () => {
	let db: Database;
	let data: OfficesData;
	beforeAll(async () => {
		const map: Record<string, Uint8Array> = {};
		for (const f of readdirSync('data/demo')) map[f] = readFileSync(`data/demo/${f}`);
		db = await load(map);
		data = await officesData(db, NO_FILTERS, SETTINGS);
	});

	const practice = () => data.units.find((u) => u.level === 'practice')!;

	test('the due without a score never show as the difference of the two denominators', () => {
		const view = officesView(data, 11);
		const both = view.rows.filter(
			(r) => typeof r.responders.n_all === 'number' && typeof r.responders.n_comp === 'number'
		);
		expect(both.length).toBeGreaterThan(0);
		for (const r of both) {
			const d = (r.responders.n_all as number) - (r.responders.n_comp as number);
			expect(d === 0 || d >= 11, `${r.label}: ${d}`).toBe(true);
		}
		// Cynthiana: 75 due at 12 months, 10 of them without a score. Its completers' n, rate and
		// completeness go; the all-implanted numbers stay.
		const exact = data.units.find((u) => u.level === 'office' && u.office === 'Cynthiana')!.responders;
		expect([exact.n_all, exact.n_comp]).toEqual([75, 65]);
		const c = view.rows.find((r) => r.level === 'office' && r.office === 'Cynthiana')!;
		expect(c.responders.n_all).toBe(75);
		expect(c.responders.n_comp).toBeNull();
		expect(c.responders.completers.rate).toBeNull();
		expect(c.completeness.rate).toBeNull();
		expect(c.responders.all_implanted.rate).toBeCloseTo(exact.k / 75, 12);
	});

	test('four offices and their providers; offices add up to the practice', () => {
		const offices = data.units.filter((u) => u.level === 'office');
		expect(offices.map((o) => o.office).sort()).toEqual(['Cynthiana', 'Danville', 'Lexington', 'Maysville']);
		const sum = (pick: (u: (typeof offices)[number]) => number) => offices.reduce((s, u) => s + pick(u), 0);
		expect(sum((u) => u.patients)).toBe(practice().patients);
		expect(sum((u) => u.responders.n_all)).toBe(practice().responders.n_all);
		expect(sum((u) => u.responders.k)).toBe(practice().responders.k);
		expect(sum((u) => u.opioid_free.n)).toBe(practice().opioid_free.n);
		expect(sum((u) => u.explants)).toBe(practice().explants);
	});

	test('the practice row is the dashboard’s report: responders, opioid-free at 365 days, escalation', async () => {
		const pain = await painReport(db, NO_FILTERS);
		const w12 = pain.windows.find((w) => w.label === '12m')!;
		expect(practice().responders).toEqual({
			n_all: w12.responders30.all_implanted.n,
			n_comp: w12.responders30.completers.n,
			k: w12.responders30.all_implanted.k
		});
		expect(practice().window_pain.mean).toBeCloseTo(w12.mean!, 12);
		expect(practice().pain_change.mean).toBeCloseTo(w12.mean_change!, 12);
		expect(practice().pain_change.n).toBe(w12.n_change);
		const mme = await mmeReport(db, NO_FILTERS, 'cdc2022');
		const at365 = mme.opioid_free.points.find((p) => p.day === 365)!;
		expect(practice().opioid_free.n).toBe(mme.opioid_free.n);
		expect(practice().opioid_free.estimate).toBeCloseTo(at365.cum_free!, 12);
		expect(practice().opioid_free.ci![0]).toBeCloseTo(at365.lo!, 12);
		const esc = await runOne<ItDoseEscalationSummary>(db, itDoseEscalationSummary(NO_FILTERS));
		expect(practice().escalation).toMatchObject({ n: esc.n, median: esc.median_per_year, q1: esc.q1 });
		// Patients with no baseline MME in the case mix = the outcome population minus mmeBaseline's n.
		const noMme = practice().case_mix.mme_band['no MME data'] ?? 0;
		expect(practice().patients - noMme).toBe(mme.baseline.n);
	});

	test('every office and provider agrees with the dashboard’s builders run with it as a filter', async () => {
		const units = data.units.filter(
			(u) => u.level !== 'practice' && !(u.level === 'provider' && !u.provider_id)
		);
		expect(units.length).toBe(4 + 11);
		for (const u of units) {
			const f: Filters = {
				...NO_FILTERS,
				offices: [u.office!],
				providers: u.provider_id ? [u.provider_id] : []
			};
			const label = `${u.office} ${u.provider_id ?? ''}`;
			const pain = await painReport(db, f);
			const w = pain.windows.find((x) => x.label === '12m')!;
			expect(u.responders, label).toEqual({
				n_all: w.responders30.all_implanted.n,
				n_comp: w.responders30.completers.n,
				k: w.responders30.all_implanted.k
			});
			expect(u.responders.k, label).toBe(w.responders30.completers.k);
			expect(u.window_pain.n, label).toBe(w.n);
			expect(u.window_pain.sd ?? NaN, label).toBeCloseTo(w.sd ?? NaN, 12);
			expect(u.pain_change.n, label).toBe(w.n_change);
			expect(u.pain_change.mean ?? NaN, label).toBeCloseTo(w.mean_change ?? NaN, 12);
			const b = await runOne<PainBaselineRow>(db, painBaselineSummary(f));
			expect([u.baseline_pain.n, u.baseline_pain.mean], label).toEqual([b.n, b.mean]);
			const m = (await run<{ label: string; n: number; median: number | null }>(db, mmeReduction(f))).find(
				(x) => x.label === '12m'
			)!;
			expect([u.mme_reduction.n, u.mme_reduction.median], label).toEqual([m.n, m.median]);
		}
	});

	test('the JSON has report.md’s fields, and the demo’s smallest provider is suppressed', () => {
		const r = officesReportFrom(data, 11, 'exact');
		expect(Object.keys(r)).toEqual(
			expect.arrayContaining(['window', 'metric', 'method', 'target', 'units', 'providers'])
		);
		expect(r).toMatchObject({ window: '12m', metric: 'responders30', method: 'exact' });
		for (const u of r.units) {
			expect(Object.keys(u)).toEqual(
				expect.arrayContaining(['office', 'n', 'k', 'rate', 'ci', 'limits95', 'limits998', 'flag'])
			);
		}
		for (const p of r.providers) {
			expect(Object.keys(p)).toEqual(
				expect.arrayContaining(['office', 'provider_id', 'n', 'k', 'rate', 'ci', 'suppressed'])
			);
		}
		// DR-MAY-3 has 5 patients in the outcome population (docs/demo-cohort.md: 7 patients in all).
		expect(r.providers.find((p) => p.provider_id === 'DR-MAY-3')).toMatchObject({
			n: '<11',
			suppressed: true
		});
		// A shown office's flag agrees with its rate and limits.
		for (const u of r.units.filter((x) => !x.suppressed)) {
			const [lo, hi] = u.limits95!;
			expect(u.flag === 'in_control').toBe(u.rate! >= lo && u.rate! <= hi);
		}
	});
});
