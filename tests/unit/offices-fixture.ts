/**
 * Test helpers for the office comparison: a generated cohort built so that small cells could be
 * recovered by subtraction if suppression were naive, and an independent check of what a reader
 * can recover from published numbers.
 */

// ---------------------------------------------------------------------------------------------
// Recoverability: which hidden cells do the published totals pin down?

export interface PublishedGroup {
	total: string;
	members: readonly string[];
}

/**
 * Given each cell's published value (a number, or null when hidden) and the additive relations a
 * reader knows (members add up to the total), the hidden cells whose value follows exactly from
 * the published ones, by linear algebra: a hidden cell is determined iff its unit vector lies in
 * the row space of the equations left after substituting the known values (reduced row echelon
 * form: a pivot row with no other non-zero entry).
 */
export function recoverable(
	values: ReadonlyMap<string, number | null>,
	groups: readonly PublishedGroup[]
): string[] {
	const unknown = [...values.entries()].filter(([, v]) => v === null).map(([id]) => id);
	const column = new Map(unknown.map((id, i) => [id, i]));
	const rows: number[][] = [];
	for (const g of groups) {
		const row = new Array<number>(unknown.length + 1).fill(0);
		let used = false;
		const add = (id: string, sign: number) => {
			const v = values.get(id);
			if (v === undefined) throw new Error(`no published value for ${id}`);
			if (v === null) {
				row[column.get(id)!]! += sign;
				used = true;
			} else row[unknown.length]! -= sign * v;
		};
		add(g.total, 1);
		for (const m of g.members) add(m, -1);
		if (used) rows.push(row);
	}
	// Gauss-Jordan elimination over the equations (coefficients are small integers).
	const pivots: number[] = [];
	let r = 0;
	for (let c = 0; c < unknown.length && r < rows.length; c++) {
		const p = rows.findIndex((row, i) => i >= r && Math.abs(row[c]!) > 1e-9);
		if (p < 0) continue;
		[rows[r], rows[p]] = [rows[p]!, rows[r]!];
		const pivot = rows[r]!;
		const f = pivot[c]!;
		for (let j = 0; j < pivot.length; j++) pivot[j]! /= f;
		for (let i = 0; i < rows.length; i++) {
			if (i === r) continue;
			const g = rows[i]![c]!;
			if (Math.abs(g) > 1e-12) for (let j = 0; j < pivot.length; j++) rows[i]![j]! -= g * pivot[j]!;
		}
		pivots[r] = c;
		r++;
	}
	const found: string[] = [];
	for (let i = 0; i < r; i++) {
		const row = rows[i]!;
		const others = row.slice(0, unknown.length).filter((x, j) => j !== pivots[i] && Math.abs(x) > 1e-9);
		if (others.length === 0) found.push(unknown[pivots[i]!]!);
	}
	return found.sort();
}

// ---------------------------------------------------------------------------------------------
// A generated cohort for suppression

export interface FixturePatient {
	id: string;
	office: string;
	provider: string;
	responder: boolean;
	/** Has a 12-month score (else due and missing: a non-responder under all implanted). */
	scored: boolean;
	explant: string | null;
}

/**
 * Offices and providers, with the numbers that matter (all patients due at 12 months, baseline 8;
 * the first k patients of a unit respond, unless they have no 12-month score):
 * - Alpha: DR-A1 30 patients, DR-A2 25 (12 responders), DR-A3 6 (3). Every 5th patient of DR-A1
 *   has no 12-month score (6 of 30), which leaves it 12 responders. DR-A3 is small: without
 *   complementary suppression Alpha - DR-A1 - DR-A2 gives it away.
 * - Beta: DR-B1 24 (12), DR-B2 22 (11), and 2 patients without a provider code (1 responder):
 *   the uncoded pair is never shown and would be Beta - DR-B1 - DR-B2.
 * - Gamma: DR-G1 23 (12).
 * - Delta: DR-D1 5 (2): a small office, recoverable from the practice total.
 */
export const FIXTURE_UNITS: { office: string; provider: string; n: number; k: number }[] = [
	{ office: 'Alpha', provider: 'DR-A1', n: 30, k: 15 },
	{ office: 'Alpha', provider: 'DR-A2', n: 25, k: 12 },
	{ office: 'Alpha', provider: 'DR-A3', n: 6, k: 3 },
	{ office: 'Beta', provider: 'DR-B1', n: 24, k: 12 },
	{ office: 'Beta', provider: 'DR-B2', n: 22, k: 11 },
	{ office: 'Beta', provider: '', n: 2, k: 1 },
	{ office: 'Gamma', provider: 'DR-G1', n: 23, k: 12 },
	{ office: 'Delta', provider: 'DR-D1', n: 5, k: 2 }
];

export function fixturePatients(): FixturePatient[] {
	const out: FixturePatient[] = [];
	let i = 0;
	for (const u of FIXTURE_UNITS) {
		for (let j = 0; j < u.n; j++) {
			i++;
			const scored = !(u.provider === 'DR-A1' && j % 5 === 4);
			out.push({
				id: `F${String(i).padStart(4, '0')}`,
				office: u.office,
				provider: u.provider,
				responder: j < u.k && scored,
				scored,
				explant: j === u.n - 1 && u.office !== 'Delta' ? 'infection' : null
			});
		}
	}
	return out;
}

const DIAGNOSES = ['fbss', 'crps', 'spine_other'];

/** The four CSV files (day form). Every patient: baseline 8 on day -30, trial day -20. */
export function fixtureCsv(): Record<string, string> {
	const patients = [
		'patient_id,office,provider_id,sex,age_at_implant,diagnosis,program,trial_day,trial_result,implant_year,followup_end_day,followup_end_reason,explant_reason'
	];
	const pain = ['patient_id,day,pain_avg'];
	fixturePatients().forEach((p, i) => {
		const end = p.explant ? 500 : 800;
		patients.push(
			[
				p.id,
				p.office,
				p.provider,
				i % 2 ? 'F' : 'M',
				40 + (i % 40),
				DIAGNOSES[i % 3],
				i % 4 ? 'conventional' : 'low_dose',
				-20,
				'pass',
				2018 + (i % 5),
				end,
				p.explant ? 'explant' : 'ongoing',
				p.explant ?? ''
			].join(',')
		);
		pain.push(`${p.id},-30,8`);
		if (p.scored) pain.push(`${p.id},365,${p.responder ? 4 : 7}`);
	});
	return { 'patients.csv': patients.join('\n') + '\n', 'pain_scores.csv': pain.join('\n') + '\n' };
}

/** Exact 12-month responder counts per unit, from the generator's rules (not from the app). */
export function fixtureCounts(): Map<string, { n_all: number; n_comp: number; k: number }> {
	const out = new Map<string, { n_all: number; n_comp: number; k: number }>();
	const add = (key: string, p: FixturePatient) => {
		const c = out.get(key) ?? { n_all: 0, n_comp: 0, k: 0 };
		c.n_all++;
		if (p.scored) c.n_comp++;
		if (p.responder) c.k++;
		out.set(key, c);
	};
	for (const p of fixturePatients()) {
		add('practice', p);
		add(`office:${p.office}`, p);
		add(`provider:${p.office}/${p.provider}`, p);
	}
	return out;
}
