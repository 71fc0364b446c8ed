import { nodeDatabase } from '../../src/lib/db/node';
import { importFiles, type InputFile } from '../../src/lib/ingest';

export const enc = (s: string) => new TextEncoder().encode(s);

/** Build input files from text, as a user's upload would arrive. */
export function files(map: Record<string, string | Uint8Array>): InputFile[] {
	return Object.entries(map).map(([name, v]) => ({ name, bytes: typeof v === 'string' ? enc(v) : v }));
}

export async function load(map: Record<string, string | Uint8Array>) {
	const db = await nodeDatabase();
	const report = await importFiles(db, files(map));
	return { db, report };
}
