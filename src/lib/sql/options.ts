import { cohortSummary } from './cohort';
import { AGE_BANDS, type Filters } from './filters';
import type { Query } from './query';

/** The filterable fields, as `filterOptions` names them. */
export const FILTER_FIELDS = [
	'office',
	'provider',
	'diagnosis',
	'sex',
	'age_band',
	'program',
	'it_drug',
	'implant_year'
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export interface FilterOptionRow {
	field: FilterField;
	value: string;
	/** Patients (all loaded, implanted or not) with this value. */
	n: number;
}

/**
 * The choices each filter offers, read from the loaded data: one row per field and value that
 * occurs, with its patient count. Counts ignore the other filters, so a choice never vanishes
 * while the user is making it. Patients without a value (no sex, no implant year) offer none.
 */
export function filterOptions(): Query {
	const simple: [FilterField, string][] = [
		['office', 'office'],
		['provider', 'provider_id'],
		['diagnosis', 'diagnosis'],
		['sex', 'sex'],
		['age_band', 'age_band'],
		['program', 'program']
	];
	const parts = simple.map(
		([field, column]) =>
			`SELECT '${field}' AS field, ${column}::VARCHAR AS value, count(*)::INTEGER AS n
			 FROM patient_facts WHERE ${column} IS NOT NULL GROUP BY ${column}`
	);
	parts.push(
		`SELECT 'it_drug', drug, count(DISTINCT patient_id)::INTEGER
		 FROM (SELECT patient_id, unnest(it_drugs) AS drug FROM patient_facts) GROUP BY drug`,
		`SELECT 'implant_year', implant_year::VARCHAR, count(*)::INTEGER
		 FROM patient_facts WHERE implant_year IS NOT NULL GROUP BY implant_year`
	);
	return {
		name: 'filterOptions',
		// Text order sorts years (four digits) and age bands ('18-29' .. '90+') correctly too.
		sql: `SELECT field, value, n FROM (${parts.join('\nUNION ALL\n')}) ORDER BY field, value`,
		params: []
	};
}

export interface FilterOption {
	value: string;
	n: number;
}

/** The options grouped per filter, in the shape the filter bar draws. */
export interface FilterOptions {
	offices: FilterOption[];
	providers: FilterOption[];
	diagnoses: FilterOption[];
	sexes: FilterOption[];
	ageBands: FilterOption[];
	programs: FilterOption[];
	itDrugs: FilterOption[];
	/** Implant years present, ascending. */
	implantYears: number[];
}

const LIST_FIELD: Record<Exclude<FilterField, 'implant_year'>, keyof Omit<FilterOptions, 'implantYears'>> = {
	office: 'offices',
	provider: 'providers',
	diagnosis: 'diagnoses',
	sex: 'sexes',
	age_band: 'ageBands',
	program: 'programs',
	it_drug: 'itDrugs'
};

export function groupFilterOptions(rows: readonly FilterOptionRow[]): FilterOptions {
	const out: FilterOptions = {
		offices: [],
		providers: [],
		diagnoses: [],
		sexes: [],
		ageBands: [],
		programs: [],
		itDrugs: [],
		implantYears: []
	};
	for (const r of rows) {
		if (r.field === 'implant_year') out.implantYears.push(Number(r.value));
		else out[LIST_FIELD[r.field]].push({ value: r.value, n: r.n });
	}
	out.implantYears.sort((a, b) => a - b);
	// '90+' sorts after '80-89' as text already; keep the canonical order regardless.
	out.ageBands.sort(
		(a, b) =>
			AGE_BANDS.indexOf(a.value as (typeof AGE_BANDS)[number]) -
			AGE_BANDS.indexOf(b.value as (typeof AGE_BANDS)[number])
	);
	return out;
}

export interface FilterMatch {
	/** Loaded patients the filters keep, implanted or not. */
	patients: number;
	/** Of those, the outcome population (implanted, not spasticity). */
	outcome_population: number;
}

/**
 * How many patients the filters keep: the filter bar's "n patients match". It runs cohortSummary's
 * statement (whose row holds these two counts among others): on the dashboard the filter bar and
 * the cohort summary then ask the query cache for the same statement at the same moment, and one
 * run answers both (src/lib/db/cache.ts) instead of two scans per filter change.
 */
export function filterMatch(f: Filters): Query {
	return { ...cohortSummary(f), name: 'filterMatch' };
}
