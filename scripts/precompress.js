// Writes .br and .gz beside every compressible file of the static build, so any static server
// can send them. adapter-static's own `precompress` uses brotli's maximum quality, which took
// over three minutes on duckdb-wasm's 34 MB module on 2 cores; quality 9 takes seconds and the
// file is ~15% larger.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const COMPRESSIBLE = /\.(html|js|mjs|css|svg|json|wasm|csv|txt|xml|map)$/;

async function* files(dir) {
	for (const entry of await readdir(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		if (entry.isDirectory()) yield* files(p);
		else if (COMPRESSIBLE.test(entry.name)) yield p;
	}
}

const root = process.argv[2] ?? 'build';
const started = Date.now();
const jobs = [];
for await (const file of files(root)) {
	jobs.push(
		readFile(file).then(async (bytes) => {
			const [br, gz] = await Promise.all([
				brotli(bytes, {
					params: {
						[zlib.constants.BROTLI_PARAM_QUALITY]: 9,
						[zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length
					}
				}),
				gzip(bytes, { level: 9 })
			]);
			await Promise.all([writeFile(file + '.br', br), writeFile(file + '.gz', gz)]);
		})
	);
}
await Promise.all(jobs);
console.error(`precompressed ${jobs.length} files in ${root}/ in ${Date.now() - started} ms`);
