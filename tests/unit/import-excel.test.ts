import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import { nodeDatabase } from '../../src/lib/db/node';
import type { ImportReport } from '../../src/lib/ingest';
import { buildReport } from '../../src/lib/report';
import {
	cohortSummary,
	NO_FILTERS,
	painByMonth,
	painPatients,
	patientsByOffice,
	run,
	runOne
} from '../../src/lib/sql';
import { files } from './helpers';

/**
 * The demo cohort as a European Excel would save it: UTF-8 BOM, CRLF, `;` delimiter, decimal
 * commas, M/D/YYYY dates shifted per patient, and synonym headers. Built here from data/demo;
 * the dashboard's numbers must come out exactly as from the clean files.
 */
const DEMO = new URL('../../data/demo/', import.meta.url);
const KINDS = ['patients', 'pain_scores', 'oral_opioids', 'pump_events'] as const;
const read = (kind: string) => readFileSync(new URL(`${kind}.csv`, DEMO), 'utf8');

/** The demo files hold no quotes: a split is an exact parse of them. */
function rows(text: string): Record<string, string>[] {
	const [header, ...lines] = text.trimEnd().split('\n');
	const names = header!.split(',');
	return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
}

const NUMBERS = new Set([
	'pain_avg',
	'pain_worst',
	'odi',
	'strength',
	'units_per_day',
	'quantity',
	'concentration',
	'daily_dose',
	'reservoir_ml'
]);

/** M/D/YYYY of a day counted from a patient's own (shifted) anchor date. */
function mdy(anchor: Date, day: string): string {
	if (day === '') return '';
	const d = new Date(anchor.getTime() + Number(day) * 86_400_000);
	return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
}

function excelFiles(): Record<string, Uint8Array> {
	const patients = rows(read('patients'));
	// A shifted anchor per patient: a day within its implant year (or 2020 for a failed trial).
	const anchors = new Map(
		patients.map((p, i) => [
			p.patient_id!,
			new Date(Date.UTC(Number(p.implant_year || 2020), 0, 1 + ((i * 37) % 300)))
		])
	);
	const columns: Record<(typeof KINDS)[number], [string, (r: Record<string, string>) => string][]> = {
		patients: [
			['Subject ID', (r) => r.patient_id!],
			['Site', (r) => r.office!],
			['Physician', (r) => r.provider_id!],
			['Sex', (r) => r.sex!],
			['Age', (r) => r.age_at_implant!],
			['Primary Diagnosis', (r) => r.diagnosis!],
			['ICD10', (r) => r.icd10!],
			['Program', (r) => r.program!],
			['Trial Date', (r) => mdy(anchors.get(r.patient_id!)!, r.trial_day!)],
			['Trial Result', (r) => r.trial_result!],
			['Implant Date', (r) => (r.implant_year ? mdy(anchors.get(r.patient_id!)!, '0') : '')],
			['Follow-up End Date', (r) => mdy(anchors.get(r.patient_id!)!, r.followup_end_day!)],
			['Follow-up End Reason', (r) => r.followup_end_reason!],
			['Explant Reason', (r) => r.explant_reason!]
		],
		pain_scores: [
			['Subject ID', (r) => r.patient_id!],
			['Visit Date', (r) => mdy(anchors.get(r.patient_id!)!, r.day!)],
			['Average Pain (NRS)', (r) => r.pain_avg!],
			['Worst Pain', (r) => r.pain_worst!],
			['ODI', (r) => r.odi!],
			['PGIC', (r) => r.pgic!]
		],
		oral_opioids: [
			['Subject ID', (r) => r.patient_id!],
			['Fill Date', (r) => mdy(anchors.get(r.patient_id!)!, r.start_day!)],
			['Rx End Date', (r) => mdy(anchors.get(r.patient_id!)!, r.end_day!)],
			['Days Supply', (r) => r.days_supply!],
			['Medication', (r) => r.drug!],
			['Strength', (r) => r.strength!],
			['Strength Unit', (r) => r.strength_unit!],
			['Tablets per Day', (r) => r.units_per_day!],
			['Quantity', (r) => r.quantity!],
			['Indication', (r) => r.indication!]
		],
		pump_events: [
			['Subject ID', (r) => r.patient_id!],
			['Event Date', (r) => mdy(anchors.get(r.patient_id!)!, r.day!)],
			['Event', (r) => r.event!],
			['Drug', (r) => r.drug!],
			['Concentration', (r) => r.concentration!],
			['Concentration Unit', (r) => r.concentration_unit!],
			['Dose', (r) => r.daily_dose!],
			['Daily Dose Unit', (r) => r.daily_dose_unit!],
			['Reservoir ML', (r) => r.reservoir_ml!],
			['Complication', (r) => r.complication!]
		]
	};
	const numberOf: Record<string, string> = {
		'Average Pain (NRS)': 'pain_avg',
		'Worst Pain': 'pain_worst',
		ODI: 'odi',
		Strength: 'strength',
		'Tablets per Day': 'units_per_day',
		Quantity: 'quantity',
		Concentration: 'concentration',
		Dose: 'daily_dose',
		'Reservoir ML': 'reservoir_ml'
	};
	return Object.fromEntries(
		KINDS.map((kind) => {
			const cols = columns[kind];
			const lines = rows(read(kind)).map((r) =>
				cols.map(([h, f]) => (NUMBERS.has(numberOf[h] ?? '') ? f(r).replace('.', ',') : f(r))).join(';')
			);
			const text = [cols.map(([h]) => h).join(';'), ...lines].join('\r\n') + '\r\n';
			return [`${kind} (Excel).csv`, new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)])];
		})
	);
}

