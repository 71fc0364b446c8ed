/**
 * The synthetic cohort generator. Rates are measured straight from the CSV text with the
 * definitions of outcomes.md, re-implemented here (independently of the generator's own
 * model) and compared with the documented ranges in params.ts / docs/demo-cohort.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	CSV_FILE_NAMES,
	DEMO_COHORT,
	DEMO_EXPECTATIONS,
	OFFICES,
	TABLE_NAMES,
	formatNumber,
	generateCohortCsv,
	type TableName
} from '../../src/lib/synth/index.ts';

type Row = Record<string, string>;
type Tables = Record<TableName, Row[]>;

const HEADERS: Record<TableName, string> = {
	patients:
		'patient_id,office,provider_id,sex,age_at_implant,diagnosis,icd10,program,trial_day,trial_result,implant_year,followup_end_day,followup_end_reason,explant_reason',
	painScores: 'patient_id,day,pain_avg,pain_worst,odi,pgic',
	oralOpioids:
		'patient_id,start_day,end_day,days_supply,drug,strength,strength_unit,units_per_day,quantity,indication',
	pumpEvents:
		'patient_id,day,event,drug,concentration,concentration_unit,daily_dose,daily_dose_unit,reservoir_ml,complication'
};

/** CDC 2022 factors, typed from outcomes.md section 3 (not imported from the generator). */
const MME_FACTOR: Record<string, number> = {
	codeine: 0.15,
	fentanyl_transdermal: 2.4,
	hydrocodone: 1,
	hydromorphone: 5,
	methadone: 4.7,
	morphine: 1,
	oxycodone: 1.5,
	oxymorphone: 3,
	tapentadol: 0.4,
	tramadol: 0.2
};

/** Units by IT drug, outcomes.md section 4. */
const IT_UNIT: Record<string, 'mg' | 'mcg'> = {
	morphine: 'mg',
	hydromorphone: 'mg',
	bupivacaine: 'mg',
	fentanyl: 'mcg',
	sufentanil: 'mcg',
	clonidine: 'mcg',
	ziconotide: 'mcg',
	baclofen: 'mcg'
};

const NUMERIC_COLUMNS = new Set([
	'trial_day',
	'implant_year',
	'followup_end_day',
	'day',
	'pain_avg',
	'pain_worst',
	'odi',
	'pgic',
	'start_day',
	'end_day',
	'days_supply',
	'strength',
	'units_per_day',
	'quantity',
	'concentration',
	'daily_dose',
	'reservoir_ml'
]);

function parseCsv(text: string): Row[] {
	const [header, ...lines] = text.slice(0, -1).split('\n');
	const columns = header!.split(',');
	return lines.map((line) => {
		const cells = line.split(',');
		expect(cells).toHaveLength(columns.length);
		return Object.fromEntries(columns.map((column, i) => [column, cells[i]!]));
	});
}

function parseCohort(csv: Record<TableName, string>): Tables {
	return Object.fromEntries(TABLE_NAMES.map((table) => [table, parseCsv(csv[table])])) as Tables;
}

const num = (value: string | undefined) => (value === undefined || value === '' ? null : Number(value));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const share = <T>(items: T[], test: (item: T) => boolean) => items.filter(test).length / items.length;
function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = (sorted.length - 1) / 2;
	return (sorted[Math.floor(middle)]! + sorted[Math.ceil(middle)]!) / 2;
}
function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
	return groups;
}
function expectWithin(value: number, [low, high]: readonly [number, number]) {
	expect(value).toBeGreaterThanOrEqual(low);
	expect(value).toBeLessThanOrEqual(high);
}

/** outcomes.md section 2: last pain_avg in [-90, -1] before the trial day (moved back for long delays). */
function baselinePain(patient: Row, scores: Row[]): number | null {
	const trialDay = num(patient.trial_day);
	const [from, to] = trialDay !== null && trialDay < -90 ? [trialDay - 90, trialDay - 1] : [-90, -1];
	const eligible = scores.filter((s) => {
		const day = Number(s.day);
		return day >= from && day <= to && (trialDay === null || day < trialDay);
	});
	return eligible.length ? Number(eligible.at(-1)!.pain_avg) : null;
}

/** Closest score to the target within [target - 45, target + 45); the earlier on a tie. */
function windowScore(scores: Row[], target: number): number | null {
	let best: Row | null = null;
	for (const score of scores) {
		const day = Number(score.day);
		if (day < target - 45 || day >= target + 45) continue;
		if (!best || Math.abs(day - target) < Math.abs(Number(best.day) - target)) best = score;
	}
	return best ? Number(best.pain_avg) : null;
}

