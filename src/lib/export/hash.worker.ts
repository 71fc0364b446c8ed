// Hashes an input file (a Blob: an upload's File) off the page's main thread (inputs.ts starts it).
// `crypto.subtle.digest` copies its input where it is called: at a million pain scores (147 MB),
// hashing on the page held it for 0.6-0.8 s here, while the first dashboard drew.
import { hex } from './sha256';

export type HashReply = { ok: true; sha256: string } | { ok: false; error: string };

self.onmessage = async (event: MessageEvent<Blob>) => {
	let reply: HashReply;
	try {
		reply = { ok: true, sha256: hex(await crypto.subtle.digest('SHA-256', await event.data.arrayBuffer())) };
	} catch (e) {
		// A file changed on disk since it was read cannot be read again (NotReadableError).
		reply = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
	}
	(self as unknown as Worker).postMessage(reply);
};
