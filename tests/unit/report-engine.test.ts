import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDataset } from '../../src/lib/dataset';
import {
	NATIVE_INSTALL,
	nativeAvailable,
	nativeDatabase,
	type NativeDatabase
} from '../../src/lib/db/native';
import { nodeDatabase } from '../../src/lib/db/node';
import { buildReport } from '../../src/lib/report';

/*
 * The command-line report on native DuckDB and on duckdb-wasm: the same printed document, byte for
 * byte, on the demo. @duckdb/node-api is not a dependency (src/lib/db/native.ts); without it the
 * comparisons skip and say how to enable them, and the refusal of `--engine native` is checked
 * instead. With it, its absence is simulated by a resolve hook, so both branches are checked.
 */

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const DEMO = path.join(ROOT, 'data/demo');
const available = await nativeAvailable();
if (!available)
	console.warn(
		`report-engine: native DuckDB is not installed, its comparisons skip. Enable: ${NATIVE_INSTALL}`
	);

/** A module hook that makes @duckdb/node-api unresolvable, as on a machine without it. */
const HIDE = (() => {
	const dir = mkdtempSync(path.join(tmpdir(), 'report-engine-'));
	const hooks = path.join(dir, 'hooks.mjs');
	writeFileSync(
		hooks,
		`export async function resolve(specifier, context, next) {
	if (specifier === '@duckdb/node-api' || specifier.startsWith('@duckdb/node-api/')) {
		const e = new Error("Cannot find package '@duckdb/node-api' (hidden by report-engine.test.ts)");
		e.code = 'ERR_MODULE_NOT_FOUND';
		throw e;
	}
	return next(specifier, context);
}
`
	);
	const register = path.join(dir, 'register.mjs');
	writeFileSync(
		register,
		`import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`
	);
	return register;
})();

