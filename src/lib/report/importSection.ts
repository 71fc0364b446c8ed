import { MAX_PROBLEMS_IN_REPORT, type ImportReport } from '$lib/ingest';

/**
 * The `import` object of report.md: one entry per imported file, and the refused ones. Every
 * rejected and skipped line is accounted for: `problems` lists the first MAX_PROBLEMS_IN_REPORT
 * problems (in line order) of `problem_count`, and `skipped_lines` the first as many skipped lines,
 * with their reasons, of `skipped`.
 */
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
			// How the file's dates were read: the format, and what decided a day-month order.
			dates: f.dialect.dateFormat
				? { format: f.dialect.dateFormat, order_from: f.dialect.dateOrderFrom }
				: null,
			problem_count: f.problemCount,
			problems: f.problems,
			skipped_lines: f.skippedLines.slice(0, MAX_PROBLEMS_IN_REPORT)
		})),
		refused: report.refused
	};
}
