import type { Database } from '$lib/db/types';
import {
	DEFAULT_WINDOW_SETTINGS,
	eventsUpTo,
	OPIOID_FREE_REPORT_DAYS,
	showCount,
	showHiddenCount,
	showValue,
	suppress,
	type Settings,
	type SuppressionCell,
	type SuppressionGroup,
	type SuppressionReason,
	type TimeCount,
	wilsonInterval
} from '$lib/outcomes';
import {
	cohortSummary,
	itDoseAtWindows,
	mmeReport,
	opioidFreeCounts,
	painByMonth,
	painReport,
	patientsByOffice,
	run,
	runOne,
	withMmeFactors,
	type CohortSummary,
	type Filters,
	type ItDoseWindowRow,
	type OfficeCount,
	type PainMonth,
	type Proportion
} from '$lib/sql';
import { toCsv, type Cell } from './csv';
import { recordedFilters } from './manifest';

/**
 * The aggregate tables (the dashboard's numbers, from the same query builders) with small-cell
 * suppression (outcomes.md section 6, src/lib/outcomes/suppression.ts), as one long CSV:
 * `table, group, statistic, value, suppressed`. A statistic shows its value, `<11` for a small
 * count, or nothing when hidden; `suppressed` says why (primary or complementary).
 *
 * A suppression cell is what is shown or hidden as one: a window's scores (n with mean, SD and
 * quartiles), a proportion (n, k, rate, interval: hidden when n, k or n - k is small), a single
 * count. Groups name the cells that add up to a shown total, for complementary suppression:
 * - offices add up to the cohort (per column);
 * - implanted and not implanted to the patients (of the cohort and of each office);
 * - spasticity and the outcome population to the implanted;
 * - baseline present and missing to the outcome population;
 * - per window: the all-implanted denominator and those left out of it to the patients due; n for
 *   % and those left out of it to the scores' n; n for the change and the scored without a
 *   baseline to the scores' n; the scores' n and the due without a score to the patients due
 *   (when the due without a score must be hidden, the patients due go, not the scores).
 * The denominators are shown in the rules' cells, which go when their denominator does; a rule's
 * two cells share one k and go together. These are the additions of the command-line report's
 * `--suppress` (src/lib/report/suppress.ts; the export has no Wilcoxon counts), where the scored
 * without a baseline and the due without a score are not published. Not covered, as there:
 * differences between counts that no addition relates (e.g. one window's n minus the next one's).
 */

interface Stat {
	statistic: string;
	value: number | null;
	/** A count (shown as `<11` when small) rather than a statistic (hidden with its cell). */
	count: boolean;
}

interface AggregateCell extends SuppressionCell {
	table: string;
	/** A label, or a number (a month from implant) written as a number, so -6 gets no `'`. */
	group: string | number;
	stats: Stat[];
}

export interface AggregateRow extends Record<string, Cell> {
	table: string;
	group: string | number;
	statistic: string;
	value: number | string | null;
	suppressed: SuppressionReason | null;
}

export interface AggregateExport {
	rows: AggregateRow[];
	/** Rows per table, for the page's preview. */
	tables: { table: string; rows: number; suppressed: number }[];
	csv: string;
}

const count = (statistic: string, value: number): Stat => ({ statistic, value, count: true });
const stat = (statistic: string, value: number | null): Stat => ({ statistic, value, count: false });

function cell(
	table: string,
	group: string | number,
	part: string,
	counts: number[],
	stats: Stat[]
): AggregateCell {
	return { id: `${table}/${group}/${part}`, table, group, counts, size: counts[0] ?? 0, stats };
}

function proportionCell(table: string, group: string, name: string, p: Proportion): AggregateCell {
	return cell(
		table,
		group,
		name,
		[p.n, p.k, p.n - p.k],
		[
			count(`${name}_n`, p.n),
			count(`${name}_k`, p.k),
			stat(`${name}_rate`, p.rate),
			stat(`${name}_ci_low`, p.ci?.[0] ?? null),
			stat(`${name}_ci_high`, p.ci?.[1] ?? null)
		]
	);
}