async function report(args: string[], hideNative = false) {
	const env = { ...process.env };
	if (hideNative) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --import=${HIDE}`.trim();
	try {
		const { stdout, stderr } = await exec(
			path.join(ROOT, 'node_modules/.bin/tsx'),
			['scripts/report.ts', ...args],
			{ cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 }
		);
		return { stdout, stderr, code: 0 };
	} catch (e) {
		const err = e as { stdout: string; stderr: string; code: number };
		return { stdout: err.stdout, stderr: err.stderr, code: err.code };
	}
}

describe('without @duckdb/node-api', () => {
	test('--engine native exits 2 with the exact install command; the default is wasm and says so', async () => {
		const hide = available; // really absent: nothing to hide
		const [native, auto] = await Promise.all([
			report([DEMO, '--json', '--engine', 'native'], hide),
			report([DEMO, '--json'], hide)
		]);
		expect(native.code).toBe(2);
		expect(native.stdout).toBe('');
		expect(native.stderr).toContain(
			'report: --engine native needs @duckdb/node-api, which is not installed; install it with:\n' +
				'  npm install --no-save @duckdb/node-api@1.4.3-r.3\n'
		);
		expect(auto.code).toBe(0);
		expect(auto.stderr).toContain(
			"engine: duckdb-wasm (the browser's engine, Node build); @duckdb/node-api is not installed. " +
				'For files too large for a browser: npm install --no-save @duckdb/node-api@1.4.3-r.3\n'
		);
		expect(JSON.parse(auto.stdout).cohort.patients).toBe(348);
	}, 180_000);

	test('--threads without the native engine is refused', async () => {
		const r = await report([DEMO, '--engine', 'wasm', '--threads', '2']);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('--threads is for --engine native');
	});
});

describe.skipIf(!available)('native DuckDB against duckdb-wasm', () => {
	test('the printed document is byte-identical on the demo; installed, native is the default', async () => {
		// One run at a time: the machine has 2 cores. --suppress is a function of this document
		// (suppressReport), so the same document suppresses the same.
		const wasm = await report([DEMO, '--json', '--engine', 'wasm']);
		const auto = await report([DEMO, '--json']);
		expect([wasm.code, auto.code]).toEqual([0, 0]);
		expect(wasm.stderr).toContain("engine: duckdb-wasm (the browser's engine, Node build)\n");
		expect(auto.stderr).toContain('engine: native DuckDB v1.4.3 (@duckdb/node-api), 1 thread\n');
		expect(auto.stdout).toBe(wasm.stdout);
		expect(JSON.parse(auto.stdout).cohort.patients).toBe(348);
	}, 300_000);

	describe('in process', () => {
		let two: NativeDatabase;
		beforeAll(async () => {
			two = await nativeDatabase({ threads: 2 });
		});
		afterAll(async () => {
			await two?.close();
		});

		test('values and parameters come back as from duckdb-wasm', async () => {
			const wasm = await nodeDatabase();
			const sql = `SELECT 1::BIGINT AS b, 3::INTEGER AS i, 2.5::DOUBLE AS d, 0.1::FLOAT AS f,
			  DATE '2020-01-02' AS day, TIMESTAMP '2020-01-02 03:04:05' AS ts, [1, 2]::BIGINT[] AS l,
			  'x' AS s, true AS t, NULL AS n, count(*) AS c, typeof(?) AS p1, ? * 2 AS p2, typeof(?) AS p3,
			  ? AS p4, ? AS p5`;
			const params = [3, 3.5, 'y', 'y', true];
			const a = await wasm.query(sql, params);
			const b = await two.query(sql, params);
			expect(b).toEqual(a);
			expect(b[0]).toMatchObject({ b: 1, day: Date.UTC(2020, 0, 2), p1: 'DOUBLE', p2: 7 });
		});

		test('a failure is a QueryError carrying the SQL; buffers are read by name and forgotten', async () => {
			await expect(two.query('SELECT * FROM no_such_table')).rejects.toMatchObject({
				name: 'QueryError',
				sql: 'SELECT * FROM no_such_table'
			});
			await two.registerBuffer('__t_1.csv', new TextEncoder().encode('1,a\n2,b\n'));
			expect(
				await two.query(
					"SELECT column0 AS n, column1 AS s FROM read_csv('__t_1.csv', header = false) ORDER BY n"
				)
			).toEqual([
				{ n: 1, s: 'a' },
				{ n: 2, s: 'b' }
			]);
			await two.dropBuffer('__t_1.csv');
			await expect(two.query("SELECT * FROM read_csv('__t_1.csv')")).rejects.toThrow(/No files found/);
			await expect(two.registerBuffer('../x.csv', new Uint8Array())).rejects.toThrow(/plain file name/);
		});

		test('with 2 threads, counts are equal and means differ from the browser at most in the last bits', async () => {
			const inputs = readdirSync(DEMO).map((name) => ({
				name,
				bytes: new Uint8Array(readFileSync(path.join(DEMO, name)))
			}));
			const wasm = await nodeDatabase();
			const expected = JSON.parse(JSON.stringify(await buildReport(wasm, await loadDataset(wasm, inputs))));
			const got = JSON.parse(JSON.stringify(await buildReport(two, await loadDataset(two, inputs))));
			const diffs: string[] = [];
			const walk = (a: unknown, b: unknown, at: string) => {
				if (typeof a === 'number' && typeof b === 'number') {
					if (
						Number.isInteger(a) && Number.isInteger(b)
							? a !== b
							: Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a))
					)
						diffs.push(`${at}: ${a} vs ${b}`);
				} else if (a && b && typeof a === 'object' && typeof b === 'object') {
					expect(Object.keys(b as object), at).toEqual(Object.keys(a as object));
					for (const k of Object.keys(a as object))
						walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
				} else if (a !== b) diffs.push(`${at}: ${String(a)} vs ${String(b)}`);
			};
			walk(expected, got, 'report');
			expect(diffs).toEqual([]);
		});
	});
});