/** Daily MME by day (key) from -400 to followup_end_day; null on days covered only by OUD treatment. */
function dailyMme(prescriptions: Row[]): Map<number, number | null> {
	const days = new Map<number, number | null>();
	for (const rx of prescriptions) {
		const start = Number(rx.start_day);
		const supply = num(rx.days_supply);
		const end = supply !== null ? start + supply - 1 : Number(rx.end_day);
		const patch = rx.drug === 'fentanyl_transdermal';
		const units = num(rx.units_per_day) ?? (Number(rx.quantity) * (patch ? 3 : 1)) / supply!;
		const factor = rx.indication === 'oud' ? undefined : MME_FACTOR[rx.drug!];
		const mme = factor === undefined ? null : Math.round(Number(rx.strength) * units * factor * 10) / 10;
		for (let day = start; day <= end; day++) {
			const before = days.get(day);
			days.set(day, mme === null ? (before ?? null) : (before ?? 0) + mme);
		}
	}
	return days;
}

function meanMme(daily: Map<number, number | null>, from: number, to: number): number {
	let total = 0;
	for (let day = from; day <= to; day++) total += daily.get(day) ?? 0;
	return total / (to - from + 1);
}

interface PatientView {
	row: Row;
	scores: Row[];
	prescriptions: Row[];
	events: Row[];
	implanted: boolean;
	outcome: boolean;
	baseline: number | null;
	sixMonths: number | null;
}

function patientViews(tables: Tables): PatientView[] {
	const scores = groupBy(tables.painScores, (r) => r.patient_id!);
	const prescriptions = groupBy(tables.oralOpioids, (r) => r.patient_id!);
	const events = groupBy(tables.pumpEvents, (r) => r.patient_id!);
	return tables.patients.map((row) => {
		const own = scores.get(row.patient_id!) ?? [];
		const implanted = row.implant_year !== '';
		return {
			row,
			scores: own,
			prescriptions: prescriptions.get(row.patient_id!) ?? [],
			events: events.get(row.patient_id!) ?? [],
			implanted,
			outcome: implanted && row.diagnosis !== 'spasticity',
			baseline: baselinePain(row, own),
			sixMonths: windowScore(own, 180)
		};
	});
}

/** IMMPACT >= 30% reduction in exact arithmetic; patients without a usable baseline are left out. */
function responderRate(views: PatientView[]): { n: number; rate: number } {
	const completers = views.filter(
		(v) => v.outcome && v.baseline !== null && v.baseline >= 4 && v.sixMonths !== null
	);
	const responders = completers.filter((v) => 10 * (v.baseline! - v.sixMonths!) >= 3 * v.baseline!);
	return { n: completers.length, rate: responders.length / completers.length };
}

describe('synthetic cohort: reproducibility', () => {
	it('gives byte-identical CSV text for the same seed', () => {
		expect(generateCohortCsv({ seed: 7, patients: 60 })).toEqual(
			generateCohortCsv({ seed: 7, patients: 60 })
		);
	});

	it('`npm run generate -- --seed 42 --patients 200 --out DIR` twice writes identical files', async () => {
		const { execFileSync } = await import('node:child_process');
		const { mkdtempSync, readdirSync } = await import('node:fs');
		const { tmpdir } = await import('node:os');
		const root = fileURLToPath(new URL('../../', import.meta.url));
		const run = () => {
			const out = mkdtempSync(join(tmpdir(), 'generate-'));
			execFileSync(
				'npm',
				['run', '--silent', 'generate', '--', '--seed', '42', '--patients', '200', '--out', out],
				{
					cwd: root,
					stdio: 'pipe'
				}
			);
			return out;
		};
		const [a, b] = [run(), run()];
		const names = readdirSync(a).sort();
		expect(names).toEqual(['oral_opioids.csv', 'pain_scores.csv', 'patients.csv', 'pump_events.csv']);
		for (const name of names)
			expect(readFileSync(join(a, name)).equals(readFileSync(join(b, name)))).toBe(true);
	});

	it('gives different cohorts for different seeds', () => {
		const a = generateCohortCsv({ seed: 7, patients: 60 });
		const b = generateCohortCsv({ seed: 8, patients: 60 });
		for (const table of TABLE_NAMES) expect(a[table]).not.toEqual(b[table]);
	});

	it('extends a smaller cohort when asked for more patients', () => {
		const small = generateCohortCsv({ seed: 7, patients: 30 });
		const large = generateCohortCsv({ seed: 7, patients: 60 });
		for (const table of TABLE_NAMES) expect(large[table].startsWith(small[table])).toBe(true);
	});

	it('matches the committed demo cohort in data/demo', () => {
		const folder = fileURLToPath(new URL('../../data/demo/', import.meta.url));
		const demo = generateCohortCsv(DEMO_COHORT);
		for (const table of TABLE_NAMES) {
			const path = join(folder, CSV_FILE_NAMES[table]);
			expect(existsSync(path), `${path} is missing: run npm run generate`).toBe(true);
			expect(readFileSync(path, 'utf8') === demo[table], `${path} is stale: run npm run generate`).toBe(true);
		}
	});

	it('writes numbers in plain decimal, never in exponent form', () => {
		expect(formatNumber(0.0000004)).toBe('0.0000004');
		expect(formatNumber(-0)).toBe('0');
		expect(formatNumber(172.79)).toBe('172.79');
	});
});

