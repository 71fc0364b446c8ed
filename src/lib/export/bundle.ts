import type { Database } from '$lib/db/types';
import { plural } from '$lib/ingest';
import { DEFAULT_WINDOW_SETTINGS } from '$lib/outcomes';
import { analysisTable, run, runOne, withMmeFactors, type AnalysisRow } from '$lib/sql';
import { analysisColumns } from './analysis';
import type { Cell } from './csv';
import { kAnonymity, passes, type KAnonymity } from './kAnonymity';
import type { Manifest } from './manifest';
import { cryptoRandomInt, rekeyPatients, type RandomInt } from './rekey';
import {
	PATIENT_LEVEL_TABLES,
	patientColumns,
	patientLevelColumns,
	patientLevelRows,
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
 * Replace the source id with the export's, rows in the order of the new ids and, within a patient,
 * in the order given (time order). A row whose patient is not in the map is a bug. Rows are
 * bucketed by patient and only the ids are sorted: at a million rows a sort of the rows themselves
 * held the page for seconds.
 */
function rekeyRows(rows: Record<string, unknown>[], ids: Map<string, string>): Record<string, Cell>[] {
	const byPatient = new Map<string, Record<string, Cell>[]>();
	for (const row of rows) {
		const id = ids.get(row.source_id as string);
		if (id === undefined) throw new Error('a row belongs to a patient outside the exported cohort');
		const out: Record<string, Cell> = { patient_id: id };
		for (const key in row) if (key !== 'source_id') out[key] = row[key] as Cell;
		let group = byPatient.get(id);
		if (!group) byPatient.set(id, (group = []));
		group.push(out);
	}
	return [...byPatient.keys()].sort().flatMap((id) => byPatient.get(id)!);
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

	const raw = new Map<PatientLevelTable, Record<string, unknown>[]>();
	for (const t of PATIENT_LEVEL_TABLES) raw.set(t, await run(db, patientLevelRows(t, filters, coarsening)));
	const windows = DEFAULT_WINDOW_SETTINGS;
	const analysis = await withMmeFactors(db, settings.mmeFactors, () =>
		run<AnalysisRow>(
			db,
			analysisTable(filters, { windows, hydromorphoneFactor: settings.hydromorphoneFactor })
		)
	);

	const ids = rekeyPatients(
		raw.get('patients')!.map((r) => r.source_id as string),
		random ?? cryptoRandomInt
	);
	const tables: BundleTable[] = PATIENT_LEVEL_TABLES.map((t) => ({
		file: t,
		title: TABLE_DESCRIPTIONS[t],
		columns: patientLevelColumns(t, coarsening),
		rows: rekeyRows(raw.get(t)!, ids)
	}));
	const people = new Map(tables[0]!.rows.map((r) => [r.patient_id as string, r]));
	const described = patientColumns(coarsening).map((c) => c.name);
	tables.push({
		file: 'analysis',
		title: TABLE_DESCRIPTIONS.analysis,
		columns: analysisColumns(coarsening),
		rows: rekeyRows(
			analysis.map(({ patient_id, ...outcome }) => ({ source_id: patient_id, ...outcome })),
			ids
		).map((r) => {
			const person = people.get(r.patient_id as string)!;
			return { ...Object.fromEntries(described.map((c) => [c, person[c] ?? null])), ...r };
		})
	});

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
