import type { InputFile } from '$lib/ingest';
import { sha256Hex } from './sha256';
import type { HashReply } from './hash.worker';

/** An input file as the manifest names it. */
export interface InputFileHash {
	file: string;
	bytes: number;
	/** Null for a file that was not read (over the size limit): there are no bytes to hash. */
	sha256: string | null;
}

let recorded: { files: readonly InputFile[]; hashes: Promise<InputFileHash[]> | null } | null = null;

/**
 * The hook the session calls with the files of each completed load. Nothing is hashed yet: the
 * export page starts that as it opens (`hashInputFiles`), and the bundle waits for the hashes
 * (`recordedInputFiles`). Hashed any earlier, 147 MB took a core for 1-2 s beside the user's first
 * queries on a 2-core machine. The bytes and files are kept until then; the page keeps them for a
 * reload anyway.
 */
export function recordInputFiles(inputs: readonly InputFile[]): void {
	recorded = { files: [...inputs], hashes: null };
}

/**
 * Hash the last load's files, unless that has started. One file after the other, so that at most
 * one copy of a file exists at a time (a file may be hundreds of MB). An upload's file is hashed
 * in a worker of this site, so the page's main thread copies nothing; the bytes as read are hashed
 * on the page when there is no file (the demo), no worker (Node), or the file can no longer be
 * read (changed on disk since: then the bytes as read are what was loaded).
 */
export function hashInputFiles(): void {
	const load = recorded;
	if (!load || load.hashes) return;
	load.hashes = (async () => {
		const out: InputFileHash[] = [];
		for (const f of load.files) {
			const unread = f.size !== undefined && f.size !== f.bytes.length;
			out.push({
				file: f.name,
				bytes: f.size ?? f.bytes.length,
				sha256: unread ? null : await hashOf(f)
			});
		}
		load.files = [];
		return out;
	})();
}

async function hashOf(f: InputFile): Promise<string> {
	const blob = f.blob && f.blob.size === f.bytes.length ? f.blob : null;
	if (blob && typeof Worker !== 'undefined') {
		const reply = await hashInWorker(blob).catch((e): HashReply => ({ ok: false, error: String(e) }));
		if (reply.ok) return reply.sha256;
	}
	return sha256Hex(f.bytes);
}

function hashInWorker(blob: Blob): Promise<HashReply> {
	return new Promise((resolve, reject) => {
		const worker = new Worker(new URL('./hash.worker.ts', import.meta.url), { type: 'module' });
		worker.onmessage = (event: MessageEvent<HashReply>) => {
			worker.terminate();
			resolve(event.data);
		};
		worker.onerror = (event) => {
			worker.terminate();
			reject(new Error(event.message || 'the hashing worker could not start'));
		};
		worker.postMessage(blob);
	});
}

/** The files of the last completed load (session.svelte.ts records them), or null before any. */
export function recordedInputFiles(): Promise<InputFileHash[] | null> {
	if (!recorded) return Promise.resolve(null);
	hashInputFiles();
	return recorded.hashes!;
}
