// Bench only: the dashboard's metric set (metricSet.ts) written with Arquero, the way an analyst
// would: per-patient tables built once (as the app's derive step does), then one pass per filter.
// The definitions follow src/lib/sql (cohort.ts, pain.ts, derivePain.ts, painOutcomes.ts).
// Expressions are strings: Arquero parses a function's source, which a minifier would rename.
import * as aq from 'arquero';
import type { Filters } from '$lib/sql';
import { quartilesOfCells, type Cell } from '$lib/sql/pain';
import type { MetricSet, Responders12m } from './metricSet';
import type { PainColumns, PatientColumns } from './inputs';

type Table = ReturnType<typeof aq.table>;
type Row = Record<string, unknown>;

export interface ArqueroDerived {
	facts: Table;
	/** Patient-months counted per office, month and mean, as the app's pain_month_cells. */
	painCells: Table;
	/** One row per patient of painMonth, as the app's pain_patients. */
	painPatients: Table;
	/** The 12-month patients counted per office and flag combination, as the app's pain_window_cells. */
	cells12m: Table;
}

/**
 * The per-patient tables: facts, pain by patient-month, the patients with a month in the
 * trajectory, and the 12-month baseline/score pairs. Like the app's derive step (derive.ts), the
 * patient-months are kept only for the outcome population and the trajectory's months, the
 * patients behind them are listed once, the patient-months are counted per office, month and
 * mean (as pain_month_cells), and the 12-month patients per office and flag combination (as
 * pain_window_cells), so a filter change reads only what it needs.
 */
export function arqueroDerive(patients: PatientColumns, pain: PainColumns): ArqueroDerived {
	const facts = aq.table(patients).derive({
		implanted: 'd => d.implant_year != null',
		trial_failed: "d => d.trial_result === 'fail'",
		in_outcome: "d => d.implant_year != null && d.diagnosis !== 'spasticity'"
	});
	const scores = aq.table(pain);
	const painMonth = scores
		.derive({ month: 'd => op.floor(d.day / 30.4375)' })
		.groupby('patient_id', 'month')
		.rollup({ pain: 'd => op.mean(d.pain_avg)' })
		.join(facts.select('patient_id', 'office', 'in_outcome'), 'patient_id')
		.filter('d => d.in_outcome && d.month >= -6 && d.month <= 36');
	const painPatients = painMonth.select('patient_id', 'office').dedupe('patient_id');
	const painCells = painMonth.groupby('office', 'month', 'pain').count({ as: 'n' });

	const population = facts
		.filter('d => d.in_outcome')
		.derive({ shifted: 'd => d.trial_day != null && d.trial_day < -90' })
		.derive({
			lo: 'd => d.shifted ? d.trial_day - 90 : -90',
			hi: 'd => d.shifted ? d.trial_day - 1 : -1'
		});
	const baseline = scores
		.filter('d => d.pain_avg != null')
		.join(population.select('patient_id', 'lo', 'hi', 'trial_day'), 'patient_id')
		.filter('d => d.day >= d.lo && d.day <= d.hi && (d.trial_day == null || d.day < d.trial_day)')
		.groupby('patient_id')
		.orderby(aq.desc('day'), aq.desc('_line'))
		.filter('() => op.row_number() === 1')
		.ungroup()
		.select('patient_id', { pain_avg: 'baseline' });
	const window12 = scores
		.filter('d => d.day >= 320 && d.day < 410')
		.semijoin(population, 'patient_id')
		.derive({ dist: 'd => op.abs(d.day - 365)' })
		.groupby('patient_id')
		.orderby('dist', 'day', aq.desc('_line'))
		.filter('() => op.row_number() === 1')
		.ungroup()
		.select('patient_id', { day: 'score_day', pain_avg: 'score' });
	const patients12m = population
		.select('patient_id', 'office', 'followup_end_day', 'followup_end_reason')
		.join_left(baseline, 'patient_id')
		.join_left(window12, 'patient_id')
		.derive({
			b: 'd => d.baseline == null ? null : op.round(10 * d.baseline)',
			s: 'd => d.score == null ? null : op.round(10 * d.score)',
			due:
				"d => (d.followup_end_day != null && d.followup_end_day >= 320) || d.followup_end_reason === 'explant' " +
				"|| d.followup_end_reason === 'death' || d.followup_end_reason === 'lost' || d.score_day != null"
		})
		.derive({ eligible: 'd => d.b != null && d.b >= 40' });
	// Responders among eligible completers (a null score or baseline never reaches a rule).
	const rule = {
		r30: '10 * (d.b - d.s) >= 3 * d.b',
		r50: '2 * (d.b - d.s) >= d.b',
		r2pt: 'd.b - d.s >= 20'
	};
	const responded = (r: string) => `d => d.eligible && d.completer && ${r}`;
	const cells12m = patients12m
		.derive({ completer: 'd => d.s != null' })
		.derive({ r30: responded(rule.r30), r50: responded(rule.r50), r2pt: responded(rule.r2pt) })
		.groupby('office', 'due', 'completer', 'eligible', 'r30', 'r50', 'r2pt')
		.count({ as: 'k' });
	return { facts, painCells, painPatients, cells12m };
}

