import { describe, expect, test } from 'vitest';
import { caterpillarChart, funnelChart, officeTrendChart } from '../../src/lib/charts';
import { binomialLimits } from '../../src/lib/outcomes';
import type { OfficesData, OfficeUnitData } from '../../src/lib/sql';
import { officesFunnel } from '../../src/lib/sql/officesFunnel';
import { officesView } from '../../src/lib/sql/officesView';
import { expectSnapshot, renderSvg } from './chart-svg';

/** A unit with everything empty but what a test sets. */
function unit(
	level: OfficeUnitData['level'],
	office: string | null,
	over: Partial<OfficeUnitData>
): OfficeUnitData {
	return {
		level,
		office,
		provider_id: null,
		patients: 0,
		first_year: 2020,
		exposure_n: 0,
		patient_years: 0,
		explants: 0,
		complications: 0,
		explant_reasons: {},
		case_mix: { diagnosis: {}, age_band: {}, sex: {}, program: {}, mme_band: {} },
		implants_by_year: {},
		responders: { n_all: 0, n_comp: 0, k: 0 },
		baseline_pain: { n: 0, mean: null, sd: null },
		window_pain: { n: 0, mean: null, sd: null },
		pain_change: { n: 0, mean: null, sd: null },
		mme_reduction: { n: 0, median: null, q1: null, q3: null },
		opioid_free: { n: 0, events: 0, estimate: null, se: null, ci: null },
		escalation: { n: 0, median: null, q1: null, q3: null, median_pct_per_year: null },
		...over
	};
}

// Four offices: North 60/100 responders, South 20/60 (well below a 50% target), East 26/56, West 6/8
// (small: suppressed, and East, the next smallest, beside it). Practice: 112/224.
const office = (name: string, n: number, k: number, years: Record<string, number>) =>
	unit('office', name, {
		patients: n,
		responders: { n_all: n, n_comp: n, k },
		implants_by_year: years
	});
const DATA: OfficesData = {
	window: { label: '12m', target: 365 },
	last_year: 2022,
	units: [
		unit('practice', null, {
			patients: 224,
			responders: { n_all: 224, n_comp: 224, k: 112 },
			implants_by_year: { '2021': 108, '2022': 116 }
		}),
		office('North', 100, 60, { '2021': 50, '2022': 50 }),
		office('South', 60, 20, { '2021': 25, '2022': 35 }),
		office('East', 56, 26, { '2021': 28, '2022': 28 }),
		office('West', 8, 6, { '2021': 5, '2022': 3 })
	]
};

describe('office charts', () => {
	const view = officesView(DATA, 11);
	const funnel = officesFunnel(DATA, view.hidden, 'responders', 'exact');

	test('the funnel names each plotted office with its flag in words and says who is left out', () => {
		const spec = funnelChart(funnel, { filters: 'no filters' });
		// South: 20/60 = 33.3% against 50%; the words must agree with the limits at n = 60.
		const south = binomialLimits(60, 0.5, 'exact');
		const expected =
			20 / 60 < south.limits998[0] ? 'Below the lower 99.8% limit' : 'Below the lower 95% limit';
		expect(spec.table.rows.map((r) => [r.office, r.flag.split(' (')[0]])).toEqual([
			['North', expect.stringMatching(/^(Within the 95% limits|Above the upper 95% limit)$/)],
			['South', expected]
		]);
		expect(spec.caption).toContain('Not plotted: East (suppressed');
		expect(spec.caption).toContain('West (suppressed');
		expect(spec.caption).toContain('Over-dispersion is not estimated with fewer than 10 units (here 4)');
		expect(spec.ariaDescription).toMatch(/^Funnel plot of .* around a target of 50\.0%\. North 60\.0%: /);
		expectSnapshot('offices-funnel', renderSvg(spec));
	});

	test('the caterpillar ranks the plotted offices with their intervals; hidden ones are absent', () => {
		const spec = caterpillarChart(funnel, { filters: 'no filters' });
		expect(spec.table.rows.map((r) => r.office)).toEqual(['South', 'North']);
		expect(JSON.stringify(spec.options)).not.toMatch(/West|East/);
		expectSnapshot('offices-caterpillar', renderSvg(spec));
	});

	test('the trend shows <11 counts as marks in the band and leaves hidden ones out', () => {
		const spec = officeTrendChart(view, { filters: 'no filters' });
		const west = spec.table.rows.find((r) => r.office === 'West')!;
		expect([west['2021'], west['2022']]).toEqual(['<11', '<11']);
		// Neither of West's exact counts (5, 3) appears in the table.
		expect(Object.values(west)).not.toContain(5);
		expectSnapshot('offices-trend', renderSvg(spec));
		expect(spec.ariaDescription).toMatch(
			/^Implants by year for 4 offices, in the 2 years with an implant from 2021 to 2022\. /
		);
	});

	test('the trend of filters that leave no implant says so, not "for 0 offices, to ."', () => {
		const empty = { ...view, trend: { ...view.trend, years: [], rows: [] } };
		const spec = officeTrendChart(empty, { filters: 'sex: U' });
		expect(spec.ariaDescription).toBe('No office has an implant under these filters.');
		expect(spec.caption).toContain('(0 years with an implant, 0 offices)');
	});
});