const summaryStats = (s: {
	mean: number | null;
	median: number | null;
	q1: number | null;
	q3: number | null;
}) => [stat('mean', s.mean), stat('median', s.median), stat('q1', s.q1), stat('q3', s.q3)];

const OFFICE_COLUMNS = ['patients', 'implanted', 'not_implanted', 'trial_failed'] as const;

/** Gather the aggregate tables for the filters and settings, then suppress and flatten them. */
export async function aggregateExport(
	db: Database,
	filters: Filters,
	settings: Settings,
	now: Date
): Promise<AggregateExport> {
	const windows = DEFAULT_WINDOW_SETTINGS;
	const cohort = await runOne<CohortSummary>(db, cohortSummary(filters));
	const offices = await run<OfficeCount>(db, patientsByOffice(filters));
	const months = await run<PainMonth>(db, painByMonth(filters));
	const pain = await painReport(db, filters, windows);
	const mme = await withMmeFactors(db, settings.mmeFactors, () =>
		mmeReport(db, filters, settings.mmeFactors, windows)
	);
	const it = await run<ItDoseWindowRow>(
		db,
		itDoseAtWindows(filters, { windows, hydromorphoneFactor: settings.hydromorphoneFactor })
	);

	const cells: AggregateCell[] = [];
	const groups: SuppressionGroup[] = [];
	/**
	 * A count shown inside other cells (a denominator in each rule's cell), or a count two cells
	 * share (one k under a rule's two denominators): when the key is hidden, so are they.
	 */
	const linked = new Map<string, string[]>();
	const add = (...c: AggregateCell[]) => cells.push(...c);

	add(
		cell('cohort', 'all', 'patients', [cohort.patients], [count('patients', cohort.patients)]),
		cell(
			'cohort',
			'all',
			'implanted',
			[cohort.implanted],
			[count('implanted', cohort.implanted), stat('median_followup_months', cohort.median_followup_months)]
		),
		cell(
			'cohort',
			'all',
			'trial_failed',
			[cohort.trial_failed],
			[count('trial_failed', cohort.trial_failed)]
		),
		cell(
			'cohort',
			'all',
			'not_implanted',
			[cohort.patients - cohort.implanted],
			[count('not_implanted', cohort.patients - cohort.implanted)]
		),
		cell('cohort', 'all', 'spasticity', [cohort.spasticity], [count('spasticity', cohort.spasticity)]),
		cell(
			'cohort',
			'all',
			'outcome_population',
			[cohort.outcome_population],
			[count('outcome_population', cohort.outcome_population)]
		)
	);
	groups.push({
		total: 'cohort/all/implanted',
		members: ['cohort/all/spasticity', 'cohort/all/outcome_population']
	});

	// Patients are implanted or not (failed trials are some of the not implanted): the not implanted
	// are a cell of their own, so that patients - implanted never shows a small count.
	groups.push({
		total: 'cohort/all/patients',
		members: ['cohort/all/implanted', 'cohort/all/not_implanted']
	});
	const officeCount = (o: OfficeCount, column: (typeof OFFICE_COLUMNS)[number]) =>
		column === 'not_implanted' ? o.patients - o.implanted : o[column];
	for (const column of OFFICE_COLUMNS) {
		for (const o of offices)
			add(
				cell('offices', o.office, column, [officeCount(o, column)], [count(column, officeCount(o, column))])
			);
		groups.push({
			total: `cohort/all/${column}`,
			members: offices.map((o) => `offices/${o.office}/${column}`)
		});
	}
	for (const o of offices)
		groups.push({
			total: `offices/${o.office}/patients`,
			members: [`offices/${o.office}/implanted`, `offices/${o.office}/not_implanted`]
		});

	for (const m of months)
		add(cell('pain_by_month', m.month, 'scores', [m.n], [count('n', m.n), ...summaryStats(m)]));

	const b = pain.baseline;
	add(
		cell('pain_avg', 'baseline', 'scores', [b.n], [count('n', b.n), ...summaryStats(b), stat('sd', b.sd)]),
		cell('pain_avg', 'baseline', 'missing', [b.missing], [count('missing', b.missing)])
	);
	groups.push({
		total: 'cohort/all/outcome_population',
		members: ['pain_avg/baseline/scores', 'pain_avg/baseline/missing']
	});
	for (const w of pain.windows) {
		add(
			cell('pain_avg', w.label, 'due', [w.due], [count('due', w.due)]),
			cell('pain_avg', w.label, 'scores', [w.n], [count('n', w.n), ...summaryStats(w), stat('sd', w.sd)]),
			cell(
				'pain_avg',
				w.label,
				'change',
				[w.n_change],
				[count('n_change', w.n_change), stat('mean_change', w.mean_change)]
			),
			cell(
				'pain_avg',
				w.label,
				'pct',
				[w.n_pct],
				[
					count('n_pct', w.n_pct),
					stat('mean_pct_change', w.mean_pct_change),
					stat('pct_change_of_means', w.pct_change_of_means)
				]
			)
		);
		const rules = ['responders30', 'responders50', 'responders2pt'] as const;
		for (const rule of rules) {
			add(
				proportionCell('pain_avg', w.label, `${rule}_completers`, w[rule].completers),
				proportionCell('pain_avg', w.label, `${rule}_all_implanted`, w[rule].all_implanted)
			);
		}
		// Those left out of the percent metrics and the responders (no baseline, or one below 4) are
		// counts of their own: n = n_pct + left out; due = the all-implanted denominator + left out.
		// n_pct is the completers' denominator, shown in each rule's cell, and the all-implanted one
		// too: when one must be hidden, the rules' cells go with it.
		const a = w.responders30.all_implanted;
		const id = (part: string) => `pain_avg/${w.label}/${part}`;
		add(
			cell(
				'pain_avg',
				w.label,
				'left_out_pct',
				[w.excluded_low_baseline],
				[count('left_out_pct', w.excluded_low_baseline)]
			),
			cell('pain_avg', w.label, 'all_implanted', [a.n], []),
			cell(
				'pain_avg',
				w.label,
				'left_out_all_implanted',
				[a.excluded],
				[count('left_out_all_implanted', a.excluded)]
			)
		);
		// Scored with and without a baseline: n = n_change + the scored without one.
		add(
			cell(
				'pain_avg',
				w.label,
				'scored_without_baseline',
				[w.n - w.n_change],
				[count('scored_without_baseline', w.n - w.n_change)]
			)
		);
		// Due with and without a score (a completer is always due): due = n + the due without one.
		// When that is small, due goes rather than the scores.
		add(
			cell('pain_avg', w.label, 'due_without_score', [w.due - w.n], [count('due_without_score', w.due - w.n)])
		);
		groups.push(
			{ total: id('due'), members: [id('scores'), id('due_without_score')], complementTotal: true },
			{ total: id('scores'), members: [id('change'), id('scored_without_baseline')] },
			{ total: id('scores'), members: [id('pct'), id('left_out_pct')] },
			{ total: id('due'), members: [id('all_implanted'), id('left_out_all_implanted')] }
		);
		linked.set(
			id('pct'),
			rules.map((rule) => id(`${rule}_completers`))
		);
		linked.set(
			id('all_implanted'),
			rules.map((rule) => id(`${rule}_all_implanted`))
		);
		// One k under both denominators of a rule: its two cells are shown or hidden together.
		for (const rule of rules) {
			linked.set(id(`${rule}_completers`), [id(`${rule}_all_implanted`)]);
			linked.set(id(`${rule}_all_implanted`), [id(`${rule}_completers`)]);
		}
	}

	add(
		cell(
			'oral_mme',
			'baseline',
			'mme',
			[mme.baseline.n],
			[count('n', mme.baseline.n), ...summaryStats(mme.baseline)]
		),
		cell(
			'oral_mme',
			'at_implant',
			'mme',
			[mme.at_implant.n],
			[count('n', mme.at_implant.n), ...summaryStats(mme.at_implant)]
		)
	);
	for (const w of mme.windows) {
		const free = w.opioid_free;
		add(
			cell('oral_mme', w.label, 'mme', [w.n], [count('n', w.n), ...summaryStats(w)]),
			// The Opioids page's whiskers: Wilson 95%, as the responder rates.
			proportionCell('oral_mme', w.label, 'opioid_free', {
				...free,
				ci: wilsonInterval(free.k, free.n),
				excluded: 0
			})
		);
	}

	// Kaplan-Meier opioid-free (1 - S) at the report's days, as the Opioids page and report.md give
	// it: hidden when the number at risk, the events so far or the patients without one are 1-10.
	const km = mme.opioid_free;
	const times = await run<TimeCount>(db, opioidFreeCounts(filters));
	add(
		cell('opioid_free_km', 'all', 'patients', [km.n], [count('n', km.n), stat('median_day', km.median_day)])
	);
	const kmDays: string[] = [];
	for (const day of OPIOID_FREE_REPORT_DAYS) {
		const p = km.points.find((x) => x.day === day);
		if (!p) continue;
		const events = eventsUpTo(times, day);
		add(
			cell(
				'opioid_free_km',
				`day ${day}`,
				'estimate',
				[p.at_risk, events, km.n - events],
				[
					count('at_risk', p.at_risk),
					count('events', events),
					stat('cum_free', p.cum_free),
					stat('ci_low', p.lo),
					stat('ci_high', p.hi)
				]
			)
		);
		kmDays.push(`opioid_free_km/day ${day}/estimate`);
	}
	linked.set('opioid_free_km/all/patients', kmDays);

	for (const r of it) {
		add(cell('it_dose', `${r.series} ${r.label}`, 'dose', [r.n], [count('n', r.n), ...summaryStats(r)]));
	}

	const threshold = settings.suppressionThreshold;
	const hidden = suppress(cells, groups, threshold);
	for (let changed = true; changed;) {
		changed = false;
		for (const [id, dependents] of linked)
			for (const d of dependents)
				if (hidden.has(id) && !hidden.has(d)) {
					hidden.set(d, 'complementary');
					changed = true;
				}
	}
	const rows: AggregateRow[] = [
		// Provider codes never leave in an export (manifest.ts, recordedFilters).
		about('filters', recordedFilters(filters, { dropOffice: false }).text),
		about('suppression_threshold', threshold),
		about('mme_factors', settings.mmeFactors),
		about('hydromorphone_factor', settings.hydromorphoneFactor),
		about('exported_at', now.toISOString())
	];
	for (const c of cells) {
		const reason = hidden.get(c.id) ?? null;
		for (const s of c.stats) {
			const value = s.count
				? reason
					? showHiddenCount(s.value!, true, threshold)
					: showCount(s.value!, threshold)
				: showValue(s.value, reason !== null);
			rows.push({ table: c.table, group: c.group, statistic: s.statistic, value, suppressed: reason });
		}
	}
	const tables = [...new Set(rows.map((r) => r.table))].map((table) => {
		const of = rows.filter((r) => r.table === table);
		return { table, rows: of.length, suppressed: of.filter((r) => r.suppressed !== null).length };
	});
	return { rows, tables, csv: toCsv(['table', 'group', 'statistic', 'value', 'suppressed'], rows).text };
}

function about(statistic: string, value: number | string): AggregateRow {
	return { table: 'about', group: 'export', statistic, value, suppressed: null };
}
