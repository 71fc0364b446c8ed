/** An input file as the manifest names it. */
export interface InputFileHash {
	file: string;
	bytes: number;
	/** Null for a file that was not read (over the size limit): there are no bytes to hash. */
	sha256: string | null;
}

let recorded: Promise<InputFileHash[]> | null = null;

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The hook the session calls with the files of each completed load. `crypto.subtle.digest` copies
 * the bytes when it is called, so nothing done with the buffers afterwards changes the result;
 * only the names, sizes and digests are kept here, never the bytes. The files are hashed one after
 * the other, so that at most one file's copy exists at a time (a file may be hundreds of MB).
 */
export function recordInputFiles(
	inputs: readonly { name: string; bytes: Uint8Array; size?: number }[]
): void {
	const files = inputs.map((f) => ({ name: f.name, bytes: f.bytes, size: f.size }));
	recorded = (async () => {
		const out: InputFileHash[] = [];
		for (const f of files) {
			const unread = f.size !== undefined && f.size !== f.bytes.length;
			out.push({
				file: f.name,
				bytes: f.size ?? f.bytes.length,
				sha256: unread ? null : await sha256Hex(f.bytes)
			});
		}
		return out;
	})();
}

/** The files of the last completed load (session.svelte.ts records them), or null before any. */
export function recordedInputFiles(): Promise<InputFileHash[] | null> {
	return recorded ?? Promise.resolve(null);
}
