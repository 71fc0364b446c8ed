import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { withQueryCache } from '../../src/lib/db/cache';
import { nodeDatabase } from '../../src/lib/db/node';
import { cohortSummary, NO_FILTERS, run, runOne, type CohortSummary } from '../../src/lib/sql';
import {
	filterMatch,
	filterOptions,
	groupFilterOptions,
	type FilterMatch,
	type FilterOptionRow
} from '../../src/lib/sql/options';
import { files } from './helpers';

/*
 * Five patients. D failed the trial (no implant year), and has neither sex, age nor program; its
 * office holds a quote and a comma. C is implanted for spasticity: a patient, but not in the
 * outcome population. B is '90+'. IT drugs: A has morphine and clonidine (an admixture), B
 * hydromorphone, C baclofen.
 */
const PATIENTS = `patient_id,office,provider_id,sex,age_at_implant,diagnosis,program,trial_day,trial_result,implant_year,followup_end_day,followup_end_reason
A,Lexington,DR-1,F,57,fbss,conventional,-20,pass,2020,800,ongoing
B,Danville,DR-2,M,90+,crps,low_dose,-10,pass,2021,400,ongoing
C,Lexington,DR-1,F,34,spasticity,conventional,-10,pass,2019,500,ongoing
D,"O'Brien, Co",DR-3,,,fbss,,0,fail,,20,
E,Lexington,DR-2,M,61,other,conventional,-15,pass,2022,100,lost
`;

const PUMP = `patient_id,day,event,drug,daily_dose,daily_dose_unit
A,0,implant,morphine,1,mg/day
A,0,implant,clonidine,50,mcg/day
A,90,refill,morphine,1.5,mg/day
B,0,implant,hydromorphone,0.5,mg/day
C,0,implant,baclofen,100,mcg/day
`;

let db: Database;
beforeAll(async () => {
	db = await nodeDatabase();
	const report = await loadDataset(db, files({ 'patients.csv': PATIENTS, 'pump_events.csv': PUMP }));
	expect(report.files.map((f) => [f.kind, f.loaded, f.rejected])).toEqual([
		['patients', 5, 0],
		['pump_events', 5, 0]
	]);
});

describe('filterOptions', () => {
	test('lists each value that occurs with its patient count, fields and values in order', async () => {
		const rows = await run<FilterOptionRow>(db, filterOptions());
		expect(rows).toEqual([
			{ field: 'age_band', value: '30-39', n: 1 },
			{ field: 'age_band', value: '50-59', n: 1 },
			{ field: 'age_band', value: '60-69', n: 1 },
			{ field: 'age_band', value: '90+', n: 1 },
			{ field: 'diagnosis', value: 'crps', n: 1 },
			{ field: 'diagnosis', value: 'fbss', n: 2 },
			{ field: 'diagnosis', value: 'other', n: 1 },
			{ field: 'diagnosis', value: 'spasticity', n: 1 },
			{ field: 'implant_year', value: '2019', n: 1 },
			{ field: 'implant_year', value: '2020', n: 1 },
			{ field: 'implant_year', value: '2021', n: 1 },
			{ field: 'implant_year', value: '2022', n: 1 },
			{ field: 'it_drug', value: 'baclofen', n: 1 },
			{ field: 'it_drug', value: 'clonidine', n: 1 },
			{ field: 'it_drug', value: 'hydromorphone', n: 1 },
			// A's two morphine rows are one patient.
			{ field: 'it_drug', value: 'morphine', n: 1 },
			{ field: 'office', value: 'Danville', n: 1 },
			{ field: 'office', value: 'Lexington', n: 3 },
			{ field: 'office', value: "O'Brien, Co", n: 1 },
			{ field: 'program', value: 'conventional', n: 3 },
			{ field: 'program', value: 'low_dose', n: 1 },
			{ field: 'provider', value: 'DR-1', n: 2 },
			{ field: 'provider', value: 'DR-2', n: 2 },
			{ field: 'provider', value: 'DR-3', n: 1 },
			{ field: 'sex', value: 'F', n: 2 },
			{ field: 'sex', value: 'M', n: 2 }
		]);
	});

	test('groups them per filter, years as numbers', async () => {
		const o = groupFilterOptions(await run<FilterOptionRow>(db, filterOptions()));
		expect(o.offices.map((x) => x.value)).toEqual(['Danville', 'Lexington', "O'Brien, Co"]);
		expect(o.ageBands.map((x) => x.value)).toEqual(['30-39', '50-59', '60-69', '90+']);
		expect(o.itDrugs.map((x) => x.value)).toEqual(['baclofen', 'clonidine', 'hydromorphone', 'morphine']);
		expect(o.implantYears).toEqual([2019, 2020, 2021, 2022]);
		expect(o.sexes).toEqual([
			{ value: 'F', n: 2 },
			{ value: 'M', n: 2 }
		]);
	});
});

describe('filterMatch', () => {
	// The row holds cohortSummary's other columns too (see the last test): compare the two counts.
	const match = async (f: Partial<typeof NO_FILTERS>) => {
		const { patients, outcome_population } = await runOne<FilterMatch>(
			db,
			filterMatch({ ...NO_FILTERS, ...f })
		);
		return { patients, outcome_population };
	};

	test('counts every loaded patient without filters, and the outcome population apart', async () => {
		// Outcome population: implanted and not spasticity = A, B, E.
		expect(await match({})).toEqual({ patients: 5, outcome_population: 3 });
	});

	test('binds a value with a quote and a comma', async () => {
		expect(await match({ offices: ["O'Brien, Co"] })).toEqual({ patients: 1, outcome_population: 0 });
	});

	test('combines filters with AND, values of one filter with OR', async () => {
		// Lexington = A, C, E; of those, F = A, C; A is in the outcome population, C is spasticity.
		expect(await match({ offices: ['Lexington'], sexes: ['F'] })).toEqual({
			patients: 2,
			outcome_population: 1
		});
		expect(await match({ itDrugs: ['clonidine', 'hydromorphone'] })).toEqual({
			patients: 2,
			outcome_population: 2
		});
		expect(await match({ ageBands: ['90+'] })).toEqual({ patients: 1, outcome_population: 1 });
		// 2020-2021: A and B; D has no implant year, so a year bound leaves it out.
		expect(await match({ implantYearFrom: 2020, implantYearTo: 2021 })).toEqual({
			patients: 2,
			outcome_population: 2
		});
	});

	test("runs cohortSummary's statement, so the query cache answers the filter bar and the dashboard with one run", async () => {
		const f = { ...NO_FILTERS, offices: ['Lexington'], sexes: ['F'] };
		const { sql, params } = cohortSummary(f);
		expect(filterMatch(f)).toMatchObject({ name: 'filterMatch', sql, params });
		// The page's cache over a database that counts the statements it runs.
		const counted: string[] = [];
		const shared = withQueryCache({
			query: <T>(text: string, values?: readonly unknown[]) => {
				counted.push(text);
				return db.query<T>(text, values);
			},
			registerBuffer: (name, bytes) => db.registerBuffer(name, bytes),
			dropBuffer: (name) => db.dropBuffer(name)
		});
		const [bar, summary] = await Promise.all([
			runOne<FilterMatch>(shared, filterMatch(f)),
			runOne<CohortSummary>(shared, cohortSummary(f))
		]);
		expect(counted).toHaveLength(1);
		expect([bar.patients, bar.outcome_population]).toEqual([summary.patients, summary.outcome_population]);
	});
});
