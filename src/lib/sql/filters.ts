/** The filter state every page shares; an empty list or null bound means "all". */
export interface Filters {
	offices: string[];
	providers: string[];
	diagnoses: string[];
	sexes: string[];
	ageBands: string[];
	programs: string[];
	/** Patients who received any of these intrathecal drugs. */
	itDrugs: string[];
	implantYearFrom: number | null;
	implantYearTo: number | null;
}

export const NO_FILTERS: Filters = {
	offices: [],
	providers: [],
	diagnoses: [],
	sexes: [],
	ageBands: [],
	programs: [],
	itDrugs: [],
	implantYearFrom: null,
	implantYearTo: null
};

/** Age bands of outcomes.md section 6 (patient-level exports use the same). */
export const AGE_BANDS = ['18-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80-89', '90+'] as const;

/** SQL for the age band of an integer age column (90 stands for `90+`). */
export function ageBandSql(age: string): string {
	return `CASE WHEN ${age} IS NULL THEN NULL WHEN ${age} >= 90 THEN '90+' WHEN ${age} < 30 THEN '18-29'
	        ELSE (${age} // 10 * 10)::VARCHAR || '-' || (${age} // 10 * 10 + 9)::VARCHAR END`;
}

const LISTS: [keyof Filters, string, string][] = [
	['offices', 'p.office', 'office'],
	['providers', 'p.provider_id', 'provider'],
	['diagnoses', 'p.diagnosis', 'diagnosis'],
	['sexes', 'p.sex', 'sex'],
	['ageBands', 'p.age_band', 'age band'],
	['programs', 'p.program', 'program']
];

/** The fewest placeholders a filter list gets: see `slots`. */
const MIN_SLOTS = 8;

/**
 * Placeholders for a list of `n` values: at least 8, else the next power of two. The values fill
 * them and the first value repeats in the rest (a patient is in `['A', 'B', 'A', …]` when in
 * `['A', 'B']`). The SQL text then depends on which filters are set, not on how many
 * values each has, so the page's prepared statements (db/browser.ts) serve every filter change
 * after the first few: a new text costs the worker a prepare before the query.
 */
function slots(values: readonly unknown[]): { sql: string; params: unknown[] } {
	const n = Math.max(MIN_SLOTS, 2 ** Math.ceil(Math.log2(values.length)));
	return {
		sql: Array.from({ length: n }, () => '?').join(', '),
		params: Array.from({ length: n }, (_, i) => values[i] ?? values[0])
	};
}

/**
 * A WHERE fragment over `patient_facts` (aliased `p`) with bound parameters. Values are never
 * concatenated into SQL text: a quote in an office name cannot break a query. A condition for
 * WHERE, FILTER or ON only: for a patient with no office it is NULL, not false.
 */
export function filterClause(f: Filters): { sql: string; params: unknown[] } {
	const parts: string[] = [];
	const params: unknown[] = [];
	for (const [key, column] of LISTS) {
		const values = f[key] as string[];
		if (values.length === 0) continue;
		const list = slots(values);
		// list_contains, not IN: the same rows in a WHERE, and in duckdb-wasm at a million pain scores
		// 4.9 ms against 7.2 for the dashboard's cohort summary (46,819 patients, office and diagnosis
		// filtered), 3.8 against 5.9 for its pain months.
		parts.push(`list_contains([${list.sql}], ${column})`);
		params.push(...list.params);
	}
	if (f.itDrugs.length) {
		const list = slots(f.itDrugs);
		parts.push(`list_has_any(p.it_drugs, [${list.sql}]::VARCHAR[])`);
		params.push(...list.params);
	}
	if (f.implantYearFrom !== null) {
		parts.push('p.implant_year >= ?');
		params.push(f.implantYearFrom);
	}
	if (f.implantYearTo !== null) {
		parts.push('p.implant_year <= ?');
		params.push(f.implantYearTo);
	}
	return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}

/**
 * True when no filter but offices and diagnoses is set: `pain_window_cells`, counted per office
 * and diagnosis once after load, can then answer.
 */
export function onlyOfficesAndDiagnoses(f: Filters): boolean {
	return (
		LISTS.every(([key]) => key === 'offices' || key === 'diagnoses' || (f[key] as string[]).length === 0) &&
		f.itDrugs.length === 0 &&
		f.implantYearFrom === null &&
		f.implantYearTo === null
	);
}

/** Words for a chart caption: "no filters" or "office: Lexington; diagnosis: crps". */
export function describeFilters(f: Filters): string {
	const parts: string[] = [];
	for (const [key, , label] of LISTS) {
		const values = f[key] as string[];
		if (values.length) parts.push(`${label}: ${values.join(', ')}`);
	}
	if (f.itDrugs.length) parts.push(`IT drug: ${f.itDrugs.join(', ')}`);
	if (f.implantYearFrom !== null || f.implantYearTo !== null) {
		parts.push(`implant year: ${f.implantYearFrom ?? '…'}-${f.implantYearTo ?? '…'}`);
	}
	return parts.length ? parts.join('; ') : 'no filters';
}
