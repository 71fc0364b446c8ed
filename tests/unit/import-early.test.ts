import { describe, expect, test } from 'vitest';
import { nodeDatabase } from '../../src/lib/db/node';
import { importFiles, type ImportOptions } from '../../src/lib/ingest';
import { Scanner } from '../../src/lib/ingest/scan';
import { files, load, scanInputOf } from './helpers';

// A file in day form is loaded into a table of its own while the next file is scanned
// (load.ts, stageEarly). Whatever happens after, the live tables change only when every file is
// ready, and no early table is left behind.

const PATIENTS =
	'patient_id,office,diagnosis,implant_year,followup_end_day\nP1,Lexington,fbss,2020,400\nP2,Danville,crps,2021,300\n';
const PAIN = 'patient_id,day,pain_avg\nP1,-10,8\nP1,30,4\nP2,-5,7\n';
const EARLIER = 'patient_id,office,diagnosis\nEARLIER,Lexington,fbss\n';

async function earlyTables(): Promise<string[]> {
	const db = await nodeDatabase();
	const rows = await db.query<{ name: string }>(
		"SELECT table_name AS name FROM duckdb_tables() WHERE table_name LIKE '\\_\\_early%' ESCAPE '\\' ORDER BY 1"
	);
	return rows.map((r) => r.name);
}

const patientIds = async () =>
	(
		await (await nodeDatabase()).query<{ id: string }>('SELECT patient_id AS id FROM patients ORDER BY 1')
	).map((r) => r.id);

describe('files loaded early, while the next one is scanned', () => {
	test('a complete import takes every early table into place and leaves none behind', async () => {
		const { db, report } = await load({ 'patients.csv': PATIENTS, 'pain.csv': PAIN });
		expect(report.files.map((f) => [f.file, f.read, f.loaded])).toEqual([
			['patients.csv', 2, 2],
			['pain.csv', 3, 3]
		]);
		expect(await db.query('SELECT patient_id, day, pain_avg, _line FROM pain_scores ORDER BY _line')).toEqual(
			[
				{ patient_id: 'P1', day: -10, pain_avg: 8, _line: 2 },
				{ patient_id: 'P1', day: 30, pain_avg: 4, _line: 3 },
				{ patient_id: 'P2', day: -5, pain_avg: 7, _line: 4 }
			]
		);
		expect(await earlyTables()).toEqual([]);
	});

	test('a database that runs each statement later than asked (native DuckDB) still reads every buffer before it is dropped', async () => {
		const { report: expected } = await load({ 'patients.csv': PATIENTS, 'pain.csv': PAIN });
		const inner = await nodeDatabase();
		const order: string[] = [];
		// Buffers are registered and dropped at once, statements a few milliseconds later, as
		// @duckdb/node-api runs them (src/lib/db/native.ts): a drop queued behind a read only by
		// calling it later would remove the buffer before the read.
		const db: typeof inner = {
			query: (async (sql: string, params?: readonly unknown[]) => {
				await new Promise((r) => setTimeout(r, 5));
				const buffer = /read_csv\('(__ingest_[^']+)'/.exec(sql)?.[1];
				if (buffer) order.push(`read ${buffer}`);
				return inner.query(sql, params);
			}) as typeof inner.query,
			registerBuffer: (name, bytes) => {
				order.push(`register ${name}`);
				return inner.registerBuffer(name, bytes);
			},
			dropBuffer: (name) => {
				order.push(`drop ${name}`);
				return inner.dropBuffer(name);
			}
		};
		expect(await importFiles(db, files({ 'patients.csv': PATIENTS, 'pain.csv': PAIN }))).toEqual(expected);
		// One early buffer at a time: each read between its register and its drop.
		const early = order.filter((o) => /_(patients|pain_scores)\.csv$/.test(o));
		expect(early.map((o) => o.split(' ')[0])).toEqual([
			'register',
			'read',
			'drop',
			'register',
			'read',
			'drop'
		]);
		expect(await earlyTables()).toEqual([]);
	});

	test('a question on a later file: the earlier file was staged, yet the database keeps what it had', async () => {
		await load({ 'patients.csv': EARLIER });
		const db = await nodeDatabase();
		const synonyms = 'Subject ID,Study Day,Average Pain (NRS)\nP1,10,5\n';
		const report = await importFiles(db, files({ 'patients.csv': PATIENTS, 'pain.csv': synonyms }), {
			interactive: true
		});
		expect(report.pending.map((p) => p.file)).toEqual(['pain.csv']);
		expect(await patientIds()).toEqual(['EARLIER']);
		expect(await earlyTables()).toEqual([]);
	});

	test('a refused second file of a kind: the first is loaded, the second leaves no table', async () => {
		const { report } = await load({ 'patients.csv': PATIENTS, 'more.csv': EARLIER });
		expect(report.refused.map((r) => r.file)).toEqual(['more.csv']);
		expect(await patientIds()).toEqual(['P1', 'P2']);
		expect(await earlyTables()).toEqual([]);
	});

	test('a cancel after the first file was staged leaves no early table and nothing loaded', async () => {
		await load({ 'patients.csv': EARLIER });
		const db = await nodeDatabase();
		const controller = new AbortController();
		const run = importFiles(db, files({ 'patients.csv': PATIENTS, 'pain.csv': PAIN }), {
			signal: controller.signal,
			onProgress: (p) => {
				if (p.file === 'pain.csv') controller.abort();
			}
		});
		await expect(run).rejects.toMatchObject({ name: 'AbortError' });
		expect(await patientIds()).toEqual([]);
		expect(await earlyTables()).toEqual([]);
	});
});

