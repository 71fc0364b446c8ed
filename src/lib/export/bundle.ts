import type { Database } from '$lib/db/types';
import { plural } from '$lib/ingest';
import { DEFAULT_WINDOW_SETTINGS } from '$lib/outcomes';
import type { Column, Columns } from '$lib/db/columns';
import { analysisTable, runOne, withMmeFactors } from '$lib/sql';
import { analysisColumns } from './analysis';
import { kAnonymity, passes, type KAnonymity } from './kAnonymity';
import type { Manifest } from './manifest';
import { cryptoRandomInt, rekeyPatients, type RandomInt } from './rekey';
import { gather, queryDeclared, type Declared } from './pack';
import {
	PATIENT_LEVEL_TABLES,
	patientColumns,
	patientLevelColumns,
	patientLevelRows,
	type ExportColumn,
	type PatientLevelTable
} from './tables';
import { writeBundle, type BundleContent, type BundleTable, type BundleWriter } from './write';

/** What the page asks for: the content's settings; the tables and the check are computed here. */
export type BundleRequest = Omit<BundleContent, 'tables' | 'k' | 'passed'> & { random?: RandomInt };

export interface Bundle {
	fileName: string;
	zip: Uint8Array;
	manifest: Manifest;
	/** Milliseconds spent querying, writing the files, and zipping. */
	timings: { queries: number; files: number; zip: number };
}

/** The export was not built: the k-anonymity check failed and nothing was confirmed. */
export class ExportBlocked extends Error {
	readonly k: KAnonymity;
	constructor(k: KAnonymity, threshold: number) {
		super(
			`the smallest group of patients sharing office, sex, age band, diagnosis and implant year has ` +
				`${plural(k.smallest ?? 0, 'patient')}, below ${threshold}: coarsen the export or confirm it`
		);
		this.name = 'ExportBlocked';
		this.k = k;
	}
}

/** What each table of the bundle holds (README, dictionary, manifest and page). */
export const TABLE_DESCRIPTIONS: Record<PatientLevelTable | 'analysis', string> = {
	patients: 'one row per patient of the filtered cohort',
	pain_scores: 'one row per pain assessment',
	oral_opioids: 'one row per oral opioid prescription',
	pump_events: 'one row per pump event and drug',
	analysis:
		'one row per patient of the outcome population (implanted, not spasticity) and follow-up window: pain at baseline and window, change, responders, oral MME, IT morphine-equivalent'
};

/**
 * Replace the source id (the column `source`) with the export's: the table's other columns, the
 * new id as `patient_id`, and the order to write the rows in: by new id and, within a patient, in
 * the order given (time order). A row whose patient is not in the map is a bug. The rows stay
 * where they are (the bundle worker puts them in order: write.ts); the order is a counting sort
 * over the patients, since at a million rows a sort of the rows held the page for seconds.
 */
function rekeyColumns(
	t: Columns,
	source: string,
	ids: Map<string, string>
): { patientId: Column; rest: Columns; order: Int32Array<ArrayBuffer> } {
	const at = t.names.indexOf(source);
	const src = t.columns[at];
	if (!src || src.kind !== 'text') throw new Error(`no text column ${source} to re-key`);
	const outside = () => new Error('a row belongs to a patient outside the exported cohort');
	const newIds = src.dictionary.map((id) => ids.get(id) ?? '');
	if (newIds.includes('')) throw outside();
	const sorted = [...new Set(newIds)].sort();
	const rankOf = new Map(sorted.map((id, r) => [id, r]));
	const rankOfCode = Int32Array.from(newIds, (id) => rankOf.get(id)!);
	// Each row's patient, as the rank of the new id; then where each patient's rows start.
	const codes = new Int32Array(t.length);
	const start = new Int32Array(sorted.length + 1);
	for (let i = 0; i < t.length; i++) {
		const code = src.codes[i]!;
		if (code < 0) throw outside();
		codes[i] = rankOfCode[code]!;
		start[codes[i]! + 1]!++;
	}
	for (let r = 0; r < sorted.length; r++) start[r + 1]! += start[r]!;
	const order = new Int32Array(t.length);
	for (let i = 0; i < t.length; i++) order[start[codes[i]!]!++] = i;
	const keep = t.names.flatMap((name, j) => (j === at ? [] : [j]));
	return {
		patientId: { kind: 'text', codes, dictionary: sorted },
		rest: { length: t.length, names: keep.map((j) => t.names[j]!), columns: keep.map((j) => t.columns[j]!) },
		order
	};
}

