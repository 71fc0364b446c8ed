// A static file server for the built site, with no dependencies:
//   node scripts/serve.js build [--port N]
// It serves what adapter-static wrote and nothing else: prerendered pages as `<route>.html`,
// `index.html` for a folder, the precompressed `.br` / `.gz` sibling when the browser takes it, and
// `404.html` (the app's "Page not found") with status 404 for an address that is none of these.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

const HOST = '127.0.0.1';

const MIME = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.wasm': 'application/wasm',
	'.csv': 'text/csv; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.json': 'application/json; charset=utf-8',
	'.map': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json',
	'.txt': 'text/plain; charset=utf-8',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.webp': 'image/webp',
	'.ico': 'image/x-icon',
	'.woff': 'font/woff',
	'.woff2': 'font/woff2'
};

// Best first: brotli is smaller, gzip is understood everywhere.
const ENCODINGS = [
	['br', '.br'],
	['gzip', '.gz']
];

function usage(message) {
	console.error(`${message}\nusage: node scripts/serve.js DIR [--port N]`);
	process.exit(2);
}

function parseArgs(argv) {
	let dir;
	let port = 4173;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const value = arg === '--port' ? argv[++i] : arg.startsWith('--port=') ? arg.slice(7) : undefined;
		if (value !== undefined) {
			port = Number(value);
			if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`not a port: ${value}`);
		} else if (arg.startsWith('-')) usage(`unknown option: ${arg}`);
		else if (dir === undefined) dir = arg;
		else usage(`unexpected argument: ${arg}`);
	}
	if (dir === undefined) usage('no folder given');
	return { dir, port };
}

/** The codings the request accepts (`q=0` refuses one), per RFC 9110 section 12.5.3. */
function acceptedCodings(header) {
	const accepted = new Set();
	for (const part of String(header ?? '').split(',')) {
		const [name, ...params] = part.trim().toLowerCase().split(';');
		const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
		if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name);
	}
	return accepted;
}

async function regularFile(path) {
	try {
		const s = await stat(path);
		return s.isFile() ? s : undefined;
	} catch {
		return undefined;
	}
}

async function isDirectory(path) {
	try {
		return (await stat(path)).isDirectory();
	} catch {
		return false;
	}
}

function inside(root, path) {
	const rel = relative(root, path);
	return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
}

/**
 * Map a URL path to a file: the file itself, `<path>.html` (a prerendered route), or
 * `<path>/index.html`. A folder asked without its slash is redirected, so that the page's
 * relative asset paths resolve against the folder.
 */
async function locate(root, pathname) {
	const path = resolve(root, '.' + pathname);
	if (!inside(root, path)) return { status: 403 };
	if (pathname.endsWith('/')) {
		const index = resolve(path, 'index.html');
		if (await regularFile(index)) return { file: index };
		// SvelteKit's default is no trailing slash: `/dashboard/` -> `/dashboard`.
		if (pathname !== '/' && (await regularFile(path + '.html'))) return { redirect: pathname.slice(0, -1) };
		return { status: 404 };
	}
	if (await regularFile(path)) return { file: path };
	if (await regularFile(path + '.html')) return { file: path + '.html' };
	if ((await isDirectory(path)) && (await regularFile(resolve(path, 'index.html')))) {
		return { redirect: pathname + '/' };
	}
	return { status: 404 };
}

function send(res, status, text, headers = {}) {
	res.writeHead(status, {
		'Content-Type': 'text/plain; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		...headers
	});
	res.end(res.req.method === 'HEAD' ? undefined : text);
}

async function handle(root, req, res) {
	if (req.method !== 'GET' && req.method !== 'HEAD') {
		return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
	}
	const [rawPath, query] = (req.url ?? '/').split(/\?(.*)/s);
	let pathname;
	try {
		pathname = decodeURIComponent(rawPath ?? '/');
	} catch {
		return send(res, 400, 'bad request\n');
	}
	if (!pathname.startsWith('/') || pathname.includes('\0') || pathname.includes('\\')) {
		return send(res, 400, 'bad request\n');
	}

	const found = await locate(root, pathname);
	if (found.redirect) {
		// One leading slash only: `//host/` would send the browser to another site.
		const location = '/' + encodeURI(found.redirect).replace(/^\/+/, '') + (query ? '?' + query : '');
		return send(res, 308, `see ${location}\n`, { Location: location });
	}
	if (!found.file) {
		// The app's own "Page not found" (adapter-static's fallback page), as static hosts answer.
		const fallback = resolve(root, '404.html');
		if (found.status === 404 && (await regularFile(fallback)))
			return sendFile(req, res, { name: fallback, real: fallback, status: 404, cache: 'no-cache' });
		return send(res, found.status, found.status === 403 ? 'forbidden\n' : 'not found\n');
	}
	// A symbolic link may point outside the root even when its own path does not.
	const real = await realpath(found.file);
	if (!inside(root, real)) return send(res, 403, 'forbidden\n');

	return sendFile(req, res, {
		name: found.file,
		real,
		status: 200,
		// SvelteKit puts content hashes in every file name under _app/immutable/.
		cache: pathname.startsWith('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache'
	});
}

/**
 * Send a file (`real`, typed by the name it was asked by), or its precompressed sibling when the
 * request takes that coding.
 */
async function sendFile(req, res, { name, real, status, cache }) {
	const headers = {
		'Content-Type': MIME[extname(name).toLowerCase()] ?? 'application/octet-stream',
		'X-Content-Type-Options': 'nosniff',
		'Cache-Control': cache
	};
	let file = real;
	let size = (await regularFile(real))?.size ?? 0;
	const accepted = acceptedCodings(req.headers['accept-encoding']);
	for (const [coding, suffix] of ENCODINGS) {
		const sibling = await regularFile(real + suffix);
		// An empty sibling of a non-empty file is one the build is still writing.
		if (!sibling || (sibling.size === 0 && size > 0)) continue;
		// The response differs by Accept-Encoding whenever a compressed sibling exists.
		headers['Vary'] = 'Accept-Encoding';
		if (headers['Content-Encoding'] === undefined && accepted.has(coding)) {
			headers['Content-Encoding'] = coding;
			file = real + suffix;
			size = sibling.size;
		}
	}
	headers['Content-Length'] = size;
	res.writeHead(status, headers);
	if (req.method === 'HEAD') return res.end();
	const stream = createReadStream(file);
	stream.on('error', () => res.destroy());
	stream.pipe(res);
}

async function main() {
	const { dir, port } = parseArgs(process.argv.slice(2));
	if (!(await isDirectory(dir))) {
		console.error(`no folder ${dir}: run \`npm run build\` first`);
		process.exit(1);
	}
	const root = await realpath(resolve(dir));
	const server = createServer((req, res) => {
		handle(root, req, res).catch((e) => {
			console.error(`${req.method} ${req.url}: ${e instanceof Error ? e.message : e}`);
			if (res.headersSent) res.destroy();
			else send(res, 500, 'internal error\n');
		});
	});
	server.on('error', (e) => {
		console.error(`cannot listen on ${HOST}:${port}: ${e.message}`);
		process.exit(1);
	});
	server.listen(port, HOST, () => {
		const address = server.address();
		const actual = typeof address === 'object' && address ? address.port : port;
		console.log(`serving ${dir.replace(/\/*$/, '/')} at http://${HOST}:${actual}/`);
	});
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.on(signal, () => {
			server.close(() => process.exit(0));
			server.closeAllConnections();
		});
	}
}

main();
