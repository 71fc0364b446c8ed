// The command-line report (../shared/docs/report.md, docs/report.md): the app's import rules and
// query builders on a folder of CSV or Parquet files, in Node, with native DuckDB when it is
// installed and otherwise the browser's engine (duckdb-wasm's Node build).
//   npm run -s report -- DIR [--json] [--mme cdc2022|cdc2016] [--suppress] [--date-order mdy|dmy]
//                           [--engine native|wasm] [--threads N]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../src/lib/dataset/index.ts';
import { PARQUET_NAME, parquetAsCsv } from '../src/lib/dataset/parquet.ts';
import {
	NATIVE_DUCKDB,
	NATIVE_INSTALL,
	NATIVE_PACKAGE,
	nativeAvailable,
	nativeDatabase
} from '../src/lib/db/native.ts';
import { nodeDatabase } from '../src/lib/db/node.ts';
import type { Database } from '../src/lib/db/types.ts';
import type { DateOrder } from '../src/lib/ingest/index.ts';
import { asksDateOrder } from '../src/lib/ingest/prepare.ts';
import { DEFAULT_SETTINGS } from '../src/lib/outcomes/index.ts';
import { buildReport, formatSummary, suppressReport } from '../src/lib/report/index.ts';

const USAGE =
	'usage: npm run -s report -- DIR [--json] [--mme cdc2022|cdc2016] [--suppress] [--date-order mdy|dmy] [--engine native|wasm] [--threads N]';

/** What a refusal for undecidable dates needs on the command line. */
const DATE_ORDER_HINT =
	'  no value decides the order: run again with --date-order mdy (month first, 01/02/2024 is 2 January) or --date-order dmy (day first: 1 February)';

/** Exit 2: the input is refused as a whole (report.md), with the reason on standard error. */
function refuse(reason: string): never {
	process.stderr.write(`report: ${reason}\n`);
	process.exit(2);
}

function parseArgs(argv: string[]) {
	let dir: string | undefined;
	let json = false;
	let mme: 'cdc2022' | 'cdc2016' = 'cdc2022';
	let suppress = false;
	let engine: 'native' | 'wasm' | undefined;
	let threads: number | undefined;
	let dateOrder: DateOrder | undefined;
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i]!;
		if (a === '--json') json = true;
		else if (a === '--mme') {
			const v = argv[++i];
			if (v !== 'cdc2022' && v !== 'cdc2016')
				refuse(`--mme takes cdc2022 or cdc2016, got ${v ?? 'nothing'}\n${USAGE}`);
			mme = v;
		} else if (a === '--suppress') suppress = true;
		else if (a === '--date-order') {
			const v = argv[++i];
			if (v !== 'mdy' && v !== 'dmy')
				refuse(`--date-order takes mdy or dmy, got ${v ?? 'nothing'}\n${USAGE}`);
			dateOrder = v;
		} else if (a === '--engine') {
			const v = argv[++i];
			if (v !== 'native' && v !== 'wasm')
				refuse(`--engine takes native or wasm, got ${v ?? 'nothing'}\n${USAGE}`);
			engine = v;
		} else if (a === '--threads') {
			const v = argv[++i];
			threads = Number(v);
			if (!/^[1-9][0-9]{0,2}$/.test(v ?? ''))
				refuse(`--threads takes a whole number of threads, got ${v ?? 'nothing'}\n${USAGE}`);
		} else if (a.startsWith('--')) refuse(`unknown option ${a}\n${USAGE}`);
		else if (dir === undefined) dir = a;
		else refuse(`one folder only\n${USAGE}`);
	}
	if (!dir) refuse(USAGE);
	// duckdb-wasm runs on one thread; more threads are the native engine's only.
	if (threads !== undefined && engine === 'wasm')
		refuse('--threads is for --engine native (duckdb-wasm has one)');
	return { dir, json, mme, suppress, engine, threads, dateOrder };
}

/**
 * True when npm started this script and printed its "> it-pump-outcomes@… report" lines on standard
 * output first: npm does so unless run with -s (--silent), and a JSON reader then fails on them.
 */
const npmBanner = () =>
	process.env.npm_lifecycle_event === 'report' &&
	process.env.npm_config_loglevel !== 'silent' &&
	process.env.npm_config_json !== 'true';

const NPM_BANNER_HINT =
	'report: npm printed its own "> …" lines on standard output ahead of the JSON; ' +
	'for standard output with the JSON alone, run npm run -s report -- DIR --json\n';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The engine asked for, or native DuckDB when it is installed and the browser's engine otherwise. */
