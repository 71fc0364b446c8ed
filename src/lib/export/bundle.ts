import { strToU8, zipSync, type Zippable } from 'fflate';
import type { Database } from '$lib/db/types';
import { plural, type ImportReport } from '$lib/ingest';
import { DEFAULT_WINDOW_SETTINGS, type Settings } from '$lib/outcomes';
import { analysisTable, run, runOne, withMmeFactors, type AnalysisRow, type Filters } from '$lib/sql';
import { analysisColumns } from './analysis';
import { toCsv, type Cell } from './csv';
import { dictionaryCsv, dictionaryMarkdown, type DictionaryTable } from './dictionary';
import { sha256Hex, type InputFileHash } from './inputs';
import { kAnonymity, passes, QUASI_IDENTIFIERS, type KAnonymity } from './kAnonymity';
import {
	manifestInputs,
	manifestKAnonymity,
	recordedFilters,
	type Manifest,
	type ManifestTable
} from './manifest';
import { toParquet } from './parquet';
import { bundleReadme } from './readme';
import { cryptoRandomInt, rekeyPatients, type RandomInt } from './rekey';
import {
	PATIENT_LEVEL_TABLES,
	patientColumns,
	patientLevelColumns,
	patientLevelRows,
	type Coarsening,
	type ExportColumn,
	type PatientLevelTable
} from './tables';
import { APP_BUILD, APP_NAME, APP_VERSION, BUNDLE_FORMAT, contractVersion } from './version';

export interface BundleRequest {
	filters: Filters;
	settings: Settings;
	coarsening: Coarsening;
	/**
	 * What the user confirmed to export although the smallest class is below the threshold; null
	 * when they did not. Required exactly when the k-anonymity check fails.
	 */
	confirmation: string | null;
	source: 'demo' | 'upload' | null;
	report: ImportReport | null;
	/** The input files' hashes (recordInputFiles); null when they were not recorded. */
	inputs: InputFileHash[] | null;
	now: Date;
	random?: RandomInt;
}

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