function byOffice(t: Table, f: Filters): Table {
	if (f.offices.length === 0) return t;
	const offices = new Set(f.offices);
	return t.filter(aq.escape((d: Row) => offices.has(d.office as string)));
}

/** The metric set for one filter (offices only: the bench's filter changes are office ticks). */
export function arqueroMetricSet(derived: ArqueroDerived, f: Filters): MetricSet {
	const facts = byOffice(derived.facts, f);
	const [summary] = facts
		.rollup({
			patients: '() => op.count()',
			implanted: 'd => op.sum(d.implanted ? 1 : 0)',
			trial_failed: 'd => op.sum(d.trial_failed ? 1 : 0)',
			spasticity: "d => op.sum(d.implanted && d.diagnosis === 'spasticity' ? 1 : 0)",
			outcome_population: 'd => op.sum(d.in_outcome ? 1 : 0)',
			median_followup: 'd => op.median(d.implanted ? d.followup_end_day : null)'
		})
		.objects() as Row[];
	// As the app does: the counts per month and mean, then the quartiles from the running counts.
	const cells = byOffice(derived.painCells, f)
		.groupby('month', 'pain')
		.rollup({ n: 'd => op.sum(d.n)' })
		.objects() as Cell[];
	cells.sort((a, b) => a.month - b.month || (a.pain ?? Infinity) - (b.pain ?? Infinity));
	const byMonth = quartilesOfCells(cells);
	const patients = byOffice(derived.painPatients, f).numRows();
	const sum = (cond: string) => `d => op.sum(${cond} ? d.k : 0)`;
	const [r] = byOffice(derived.cells12m, f)
		.rollup({
			completers_n: sum('d.completer && d.eligible'),
			all_implanted_n: sum('d.due && d.eligible'),
			excluded_completers: sum('d.completer && !d.eligible'),
			excluded_all_implanted: sum('d.due && !d.eligible'),
			responders30_completers: sum('d.r30'),
			responders30_all_implanted: sum('d.due && d.r30'),
			responders50_completers: sum('d.r50'),
			responders50_all_implanted: sum('d.due && d.r50'),
			responders2pt_completers: sum('d.r2pt'),
			responders2pt_all_implanted: sum('d.due && d.r2pt')
		})
		.objects() as Responders12m[];
	const s = summary as Row;
	const median = s.median_followup as number | null | undefined;
	return {
		summary: {
			patients: s.patients as number,
			implanted: s.implanted as number,
			trial_failed: s.trial_failed as number,
			spasticity: s.spasticity as number,
			outcome_population: s.outcome_population as number,
			median_followup_months: median == null || Number.isNaN(median) ? null : median / 30.4375
		},
		months: byMonth,
		painPatients: patients,
		responders12m: r!
	};
}
