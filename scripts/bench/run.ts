// `npm run bench`: the registry-scale benchmark (GitHub issue 7). Timing lives here, never in a test.
//   npm run bench [-- --sizes demo,10k,100k,1m] [--changes 30] [--engine-changes 10]
//                 [--skip-node] [--skip-browser] [--skip-build]
//   npm run bench -- --huge-only    (after a full run: try the 5M cohort, merged into its results)
// 1. seeded cohorts (generate.ts --seed 1 --pain-rows N), cached in bench-out/cohorts/;
// 2. Node: native DuckDB 1.4.3 and duckdb-wasm's Node build on the same SQL (node-engines.ts);
// 3. the browser, under `flock /tmp/e2e.lock` (build/ and Chromium are shared): browser.ts;
// 4. bench-out/results.json, bench-out/results.md and docs/benchmarks.md (report.ts).
// --huge-only uploads one 5M-pain-row cohort through the app (does the tab survive?) and adds the
// outcome to the last run's results, so a full run stays within about 15 minutes.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserResults, Cohort } from './browser.ts';
import type { EngineResult } from './node-engines.ts';
import { loadAverage } from './proc.ts';
import { renderMarkdown, type Results } from './report.ts';

const OUT = 'bench-out';
const SEED = 1;
// `demo` is the app's own demo cohort (data/demo, 348 patients, about 7,500 pain rows), as shipped.
const SIZES: Record<string, number> = {
	demo: 7_483,
	'10k': 10_000,
	'100k': 100_000,
	'1m': 1_000_000,
	'5m': 5_000_000
};
const KINDS = ['patients', 'pain_scores', 'oral_opioids', 'pump_events'];

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function args(argv: string[]) {
	const get = (flag: string) => {
		const i = argv.indexOf(flag);
		return i >= 0 ? argv[i + 1] : undefined;
	};
	const sizes = (get('--sizes') ?? 'demo,10k,100k,1m').split(',').filter(Boolean);
	for (const s of sizes)
		if (!(s in SIZES)) throw new Error(`unknown size ${s}: one of ${Object.keys(SIZES).join(', ')}`);
	return {
		sizes,
		hugeOnly: argv.includes('--huge-only'),
		changes: Number(get('--changes') ?? 30),
		engineChanges: Number(get('--engine-changes') ?? 10),
		skipNode: argv.includes('--skip-node'),
		skipBrowser: argv.includes('--skip-browser'),
		skipBuild: argv.includes('--skip-build')
	};
}

function run(cmd: string, argv: string[], options: { stdio?: 'inherit' | 'pipe' } = {}): Promise<number> {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, argv, { stdio: ['ignore', options.stdio ?? 'inherit', 'inherit'] });
		child.once('error', reject);
		child.once('exit', (code) => resolve(code ?? 1));
	});
}

function countLines(file: string): number {
	const bytes = readFileSync(file);
	let n = 0;
	for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
	return n - 1;
}

/** The cohort for a size, generated once and kept (bench-out/ is not committed). */
async function cohort(label: string, appOnly: boolean): Promise<Cohort> {
	if (label === 'demo') {
		const dir = path.resolve('data', 'demo');
		const rows = Object.fromEntries(KINDS.map((k) => [k, countLines(path.join(dir, `${k}.csv`))]));
		const bytes = KINDS.reduce((s, k) => s + statSync(path.join(dir, `${k}.csv`)).size, 0);
		return { label, dir, rows, bytes, appOnly };
	}
	const dir = path.resolve(OUT, 'cohorts', `p${label}`);
	const metaFile = path.join(dir, 'meta.json');
	const wanted = { seed: SEED, painRows: SIZES[label]! };
	let meta: { seed: number; painRows: number; rows: Record<string, number> } | null = null;
	if (existsSync(metaFile)) meta = JSON.parse(readFileSync(metaFile, 'utf8'));
	const complete = KINDS.every((k) => existsSync(path.join(dir, `${k}.csv`)));
	if (!meta || !complete || meta.seed !== wanted.seed || meta.painRows !== wanted.painRows) {
		log(`generating the ${label} cohort`);
		mkdirSync(dir, { recursive: true });
		const code = await run('npx', [
			'tsx',
			'scripts/generate.ts',
			'--seed',
			String(SEED),
			'--pain-rows',
			String(wanted.painRows),
			'--out',
			dir
		]);
		if (code !== 0) throw new Error(`generate.ts failed for ${label}`);
		const rows = Object.fromEntries(KINDS.map((k) => [k, countLines(path.join(dir, `${k}.csv`))]));
		meta = { ...wanted, rows };
		writeFileSync(metaFile, JSON.stringify(meta));
	}
	const bytes = KINDS.reduce((s, k) => s + statSync(path.join(dir, `${k}.csv`)).size, 0);
	return { label, dir, rows: meta.rows, bytes, appOnly };
}

