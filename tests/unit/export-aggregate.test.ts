import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import { aggregateExport, type AggregateExport } from '../../src/lib/export';
import { DEFAULT_SETTINGS, type TimeCount } from '../../src/lib/outcomes';
import { NO_FILTERS, opioidFreeCounts, run } from '../../src/lib/sql';
import { files } from './helpers';

/*
 * 30 implanted patients: Lexington 15, Danville 12, Maysville 3 (none spasticity, no failed
 * trials). Maysville's 3 is a small cell (<11); the cohort total (30) is shown, so Maysville could
 * be recovered as 30 - 15 - 12: Danville, the next smallest office, is hidden too (complementary).
 * Pain: 17 patients have a baseline of 8; at 12m, 15 score 2 (responders) and 2 score 8. The
 * 30% responder proportion has n = 17 and k = 15, but n - k = 2 is small: the whole proportion is
 * hidden, and its k and n (not small themselves) are left empty rather than shown.
 */
const ids = Array.from({ length: 30 }, (_, i) => `P${String(i + 1).padStart(2, '0')}`);
const office = (i: number) => (i < 15 ? 'Lexington' : i < 27 ? 'Danville' : 'Maysville');
const PATIENTS_HEADER =
	'patient_id,office,diagnosis,trial_day,trial_result,implant_year,followup_end_day,followup_end_reason\n';
const PATIENTS =
	PATIENTS_HEADER + ids.map((id, i) => `${id},${office(i)},fbss,-10,pass,2020,800,ongoing`).join('\n');
const PAIN =
	'patient_id,day,pain_avg\n' +
	ids
		.slice(0, 17)
		.flatMap((id, i) => [`${id},-20,8`, `${id},365,${i < 15 ? 2 : 8}`])
		.join('\n');

let db: Database;
let out: AggregateExport;
const value = (table: string, group: string | number, statistic: string) => {
	const row = out.rows.find((r) => r.table === table && r.group === group && r.statistic === statistic);
	if (!row) throw new Error(`no ${table} ${group} ${statistic}`);
	return [row.value, row.suppressed];
};

/** Load these files into the shared database and export its aggregate tables. */
async function exportOf(csv: Record<string, string | Uint8Array>): Promise<AggregateExport> {
	await loadDataset(db, files(csv));
	return aggregateExport(db, NO_FILTERS, DEFAULT_SETTINGS, new Date('2030-01-01T00:00:00Z'));
}

describe('aggregate export with small-cell suppression', () => {
	beforeAll(async () => {
		db = await nodeDatabase();
		out = await exportOf({ 'patients.csv': PATIENTS, 'pain_scores.csv': PAIN });
	});

	test('shows a count of 1-10 as <11 and hides the next smallest sibling of a shown total', () => {
		expect(value('cohort', 'all', 'patients')).toEqual([30, null]);
		expect(value('offices', 'Maysville', 'patients')).toEqual(['<11', 'primary']);
		expect(value('offices', 'Danville', 'patients')).toEqual([null, 'complementary']);
		expect(value('offices', 'Lexington', 'patients')).toEqual([15, null]);
		// zero is not a small count
		expect(value('offices', 'Maysville', 'trial_failed')).toEqual([0, null]);
	});

	test('hides a proportion whose n - k is small, with its n and k', () => {
		expect(value('pain_avg', '12m', 'n')).toEqual([17, null]);
		expect(value('pain_avg', '12m', 'mean')).toEqual([(15 * 2 + 2 * 8) / 17, null]);
		expect(value('pain_avg', '12m', 'responders30_completers_n')).toEqual([null, 'primary']);
		expect(value('pain_avg', '12m', 'responders30_completers_k')).toEqual([null, 'primary']);
		expect(value('pain_avg', '12m', 'responders30_completers_rate')).toEqual([null, 'primary']);
	});

	test('writes one formula-safe CSV with the threshold and filters in it', () => {
		expect(out.csv.startsWith('\uFEFFtable,group,statistic,value,suppressed\r\n')).toBe(true);
		expect(out.csv).toContain('\r\nabout,export,suppression_threshold,11,\r\n');
		expect(out.csv).toContain('\r\noffices,Maysville,patients,<11,primary\r\n');
		expect(out.csv).toContain('\r\noffices,Danville,patients,,complementary\r\n');
		expect(out.tables.find((t) => t.table === 'offices')).toMatchObject({ rows: 12 });
		// Months from implant are numbers: day -20 is month -1, written without a '.
		expect(value('pain_by_month', -1, 'n')).toEqual([17, null]);
		expect(out.csv).toContain('\r\npain_by_month,-1,n,17,\r\n');
	});
});