describe('a file loaded in chunks while it is scanned', () => {
	test('every chunk reads with its own quote mode and trimming, and the lines stay physical', async () => {
		const rows = ['patient_id,day,pain_avg'];
		for (let day = 0; day < 60; day++) rows.push(`P1,${day},${day % 11}`);
		// Quotes appear only in a later chunk: a padded quoted id (trimmed) and a quoted score.
		rows.push('" P2 ",100,"7"', '', 'P2,101,3');
		for (let day = 102; day < 160; day++) rows.push(`P2,${day},${day % 11}`);
		const inner = await nodeDatabase();
		const early: string[] = [];
		const earlyRows: number[] = [];
		const db: typeof inner = {
			query: (async (sql: string, params?: readonly unknown[]) => {
				const rows = await inner.query(sql, params);
				if (/__early_/.test(sql) && /read_csv/.test(sql)) {
					early.push(sql);
					earlyRows.push(Number(rows[0]?.Count ?? rows[0]?.count));
				}
				return rows;
			}) as typeof inner.query,
			registerBuffer: (name, bytes) => inner.registerBuffer(name, bytes),
			dropBuffer: (name) => inner.dropBuffer(name)
		};
		const pain = rows.join('\n') + '\n';
		const report = await importFiles(db, files({ 'patients.csv': PATIENTS, 'pain.csv': pain }), {
			earlyChunkRows: 25,
			wholeReadMaxBytes: 0
		});
		// Chunks of exactly 25 records (whole row groups in the app), the first without quotes, a later one with them.
		const painReads = early.filter((q) => q.includes('pain_scores'));
		expect(painReads).toHaveLength(5);
		expect(earlyRows.filter((_, i) => early[i]!.includes('pain_scores'))).toEqual([25, 25, 25, 25, 20]);
		expect(painReads[0]).toContain(`quote = ''`);
		expect(painReads.at(-1)).toContain(`quote = '"'`);
		expect(painReads.at(-1)).toContain('trim("patient_id")');
		const f = report.files.find((x) => x.file === 'pain.csv')!;
		expect([f.read, f.loaded, f.rejected, f.skipped]).toEqual([121, 120, 0, 1]);
		const got = await db.query<{ patient_id: string; day: number; pain_avg: number; _line: number }>(
			'SELECT patient_id, day, pain_avg, _line FROM pain_scores ORDER BY _line'
		);
		expect(got).toHaveLength(120);
		expect(got[0]).toEqual({ patient_id: 'P1', day: 0, pain_avg: 0, _line: 2 });
		expect(got[60]).toEqual({ patient_id: 'P2', day: 100, pain_avg: 7, _line: 62 });
		// Line 63 is blank (skipped): the next record is line 64.
		expect(got[61]).toEqual({ patient_id: 'P2', day: 101, pain_avg: 3, _line: 64 });
		expect(got.at(-1)).toEqual({ patient_id: 'P2', day: 159, pain_avg: 159 % 11, _line: 122 });
		expect(await earlyTables()).toEqual([]);
	});
});