function machine() {
	const chromium = (() => {
		try {
			return execFileSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium', ['--version'], {
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore']
			}).trim();
		} catch {
			return 'unknown';
		}
	})();
	const version = (pkg: string) => {
		try {
			return JSON.parse(readFileSync(path.join('node_modules', pkg, 'package.json'), 'utf8'))
				.version as string;
		} catch {
			return 'unknown';
		}
	};
	return {
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model ?? 'unknown',
		memoryGb: Math.round(os.totalmem() / 2 ** 30),
		os: `${os.type()} ${os.release()}`,
		node: process.version,
		chromium,
		packages: Object.fromEntries(
			['@duckdb/duckdb-wasm', '@duckdb/node-api', '@finos/perspective', 'arquero', 'playwright-core'].map(
				(p) => [p, version(p)]
			)
		)
	};
}

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

/** Native DuckDB for the Node comparison, the same engine version as duckdb-wasm 1.32 (DuckDB 1.4.3). */
const NODE_API = '@duckdb/node-api@1.4.3-r.3';

/**
 * @duckdb/node-api stays out of package.json and the lock file (the registry here lacks its macOS
 * and Windows builds, so `npm ci` refuses a lock that names it): install it for this run only.
 */
async function ensureNodeApi(): Promise<string | null> {
	const manifest = path.join('node_modules', '@duckdb', 'node-api', 'package.json');
	const wanted = NODE_API.split('@').pop();
	const installed = existsSync(manifest)
		? (JSON.parse(readFileSync(manifest, 'utf8')).version as string)
		: null;
	if (installed === wanted) return null;
	log(`installing ${NODE_API} for this run (npm install --no-save)`);
	const code = await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', NODE_API]);
	return code === 0 ? null : `npm install --no-save ${NODE_API} failed (exit ${code}): native DuckDB skipped`;
}

/** Upload the 5M cohort through the app once and add the outcome to bench-out/results.json. */
async function hugeOnly(skipBuild: boolean) {
	const file = path.join(OUT, 'results.json');
	if (!existsSync(file)) throw new Error('run `npm run bench` first: --huge-only adds to its results');
	const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
	const c = await cohort('5m', true);
	const before = uptime();
	const load: { t: number; load1: number }[] = [];
	const started = Date.now();
	const sampler = setInterval(
		() => load.push({ t: (Date.now() - started) / 1000, load1: loadAverage()[0] }),
		5000
	);
	const out = path.resolve(OUT, 'browser-5m.json');
	log('waiting for /tmp/e2e.lock');
	const code = await run('flock', [
		'/tmp/e2e.lock',
		'npx',
		'tsx',
		'scripts/bench/browser.ts',
		'--cohorts',
		JSON.stringify([c]),
		'--changes',
		'4',
		'--no-cold-start',
		'--out',
		out,
		...(skipBuild ? ['--skip-build'] : [])
	]);
	clearInterval(sampler);
	const browser = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as BrowserResults) : null;
	results.huge = {
		cohort: c,
		app: browser?.app[0] ?? null,
		error: code === 0 ? null : `browser.ts exited with ${code}`,
		uptimeBefore: before,
		uptimeAfter: uptime(),
		load
	};
	writeFileSync(file, JSON.stringify(results, null, 1));
	const md = renderMarkdown(results);
	writeFileSync(path.join(OUT, 'results.md'), md);
	writeFileSync(path.join('docs', 'benchmarks.md'), md);
}

