import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { hashInputFiles, recordedInputFiles, recordInputFiles } from '../../src/lib/export/inputs';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const enc = (s: string) => new TextEncoder().encode(s);

// The manifest's input files (export/inputs.ts): hashed once the page is quiet or when the export
// asks, whichever is first, always the bytes as read. In Node there is no worker: the bytes are
// hashed here; the browser tests check an upload's hash, made in a worker from the file.
describe("the export's input file hashes", () => {
	test('are those of the last load, hashed when the export asks, once', async () => {
		recordInputFiles([{ name: 'old.csv', bytes: enc('old\n') }]);
		const pain = 'patient_id,day,pain_avg\nP1,1,5\n';
		recordInputFiles([
			{ name: 'pain.csv', bytes: enc(pain), blob: new Blob([pain]) },
			{ name: 'huge.csv', bytes: new Uint8Array(0), size: 3_000_000_000 }
		]);
		const first = recordedInputFiles();
		expect(recordedInputFiles()).toBe(first);
		expect(await first).toEqual([
			{ file: 'pain.csv', bytes: pain.length, sha256: sha256(pain) },
			// Over the size limit: never read, so there is nothing to hash.
			{ file: 'huge.csv', bytes: 3_000_000_000, sha256: null }
		]);
	});

	test('hashed when the page is quiet, the export then takes the same answer', async () => {
		recordInputFiles([{ name: 'a.csv', bytes: enc('a\n') }]);
		hashInputFiles();
		const early = recordedInputFiles();
		hashInputFiles();
		expect(recordedInputFiles()).toBe(early);
		expect(await early).toEqual([{ file: 'a.csv', bytes: 2, sha256: sha256('a\n') }]);
	});
});