/*
 * Failed trials: Danville has 20 patients, 14 implanted and 6 failed trials; Lexington 20 and
 * Maysville 15, all implanted. Danville's 6 not implanted are a small cell, and 20 - 14 would
 * show them: its implanted count is hidden too. The same at the cohort's level (55 - 49).
 */
describe('patients, implanted and not implanted', () => {
	const rows: string[] = [];
	const add = (n: number, office: string, implanted: boolean) => {
		for (let i = 0; i < n; i++)
			rows.push(
				`Q${String(rows.length + 1).padStart(3, '0')},${office},fbss,-10,${implanted ? 'pass,2020' : 'fail,'},800,ongoing`
			);
	};
	add(20, 'Lexington', true);
	add(14, 'Danville', true);
	add(6, 'Danville', false);
	add(15, 'Maysville', true);

	beforeAll(async () => {
		out = await exportOf({ 'patients.csv': PATIENTS_HEADER + rows.join('\n') });
	});

	test('hide the implanted count when the not implanted are a small cell', () => {
		expect(value('offices', 'Danville', 'patients')).toEqual([20, null]);
		expect(value('offices', 'Danville', 'not_implanted')).toEqual(['<11', 'primary']);
		expect(value('offices', 'Danville', 'trial_failed')).toEqual(['<11', 'primary']);
		expect(value('offices', 'Danville', 'implanted')).toEqual([null, 'complementary']);
		expect(value('offices', 'Lexington', 'implanted')).toEqual([20, null]);
		expect(value('offices', 'Lexington', 'not_implanted')).toEqual([0, null]);
		expect(value('cohort', 'all', 'patients')).toEqual([55, null]);
		expect(value('cohort', 'all', 'not_implanted')).toEqual(['<11', 'primary']);
		expect(value('cohort', 'all', 'implanted')).toEqual([null, 'complementary']);
	});

	test('no shown patients - implanted is a small count', () => {
		for (const [table, group] of [
			['cohort', 'all'],
			...['Lexington', 'Danville', 'Maysville'].map((o) => ['offices', o])
		]) {
			const [patients] = value(table!, group!, 'patients');
			const [implanted] = value(table!, group!, 'implanted');
			if (typeof patients === 'number' && typeof implanted === 'number') {
				const d = patients - implanted;
				expect(d === 0 || d >= DEFAULT_SETTINGS.suppressionThreshold, `${group}: ${d}`).toBe(true);
			}
		}
	});
});

/*
 * 45 implanted patients due at 12 months: 40 with a baseline of 8 (20 score 2 at 12 months, 20
 * score 8), 5 without a baseline (they score 5). The all-implanted denominator is 40: due (45)
 * minus it would show the 5 left out, so the denominator goes, with each rule's cells.
 */
/** 45 implanted Lexington patients followed for 800 days, with the pain rows given for each. */
function fortyFive(rows: (id: string, i: number) => string[]): Record<string, string> {
	const ids = Array.from({ length: 45 }, (_, i) => `R${String(i + 1).padStart(2, '0')}`);
	return {
		'patients.csv':
			PATIENTS_HEADER + ids.map((id) => `${id},Lexington,fbss,-10,pass,2020,800,ongoing`).join('\n'),
		'pain_scores.csv': 'patient_id,day,pain_avg\n' + ids.flatMap(rows).join('\n')
	};
}