describe('synthetic cohort: the data contract', () => {
	const csv = generateCohortCsv(DEMO_COHORT);
	const tables = parseCohort(csv);

	it('writes the contract headers, LF line ends, no BOM and no quoting', () => {
		for (const table of TABLE_NAMES) {
			expect(csv[table].split('\n')[0]).toBe(HEADERS[table]);
			expect(csv[table].charCodeAt(0)).not.toBe(0xfeff);
			expect(csv[table]).not.toMatch(/[\r"]/);
			expect(csv[table].endsWith('\n')).toBe(true);
		}
	});

	it('writes every numeric cell as a plain decimal, pain with at most one decimal', () => {
		const notPlain: string[] = [];
		for (const table of TABLE_NAMES) {
			for (const row of tables[table]) {
				for (const [column, value] of Object.entries(row)) {
					if (NUMERIC_COLUMNS.has(column) && value !== '' && !/^-?\d+(\.\d+)?$/.test(value)) {
						notPlain.push(`${table}.${column}: ${value}`);
					}
				}
			}
		}
		expect(notPlain).toEqual([]);
		expect(tables.painScores.filter((s) => !/^\d+(\.\d)?$/.test(s.pain_avg!))).toEqual([]);
	});

	it('keys patients by unique pseudonymous ids that every event row refers to', () => {
		const ids = tables.patients.map((p) => p.patient_id!);
		expect(new Set(ids).size).toBe(ids.length);
		for (const id of ids) expect(id).toMatch(/^P\d{6}$/);
		const known = new Set(ids);
		for (const table of ['painScores', 'oralOpioids', 'pumpEvents'] as const) {
			for (const row of tables[table]) expect(known.has(row.patient_id!)).toBe(true);
		}
	});

	it('uses only contract values in patients.csv', () => {
		for (const p of tables.patients) {
			expect(OFFICES.map((o) => o.name)).toContain(p.office);
			expect(p.provider_id).toMatch(/^DR-(LEX|CYN|MAY|DAN)-[1-4]$/);
			expect(['F', 'M', 'X', 'U']).toContain(p.sex);
			expect(
				p.age_at_implant === '90+' || (Number(p.age_at_implant) >= 18 && Number(p.age_at_implant) <= 89)
			).toBe(true);
			expect([
				'fbss',
				'spine_other',
				'peripheral_neuropathy',
				'crps',
				'cancer_pain',
				'spasticity',
				'other'
			]).toContain(p.diagnosis);
			expect(['low_dose', 'conventional']).toContain(p.program);
			expect(['', 'pass', 'fail']).toContain(p.trial_result);
			expect(['', 'ongoing', 'explant', 'death', 'lost', 'transferred']).toContain(p.followup_end_reason);
			expect(p.explant_reason === '').toBe(p.followup_end_reason !== 'explant');
			if (p.implant_year !== '') {
				expectWithin(Number(p.implant_year), [2015, 2024]);
				if (p.trial_day !== '') expect(Number(p.trial_day)).toBeLessThan(0);
			} else {
				expect(p.trial_result).toBe('fail');
				expect(p.trial_day).toBe('0');
			}
		}
		expect(tables.patients.some((p) => p.age_at_implant === '90+')).toBe(true);
	});

	it('gives each office 2-4 providers and at least one provider 10 patients or fewer', () => {
		const byOffice = groupBy(tables.patients, (p) => p.office!);
		for (const patients of byOffice.values())
			expectWithin(new Set(patients.map((p) => p.provider_id)).size, [2, 4]);
		const perProvider = [...groupBy(tables.patients, (p) => p.provider_id!).values()].map((g) => g.length);
		expect(Math.min(...perProvider)).toBeLessThanOrEqual(10);
	});

	it('records integer pain scores 0-10, ODI 0-100 and PGIC 1-7', () => {
		for (const s of tables.painScores) {
			for (const column of ['pain_avg', 'pain_worst']) {
				if (s[column] !== '') expect(s[column]).toMatch(/^(10|[0-9])$/);
			}
			if (s.odi !== '') expectWithin(Number(s.odi), [0, 100]);
			if (s.pgic !== '') expect(s.pgic).toMatch(/^[1-7]$/);
		}
		expect(share(tables.painScores, (s) => s.odi !== '')).toBeGreaterThan(0.2);
		expect(share(tables.painScores, (s) => s.pgic !== '')).toBeGreaterThan(0.2);
		const worst = tables.painScores.filter((s) => s.pain_worst !== '');
		expect(share(worst, (s) => Number(s.pain_worst) >= Number(s.pain_avg))).toBeGreaterThan(0.9);
	});

	it('writes each prescription with end_day or days_supply + quantity, in the unit its drug needs', () => {
		for (const rx of tables.oralOpioids) {
			expect(rx.end_day === '').toBe(rx.days_supply !== '');
			expect(rx.units_per_day === '').toBe(rx.quantity !== '');
			expect(rx.strength_unit).toBe(rx.drug === 'fentanyl_transdermal' ? 'mcg/hr' : 'mg');
			expect(['', 'pain', 'oud']).toContain(rx.indication);
			if (rx.indication === 'oud') expect(rx.drug).toBe('buprenorphine');
			if (rx.end_day !== '') expect(Number(rx.end_day)).toBeGreaterThanOrEqual(Number(rx.start_day));
		}
		expect(share(tables.oralOpioids, (rx) => rx.end_day !== '')).toBeGreaterThan(0.3);
		expect(share(tables.oralOpioids, (rx) => rx.days_supply !== '')).toBeGreaterThan(0.3);
	});

	it('writes IT doses in the unit outcomes.md gives each drug, on every dosing event', () => {
		for (const e of tables.pumpEvents) {
			const dosing = ['implant', 'refill', 'dose_change'].includes(e.event!);
			if (e.drug !== '') {
				const unit = IT_UNIT[e.drug!];
				expect(unit).toBeDefined();
				if (e.concentration !== '') expect(e.concentration_unit).toBe(`${unit}/mL`);
				if (e.daily_dose !== '') expect(e.daily_dose_unit).toBe(`${unit}/day`);
			}
			expect(e.daily_dose !== '').toBe(dosing);
			if (dosing) expect(Number(e.daily_dose)).toBeGreaterThan(0);
			expect(e.complication !== '').toBe(e.event === 'complication');
		}
	});

	it('keeps every event inside follow-up and ends explants with an explant event', () => {
		for (const v of patientViews(tables)) {
			const end = Number(v.row.followup_end_day);
			for (const row of [...v.scores, ...v.events]) expect(Number(row.day)).toBeLessThanOrEqual(end);
			for (const rx of v.prescriptions) {
				const last =
					rx.end_day !== '' ? Number(rx.end_day) : Number(rx.start_day) + Number(rx.days_supply) - 1;
				expect(last).toBeLessThanOrEqual(end);
			}
			const explants = v.events.filter((e) => e.event === 'explant');
			expect(explants.map((e) => Number(e.day))).toEqual(
				v.row.followup_end_reason === 'explant' ? [end] : []
			);
			const implants = v.events.filter((e) => e.event === 'implant');
			if (v.implanted) expect(implants.every((e) => e.day === '0' && e.daily_dose !== '')).toBe(true);
			expect(implants.length > 0).toBe(v.implanted);
		}
	});
});

describe('synthetic cohort: the demo shows what params.ts plants', () => {
	let views: PatientView[];
	beforeAll(() => {
		views = patientViews(parseCohort(generateCohortCsv(DEMO_COHORT)));
	});
	const byOffice = () => groupBy(views, (v) => v.row.office!);

	it('implants about 130/90/60/40 patients in Lexington/Cynthiana/Maysville/Danville', () => {
		for (const [office, range] of Object.entries(DEMO_EXPECTATIONS.implantedPerOffice)) {
			expectWithin(
				byOffice()
					.get(office)!
					.filter((v) => v.implanted).length,
				range
			);
		}
	});

	it('fails about 8% of trials', () => {
		const trials = views.filter((v) => v.row.trial_result !== '');
		expectWithin(
			share(trials, (v) => v.row.trial_result === 'fail'),
			DEMO_EXPECTATIONS.trialFailureRate
		);
	});

	it('orders diagnoses fbss > neuropathy > spine_other > crps > cancer_pain > spasticity and other', () => {
		const count = (diagnosis: string) => views.filter((v) => v.row.diagnosis === diagnosis).length;
		const ordered = ['fbss', 'peripheral_neuropathy', 'spine_other', 'crps', 'cancer_pain'].map(count);
		for (let i = 1; i < ordered.length; i++) expect(ordered[i]).toBeLessThan(ordered[i - 1]!);
		for (const few of ['spasticity', 'other']) {
			expect(count(few)).toBeGreaterThan(0);
			expect(count(few)).toBeLessThan(ordered.at(-1)!);
		}
	});

	it('starts from a baseline pain of about 7.5 and reaches about 4 in responders at 6 months', () => {
		const baselines = views.filter((v) => v.outcome && v.baseline !== null).map((v) => v.baseline!);
		expectWithin(mean(baselines), DEMO_EXPECTATIONS.baselinePainMean);
		const responders = views.filter(
			(v) =>
				v.outcome &&
				v.baseline !== null &&
				v.sixMonths !== null &&
				10 * (v.baseline - v.sixMonths) >= 3 * v.baseline
		);
		expectWithin(mean(responders.map((v) => v.sixMonths!)), DEMO_EXPECTATIONS.responderPainAt3to6Months);
	});

	it('has 25-35% non-responders at 6 months, and a real gap between offices', () => {
		expectWithin(1 - responderRate(views).rate, DEMO_EXPECTATIONS.nonResponderShare);
		const lexington = responderRate(byOffice().get('Lexington')!).rate;
		const danville = responderRate(byOffice().get('Danville')!).rate;
		expect(lexington - danville).toBeGreaterThanOrEqual(DEMO_EXPECTATIONS.officeResponderGap);
	});

	it('differs in case mix between offices: age, diagnosis and baseline MME', () => {
		const offices = byOffice();
		const ages = (office: string) =>
			offices.get(office)!.map((v) => (v.row.age_at_implant === '90+' ? 90 : Number(v.row.age_at_implant)));
		expect(mean(ages('Maysville')) - mean(ages('Lexington'))).toBeGreaterThan(5);
		const crpsOrCancer = (office: string) =>
			share(offices.get(office)!, (v) => v.row.diagnosis === 'crps' || v.row.diagnosis === 'cancer_pain');
		expect(crpsOrCancer('Lexington')).toBeGreaterThan(crpsOrCancer('Danville') + 0.05);
		const baselineMme = (office: string) =>
			median(
				offices
					.get(office)!
					.map((v) => meanMme(dailyMme(v.prescriptions), -180, -91))
					.filter((mme) => mme > 0)
			);
		expect(baselineMme('Danville') - baselineMme('Lexington')).toBeGreaterThan(15);
	});

	it('misses more visits when pain is high', () => {
		const firstYear = views.filter(
			(v) => v.outcome && Number(v.row.followup_end_day) >= 365 && v.sixMonths !== null
		);
		const visits = (group: PatientView[]) =>
			mean(group.map((v) => v.scores.filter((s) => Number(s.day) > 0 && Number(s.day) <= 365).length));
		expect(visits(firstYear.filter((v) => v.sixMonths! >= 6))).toBeLessThan(
			visits(firstYear.filter((v) => v.sixMonths! <= 4))
		);
	});

	it('has a baseline MME median near 60', () => {
		const baselines = views
			.filter((v) => v.outcome)
			.map((v) => meanMme(dailyMme(v.prescriptions), -180, -91));
		expectWithin(median(baselines.filter((mme) => mme > 0)), DEMO_EXPECTATIONS.baselineMmeMedian);
	});

	it('tapers low-dose programs to zero MME before the trial', () => {
		const lowDose = views.filter((v) => v.outcome && v.row.program === 'low_dose' && v.row.trial_day !== '');
		expect(lowDose.length).toBeGreaterThan(50);
		for (const v of lowDose) {
			const daily = dailyMme(v.prescriptions);
			for (let day = Number(v.row.trial_day); day <= -1; day++) expect(daily.get(day) ?? 0).toBe(0);
		}
	});

	it('weans about 45% of conventional-program patients off oral opioids within a year', () => {
		const atRisk = views.filter((v) => {
			if (!v.outcome || v.row.program !== 'conventional' || Number(v.row.followup_end_day) < 365)
				return false;
			return meanMme(dailyMme(v.prescriptions), -30, -1) > 0;
		});
		const opioidFree = (v: PatientView) => {
			const daily = dailyMme(v.prescriptions);
			for (let day = 336; day <= 365; day++)
				if (daily.get(day) !== undefined && daily.get(day) !== 0) return false;
			return true;
		};
		expectWithin(share(atRisk, opioidFree), DEMO_EXPECTATIONS.opioidFreeAtOneYearConventional);
	});

	it('prescribes mostly oxycodone, hydrocodone and morphine, with some fentanyl, methadone, tramadol and OUD buprenorphine', () => {
		const rows = views.flatMap((v) => v.prescriptions);
		expect(share(rows, (rx) => ['oxycodone', 'hydrocodone', 'morphine'].includes(rx.drug!))).toBeGreaterThan(
			0.6
		);
		for (const drug of ['fentanyl_transdermal', 'methadone', 'tramadol'])
			expect(rows.some((rx) => rx.drug === drug)).toBe(true);
		expect(rows.some((rx) => rx.drug === 'buprenorphine' && rx.indication === 'oud')).toBe(true);
	});

	it('fills pumps with morphine > hydromorphone > ziconotide, admixtures, and baclofen for spasticity only', () => {
		const implantRows = views.flatMap((v) =>
			v.events.filter((e) => e.event === 'implant').map((e) => ({ v, e }))
		);
		const primaryCount = (drug: string) =>
			views.filter((v) => v.events.find((e) => e.event === 'implant')?.drug === drug).length;
		expect(primaryCount('morphine')).toBeGreaterThan(primaryCount('hydromorphone'));
		expect(primaryCount('hydromorphone')).toBeGreaterThan(primaryCount('ziconotide'));
		expect(primaryCount('ziconotide')).toBeGreaterThan(0);
		for (const adjuvant of ['bupivacaine', 'clonidine']) {
			expect(views.some((v) => v.events.some((e) => e.drug === adjuvant))).toBe(true);
		}
		for (const { v, e } of implantRows) expect(e.drug === 'baclofen').toBe(v.row.diagnosis === 'spasticity');
	});

	it('escalates IT opioid doses slowly, with a few fast escalators', () => {
		// Per patient: least-squares slope of log dose over years, titration (days 0-30) left out.
		const slopes: number[] = [];
		for (const v of views) {
			const drug = v.events.find((e) => e.event === 'implant')?.drug;
			if (drug !== 'morphine' && drug !== 'hydromorphone') continue;
			const points = v.events
				.filter((e) => e.drug === drug && e.daily_dose !== '' && Number(e.day) > 30)
				.map((e) => [Number(e.day) / 365.25, Math.log(Number(e.daily_dose))] as const);
			if (points.length < 3 || points.at(-1)![0] - points[0]![0] < 1) continue;
			const meanX = mean(points.map(([x]) => x));
			const meanY = mean(points.map(([, y]) => y));
			const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
			const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
			slopes.push(covariance / variance);
		}
		expect(slopes.length).toBeGreaterThan(100);
		expectWithin(median(slopes), [0.01, 0.15]);
		const fast = slopes.filter((slope) => slope > 0.4).length;
		expect(fast).toBeGreaterThanOrEqual(3);
		expect(fast / slopes.length).toBeLessThan(0.1);
	});

	it('refills every 30-90 days and records complications, explants, deaths and losses', () => {
		for (const v of views) {
			const fills = [
				...new Set(v.events.filter((e) => ['implant', 'refill'].includes(e.event!)).map((e) => Number(e.day)))
			];
			for (let i = 1; i < fills.length; i++) expectWithin(fills[i]! - fills[i - 1]!, [30, 90]);
		}
		expect(views.some((v) => v.events.some((e) => e.event === 'dose_change'))).toBe(true);
		const reasons = new Set(views.map((v) => v.row.followup_end_reason));
		for (const reason of ['ongoing', 'explant', 'death', 'lost']) expect(reasons.has(reason)).toBe(true);
		expect(views.filter((v) => v.events.some((e) => e.event === 'complication')).length).toBeGreaterThan(5);
	});
});
