import type { Database } from '$lib/db/types';
import { importFiles, type ImportOptions, type ImportReport, type InputFile } from '$lib/ingest';
import { deriveSql } from '$lib/sql';

/** Import the files, then build the derived per-patient tables every view queries. */
export async function loadDataset(
	db: Database,
	inputs: readonly InputFile[],
	options: ImportOptions = {}
): Promise<ImportReport> {
	const report = await importFiles(db, inputs, options);
	for (const sql of deriveSql()) await db.query(sql);
	return report;
}