describe('rule counts of files loaded early', () => {
	async function importLogged(inputs: Record<string, string>, options: ImportOptions = {}) {
		const inner = await nodeDatabase();
		const counts: string[] = [];
		const db: typeof inner = {
			query: ((sql: string, params?: readonly unknown[]) => {
				if (/^SELECT count\(\*\) FILTER/.test(sql)) counts.push(sql);
				return inner.query(sql, params);
			}) as typeof inner.query,
			registerBuffer: (name, bytes) => inner.registerBuffer(name, bytes),
			dropBuffer: (name) => inner.dropBuffer(name)
		};
		const report = await importFiles(db, files(inputs), options);
		const pain = report.files.find((f) => f.kind === 'pain_scores')!;
		return { counts, pain };
	}
	// P9 is not a patient (rejected); P2's day 350 is after its follow-up end, 300 (a warning).
	const pain = 'patient_id,day,pain_avg\nP1,-10,8\nP9,5,6\nP2,-5,7\nP2,350,3\n';
	const expectReport = (p: Awaited<ReturnType<typeof importLogged>>['pain']) => {
		expect([p.read, p.loaded, p.rejected]).toEqual([4, 3, 1]);
		expect(p.problems).toEqual([
			{ line: 3, column: 'patient_id', value: 'P9', rule: 'unknown patient_id (not in the patients file)' }
		]);
		expect(p.warnings.join('\n')).toContain("1 row after the patient's followup_end_day");
	};

	const orders = [
		{ 'patients.csv': PATIENTS, 'pain.csv': pain },
		{ 'pain.csv': pain, 'patients.csv': PATIENTS }
	];

	test('are counted in the scan, in either file order (patients is scanned first), and give the same report', async () => {
		for (const order of orders) {
			const { counts, pain: report } = await importLogged(order);
			expect(counts).toEqual([]);
			expectReport(report);
		}
	});

	test('are counted on the early tables when the scan does not count them, and give the same report', async () => {
		for (const order of orders) {
			const { counts, pain: report } = await importLogged(order, { scanRules: false });
			expect(
				counts.some((q) => /FROM __early_\d+_pain_scores t LEFT JOIN .* FROM __early_\d+_patients\)/.test(q))
			).toBe(true);
			expect(counts.some((q) => / FROM pain_scores t /.test(q))).toBe(false);
			expectReport(report);
		}
	});

	test('are counted again on the loaded tables once a patients row was removed after the early counts', async () => {
		// P2 twice: the second row is rejected (keep first), so the early patients table is not the loaded one.
		const dup = PATIENTS + 'P2,Danville,crps,2021,500\n';
		const { counts, pain: report } = await importLogged({ 'patients.csv': dup, 'pain.csv': pain });
		expect(counts.some((q) => / FROM pain_scores t LEFT JOIN .* FROM patients\)/.test(q))).toBe(true);
		expectReport(report);
	});
});

describe('the order files are scanned in', () => {
	test('patients first, then the other kinds largest first; refusals keep the order given', async () => {
		const big = 'patient_id,day,pain_avg\n' + 'P1,1,5\n'.repeat(200);
		const scanned: string[] = [];
		const report = await importFiles(
			await nodeDatabase(),
			files({
				'a_bad.csv': 'nothing,here\n1,2\n',
				'b_pump.csv': 'patient_id,day,event\nP1,0,implant\n',
				'c_pain.csv': big,
				'd_patients.csv': PATIENTS,
				'e_second_pain.csv': PAIN
			}),
			{
				onProgress: (p) => {
					if (p.phase === 'scanning' && scanned.at(-1) !== p.file) scanned.push(p.file);
				}
			}
		);
		// a_bad.csv has no contract header: refused before any scan.
		expect(scanned).toEqual(['d_patients.csv', 'c_pain.csv', 'e_second_pain.csv', 'b_pump.csv']);
		// The first pain file given is the one kept; the refusals come in the order given.
		expect(report.refused.map((r) => r.file)).toEqual(['a_bad.csv', 'e_second_pain.csv']);
		expect(report.refused[1]!.reason).toContain('c_pain.csv is the first');
		expect(report.files.map((f) => f.file)).toEqual(['d_patients.csv', 'c_pain.csv', 'b_pump.csv']);
	});
});

