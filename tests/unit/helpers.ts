import { expect } from 'vitest';
import { FILES } from '../../src/lib/contract';
import { nodeDatabase } from '../../src/lib/db/node';
import type { Database } from '../../src/lib/db/types';
import { ident } from '../../src/lib/sql/literal';
import { importFiles, type ImportOptions, type ImportReport, type InputFile } from '../../src/lib/ingest';
import { findContractHeader } from '../../src/lib/ingest/dialect';
import { contractPlan } from '../../src/lib/ingest/plan';

export const enc = (s: string) => new TextEncoder().encode(s);

/** A contract file's bytes, header and column plan with the suggested mapping: what a scan takes. */
export function scanInputOf(text: string) {
	const bytes = enc(text);
	const head = findContractHeader(bytes);
	if (!head.ok) throw new Error(head.reason);
	const targets = head.mapping.columns.map((c) => c.target);
	const plan = contractPlan(head.kind, head.names, targets, new Set(), head.delimiter);
	return { bytes, head, plan };
}

/** Build input files from text, as a user's upload would arrive. */
export function files(map: Record<string, string | Uint8Array>): InputFile[] {
	return Object.entries(map).map(([name, v]) => ({ name, bytes: typeof v === 'string' ? enc(v) : v }));
}

/**
 * The loaded tables and the problem table, row by row, for comparing two imports. Text is
 * compared as its bytes (hex): decoding to JavaScript would drop a leading byte-order mark.
 */
async function loadedState(db: Database) {
	const bytesOf = async (table: string) => {
		const cols = await db.query<{ name: string; type: string }>(
			`SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index`,
			[table]
		);
		return cols.map((c) =>
			c.type === 'VARCHAR' ? `hex(${ident(c.name)}) AS ${ident(c.name)}` : ident(c.name)
		);
	};
	const state: Record<string, unknown[]> = {};
	for (const f of FILES)
		state[f.kind] = await db.query(
			`SELECT ${(await bytesOf(f.kind)).join(', ')} FROM ${f.kind} ORDER BY _line`
		);
	state.import_problems = await db.query(
		`SELECT ${(await bytesOf('import_problems')).join(', ')} FROM import_problems ORDER BY ALL`
	);
	return state;
}

/**
 * Import as the app does, after importing the same files with every file loaded from its staged
 * records (`wholeReadMaxBytes: 0`) and every rule counted by the database (`scanRules: false`):
 * the two give the same report and the same tables, so a file read whole, as written, never
 * differs from its staged read (load.ts, EarlyLoad), and the scan's rule counts (tally.ts) miss
 * nothing the SQL catches.
 */
export async function importChecked(
	db: Database,
	inputs: InputFile[],
	options: ImportOptions = {}
): Promise<ImportReport> {
	const staged = await importFiles(db, inputs, { ...options, wholeReadMaxBytes: 0, scanRules: false });
	const stagedState = await loadedState(db);
	const report = await importFiles(db, inputs, options);
	expect(report, 'the same report as the staged read').toEqual(staged);
	expect(await loadedState(db), 'the same tables as the staged read').toEqual(stagedState);
	return report;
}

export async function load(map: Record<string, string | Uint8Array>, options: ImportOptions = {}) {
	const db = await nodeDatabase();
	const report = await importChecked(db, files(map), options);
	return { db, report };
}