/** The table's data in its declared column order, `patient_id` given apart. */
function bundleTable(
	file: BundleTable['file'],
	columns: ExportColumn[],
	{ patientId, rest, order }: ReturnType<typeof rekeyColumns>
): BundleTable {
	const data = columns.map((c) => {
		if (c.name === 'patient_id') return patientId;
		const j = rest.names.indexOf(c.name);
		if (j < 0) throw new Error(`${file}: no column ${c.name}`);
		return rest.columns[j]!;
	});
	return { file, title: TABLE_DESCRIPTIONS[file], columns, length: rest.length, data, order };
}

/**
 * Build the patient-level bundle of the filtered cohort (outcomes.md section 6): the four tables
 * and the analysis table as CSV and Parquet, the data dictionary, manifest.json and a README, in
 * one zip. Refuses (ExportBlocked) when the smallest k-anonymity class is below the threshold and
 * the request carries no confirmation. The queries run here; `options.write` writes the files
 * (writeBundle in this thread by default, the page passes its worker: writerWorker.ts).
 */
export async function buildBundle(
	db: Database,
	req: BundleRequest,
	options: { write?: BundleWriter } = {}
): Promise<Bundle> {
	// The random source stays here: the rest of the request is the content's (and may go to a worker).
	const { random, ...request } = req;
	const { filters, settings, coarsening } = request;
	const started = performance.now();
	const threshold = settings.suppressionThreshold;
	const k = await runOne<KAnonymity>(db, kAnonymity(filters, coarsening, threshold));
	const passed = passes(k, threshold);
	if (!passed && req.confirmation === null) throw new ExportBlocked(k, threshold);

	// Every table as columns (pack.ts): the source id as `source_id`, then the exported columns.
	const sourceId: Declared = { name: 'source_id', type: 'text' };
	const raw = new Map<PatientLevelTable, Columns>();
	for (const t of PATIENT_LEVEL_TABLES) {
		const declared = patientLevelColumns(t, coarsening).filter((c) => c.name !== 'patient_id');
		raw.set(t, await queryDeclared(db, patientLevelRows(t, filters, coarsening), [sourceId, ...declared]));
	}
	const columns = analysisColumns(coarsening);
	const described = new Set(patientColumns(coarsening).map((c) => c.name));
	const outcomes = columns.filter((c) => !described.has(c.name));
	const windows = DEFAULT_WINDOW_SETTINGS;
	const analysis = await withMmeFactors(db, settings.mmeFactors, () =>
		queryDeclared(
			db,
			analysisTable(filters, { windows, hydromorphoneFactor: settings.hydromorphoneFactor }),
			outcomes
		)
	);

	const source = raw.get('patients')!.columns[0]!;
	if (source.kind !== 'text') throw new Error('patients.source_id is not text');
	const ids = rekeyPatients(
		Array.from(source.codes, (code) => source.dictionary[code]!),
		random ?? cryptoRandomInt
	);
	const tables: BundleTable[] = PATIENT_LEVEL_TABLES.map((t) =>
		bundleTable(t, patientLevelColumns(t, coarsening), rekeyColumns(raw.get(t)!, 'source_id', ids))
	);
	// The analysis table repeats each patient's describing columns from the patients table (its
	// rows as the query gave them: each table is put in order when written).
	const people = tables[0]!;
	const peopleIds = people.data[0]!;
	if (peopleIds.kind !== 'text') throw new Error('patients.patient_id is not text');
	const rowOfPerson = new Map(Array.from(peopleIds.codes, (code, row) => [peopleIds.dictionary[code]!, row]));
	const keyed = rekeyColumns(analysis, 'patient_id', ids);
	const { patientId, rest } = keyed;
	if (patientId.kind !== 'text') throw new Error('analysis.patient_id is not text');
	const personRow = new Int32Array(rest.length);
	for (let i = 0; i < rest.length; i++) {
		const row = rowOfPerson.get(patientId.dictionary[patientId.codes[i]!]!);
		if (row === undefined) throw new Error('an analysis row belongs to a patient outside the patients table');
		personRow[i] = row;
	}
	for (const c of columns.filter((c) => described.has(c.name))) {
		rest.names.push(c.name);
		rest.columns.push(gather(people.data[people.columns.findIndex((p) => p.name === c.name)]!, personRow));
	}
	tables.push(bundleTable('analysis', columns, keyed));

	const queried = performance.now();
	const written = await (options.write ?? writeBundle)({ ...request, tables, k, passed });
	const stamp = req.now
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d+Z$/, 'Z')
		.replace('T', '-');
	return {
		fileName: `it-pump-export-${stamp}.zip`,
		zip: written.zip,
		manifest: written.manifest,
		timings: { queries: Math.round(queried - started), ...written.timings }
	};
}
