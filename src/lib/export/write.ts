import { strToU8, zipSync, type Zippable } from 'fflate';
import type { ImportReport } from '$lib/ingest';
import { DEFAULT_WINDOW_SETTINGS, type Settings } from '$lib/outcomes';
import type { Filters } from '$lib/sql';
import type { Column } from '$lib/db/columns';
import { columnsCsv } from './csv';
import { gather } from './pack';
import { dictionaryCsv, dictionaryMarkdown, type DictionaryTable } from './dictionary';
import type { InputFileHash } from './inputs';
import { sha256Hex } from './sha256';
import {
	manifestInputs,
	manifestKAnonymity,
	recordedFilters,
	type Manifest,
	type ManifestTable
} from './manifest';
import { QUASI_IDENTIFIERS, type KAnonymity } from './kAnonymity';
import { toParquet } from './parquet';
import { bundleReadme } from './readme';
import type { Coarsening, ExportColumn, PatientLevelTable } from './tables';
import { APP_BUILD, APP_NAME, APP_VERSION, BUNDLE_FORMAT, contractVersion } from './version';

/**
 * One table of the bundle, re-keyed, as columns (one per declared column, in order:
 * db/columns.ts), and the order its rows are written in: putting them in order is the writer's
 * work, off the page's main thread (at a million rows, over a second).
 */
export interface BundleTable extends DictionaryTable {
	file: PatientLevelTable | 'analysis';
	length: number;
	data: Column[];
	/** The rows in the order written (order[0] first); null: as they are. */
	order: Int32Array<ArrayBuffer> | null;
}

/**
 * Everything the bundle's files are written from, once the queries have run: plain data and typed
 * arrays, so that the page can hand it to a worker (the arrays transferred: pack.ts) and keep its
 * main thread free while the CSV, Parquet, hashes and zip are written.
 */
export interface BundleContent {
	tables: BundleTable[];
	filters: Filters;
	settings: Settings;
	coarsening: Coarsening;
	k: KAnonymity;
	passed: boolean;
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
}

export interface WrittenBundle {
	zip: Uint8Array;
	manifest: Manifest;
	/** Milliseconds spent writing the files, and zipping. */
	timings: { files: number; zip: number };
}

/** Writes the bundle's files: in this thread (writeBundle), or in the page's worker (writerWorker.ts). */
export type BundleWriter = (content: BundleContent) => Promise<WrittenBundle>;

/**
 * The bundle's files from its tables: each table as CSV and Parquet, the data dictionary, a
 * README and manifest.json with every file's hash, zipped. Pure: the same content and clock give
 * the same bytes wherever it runs.
 */
export async function writeBundle(content: BundleContent): Promise<WrittenBundle> {
	const { tables, filters, settings, coarsening, k, passed } = content;
	const threshold = settings.suppressionThreshold;
	const windows = DEFAULT_WINDOW_SETTINGS;
	const started = performance.now();
	const contract = await contractVersion();
	const createdBy = `${APP_NAME} ${APP_VERSION}`;
	const files: Zippable = {};
	const written: { path: string; bytes: Uint8Array }[] = [];
	const manifestTables: ManifestTable[] = [];
	const prefixed: Record<string, string[]> = {};
	for (const t of tables) {
		const names = t.columns.map((c) => c.name);
		const data = t.order ? t.data.map((c) => gather(c, t.order!)) : t.data;
		const csv = columnsCsv(names, data, t.length);
		prefixed[t.file] = csv.prefixed;
		const csvPath = `csv/${t.file}.csv`;
		const parquetPath = `parquet/${t.file}.parquet`;
		const csvBytes = csv.bytes;
		const parquetBytes = toParquet(t.columns, data, t.length, createdBy);
		files[csvPath] = csvBytes;
		// Parquet is compressed already; storing it saves time and nothing else.
		files[parquetPath] = [parquetBytes, { level: 0 }];
		written.push({ path: csvPath, bytes: csvBytes }, { path: parquetPath, bytes: parquetBytes });
		manifestTables.push({
			name: t.file,
			description: t.title,
			rows: t.length,
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
		exported_at: content.now.toISOString(),
		source: content.source,
		filters: recorded.filters,
		filters_text: recorded.text,
		filters_withheld: recorded.withheld,
		settings: { ...settings, windows: windows.windows, window_half_width: windows.halfWidth },
		suppression_threshold: threshold,
		inputs: content.inputs ? manifestInputs(content.inputs, content.report) : null,
		...(content.inputs ? {} : { inputs_note: 'the input files were not recorded when they were loaded' }),
		tables: manifestTables,
		row_counts: Object.fromEntries(tables.map((t) => [t.file, t.length])),
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
		k_anonymity: manifestKAnonymity(QUASI_IDENTIFIERS, coarsening, threshold, k, passed, content.confirmation)
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
	const zip = zipSync(files, { mtime: content.now });
	return {
		zip,
		manifest,
		timings: { files: Math.round(filesDone - started), zip: Math.round(performance.now() - filesDone) }
	};
}