async function openEngine(
	choice: 'native' | 'wasm' | undefined,
	threads: number | undefined
): Promise<{ db: Database; close: () => Promise<void> }> {
	const available = choice === 'wasm' ? false : await nativeAvailable();
	if (choice === undefined && !available && threads !== undefined)
		refuse(`--threads is for the native engine, and ${NATIVE_PACKAGE} is not installed: ${NATIVE_INSTALL}`);
	if (choice === 'native' && !available)
		refuse(
			`--engine native needs ${NATIVE_PACKAGE}, which is not installed; install it with:\n  ${NATIVE_INSTALL}`
		);
	if (available) {
		// One thread by default: a parallel sum adds in another order than the browser's one thread,
		// and means then differ in the last bits (docs/report.md, "Which engine, which format").
		const db = await nativeDatabase({ threads: threads ?? 1 });
		process.stderr.write(
			`engine: native DuckDB ${db.version} (${NATIVE_PACKAGE}), ${plural(threads ?? 1, 'thread')}\n`
		);
		if (db.version !== NATIVE_DUCKDB)
			process.stderr.write(
				`engine: warning: the browser's engine is DuckDB ${NATIVE_DUCKDB} and numbers may differ; the matching native build: ${NATIVE_INSTALL}\n`
			);
		return { db, close: () => db.close() };
	}
	process.stderr.write(
		choice === 'wasm'
			? "engine: duckdb-wasm (the browser's engine, Node build)\n"
			: `engine: duckdb-wasm (the browser's engine, Node build); ${NATIVE_PACKAGE} is not installed. ` +
					`For files too large for a browser: ${NATIVE_INSTALL}\n`
	);
	return { db: await nodeDatabase(), close: async () => {} };
}

async function readInputs(dir: string) {
	const names: string[] = [];
	// Every other entry is named on standard error: nothing in the folder is passed over unsaid.
	for (const entry of readdirSync(dir).sort()) {
		const data = /\.(csv|tsv|txt)$/i.test(entry) || PARQUET_NAME.test(entry);
		const stat = statSync(path.join(dir, entry), { throwIfNoEntry: false });
		const why = !stat
			? 'a link to nothing'
			: stat.isDirectory()
				? 'a folder (only the files directly in DIR are read)'
				: !stat.isFile()
					? 'not a regular file'
					: !data
						? 'not .csv, .tsv, .txt or .parquet'
						: null;
		if (why) process.stderr.write(`${entry}: not read: ${why}\n`);
		else names.push(entry);
	}
	if (names.length === 0) refuse(`${dir} holds no .csv or .parquet files`);
	// An unzipped export bundle's csv/ and parquet/ folders hold its analysis table beside the four
	// patient-level ones; it is an output, and the importer would take it for a patients file.
	const analysis = names.find((n) => /^analysis\.(csv|parquet)$/i.test(n));
	if (analysis)
		refuse(
			`${analysis} is an export bundle's analysis table, not an input: report on a folder with the ` +
				'four patient-level tables only (patients, pain_scores, oral_opioids, pump_events)'
		);
	const inputs = [];
	for (const name of names) {
		const bytes = new Uint8Array(readFileSync(path.join(dir, name)));
		if (!PARQUET_NAME.test(name)) {
			inputs.push({ name, bytes });
			continue;
		}
		// Parquet becomes the CSV text of the same table: the same import rules then apply to it.
		const converted = await parquetAsCsv(name, bytes);
		if (!converted.ok) refuse(converted.reason);
		process.stderr.write(`${name}: Parquet, read as CSV text for the import rules\n`);
		inputs.push(converted.file);
	}
	return inputs;
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	if (args.json && npmBanner()) process.stderr.write(NPM_BANNER_HINT);
	if (!statSync(args.dir, { throwIfNoEntry: false })?.isDirectory()) refuse(`${args.dir} is not a folder`);
	const inputs = await readInputs(args.dir);
	const engine = await openEngine(args.engine, args.threads);
	try {
		const { db } = engine;
		const imported = await loadDataset(db, inputs, { dateOrder: args.dateOrder });
		for (const f of imported.files) {
			const mapping = f.mapping.columns.map((c) => `${c.header} -> ${c.target ?? '(ignored)'}`).join(', ');
			process.stderr.write(`${f.file}: ${f.kind}; ${mapping}\n`);
			if (f.dialect.dateOrderFrom)
				process.stderr.write(
					`${f.file}: dates read as ${f.dialect.dateFormat} (${f.dialect.dateOrderFrom === 'choice' ? `--date-order ${args.dateOrder}` : 'the values decide it'})\n`
				);
			for (const w of f.warnings) process.stderr.write(`${f.file}: warning: ${w}\n`);
		}
		if (imported.refused.length)
			refuse(
				imported.refused
					.map((r) => (asksDateOrder(r.reason) ? `${r.reason}\n${DATE_ORDER_HINT}` : r.reason))
					.join('\n')
			);
		const exact = await buildReport(db, imported, {
			settings: { ...DEFAULT_SETTINGS, mmeFactors: args.mme }
		});
		// --suppress: outcomes.md section 6 on the whole document (src/lib/report/suppress.ts).
		const report = args.suppress ? suppressReport(exact) : exact;
		process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : formatSummary(report));
	} finally {
		await engine.close();
	}
}

// `report ... | head` closes the pipe early: the reader has what it wanted, which is no error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
	if (e.code === 'EPIPE') process.exit(0);
	throw e;
});

main().catch((e: unknown) => {
	process.stderr.write(
		`report: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`
	);
	process.exit(1);
});
