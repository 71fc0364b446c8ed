import { describe, expect, test } from 'vitest';
import { COMPLICATIONS, IT_DRUGS, ORAL_DRUGS, PUMP_EVENTS, type FileKind } from '../../src/lib/contract';
import { nodeDatabase } from '../../src/lib/db/node';
import type { contractPlan } from '../../src/lib/ingest/plan';
import { crossFileRules, joinedRows, rowRules, warningRules } from '../../src/lib/ingest/rules';
import { scanAll, type RowSink } from '../../src/lib/ingest/scan';
import { loadedColumns } from '../../src/lib/ingest/tables';
import { PatientIndex, RuleTally } from '../../src/lib/ingest/tally';
import { load, scanInputOf } from './helpers';

/**
 * The scan counts the rules of a file in JavaScript (tally.ts) so the database need not. Each
 * rule's `test` must count exactly the rows its SQL `when` counts: here both count the same
 * random files, rule by rule, and whole imports with and without the scan's counts agree.
 */

/** A seeded generator (mulberry32): the same files on every run. */
function random(seed: number) {
	let a = seed;
	const next = () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
	const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
	/** Empty (NULL) with probability `p`, else the value. */
	const orNull = (p: number, v: () => string | number) => (next() < p ? '' : String(v()));
	return { next, int, pick, orNull };
}

type Files = Record<'patients' | 'pain_scores' | 'oral_opioids' | 'pump_events', string>;

function randomFiles(seed: number, rows: number): Files {
	const r = random(seed);
	const ids = Array.from({ length: 8 }, (_, i) => `P${i + 1}`);
	// P1-P6 are patients (some never implanted, some without a follow-up end); P7 and P8 are not.
	const patients = ids.slice(0, 6).map((id) => {
		const implantYear = r.orNull(0.3, () => r.int(2015, 2023));
		return `${id},Lexington,crps,${implantYear},${r.orNull(0.3, () => r.int(50, 400))}`;
	});
	const id = () => (r.next() < 0.1 ? r.pick(ids.slice(6)) : r.pick(ids.slice(0, 6)));
	const day = () => r.int(-60, 450);
	const pain = Array.from({ length: rows }, () => `${id()},${day()},${r.int(0, 10)}`);
	const units = ['mg/day', 'mcg/day'];
	const pump = Array.from({ length: rows }, () => {
		const event = r.pick(PUMP_EVENTS);
		const drug = r.orNull(0.2, () => r.pick(IT_DRUGS));
		const dose = r.orNull(0.2, () => r.int(1, 500) / 10);
		const unit = r.orNull(0.2, () => r.pick(units));
		const complication = r.orNull(0.5, () => r.pick(COMPLICATIONS));
		return `${id()},${day()},${event},${drug},${dose},${unit},${complication}`;
	});
	const oral = Array.from({ length: rows }, () => {
		const start = day();
		const end = r.orNull(0.4, () => start + r.int(-5, 60));
		const drug = r.pick(ORAL_DRUGS);
		const strength = r.orNull(0.2, () => r.int(1, 80));
		const unit = r.orNull(0.2, () => r.pick(['mg', 'mcg/hr']));
		const upd = r.orNull(0.4, () => r.int(1, 6));
		const qty = r.orNull(0.4, () => r.int(1, 180));
		const supply = r.orNull(0.4, () => r.int(1, 90));
		const indication = r.orNull(0.3, () => r.pick(['pain', 'oud']));
		return `${id()},${start},${end},${supply},${drug},${strength},${unit},${upd},${qty},${indication}`;
	});
	return {
		patients: 'patient_id,office,diagnosis,implant_year,followup_end_day\n' + patients.join('\n') + '\n',
		pain_scores: 'patient_id,day,pain_avg\n' + pain.join('\n') + '\n',
		pump_events:
			'patient_id,day,event,drug,daily_dose,daily_dose_unit,complication\n' + pump.join('\n') + '\n',
		oral_opioids:
			'patient_id,start_day,end_day,days_supply,drug,strength,strength_unit,units_per_day,quantity,indication\n' +
			oral.join('\n') +
			'\n'
	};
}

/** Scan a file with a sink told each staged record (as the import's scan does). */
function scan<S extends RowSink>(text: string, sink: (plan: ReturnType<typeof contractPlan>) => S) {
	const { bytes, head, plan } = scanInputOf(text);
	const rows = sink(plan);
	const result = scanAll({ bytes, head, plan, exact: false, invalid: [], rows });
	return { rows, result, kind: head.kind, plan };
}

/** The rules of an event file, as load.ts checks a file in day form. */
function checks(kind: FileKind) {
	return [...rowRules(kind, () => true, {}), ...crossFileRules(kind, false), ...warningRules(kind)];
}

