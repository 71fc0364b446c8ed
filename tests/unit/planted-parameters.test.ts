import { beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import { nodeDatabase } from '../../src/lib/db/node';
import { buildReport, type ReportDocument } from '../../src/lib/report';
import { NO_FILTERS, painReport } from '../../src/lib/sql';
import { DEMO_EXPECTATIONS, generateCohortCsv, OFFICES, PAIN } from '../../src/lib/synth';
import { files } from './helpers';

// A large seeded cohort (not the demo's seed): the report must recover what the generator planted.
const SEED = 2024;
const PATIENTS = 2500;

let report: ReportDocument;
beforeAll(async () => {
	const csv = generateCohortCsv({ seed: SEED, patients: PATIENTS });
	const db = await nodeDatabase();
	const imported = await loadDataset(
		db,
		files(Object.fromEntries(Object.entries(csv).map(([table, text]) => [`${table}.csv`, text])))
	);
	report = await buildReport(db, imported);
}, 120_000);

/** Expected value of a per-office parameter, weighted by the offices' planted implant shares. */
const weighted = (pick: (o: (typeof OFFICES)[number]) => number) =>
	OFFICES.reduce((s, o) => s + o.implantedShare * pick(o), 0) /
	OFFICES.reduce((s, o) => s + o.implantedShare, 0);

describe(`the report on a seeded cohort of ${PATIENTS} patients recovers the planted parameters`, () => {
	test('every generated row is loaded', () => {
		for (const f of report.import.files) expect([f.file, f.rejected, f.skipped]).toEqual([f.file, 0, 0]);
	});

	test('trial failure rate within 2 points of the offices planted rates', () => {
		const trials = report.cohort.implanted + report.cohort.trial_failed;
		const rate = report.cohort.trial_failed / trials;
		expect(Math.abs(rate - weighted((o) => o.trialFailureRate))).toBeLessThan(0.02);
	});

	test('baseline pain mean within 0.2 of the planted mean (integer scores, clipped to 0-10)', () => {
		const planted = PAIN.baselineMean + weighted((o) => o.baselinePainShift);
		expect(Math.abs(report.pain.pain_avg.baseline.mean! - planted)).toBeLessThan(0.2);
	});

	test('6-month non-responders (< 30%, completers) within the documented range', () => {
		const w = report.pain.pain_avg.windows.find((x) => x.label === '6m')!;
		const nonResponders = 1 - w.responders30.completers.rate!;
		const [lo, hi] = DEMO_EXPECTATIONS.nonResponderShare;
		expect(nonResponders).toBeGreaterThanOrEqual(lo);
		expect(nonResponders).toBeLessThanOrEqual(hi);
	});

	test('baseline oral MME median within the documented range', () => {
		const [lo, hi] = DEMO_EXPECTATIONS.baselineMmeMedian;
		expect(report.oral_mme.baseline.median).toBeGreaterThanOrEqual(lo);
		expect(report.oral_mme.baseline.median).toBeLessThanOrEqual(hi);
	});

	test('the office planted with the fewest non-responders has the higher 6-month responder rate', async () => {
		const db = await nodeDatabase();
		const byShare = [...OFFICES].sort((a, b) => a.nonResponderShare - b.nonResponderShare);
		const rate = async (office: string) =>
			(await painReport(db, { ...NO_FILTERS, offices: [office] })).windows.find((x) => x.label === '6m')!
				.responders30.completers.rate!;
		const best = await rate(byShare[0]!.name);
		const worst = await rate(byShare[byShare.length - 1]!.name);
		expect(best - worst).toBeGreaterThan(DEMO_EXPECTATIONS.officeResponderGap);
	});
});