async function main() {
	const a = args(process.argv.slice(2));
	if (a.hugeOnly) return hugeOnly(a.skipBuild);
	const started = Date.now();
	mkdirSync(OUT, { recursive: true });
	const load: { t: number; load1: number }[] = [];
	const sampler = setInterval(
		() => load.push({ t: (Date.now() - started) / 1000, load1: loadAverage()[0] }),
		5000
	);
	const results: Results = {
		startedAt: new Date(started).toISOString(),
		machine: machine(),
		uptimeBefore: uptime(),
		uptimeAfter: '',
		load,
		durationS: 0,
		cohorts: [],
		node: {},
		nodeErrors: {},
		browser: null,
		browserError: null,
		lockWaitS: null
	};
	const save = () => {
		results.durationS = (Date.now() - started) / 1000;
		writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(results, null, 1));
	};
	try {
		for (const s of a.sizes) results.cohorts.push(await cohort(s, false));
		save();

		if (!a.skipNode) {
			const missing = await ensureNodeApi();
			if (missing) results.nodeErrors['native'] = missing;
			const engines: { name: string; argv: string[] }[] = [
				...(missing
					? []
					: [
							{ name: 'native', argv: ['--engine', 'native'] },
							{ name: 'native-1t', argv: ['--engine', 'native', '--threads', '1'] }
						]),
				{ name: 'wasm', argv: ['--engine', 'wasm'] }
			];
			for (const c of results.cohorts.filter((c) => !c.appOnly)) {
				results.node[c.label] = {};
				for (const e of engines) {
					log(`${c.label}: Node ${e.name}`);
					const out = path.resolve(OUT, `node-${c.label}-${e.name}.json`);
					const big = SIZES[c.label]! >= 1_000_000;
					const code = await run('npx', [
						'tsx',
						'scripts/bench/node-engines.ts',
						'--dir',
						c.dir,
						...e.argv,
						'--changes',
						String(big ? a.engineChanges : a.changes),
						...(big ? ['--no-import'] : []),
						'--out',
						out
					]);
					if (code === 0)
						results.node[c.label]![e.name] = JSON.parse(readFileSync(out, 'utf8')) as EngineResult;
					else results.nodeErrors[`${c.label} ${e.name}`] = `exit ${code}`;
					save();
				}
			}
		}

		if (!a.skipBrowser) {
			const out = path.resolve(OUT, 'browser.json');
			const asked = Date.now();
			log('waiting for /tmp/e2e.lock (other engineers build and test in the same build/)');
			const code = await run('flock', [
				'/tmp/e2e.lock',
				'npx',
				'tsx',
				'scripts/bench/browser.ts',
				'--cohorts',
				JSON.stringify(results.cohorts),
				'--changes',
				String(a.changes),
				'--engine-changes',
				String(a.engineChanges),
				'--out',
				out,
				...(a.skipBuild ? ['--skip-build'] : [])
			]);
			if (existsSync(out)) {
				results.browser = JSON.parse(readFileSync(out, 'utf8')) as BrowserResults;
				if (results.browser.startedAt) results.lockWaitS = (results.browser.startedAt - asked) / 1000;
			}
			if (code !== 0) results.browserError = `browser.ts exited with ${code}`;
		}
	} finally {
		clearInterval(sampler);
		results.uptimeAfter = uptime();
		save();
		const md = renderMarkdown(results);
		writeFileSync(path.join(OUT, 'results.md'), md);
		writeFileSync(path.join('docs', 'benchmarks.md'), md);
		log(
			`wrote ${OUT}/results.json, ${OUT}/results.md and docs/benchmarks.md in ${Math.round(results.durationS)} s`
		);
	}
}

main().then(
	() => process.exit(0),
	(e) => {
		console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
		process.exit(1);
	}
);