describe("the scan's rule counts (tally.ts)", () => {
	test('count exactly what each rule’s SQL counts, on 40 random files of each kind', async () => {
		const db = await nodeDatabase();
		const fired = new Map<string, number>();
		for (let seed = 1; seed <= 40; seed++) {
			// The last files span three blocks of rows (tally.ts BLOCK_ROWS): what a test keeps for
			// one block (mmeReasons) must not serve the next.
			const files = randomFiles(seed, seed === 40 ? 10_000 : 60);
			const patients = scan(files.patients, (plan) => new PatientIndex(plan)).rows;
			expect(patients.usable).toBe(true);
			await db.registerBuffer('p.csv', new TextEncoder().encode(files.patients));
			await db.query(
				`CREATE OR REPLACE TABLE patients AS SELECT patient_id, implant_year IS NOT NULL AS implanted, followup_end_day ` +
					`FROM read_csv('p.csv', header = true, columns = {'patient_id': 'VARCHAR', 'office': 'VARCHAR', 'diagnosis': 'VARCHAR', 'implant_year': 'INTEGER', 'followup_end_day': 'INTEGER'})`
			);
			for (const kind of ['pain_scores', 'oral_opioids', 'pump_events'] as const) {
				const rules = checks(kind);
				const { rows, result } = scan(
					files[kind],
					(plan) =>
						new RuleTally(
							kind,
							plan,
							{},
							rules.map((r) => r.test!),
							patients
						)
				);
				expect(result.problems).toEqual([]);
				// The same rows in a table of the loaded columns (the file's own, typed; the others NULL).
				await db.registerBuffer('t.csv', new TextEncoder().encode(files[kind]));
				const header = files[kind].split('\n')[0]!.split(',');
				const cols = loadedColumns(kind).filter((c) => c.name !== '_line');
				const types = cols
					.filter((c) => header.includes(c.name))
					.map((c) => `'${c.name}': '${c.type}'`)
					.join(', ');
				await db.query(
					`CREATE OR REPLACE TABLE ${kind} AS SELECT ${cols
						.map((c) => (header.includes(c.name) ? c.name : `NULL::${c.type} AS ${c.name}`))
						.join(', ')} FROM read_csv('t.csv', header = true, columns = {${types}})`
				);
				const sql = await db.query(
					`SELECT ${rules.map((r, k) => `count(*) FILTER (WHERE ${r.when})::INTEGER AS c${k}`).join(', ')} FROM ${joinedRows(kind, false)}`
				);
				const expected = Object.values(sql[0]!).map(Number);
				expect(rows.counts, `${kind}, seed ${seed}`).toEqual(expected);
				// The same counts from the rules in reverse order, each test on its own block state.
				const reversed = scan(
					files[kind],
					(plan) => new RuleTally(kind, plan, {}, rules.map((r) => r.test!).reverse(), patients)
				).rows;
				expect(reversed.counts.reverse(), `${kind}, seed ${seed}, reversed`).toEqual(expected);
				rules.forEach((r, k) =>
					fired.set(`${kind}: ${r.when}`, (fired.get(`${kind}: ${r.when}`) ?? 0) + expected[k]!)
				);
				if (kind === 'pump_events') {
					const [{ n }] = (await db.query<{ n: number }>(
						`SELECT count(*)::INTEGER AS n FROM patients p WHERE implanted AND NOT EXISTS ` +
							`(SELECT 1 FROM pump_events e WHERE e.patient_id = p.patient_id AND e.event = 'implant')`
					)) as [{ n: number }];
					expect(rows.missingImplants(), `implants, seed ${seed}`).toBe(n);
				}
				await db.dropBuffer('t.csv');
			}
			await db.dropBuffer('p.csv');
		}
		// Every rule caught rows in some file: each comparison above was put to the test.
		for (const [rule, n] of fired) expect(n, rule).toBeGreaterThan(0);
	});

	test('whole imports agree with the database’s own counts, rejects and warnings included', async () => {
		// load() imports each way (helpers.ts, importChecked): scanRules false, then as the app does.
		for (let seed = 100; seed < 110; seed++) {
			const files = randomFiles(seed, 40);
			const { report } = await load({
				'patients.csv': files.patients,
				'pain.csv': files.pain_scores,
				'pump.csv': files.pump_events,
				'oral.csv': files.oral_opioids
			});
			expect(report.refused).toEqual([]);
			expect(
				report.files.reduce((n, f) => n + f.rejected, 0),
				`seed ${seed}`
			).toBeGreaterThan(0);
		}
	});
});

describe('a unit given only in a header', () => {
	test('counts as the value of the absent unit column, in the contract or not', async () => {
		// No daily_dose_unit column: every row's unit is the header's. "g/day" fits no drug.
		const patients =
			'patient_id,office,diagnosis,implant_year,followup_end_day\nP1,Lexington,crps,2020,300\n';
		for (const unit of ['mcg/day', 'g/day']) {
			const pump = `patient_id,day,event,drug,daily_dose (${unit})\nP1,0,implant,fentanyl,5\nP1,10,dose_change,,3\n`;
			const rules = checks('pump_events');
			const tally = scan(
				pump,
				(plan) =>
					new RuleTally(
						'pump_events',
						plan,
						{ daily_dose_unit: unit },
						rules.map((r) => r.test!),
						scan(patients, (p) => new PatientIndex(p)).rows
					)
			).rows;
			const fits = rules.findIndex((r) => r.when.includes('daily_dose_unit IS DISTINCT FROM'));
			// Fentanyl's unit is mcg/day: the first row breaks the rule only with g/day. The second has
			// a dose and no drug, so no unit fits it (the CASE gives NULL) and any unit breaks it.
			expect(tally.counts[fits], unit).toBe(unit === 'g/day' ? 2 : 1);
			const { report } = await load({ 'patients.csv': patients, 'pump.csv': pump });
			const file = report.files.find((f) => f.kind === 'pump_events')!;
			expect(file.rejected, unit).toBe(unit === 'g/day' ? 2 : 1);
		}
	});
});