describe('due = the all-implanted denominator + those left out of it', () => {
	beforeAll(async () => {
		out = await exportOf(
			fortyFive((id, i) => (i < 40 ? [`${id},-20,8`, `${id},365,${i < 20 ? 2 : 8}`] : [`${id},365,5`]))
		);
	});

	test('a small left-out count hides the denominator in every rule', () => {
		expect(value('pain_avg', '12m', 'due')).toEqual([45, null]);
		expect(value('pain_avg', '12m', 'left_out_all_implanted')).toEqual(['<11', 'primary']);
		for (const rule of ['responders30', 'responders50', 'responders2pt']) {
			expect(value('pain_avg', '12m', `${rule}_all_implanted_n`)).toEqual([null, 'complementary']);
			expect(value('pain_avg', '12m', `${rule}_all_implanted_rate`)).toEqual([null, 'complementary']);
		}
		// A rule's completers share its k: they go too.
		expect(value('pain_avg', '12m', 'responders30_completers_n')).toEqual([null, 'complementary']);
		expect(value('pain_avg', '12m', 'responders30_completers_k')).toEqual([null, 'complementary']);
		// The 5 scored without a baseline are left out of the percent metrics too: n (45) = n_pct +
		// 5, so n_pct goes as well.
		expect(value('pain_avg', '12m', 'n')).toEqual([45, null]);
		expect(value('pain_avg', '12m', 'left_out_pct')).toEqual(['<11', 'primary']);
		expect(value('pain_avg', '12m', 'n_pct')).toEqual([null, 'complementary']);
		// And n (45) = n_change + the 5 scored without a baseline: n_change goes.
		expect(value('pain_avg', '12m', 'scored_without_baseline')).toEqual(['<11', 'primary']);
		expect(value('pain_avg', '12m', 'n_change')).toEqual([null, 'complementary']);
		// Nothing shown in the window differs from another shown count by 1-10.
		const shown = out.rows
			.filter((r) => r.table === 'pain_avg' && r.group === '12m' && typeof r.value === 'number')
			.filter((r) => /^(n|due|n_change|n_pct)$|_(n|k)$/.test(r.statistic))
			.map((r) => r.value as number);
		for (const x of shown)
			for (const y of shown) expect(x === y || Math.abs(x - y) >= 11, `${x} and ${y}`).toBe(true);
	});
});

/*
 * 45 implanted patients due at 12 months, each with a baseline of 8; 40 score 3 at 12 months and
 * 5 have no score there. Due (45) beside n (40) would show the 5: due goes, the scores stay.
 */
describe('due = the scored + the due without a score', () => {
	beforeAll(async () => {
		out = await exportOf(fortyFive((id, i) => (i < 40 ? [`${id},-20,8`, `${id},365,3`] : [`${id},-20,8`])));
	});

	test('a small count of due without a score hides due, not the scores', () => {
		expect(value('pain_avg', '12m', 'due_without_score')).toEqual(['<11', 'primary']);
		expect(value('pain_avg', '12m', 'due')).toEqual([null, 'complementary']);
		expect(value('pain_avg', '12m', 'n')).toEqual([40, null]);
		expect(value('pain_avg', '12m', 'mean')).toEqual([3, null]);
		// The all-implanted responder rate (40 of 45) goes on its own rule (n - k = 5), and the
		// completers' (40 of 40) with it: one k under both denominators.
		expect(value('pain_avg', '12m', 'responders30_all_implanted_rate')).toEqual([null, 'primary']);
		expect(value('pain_avg', '12m', 'responders30_completers_rate')).toEqual([null, 'complementary']);
	});
});

