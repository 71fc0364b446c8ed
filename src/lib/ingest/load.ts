import type { FileKind } from '$lib/contract';
import type { Database } from '$lib/db/types';
import { ident, literal } from '$lib/sql/literal';
import { decodeBytes } from './bytes';
import {
	MAX_PROBLEMS_IN_REPORT,
	type FileReport,
	type ImportReport,
	type Problem,
	type Refusal,
	type SkippedLine
} from './report';
import { scanCsv, type Scan } from './scan';
import { createLoadedTablesSql, loadedColumns } from './tables';
import { NULL_MACRO, rowRules, typedTableSql } from './typing';

export interface InputFile {
	name: string;
	bytes: Uint8Array;
}

interface Accepted {
	input: InputFile;
	scan: Scan;
	encoding: string;
	warnings: string[];
}

const ORDER: FileKind[] = ['patients', 'pain_scores', 'oral_opioids', 'pump_events'];

/**
 * Bytes to typed tables. Every record is loaded, rejected (with file, line, column, value and
 * rule) or skipped (with its line and reason), and the three add up to what was read, or the
 * import throws.
 */
export async function importFiles(db: Database, inputs: readonly InputFile[]): Promise<ImportReport> {
	const refused: Refusal[] = [];
	const byKind = new Map<FileKind, Accepted>();
	for (const input of inputs) {
		const decoded = decodeBytes(input.name, input.bytes);
		if (!decoded.ok) {
			refused.push({ file: input.name, reason: decoded.reason });
			continue;
		}
		const scan = scanCsv(input.name, decoded.utf8);
		if (!scan.ok) {
			refused.push({ file: input.name, reason: scan.reason });
			continue;
		}
		const problem = mappingProblem(input.name, scan);
		if (problem) {
			refused.push({ file: input.name, reason: problem });
			continue;
		}
		const earlier = byKind.get(scan.kind);
		if (earlier) {
			refused.push({
				file: input.name,
				reason: `${input.name} is a second ${scan.kind} file (${earlier.input.name} is the first); combine them into one`
			});
			continue;
		}
		byKind.set(scan.kind, { input, scan, encoding: decoded.encoding, warnings: decoded.warnings });
	}
	if (byKind.size > 0 && !byKind.has('patients')) {
		for (const a of byKind.values()) {
			refused.push({
				file: a.input.name,
				reason: `${a.input.name} not imported: a patients file (patient_id, office, diagnosis) is required`
			});
		}
		byKind.clear();
	}

	for (const sql of createLoadedTablesSql()) await db.query(sql);
	await db.query(NULL_MACRO);
	const files: FileReport[] = [];
	for (const kind of ORDER) {
		const a = byKind.get(kind);
		if (a) files.push(await loadOne(db, a));
	}
	return { files, refused, warnings: [] };
}

function mappingProblem(file: string, scan: Scan): string | null {
	const { missing, ambiguous } = scan.mapping;
	const found = scan.header.map((h) => `"${h}"`).join(', ');
	if (missing.length) return `${file}: no column for ${missing.join(', ')}; found: ${found}`;
	if (ambiguous.length)
		return `${file}: more than one column could be ${ambiguous.join(', ')}; found: ${found}`;
	return null;
}