describe('a clean file read whole, as written, while it is scanned', () => {
	/** Import (checked against the staged read by `load`), then once more to see how each file loaded. */
	async function howLoaded(inputs: Record<string, string>) {
		const { report } = await load(inputs);
		const inner = await nodeDatabase();
		const sqls: string[] = [];
		const db: typeof inner = {
			query: ((sql: string, params?: readonly unknown[]) => {
				sqls.push(sql);
				return inner.query(sql, params);
			}) as typeof inner.query,
			registerBuffer: (name, bytes) => inner.registerBuffer(name, bytes),
			dropBuffer: (name) => inner.dropBuffer(name)
		};
		expect(await importFiles(db, files(inputs))).toEqual(report);
		/**
		 * How a file of this kind loaded: read whole, in chunks of staged records, its clean records
		 * as written and then chunks, after the scans; after a whole read that was dropped.
		 */
		const how = (kind: string) => {
			const table = (re: RegExp) => sqls.map((q) => re.exec(q)?.[1]).find((t) => t !== undefined);
			const asWritten = new RegExp(
				`TABLE (__early_\\d+_${kind}) AS SELECT .*row_number\\(\\) OVER \\(\\)`,
				's'
			);
			const first = table(asWritten);
			const renamed = table(new RegExp(`ALTER TABLE (__early_\\d+_${kind}) RENAME`));
			const read = (t: string) => sqls.some((q) => asWritten.exec(q)?.[1] === t);
			const inserted = (t: string) => sqls.some((q) => q.startsWith(`INSERT INTO ${t} `));
			const early =
				renamed === undefined
					? 'after the scans'
					: !read(renamed)
						? 'chunks'
						: inserted(renamed)
							? 'as written, then chunks'
							: 'whole';
			return first && renamed !== first ? `whole, then ${early}` : early;
		};
		return { report, how };
	}

	const OPIOIDS =
		'patient_id,start_day,end_day,days_supply,drug,strength,strength_unit,units_per_day,quantity,indication\n' +
		'P1,-20,-1,,oxycodone,20,mg,1,,pain\n"P2",-30,-2,28,oxycodone,10,mg,2,56,pain\n';

	test('is kept when every record is staged as written: the lines are physical, quotes read as quotes', async () => {
		const { report, how } = await howLoaded({
			'patients.csv': PATIENTS,
			'pain.csv': PAIN,
			'opioids.csv': OPIOIDS
		});
		expect([how('patients'), how('pain_scores'), how('oral_opioids')]).toEqual(['whole', 'whole', 'whole']);
		expect(report.files.map((f) => [f.read, f.loaded])).toEqual([
			[2, 2],
			[3, 3],
			[2, 2]
		]);
		const db = await nodeDatabase();
		expect(
			await db.query('SELECT patient_id, drug, quantity, _line FROM oral_opioids ORDER BY _line')
		).toEqual([
			{ patient_id: 'P1', drug: 'oxycodone', quantity: null, _line: 2 },
			{ patient_id: 'P2', drug: 'oxycodone', quantity: 56, _line: 3 }
		]);
	});

	test('starts after a preamble and a byte-order mark, with lines counted from the file', async () => {
		const { how } = await howLoaded({
			'patients.csv': PATIENTS,
			'pain.csv': '\uFEFFExported 2024-05-01\n\npatient_id,day,pain_avg\nP1,-10,8\nP2,-5,7\n'
		});
		expect(how('pain_scores')).toBe('whole');
		const db = await nodeDatabase();
		expect(await db.query('SELECT patient_id, _line FROM pain_scores ORDER BY _line')).toEqual([
			{ patient_id: 'P1', _line: 4 },
			{ patient_id: 'P2', _line: 5 }
		]);
	});

	// Each file is clean (nothing rejected) but one record is staged other than as written, or
	// the lines are not one per record: found in the scan's first slice, so no whole read is
	// started. The clean records before it load as written (the scan did not stage them), the
	// staged records from it on in chunks; when it is the first record, all load in chunks. `load`
	// checks both against the read of every record staged.
	const painWith = (row: string) => `patient_id,day,pain_avg,pain_worst\nP1,-10,8,9\n${row}\nP2,-5,7,8\n`;
	const THEN = 'as written, then chunks';
	const staged: [string, Record<string, string>, string, string][] = [
		['an unquoted value with spaces (trimmed)', { 'pain.csv': painWith(' P1 ,30,4,5') }, 'pain_scores', THEN],
		['a quoted value with spaces (trimmed)', { 'pain.csv': painWith('" P1 ",30,4,5') }, 'pain_scores', THEN],
		['a null spelling (NA)', { 'pain.csv': painWith('P1,30,4,NA') }, 'pain_scores', THEN],
		['an empty quoted value', { 'pain.csv': painWith('P1,30,4,""') }, 'pain_scores', THEN],
		['a value of spaces', { 'pain.csv': painWith('P1,30,4,  ') }, 'pain_scores', THEN],
		['a quoted number', { 'pain.csv': painWith('P1,30,"4",5') }, 'pain_scores', THEN],
		['a trailing delimiter', { 'pain.csv': painWith('P1,30,4,5,') }, 'pain_scores', THEN],
		['a blank line', { 'pain.csv': painWith('P1,30,4,5\n') }, 'pain_scores', THEN],
		['a CRLF line end among LF ones', { 'pain.csv': painWith('P1,30,4,5\r') }, 'pain_scores', THEN],
		['a comment line', { 'pain.csv': painWith('# checked\nP1,30,4,5') }, 'pain_scores', THEN],
		['decimal commas', { 'pain.csv': 'patient_id;day;pain_avg\nP1;-10;8\nP1;30;4,5\n' }, 'pain_scores', THEN],
		[
			'an enum value spelled in capitals',
			{ 'patients.csv': PATIENTS.replace('Lexington,fbss', 'Lexington,FBSS') },
			'patients',
			'chunks'
		],
		[
			'a 0 that means "not recorded"',
			{ 'opioids.csv': OPIOIDS.replace(',28,oxycodone,10,mg,2,56,', ',28,oxycodone,10,mg,2,0,') },
			'oral_opioids',
			THEN
		],
		[
			'a quoted value over two lines',
			{ 'patients.csv': PATIENTS.replace('P1,Lexington,', 'P1,"Lexington\nNorth",') },
			'patients',
			'chunks'
		]
	];
	test.each(staged)('loads the staged records after %s', async (_, inputs, kind, loaded) => {
		const { report, how } = await howLoaded({ 'patients.csv': PATIENTS, ...inputs });
		expect(report.refused).toEqual([]);
		const f = report.files.find((x) => x.kind === kind)!;
		expect(f.rejected).toBe(0);
		expect(how(kind)).toBe(loaded);
		expect(await earlyTables()).toEqual([]);
	});

	test('an unclean record after the first slice: the whole read is dropped, the clean records are read again as written, the rest in chunks', async () => {
		// 30,000 records (about 400 KB, past the scan's 256 KB first slice), the last one trimmed.
		const rows = Array.from(
			{ length: 30_000 },
			(_, i) => `P${1 + (i % 2)},${i - 100},${i % 11},${(i + 1) % 11}`
		);
		rows[rows.length - 1] = ` ${rows.at(-1)}`;
		const { report, how } = await howLoaded({
			'patients.csv': PATIENTS,
			'pain.csv': `patient_id,day,pain_avg,pain_worst\n${rows.join('\n')}\n`
		});
		expect(how('pain_scores')).toBe('whole, then as written, then chunks');
		const f = report.files[1]!;
		expect([f.read, f.loaded, f.rejected]).toEqual([30_000, 30_000, 0]);
		expect(await earlyTables()).toEqual([]);
	});

	test('a file with a rejected record falls back too, and reports it as the staged read does', async () => {
		const { report, how } = await howLoaded({
			'patients.csv': PATIENTS,
			'pain.csv': painWith('P1,30,eleven,5')
		});
		expect(how('pain_scores')).toBe(THEN);
		expect(report.files[1]!.problems).toEqual([
			{ line: 3, column: 'pain_avg', value: 'eleven', rule: 'expected a number' }
		]);
	});

	test('a byte-order mark opening the first record is not read whole: DuckDB would drop it, the scan keeps it', async () => {
		// Two ids, `\uFEFFP1` and `P1`: distinct as written (the staged read), one patient twice if the mark went.
		const { report, how } = await howLoaded({
			'patients.csv': 'patient_id,office,diagnosis\n\uFEFFP1,Lexington,fbss\nP1,Danville,crps\n'
		});
		expect(how('patients')).toBe('chunks');
		expect([report.files[0]!.loaded, report.files[0]!.rejected]).toEqual([2, 0]);
	});

	test("a file with a column that is not the contract's is not read whole: that column never reaches DuckDB", async () => {
		const { how } = await howLoaded({
			'patients.csv': PATIENTS.replace('followup_end_day\n', 'followup_end_day,site_code\n').replace(
				/(\d+)\n/g,
				'$1,X\n'
			)
		});
		expect(how('patients')).toBe('chunks');
	});

	test('CRLF line ends are not read whole: the file loads in chunks', async () => {
		const { how } = await howLoaded({ 'patients.csv': PATIENTS, 'pain.csv': PAIN.replaceAll('\n', '\r\n') });
		expect(how('pain_scores')).toBe('chunks');
	});
});

