// `npm test`: every check, as fast as two cores allow. Formatting and lint, type checks, unit tests
// and the build are each mostly single-threaded, so they run side by side (about a minute and a half
// less than one after another); each one's output is printed whole when it ends, so that they do
// not interleave. Then the browser tests, which use both cores on their own.
// Any failure fails the run, after the side-by-side steps have all ended.
import { spawn } from 'node:child_process';

/** Run a command; resolves with its exit code and output (stdout and stderr in order of arrival). */
function run(name, command, args, env = {}) {
	const started = Date.now();
	return new Promise((resolve) => {
		const child = spawn(command, args, {
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const chunks = [];
		child.stdout.on('data', (c) => chunks.push(c));
		child.stderr.on('data', (c) => chunks.push(c));
		child.on('close', (code, signal) => {
			const seconds = Math.round((Date.now() - started) / 1000);
			process.stdout.write(`\n==> ${name} (${seconds} s)\n`);
			process.stdout.write(Buffer.concat(chunks));
			resolve(code ?? (signal ? 1 : 0));
		});
	});
}

/** Run a command with its output shown as it comes. */
function live(command, args, env = {}) {
	return new Promise((resolve) => {
		const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: 'inherit' });
		child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
	});
}

const bin = (name) => `node_modules/.bin/${name}`;

// The generated types first, once: the checks below read them, and two writers could race.
if ((await live(bin('svelte-kit'), ['sync'])) !== 0) process.exit(1);

// Neither checker reads build/ or writes what another reads (sync writes only what changed).
const steps = [
	['formatting and lint', 'sh', ['-c', `${bin('prettier')} --check . && ${bin('eslint')} .`]],
	['type checks', bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--fail-on-warnings']],
	['unit tests', bin('vitest'), ['run'], { TZ: 'UTC' }],
	['build', 'npm', ['run', 'build']]
];
const codes = await Promise.all(steps.map(([name, command, args, env]) => run(name, command, args, env)));
const failed = steps.filter((_, i) => codes[i] !== 0).map(([name]) => name);
if (failed.length) {
	process.stdout.write(`\nnpm test: failed (${failed.join(', ')})\n`);
	process.exit(1);
}
process.stdout.write('\n==> browser tests\n');
process.exit(await live(bin('playwright'), ['test'], { TZ: 'UTC' }));
