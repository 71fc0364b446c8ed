import { transferList } from './pack';
import type { WriterReply } from './writer.worker';
import type { BundleContent, BundleWriter, WrittenBundle } from './write';

/**
 * A BundleWriter that runs writeBundle in a Web Worker of this site, one worker per bundle (ended
 * when it answers). The tables' typed arrays (pack.ts) are transferred to it, and the zip back.
 * The queries stay on the page's DuckDB; only the writing moves, which at the demo's 29,000 rows
 * held the main thread for about a second.
 */
export const workerBundleWriter: BundleWriter = (content: BundleContent): Promise<WrittenBundle> =>
	new Promise((resolve, reject) => {
		const worker = new Worker(new URL('./writer.worker.ts', import.meta.url), { type: 'module' });
		const end = () => worker.terminate();
		worker.onmessage = (event: MessageEvent<WriterReply>) => {
			end();
			if (event.data.ok) resolve(event.data.bundle);
			else reject(new Error(event.data.error));
		};
		worker.onerror = (event) => {
			end();
			reject(new Error(`the bundle writer stopped: ${event.message || 'the worker could not start'}`));
		};
		worker.onmessageerror = () => {
			end();
			reject(new Error('the bundle writer could not read the tables'));
		};
		// Transferred, not copied: the page's arrays are empty once sent.
		worker.postMessage(content, transferList(content));
	});