interface Table extends DictionaryTable {
	rows: Record<string, Cell>[];
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

/** Replace the source id with the export's; a row whose patient is not in the map is a bug. */
function rekeyRows(rows: Record<string, unknown>[], ids: Map<string, string>): Record<string, Cell>[] {
	const out = rows.map(({ source_id, ...rest }) => {
		const id = ids.get(source_id as string);
		if (id === undefined) throw new Error('a row belongs to a patient outside the exported cohort');
		return { patient_id: id, ...(rest as Record<string, Cell>) };
	});
	// Stable: rows keep their time order within a patient.
	return out.sort((a, b) =>
		(a.patient_id as string) < (b.patient_id as string) ? -1 : a.patient_id === b.patient_id ? 0 : 1
	);
}

/**
 * Build the patient-level bundle of the filtered cohort (outcomes.md section 6): the four tables
 * and the analysis table as CSV and Parquet, the data dictionary, manifest.json and a README, in
 * one zip. Refuses (ExportBlocked) when the smallest k-anonymity class is below the threshold and
 * the request carries no confirmation.
 */
export async function buildBundle(db: Database, req: BundleRequest): Promise<Bundle> {
	const { filters, settings, coarsening } = req;
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
		req.random ?? cryptoRandomInt
	);
	const tables: Table[] = PATIENT_LEVEL_TABLES.map((t) => ({
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
	const contract = await contractVersion();
	const createdBy = `${APP_NAME} ${APP_VERSION}`;
	const files: Zippable = {};
	const written: { path: string; bytes: Uint8Array }[] = [];
	const manifestTables: ManifestTable[] = [];
	const prefixed: Record<string, string[]> = {};
	for (const t of tables) {
		const names = t.columns.map((c) => c.name);
		const csv = toCsv(names, t.rows);
		prefixed[t.file] = csv.prefixed;
		const csvPath = `csv/${t.file}.csv`;
		const parquetPath = `parquet/${t.file}.parquet`;
		const csvBytes = strToU8(csv.text);
		const parquetBytes = toParquet(t.columns, t.rows, createdBy);
		files[csvPath] = csvBytes;
		// Parquet is compressed already; storing it saves time and nothing else.
		files[parquetPath] = [parquetBytes, { level: 0 }];
		written.push({ path: csvPath, bytes: csvBytes }, { path: parquetPath, bytes: parquetBytes });
		manifestTables.push({
			name: t.file,
			description: t.title,
			rows: t.rows.length,
			columns: names,
			csv: csvPath,
			parquet: parquetPath
		});
	}
	const dictionaryMd = strToU8(dictionaryMarkdown(tables, contract));
	const dictionaryCsvBytes = strToU8(dictionaryCsv(tables));
	files['data_dictionary.md'] = dictionaryMd;
	files['data_dictionary.csv'] = dictionaryCsvBytes;
	written.push(
		{ path: 'data_dictionary.md', bytes: dictionaryMd },
		{ path: 'data_dictionary.csv', bytes: dictionaryCsvBytes }
	);

	const recorded = recordedFilters(filters, coarsening);
	const about: Omit<Manifest, 'files'> = {
		format: { name: `${APP_NAME} patient-level export`, version: BUNDLE_FORMAT },
		app: { name: APP_NAME, version: APP_VERSION, build: APP_BUILD },
		contract: { version: contract },
		exported_at: req.now.toISOString(),
		source: req.source,
		filters: recorded.filters,
		filters_text: recorded.text,
		filters_withheld: recorded.withheld,
		settings: { ...settings, windows: windows.windows, window_half_width: windows.halfWidth },
		suppression_threshold: threshold,
		inputs: req.inputs ? manifestInputs(req.inputs, req.report) : null,
		...(req.inputs ? {} : { inputs_note: 'the input files were not recorded when they were loaded' }),
		tables: manifestTables,
		row_counts: Object.fromEntries(tables.map((t) => [t.file, t.rows.length])),
		csv: {
			encoding: 'UTF-8 with byte order mark',
			record_end: 'CRLF',
			formula_guard:
				"a text cell beginning with = + - @ tab CR LF or ' has one leading ' added; numbers never do",
			quote_prefixed_columns: prefixed
		},
		de_identification: {
			patient_id: 'random permutation per export (X0001..Xn); the source ids and the mapping are not kept',
			kept: [...new Set(tables.flatMap((t) => t.columns.map((c: ExportColumn) => `${t.file}.${c.name}`)))],
			left_out: [
				'patients.provider_id',
				'patients.icd10',
				'patients.age_at_implant (as age bands)',
				...(coarsening.dropOffice ? ['patients.office'] : []),
				'calendar dates (time is in days from implant)',
				'source line numbers'
			],
			time: 'days from implant (implant = day 0); implant year only'
		},
		k_anonymity: manifestKAnonymity(QUASI_IDENTIFIERS, coarsening, threshold, k, passed, req.confirmation)
	};
	// The README is written from the manifest's description, so the manifest can list its hash.
	const readme = strToU8(bundleReadme(about));
	files['README.md'] = readme;
	written.push({ path: 'README.md', bytes: readme });
	const manifest: Manifest = {
		...about,
		files: await Promise.all(
			written.map(async (w) => ({ path: w.path, bytes: w.bytes.length, sha256: await sha256Hex(w.bytes) }))
		)
	};
	files['manifest.json'] = strToU8(JSON.stringify(manifest, null, 2) + '\n');
	const filesDone = performance.now();
	const zip = zipSync(files, { mtime: req.now });

	const stamp = req.now
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d+Z$/, 'Z')
		.replace('T', '-');
	return {
		fileName: `it-pump-export-${stamp}.zip`,
		zip,
		manifest,
		timings: {
			queries: Math.round(queried - started),
			files: Math.round(filesDone - queried),
			zip: Math.round(performance.now() - filesDone)
		}
	};
}
