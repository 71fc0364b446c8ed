// The command-line report (../shared/docs/report.md, docs/report.md): the app's import rules and
// query builders on a folder of CSV files, in Node, with the same DuckDB engine as the browser.
//   npm run report -- DIR [--json] [--mme cdc2022|cdc2016] [--suppress]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../src/lib/dataset/index.ts';
import { nodeDatabase } from '../src/lib/db/node.ts';
import { DEFAULT_SETTINGS } from '../src/lib/outcomes/index.ts';
import { buildReport, formatSummary } from '../src/lib/report/index.ts';

const USAGE = 'usage: npm run report -- DIR [--json] [--mme cdc2022|cdc2016]';

/** Exit 2: the input is refused as a whole (report.md), with the reason on standard error. */
function refuse(reason: string): never {
	process.stderr.write(`report: ${reason}\n`);
	process.exit(2);
}

function parseArgs(argv: string[]) {
	let dir: string | undefined;
	let json = false;
	let mme: 'cdc2022' | 'cdc2016' = 'cdc2022';
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i]!;
		if (a === '--json') json = true;
		else if (a === '--mme') {
			const v = argv[++i];
			if (v !== 'cdc2022' && v !== 'cdc2016')
				refuse(`--mme takes cdc2022 or cdc2016, got ${v ?? 'nothing'}\n${USAGE}`);
			mme = v;
		} else if (a === '--suppress') refuse('--suppress is not implemented yet (office comparison issue)');
		else if (a.startsWith('--')) refuse(`unknown option ${a}\n${USAGE}`);
		else if (dir === undefined) dir = a;
		else refuse(`one folder only\n${USAGE}`);
	}
	if (!dir) refuse(USAGE);
	return { dir, json, mme };
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	if (!statSync(args.dir, { throwIfNoEntry: false })?.isDirectory()) refuse(`${args.dir} is not a folder`);
	const names = readdirSync(args.dir)
		.filter((n) => /\.(csv|tsv|txt)$/i.test(n))
		.sort();
	if (names.length === 0) refuse(`${args.dir} holds no .csv files`);
	const inputs = names.map((name) => ({
		name,
		bytes: new Uint8Array(readFileSync(path.join(args.dir, name)))
	}));

	const db = await nodeDatabase();
	const imported = await loadDataset(db, inputs);
	for (const f of imported.files) {
		const mapping = f.mapping.columns.map((c) => `${c.header} -> ${c.target ?? '(ignored)'}`).join(', ');
		process.stderr.write(`${f.file}: ${f.kind}; ${mapping}\n`);
		for (const w of f.warnings) process.stderr.write(`${f.file}: warning: ${w}\n`);
	}
	if (imported.refused.length) refuse(imported.refused.map((r) => r.reason).join('\n'));
	const report = await buildReport(db, imported, { settings: { ...DEFAULT_SETTINGS, mmeFactors: args.mme } });
	process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : formatSummary(report));
}

main().catch((e: unknown) => {
	process.stderr.write(
		`report: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`
	);
	process.exit(1);
});
