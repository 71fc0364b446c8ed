import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import type { Database } from '../../src/lib/db';
import { nodeDatabase } from '../../src/lib/db/node';
import { aggregateExport, type AggregateExport } from '../../src/lib/export';
import { DEFAULT_SETTINGS } from '../../src/lib/outcomes';
import { NO_FILTERS } from '../../src/lib/sql';
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
const PATIENTS =
	'patient_id,office,diagnosis,trial_day,trial_result,implant_year,followup_end_day,followup_end_reason\n' +
	ids.map((id, i) => `${id},${office(i)},fbss,-10,pass,2020,800,ongoing`).join('\n');
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

describe('aggregate export with small-cell suppression', () => {
	beforeAll(async () => {
		db = await nodeDatabase();
		await loadDataset(db, files({ 'patients.csv': PATIENTS, 'pain_scores.csv': PAIN }));
		out = await aggregateExport(db, NO_FILTERS, DEFAULT_SETTINGS, new Date('2030-01-01T00:00:00Z'));
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
		expect(out.tables.find((t) => t.table === 'offices')).toMatchObject({ rows: 9 });
		// Months from implant are numbers: day -20 is month -1, written without a '.
		expect(value('pain_by_month', -1, 'n')).toEqual([17, null]);
		expect(out.csv).toContain('\r\npain_by_month,-1,n,17,\r\n');
	});
});
