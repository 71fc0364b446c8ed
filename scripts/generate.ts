/**
 * Writes a synthetic cohort as the four contract CSV files.
 *
 *   npm run generate -- [--seed N] [--patients N | --pain-rows N] [--out DIR]
 *
 * Defaults regenerate the committed demo (seed 42, data/demo). --pain-rows N keeps adding
 * patients until at least N pain-score rows exist (benchmark cohorts). Rows are written
 * patient by patient through buffered streams, so memory stays flat however large the cohort.
 * Row counts and the elapsed time go to standard error.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
	CSV_FILE_NAMES,
	DEMO_COHORT,
	TABLE_NAMES,
	csvHeader,
	generatePatients,
	patientCsvLines,
	type TableName
} from '../src/lib/synth/index.ts';

const USAGE = `usage: generate [--seed N] [--patients N | --pain-rows N] [--out DIR]
  --seed N        random seed (default ${DEMO_COHORT.seed})
  --patients N    number of patients, failed trials included (default ${DEMO_COHORT.patients})
  --pain-rows N   instead of --patients: as many patients as it takes for N pain-score rows
  --out DIR       output folder (default data/demo)`;

/** Bytes buffered per file before a write: large enough that syscalls do not dominate. */
const FLUSH_BYTES = 1 << 20;

interface Options {
	seed: string;
	patients: number;
	painRows: number | null;
	out: string;
}

function parseOptions(argv: string[]): Options {
	const values = new Map<string, string>();
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i]!;
		if (flag === '--help' || flag === '-h') exitWith(USAGE, 0);
		const value = argv[i + 1];
		if (!['--seed', '--patients', '--pain-rows', '--out'].includes(flag) || value === undefined) {
			exitWith(`unknown or incomplete option "${flag}"\n${USAGE}`, 2);
		}
		values.set(flag, value);
		i++;
	}
	if (values.has('--patients') && values.has('--pain-rows'))
		exitWith('give --patients or --pain-rows, not both', 2);
	return {
		seed: values.get('--seed') ?? String(DEMO_COHORT.seed),
		patients: positiveInteger(values, '--patients') ?? DEMO_COHORT.patients,
		painRows: positiveInteger(values, '--pain-rows'),
		out: values.get('--out') ?? join('data', 'demo')
	};
}

function positiveInteger(values: Map<string, string>, flag: string): number | null {
	const text = values.get(flag);
	if (text === undefined) return null;
	if (!/^[1-9][0-9]*$/.test(text)) exitWith(`${flag} expects a positive integer, got "${text}"`, 2);
	return Number(text);
}

function exitWith(message: string, code: number): never {
	(code === 0 ? process.stdout : process.stderr).write(message + '\n');
	process.exit(code);
}

/** Appends text to a file in large chunks, waiting for the stream to drain when it asks. */
class BufferedFile {
	private readonly stream: WriteStream;
	private chunks: string[] = [];
	private bytes = 0;

	constructor(path: string) {
		this.stream = createWriteStream(path, { encoding: 'utf8' });
	}

	async write(text: string) {
		this.chunks.push(text);
		this.bytes += text.length;
		if (this.bytes >= FLUSH_BYTES) await this.flush();
	}

	private async flush() {
		const ready = this.stream.write(this.chunks.join(''));
		this.chunks = [];
		this.bytes = 0;
		if (!ready) await once(this.stream, 'drain');
	}

	async close() {
		await this.flush();
		this.stream.end();
		await once(this.stream, 'finish');
	}
}

async function main() {
	const options = parseOptions(process.argv.slice(2));
	const started = performance.now();
	mkdirSync(options.out, { recursive: true });

	const files = {} as Record<TableName, BufferedFile>;
	const rows = {} as Record<TableName, number>;
	for (const table of TABLE_NAMES) {
		files[table] = new BufferedFile(join(options.out, CSV_FILE_NAMES[table]));
		rows[table] = 0;
		await files[table].write(csvHeader(table));
	}

	const limit = options.painRows === null ? options.patients : Infinity;
	for (const generated of generatePatients(options.seed, limit)) {
		const lines = patientCsvLines(generated);
		for (const table of TABLE_NAMES) await files[table].write(lines[table]);
		rows.patients += 1;
		rows.painScores += generated.painScores.length;
		rows.oralOpioids += generated.oralOpioids.length;
		rows.pumpEvents += generated.pumpEvents.length;
		if (options.painRows !== null && rows.painScores >= options.painRows) break;
	}
	await Promise.all(TABLE_NAMES.map((table) => files[table].close()));

	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	const counts = TABLE_NAMES.map((table) => `${CSV_FILE_NAMES[table]} ${rows[table]}`).join(', ');
	process.stderr.write(`seed ${options.seed}: ${counts} rows written to ${options.out} in ${seconds} s\n`);
}

await main();
