import type { Database } from '$lib/db/types';
import { ageBandSql, filterClause, runOne, type Filters, type Query } from '$lib/sql';
import { wideAgeBandSql, type Coarsening } from './tables';

/** The quasi-identifiers of outcomes.md section 6, in the order the check names them. */
export const QUASI_IDENTIFIERS = ['office', 'sex', 'age_band', 'diagnosis', 'implant_year'] as const;

export interface KAnonymity {
	/** Patients in the export (the filtered cohort). */
	patients: number;
	/** Equivalence classes: distinct combinations of the quasi-identifiers kept. */
	classes: number;
	/** Size of the smallest class (k); null without patients. */
	smallest: number | null;
	/** Classes smaller than the threshold, and the patients in them. */
	classes_below: number;
	patients_below: number;
}

/** The quasi-identifiers a coarsening keeps, as SQL over `patient_facts p`. */
function keptIdentifiers(c: Coarsening): string[] {
	return [
		...(c.dropOffice ? [] : ['p.office']),
		'p.sex',
		c.wideAgeBands ? wideAgeBandSql('p.age') : ageBandSql('p.age'),
		'p.diagnosis',
		'p.implant_year'
	];
}

/**
 * k-anonymity of the filtered cohort over (office, sex, age band, diagnosis, implant year), or
 * what a coarsening leaves of them. A missing value (no sex, never implanted) is a value of its
 * own: patients who share it are indistinguishable on that column.
 */
export function kAnonymity(f: Filters, c: Coarsening, threshold: number): Query {
	const w = filterClause(f);
	const keys = keptIdentifiers(c).map((sql, i) => `${sql} AS q${i}`);
	return {
		name: 'export.kAnonymity',
		sql: `WITH classes AS (
		        SELECT ${keys.join(', ')}, count(*)::INTEGER AS n FROM patient_facts p WHERE ${w.sql} GROUP BY ALL)
		      SELECT coalesce(sum(n), 0)::INTEGER AS patients, count(*)::INTEGER AS classes,
		             min(n)::INTEGER AS smallest,
		             count(*) FILTER (WHERE n < ?)::INTEGER AS classes_below,
		             coalesce(sum(n) FILTER (WHERE n < ?), 0)::INTEGER AS patients_below
		      FROM classes`,
		params: [...w.params, threshold, threshold]
	};
}

/** The check passes when every class has at least `threshold` patients (an empty cohort passes). */
export const passes = (k: KAnonymity, threshold: number): boolean =>
	k.smallest === null || k.smallest >= threshold;

export interface CoarseningOption {
	coarsening: Coarsening;
	label: string;
	result: KAnonymity;
}

const OPTIONS: { coarsening: Coarsening; label: string }[] = [
	{ coarsening: { dropOffice: false, wideAgeBands: false }, label: 'as is' },
	{ coarsening: { dropOffice: true, wideAgeBands: false }, label: 'without office' },
	{ coarsening: { dropOffice: false, wideAgeBands: true }, label: '20-year age bands' },
	{ coarsening: { dropOffice: true, wideAgeBands: true }, label: 'without office, 20-year age bands' }
];

/** The check under each coarsening the export offers, so the user sees what each one buys. */
export async function kAnonymityOptions(
	db: Database,
	f: Filters,
	threshold: number
): Promise<CoarseningOption[]> {
	const out: CoarseningOption[] = [];
	for (const o of OPTIONS)
		out.push({ ...o, result: await runOne<KAnonymity>(db, kAnonymity(f, o.coarsening, threshold)) });
	return out;
}
