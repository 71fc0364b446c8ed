// `npm test`: every check, as fast as two cores allow. Formatting and lint, type checks and unit
// tests are each mostly single-threaded, so they run side by side (about a minute less than one
// after another); each one's output is printed whole when it ends, so that the three do not
// interleave. Then the build and the browser tests, which use both cores on their own.
// Any failure fails the run, after the side-by-side checks have all ended.
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

const codes = await Promise.all([
	run('formatting and lint', 'sh', ['-c', `${bin('prettier')} --check . && ${bin('eslint')} .`]),
	run('type checks', bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--fail-on-warnings']),
	run('unit tests', bin('vitest'), ['run'], { TZ: 'UTC' })
]);
if (codes.some((c) => c !== 0)) {
	process.stdout.write(
		`\nnpm test: failed (${['lint', 'check', 'unit'].filter((_, i) => codes[i] !== 0).join(', ')})\n`
	);
	process.exit(1);
}
process.stdout.write('\n==> build and browser tests\n');
process.exit(await live('npm', ['run', 'test:e2e']));
