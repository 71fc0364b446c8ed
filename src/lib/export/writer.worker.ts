// The page's bundle writer (writerWorker.ts starts it): CSV, Parquet, hashes and zip off the main
// thread, so the page keeps answering while a large export is written.
import { writeBundle, type BundleContent } from './write';

export type WriterReply =
	{ ok: true; bundle: Awaited<ReturnType<typeof writeBundle>> } | { ok: false; error: string };

self.onmessage = async (event: MessageEvent<BundleContent>) => {
	let reply: WriterReply;
	try {
		reply = { ok: true, bundle: await writeBundle(event.data) };
	} catch (e) {
		reply = { ok: false, error: e instanceof Error ? e.message : String(e) };
	}
	// The zip's bytes move to the page rather than being copied.
	const transfer = reply.ok ? [reply.bundle.zip.buffer as ArrayBuffer] : [];
	(self as unknown as Worker).postMessage(reply, transfer);
};
