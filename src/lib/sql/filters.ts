/** The filter state every page shares; empty lists mean "all". */
export interface Filters {
	offices: string[];
	diagnoses: string[];
}

export const NO_FILTERS: Filters = { offices: [], diagnoses: [] };

/**
 * A WHERE fragment over `patient_facts` (aliased `p`) with bound parameters. Values are never
 * concatenated into SQL text: a quote in an office name cannot break a query.
 */
export function filterClause(f: Filters): { sql: string; params: unknown[] } {
	const parts: string[] = [];
	const params: unknown[] = [];
	const inList = (column: string, values: string[]) => {
		if (values.length === 0) return;
		parts.push(`${column} IN (${values.map(() => '?').join(', ')})`);
		params.push(...values);
	};
	inList('p.office', f.offices);
	inList('p.diagnosis', f.diagnoses);
	return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}

/** Words for a chart caption: "all patients" or "office: Lexington; diagnosis: crps". */
export function describeFilters(f: Filters): string {
	const parts: string[] = [];
	if (f.offices.length) parts.push(`office: ${f.offices.join(', ')}`);
	if (f.diagnoses.length) parts.push(`diagnosis: ${f.diagnoses.join(', ')}`);
	return parts.length ? parts.join('; ') : 'no filters';
}
