import type { ImportReport } from '$lib/ingest';

/** The `import` object of report.md: one entry per imported file, and the refused ones. */
export function importSection(report: ImportReport) {
	return {
		files: report.files.map((f) => ({
			file: f.file,
			kind: f.kind,
			mapping: Object.fromEntries(f.mapping.columns.map((c) => [c.header, c.target])),
			read: f.read,
			loaded: f.loaded,
			rejected: f.rejected,
			skipped: f.skipped,
			warnings: f.warnings,
			problems: f.problems
		})),
		refused: report.refused
	};
}