describe('the scan of a file read whole keeps no copy of its clean records', () => {
	/** Scan `text` as prepare.ts does for a file read whole, in slices of `slice` bytes. */
	function scanDiscarding(text: string, slice: number) {
		const { bytes, head, plan } = scanInputOf(text);
		const scanner = new Scanner({ bytes, head, plan, exact: false, invalid: [], discardClean: true });
		while (!scanner.done) scanner.step(slice);
		const decoder = new TextDecoder();
		return {
			result: scanner.result(),
			staged: decoder.decode(scanner.result().staged),
			prefix: decoder.decode(bytes.subarray(head.bodyStart, scanner.cleanEnd))
		};
	}
	const rows = Array.from({ length: 2000 }, (_, i) => `P${i % 7},${i},${i % 11}`);

	test('a clean file: every record counted, none staged, the clean part is the whole body', () => {
		const { result, staged, prefix } = scanDiscarding(`patient_id,day,pain_avg\n${rows.join('\n')}\n`, 4096);
		expect([result.stagedRecords, result.read, result.clean]).toEqual([2000, 2000, true]);
		expect(staged).toBe('');
		expect(prefix).toBe(`${rows.join('\n')}\n`);
	});

	test('staged from the first record that is not clean (line 1502, trimmed), in a later slice', () => {
		const trimmed = [...rows];
		trimmed[1500] = ` ${trimmed[1500]}`;
		const { result, staged, prefix } = scanDiscarding(
			`patient_id,day,pain_avg\n${trimmed.join('\n')}\n`,
			4096
		);
		expect([result.stagedRecords, result.read, result.clean]).toEqual([2000, 2000, false]);
		expect(prefix).toBe(`${rows.slice(0, 1500).join('\n')}\n`);
		// Staged: each record behind its line number; the trimmed one as DuckDB is to read it.
		const lines = staged.split('\n').slice(0, -1);
		expect(lines).toHaveLength(500);
		expect(lines[0]).toBe(`1502,${rows[1500]}`);
		expect(lines[499]).toBe(`2001,${rows[1999]}`);
	});
});