/**
 * Every number the dashboard shows (cohort summary, patients by office, pain by month and the
 * patients it counts) and every number of the outcome pages (the report document: pain, oral MME
 * and IT dose at every window; its `import` section describes the files, so it is left out), to
 * 12 significant digits: DuckDB's parallel avg() sums in no fixed order, so two loads of the very
 * same rows can differ in the last bit of a mean.
 */
async function dashboard(imported: ImportReport) {
	const db = await nodeDatabase();
	const round = (v: unknown): unknown =>
		typeof v === 'number'
			? Number(v.toPrecision(12))
			: Array.isArray(v)
				? v.map(round)
				: v && typeof v === 'object'
					? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)]))
					: v;
	const outcomes: Record<string, unknown> = { ...(await buildReport(db, imported)) };
	delete outcomes.import;
	return round({
		summary: await runOne(db, cohortSummary(NO_FILTERS)),
		offices: await run(db, patientsByOffice(NO_FILTERS)),
		months: await run(db, painByMonth(NO_FILTERS)),
		painPatients: await runOne(db, painPatients(NO_FILTERS)),
		outcomes
	}) as {
		summary: { patients: number };
		offices: unknown[];
		months: unknown[];
		outcomes: Record<string, unknown>;
	};
}

test('an Excel-style export of the demo gives exactly the dashboard numbers of the clean files', async () => {
	const db = await nodeDatabase();
	const clean = await loadDataset(db, files(Object.fromEntries(KINDS.map((k) => [`${k}.csv`, read(k)]))));
	expect(clean.refused).toEqual([]);
	const expected = await dashboard(clean);
	expect(expected.summary.patients).toBe(rows(read('patients')).length);
	// The same rows loaded again: the comparison below is only as exact as this one.
	const again = await loadDataset(db, files(Object.fromEntries(KINDS.map((k) => [`${k}.csv`, read(k)]))));
	expect(await dashboard(again)).toEqual(expected);
	// Not a comparison of empty tables: every section holds numbers.
	expect(expected.months.length).toBeGreaterThan(30);
	expect(expected.offices.length).toBe(new Set(rows(read('patients')).map((p) => p.office)).size);
	expect(Object.keys(expected.outcomes)).toEqual(
		expect.arrayContaining(['cohort', 'pain', 'oral_mme', 'it_dose'])
	);
	expect(Object.keys(expected.outcomes.pain as object).sort()).toEqual(['pain_avg', 'pain_worst']);

	const excel = await loadDataset(db, files(excelFiles()));
	expect(excel.refused).toEqual([]);
	for (const f of excel.files) {
		expect(f.dialect, f.file).toMatchObject({
			delimiter: ';',
			encoding: 'utf-8',
			newline: 'CRLF',
			timeForm: 'date',
			dateFormat: 'M/D/YYYY',
			dateOrderFrom: 'values'
		});
		expect({ file: f.file, rejected: f.rejected, skipped: f.skipped, loaded: f.loaded }).toEqual({
			file: f.file,
			rejected: 0,
			skipped: 0,
			loaded: clean.files.find((c) => c.kind === f.kind)!.loaded
		});
	}
	expect(excel.files.find((f) => f.kind === 'pump_events')!.dialect.decimalComma).toEqual([
		'Concentration',
		'Dose',
		'Reservoir ML'
	]);
	expect(await dashboard(excel)).toEqual(expected);
});