async function loadOne(db: Database, a: Accepted): Promise<FileReport> {
	const { scan, input } = a;
	const kind = scan.kind;
	const file = input.name;
	const buffer = `__stage_${kind}.csv`;
	const raw = `raw_${kind}`;
	const typed = `typed_${kind}`;
	const sources = new Map<string, string>();
	scan.mapping.columns.forEach((c, i) => c.target && sources.set(c.target, `c${i}`));
	const present = new Set(sources.keys());
	const timeForm = timeFormOf(kind, present);
	const warnings = [...a.warnings];

	await db.registerBuffer(buffer, scan.staged);
	try {
		const columns = ['__line', ...scan.header.map((_, i) => `c${i}`)]
			.map((c, i) => `${literal(c)}: ${literal(i === 0 ? 'INTEGER' : 'VARCHAR')}`)
			.join(', ');
		await db.query(
			`CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT * FROM read_csv(${literal(buffer)}, auto_detect = false, ` +
				`header = false, delim = ${literal(scan.delimiter)}, quote = '"', escape = '"', strict_mode = true, ` +
				`columns = {${columns}})`
		);
		const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${raw}`)) as [
			{ n: number }
		];
		if (n !== scan.stagedRecords) {
			throw new Error(
				`${file}: DuckDB read ${n} records where ${scan.stagedRecords} were staged; import stopped`
			);
		}
		await db.query(typedTableSql(kind, raw, typed, sources));
		await recordProblems(db, file, kind, typed, present, scan.rejected);
		await insertLoaded(db, file, kind, typed, present, timeForm);
	} finally {
		await db.query(`DROP TABLE IF EXISTS ${raw}`);
		await db.query(`DROP TABLE IF EXISTS ${typed}`);
		await db.dropBuffer(buffer);
	}

	const [{ loaded }] = (await db.query<{ loaded: number }>(
		`SELECT count(*)::INTEGER AS loaded FROM ${kind}`
	)) as [{ loaded: number }];
	const [{ rejected, problems }] = (await db.query<{ rejected: number; problems: number }>(
		'SELECT count(DISTINCT line)::INTEGER AS rejected, count(*)::INTEGER AS problems FROM import_problems WHERE file = ?',
		[file]
	)) as [{ rejected: number; problems: number }];
	const first = await db.query<Problem & Record<string, unknown>>(
		`SELECT line, "column", value, rule FROM import_problems WHERE file = ? ORDER BY line, "column" LIMIT ${MAX_PROBLEMS_IN_REPORT}`,
		[file]
	);
	const skipped = scan.skipped.length;
	if (scan.read !== loaded + rejected + skipped) {
		throw new Error(
			`${file}: read ${scan.read} records but loaded ${loaded} + rejected ${rejected} + skipped ${skipped}; import stopped`
		);
	}
	const ignored = scan.mapping.columns.filter((c) => !c.target).map((c) => c.header);
	for (const h of ignored) warnings.push(`ignored column "${h}" (not in the data contract)`);
	if (scan.read - skipped === 0) warnings.push(`${file} has 0 data rows`);
	if (timeForm === 'date') {
		warnings.push(
			`${file} gives calendar dates: shifted dates are a limited data set, not Safe Harbor de-identification; they were converted to days from implant`
		);
	}
	return {
		file,
		kind,
		bytes: input.bytes.length,
		dialect: {
			delimiter: scan.delimiter,
			quote: '"',
			encoding: a.encoding,
			headerLine: scan.headerLine,
			timeForm
		},
		mapping: scan.mapping,
		read: scan.read,
		loaded,
		rejected,
		skipped,
		problems: first.map((p) => ({ line: p.line, column: p.column, value: p.value, rule: p.rule })),
		problemCount: problems,
		skippedLines: scan.skipped as SkippedLine[],
		warnings
	};
}

function timeFormOf(kind: FileKind, present: ReadonlySet<string>): 'day' | 'date' {
	if (kind === 'patients') return present.has('implant_date') ? 'date' : 'day';
	const dayCol = kind === 'oral_opioids' ? 'start_day' : 'day';
	return present.has(dayCol) ? 'day' : 'date';
}

/** Structural rejects from the scan, cell errors, and rules across a row's columns. */
async function recordProblems(
	db: Database,
	file: string,
	kind: FileKind,
	typed: string,
	present: ReadonlySet<string>,
	structural: readonly Problem[]
): Promise<void> {
	const f = literal(file);
	for (let i = 0; i < structural.length; i += 500) {
		const values = structural
			.slice(i, i + 500)
			.map((p) => `(${f}, ${p.line}, ${literal(p.column)}, ${literal(p.value)}, ${literal(p.rule)})`);
		await db.query(`INSERT INTO import_problems VALUES ${values.join(', ')}`);
	}
	const cells = [...present].map(
		(c) =>
			`SELECT ${f}, _line, ${literal(c)}, left(${ident('r_' + c)}, 80), ${ident(c + '__err')} FROM ${typed} WHERE ${ident(c + '__err')} IS NOT NULL`
	);
	if (cells.length) await db.query(`INSERT INTO import_problems ${cells.join(' UNION ALL ')}`);
	const rules = rowRules(kind, present).map(
		([column, cond, rule]) =>
			`SELECT ${f}, _line, ${literal(column)}, ${present.has(column) ? `left(${ident('r_' + column)}, 80)` : 'NULL'}, ${literal(rule)} ` +
			`FROM ${typed} WHERE (${cond}) AND _line NOT IN (SELECT line FROM import_problems WHERE file = ${f})`
	);
	if (rules.length) await db.query(`INSERT INTO import_problems ${rules.join(' UNION ALL ')}`);
}

async function insertLoaded(
	db: Database,
	file: string,
	kind: FileKind,
	typed: string,
	present: ReadonlySet<string>,
	timeForm: 'day' | 'date'
): Promise<void> {
	const f = literal(file);
	const ok = `t._line NOT IN (SELECT line FROM import_problems WHERE file = ${f})`;
	const has = (c: string) => present.has(c);
	const v = (c: string) => (has(c) ? `t.${ident(c)}` : 'NULL');
	if (kind === 'patients') {
		const anchor = has('implant_date') ? `coalesce(t.implant_date, ${v('trial_date')})` : 'NULL';
		const dayOf = (day: string, date: string) =>
			timeForm === 'date' ? `(${v(date)} - ${anchor})::INTEGER` : v(day);
		await db.query(
			`INSERT INTO import_problems SELECT ${f}, _line, 'patient_id', patient_id, 'duplicate patient_id (first on line ' || first_line || '); the first row is kept' ` +
				`FROM (SELECT _line, patient_id, min(_line) OVER (PARTITION BY patient_id) AS first_line FROM ${typed} t WHERE ${ok}) WHERE _line > first_line`
		);
		if (timeForm === 'date') {
			await db.query(
				`INSERT INTO import_problems SELECT ${f}, _line, 'implant_date', NULL, 'date form needs implant_date or trial_date to place the patient in time' ` +
					`FROM ${typed} t WHERE ${ok} AND ${anchor} IS NULL AND (${v('followup_end_date')} IS NOT NULL)`
			);
		}
		const implantYear = timeForm === 'date' ? `year(t.implant_date)::INTEGER` : v('implant_year');
		const exprs: Record<string, string> = {
			age_at_implant: has('age_at_implant') ? 't.r_age_at_implant' : 'NULL',
			age: v('age_at_implant'),
			trial_day: dayOf('trial_day', 'trial_date'),
			followup_end_day: dayOf('followup_end_day', 'followup_end_date'),
			implant_year: implantYear,
			implanted: `(${implantYear}) IS NOT NULL`
		};
		const cols = loadedColumns(kind).map(
			(c) => exprs[c.name] ?? (c.name === '_line' ? 't._line' : v(c.name))
		);
		await db.query(`INSERT INTO patients SELECT ${cols.join(', ')} FROM ${typed} t WHERE ${ok}`);
		await db.query(
			`CREATE OR REPLACE TEMP TABLE patient_anchor AS SELECT patient_id, ${anchor} AS anchor FROM ${typed} t WHERE ${ok}`
		);
		return;
	}
	await db.query(
		`INSERT INTO import_problems SELECT ${f}, _line, 'patient_id', left(patient_id, 80), 'unknown patient_id (not in the patients file)' ` +
			`FROM ${typed} t WHERE ${ok} AND patient_id NOT IN (SELECT patient_id FROM patients)`
	);
	const dateCols =
		kind === 'oral_opioids' ? { start_day: 'start_date', end_day: 'end_date' } : { day: 'date' };
	const exprs: Record<string, string> = {};
	if (timeForm === 'date') {
		for (const [day, date] of Object.entries(dateCols)) exprs[day] = `(${v(date)} - a.anchor)::INTEGER`;
		await db.query(
			`INSERT INTO import_problems SELECT ${f}, t._line, 'patient_id', t.patient_id, 'dates need the patient''s implant_date (or trial_date) in the patients file' ` +
				`FROM ${typed} t LEFT JOIN patient_anchor a USING (patient_id) WHERE ${ok} AND a.anchor IS NULL`
		);
	}
	const cols = loadedColumns(kind).map((c) => exprs[c.name] ?? (c.name === '_line' ? 't._line' : v(c.name)));
	const join = timeForm === 'date' ? 'LEFT JOIN patient_anchor a USING (patient_id)' : '';
	await db.query(`INSERT INTO ${kind} SELECT ${cols.join(', ')} FROM ${typed} t ${join} WHERE ${ok}`);
}