describe('the demo cohort', () => {
	beforeAll(async () => {
		const map: Record<string, Uint8Array> = {};
		for (const f of readdirSync('data/demo')) map[f] = readFileSync(`data/demo/${f}`);
		out = await exportOf(map);
	});

	test('opioid-free at each window carries the Wilson 95% interval the Opioids page draws', () => {
		const z = 1.959964;
		let checked = 0;
		for (const label of ['3m', '6m', '12m']) {
			const [n] = value('oral_mme', label, 'opioid_free_n');
			const [k] = value('oral_mme', label, 'opioid_free_k');
			if (typeof n !== 'number' || typeof k !== 'number') continue;
			// Wilson (1927), written out: (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n).
			const p = k / n;
			const centre = p + (z * z) / (2 * n);
			const half = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
			const [lo] = value('oral_mme', label, 'opioid_free_ci_low');
			const [hi] = value('oral_mme', label, 'opioid_free_ci_high');
			expect(lo as number).toBeCloseTo((centre - half) / (1 + (z * z) / n), 12);
			expect(hi as number).toBeCloseTo((centre + half) / (1 + (z * z) / n), 12);
			checked++;
		}
		expect(checked).toBeGreaterThan(0);
	});

	test('Kaplan-Meier opioid-free at 30, 365 and 1825 days: a product-limit written out here', async () => {
		const times = await run<TimeCount>(db, opioidFreeCounts(NO_FILTERS));
		const n = times.reduce((s, t) => s + t.events + t.censored, 0);
		expect(value('opioid_free_km', 'all', 'n')).toEqual([n, null]);
		let compared = 0;
		for (const day of [30, 365, 1825]) {
			// S(day) = product over event times t <= day of (1 - d / at risk), at risk = time >= t.
			let survival = 1;
			let events = 0;
			for (const t of [...new Set(times.map((x) => x.time))].sort((a, b) => a - b)) {
				if (t > day) break;
				const d = times.filter((x) => x.time === t).reduce((s, x) => s + x.events, 0);
				const atRisk = times.filter((x) => x.time >= t).reduce((s, x) => s + x.events + x.censored, 0);
				if (d > 0) survival *= 1 - d / atRisk;
				events += d;
			}
			const atRisk = times.filter((x) => x.time >= day).reduce((s, x) => s + x.events + x.censored, 0);
			const [cum, reason] = value('opioid_free_km', `day ${day}`, 'cum_free');
			const small = [atRisk, events, n - events].some((c) => c >= 1 && c < 11);
			if (small) expect([cum, reason]).toEqual([null, 'primary']);
			else {
				expect(cum as number).toBeCloseTo(1 - survival, 12);
				expect(value('opioid_free_km', `day ${day}`, 'events')).toEqual([events, null]);
				expect(value('opioid_free_km', `day ${day}`, 'at_risk')).toEqual([atRisk, null]);
				compared++;
			}
		}
		expect(compared).toBeGreaterThan(0);
	});

	test('no covered addition shows a count of 1-10 by subtraction (the review found two on the demo)', () => {
		const num = (table: string, group: string, statistic: string) => {
			const [v] = value(table, group, statistic);
			return typeof v === 'number' ? v : null;
		};
		const pairs: [string, string, string, string][] = [
			['cohort', 'all', 'patients', 'implanted'],
			...['Lexington', 'Cynthiana', 'Maysville', 'Danville'].map(
				(o) => ['offices', o, 'patients', 'implanted'] as [string, string, string, string]
			),
			...['3m', '6m', '12m'].flatMap((w) => [
				['pain_avg', w, 'due', 'responders30_all_implanted_n'] as [string, string, string, string],
				['pain_avg', w, 'n', 'n_pct'] as [string, string, string, string],
				['pain_avg', w, 'due', 'n'] as [string, string, string, string],
				['pain_avg', w, 'n', 'n_change'] as [string, string, string, string]
			])
		];
		for (const [table, group, total, part] of pairs) {
			const a = num(table, group, total);
			const b = num(table, group, part);
			if (a === null || b === null) continue;
			expect(a - b === 0 || a - b >= 11, `${table} ${group}: ${total} - ${part} = ${a - b}`).toBe(true);
		}
	});
});
