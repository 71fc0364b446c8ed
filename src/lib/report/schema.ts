import { z } from 'zod';

/**
 * The command-line report's JSON document (report.md), as a zod schema: the documentation of the
 * format and the test of it in one. Every field is listed and required, and every object is
 * strict: a field renamed, added or dropped fails the tests that parse real reports with it.
 * A number that is undefined (no patients, suppressed) is null.
 */
const num = z.number().nullable();
const int = z.number().int();
const interval = z.tuple([num, num]);
/** A count of 1 to threshold - 1 as published under suppression: "<11" at the default threshold. */
const small = z.string().regex(/^<\d+$/);
/** A count as published under suppression: the count, `"<11"` when small, or null when hidden. */
const shownCount = z.union([int, small, z.null()]);
const nullableInterval = interval.nullable();

type Count = typeof int | typeof shownCount;

const flag = z.enum(['in_control', 'high_95', 'low_95', 'high_99.8', 'low_99.8']);

/**
 * report.md's `offices`: always published with small cells suppressed (outcomes.md section 6), in
 * every report. A suppressed unit has `suppressed: true`, its n `"<11"` (1-10) or null, its other
 * numbers null.
 */
const offices = z.strictObject({
	window: z.literal('12m'),
	metric: z.literal('responders30'),
	method: z.enum(['exact', 'normal']).describe('funnel limits: exact binomial (Spiegelhalter) or normal'),
	target: num.describe('pooled rate Σk / Σn over all offices; null when the practice is hidden'),
	suppression_threshold: int,
	units: z.array(
		z.strictObject({
			office: z.string(),
			n: shownCount.describe('due at 12 months with a baseline >= 4 (all-implanted denominator)'),
			k: shownCount.describe('>= 30% responders'),
			rate: num,
			ci: nullableInterval.describe('Wilson 95%'),
			limits95: nullableInterval,
			limits998: nullableInterval,
			flag: flag.nullable().describe('strictly outside a limit; null when the unit is hidden'),
			suppressed: z.boolean()
		})
	),
	providers: z.array(
		z.strictObject({
			office: z.string(),
			provider_id: z.string(),
			n: shownCount,
			k: shownCount,
			rate: num,
			ci: nullableInterval,
			suppressed: z.boolean()
		})
	)
});

/**
 * The document, with `count` the type of every count outside `offices`: a plain integer in the
 * default report, `int | "<11" | null` under --suppress (src/lib/report/suppress.ts says which).
 */
function documentSchema(count: Count, suppressed: 'offices' | 'all') {
	const proportion = z.strictObject({
		n: count.describe('denominator'),
		k: count.describe('responders'),
		rate: num,
		ci: nullableInterval.describe('Wilson 95% interval, z = 1.959964; null when n = 0'),
		excluded: count.describe('left out of this denominator: baseline missing or below 4')
	});
	const responders = z.strictObject({ completers: proportion, all_implanted: proportion });
	const windowLabel = z.string().describe('"3m" | "6m" | "12m" | "18m" | "24m" | "36m"');
	const painWindow = z.strictObject({
		label: windowLabel,
		target_day: int,
		n: count.describe('completers: patients with a score in the window'),
		mean: num,
		sd: num,
		median: num,
		q1: num,
		q3: num,
		mean_ci: nullableInterval.describe('95% interval of the mean (t)'),
		due: count.describe('patients due at the window (follow-up reaches it)'),
		n_change: count.describe('completers with a baseline: the n of mean_change'),
		mean_change: num.describe('mean of follow-up - baseline; negative is better'),
		n_pct: count.describe('completers with a baseline >= 4: the n of the % metrics'),
		mean_pct_change: num.describe('mean of individual % changes (completers, baseline >= 4)'),
		pct_change_of_means: num.describe('% change of the group means (same patients)'),
		excluded_low_baseline: count.describe('completers left out of % metrics: baseline missing or < 4'),
		responders30: responders.describe('>= 30% reduction (IMMPACT)'),
		responders50: responders.describe('>= 50% reduction'),
		responders2pt: responders.describe('>= 2-point reduction'),
		wilcoxon: z.strictObject({
			n: count.describe('non-zero differences ranked'),
			zeros: count.describe('zero differences dropped before ranking'),
			statistic: num.describe('V: sum of the ranks of positive differences'),
			z: num,
			p: num,
			approximate: z.boolean()
		})
	});
	const painMeasure = z.strictObject({
		baseline: z.strictObject({
			n: count,
			mean: num,
			sd: num,
			median: num,
			q1: num,
			q3: num,
			missing: count.describe('outcome-population patients without a baseline for the measure'),
			trial_shifted: count.describe('baselines taken before a trial more than 90 days before implant'),
			mean_ci: nullableInterval.describe('95% interval of the mean (t)')
		}),
		windows: z.array(painWindow)
	});
	const summary = z.strictObject({ n: count, mean: num, median: num, q1: num, q3: num });
	const doseWindow = summary.extend({ label: windowLabel, target_day: int });

	return z.strictObject({
		settings: z.strictObject({
			mme_factors: z.enum(['cdc2022', 'cdc2016']),
			hydromorphone_factor: z.number(),
			window_half_width: int.describe('days either side of a window’s target day'),
			suppression_threshold: int.describe('counts from 1 to this - 1 are small (outcomes.md section 6)'),
			suppressed: z.literal(suppressed).describe('"offices": only offices is suppressed; "all": --suppress')
		}),
		filters: z
			.strictObject({
				description: z.string(),
				offices: z.array(z.string()),
				providers: z.array(z.string()),
				diagnoses: z.array(z.string()),
				sexes: z.array(z.string()),
				ageBands: z.array(z.string()),
				programs: z.array(z.string()),
				itDrugs: z.array(z.string()),
				implantYearFrom: int.nullable(),
				implantYearTo: int.nullable()
			})
			.describe(
				'the filters the numbers are for: "no filters" from the command line; the app records its view'
			),
		import: z.strictObject({
			files: z.array(
				z.strictObject({
					file: z.string(),
					kind: z.enum(['patients', 'pain_scores', 'oral_opioids', 'pump_events']),
					mapping: z
						.record(z.string(), z.string().nullable())
						.describe('source header -> contract column (null: ignored)'),
					read: count,
					loaded: count,
					rejected: count,
					skipped: count,
					warnings: z.array(z.string()),
					dates: z
						.strictObject({
							format: z.enum(['YYYY-MM-DD', 'M/D/YYYY', 'D/M/YYYY']),
							order_from: z
								.enum(['values', 'choice'])
								.nullable()
								.describe(
									'what decided the day-month order: the values, or a choice (--date-order, or the answer on the page); null for YYYY-MM-DD'
								)
						})
						.nullable()
						.describe('how the dates were read; null for a file in day form'),
					problem_count: count.describe('problems found (one rejected row may have several)'),
					problems: z
						.array(
							z.strictObject({
								line: z.number().int(),
								column: z.string().nullable(),
								value: z.string().nullable(),
								rule: z.string()
							})
						)
						.describe('the first 200 of problem_count, in line order; empty under --suppress'),
					skipped_lines: z
						.array(
							z.strictObject({
								line: z.number().int(),
								reason: z.enum(['blank line', 'comment line', 'repeated header', 'preamble'])
							})
						)
						.describe('the first 200 skipped lines, with why; empty under --suppress')
				})
			),
			refused: z
				.array(z.strictObject({ file: z.string(), reason: z.string() }))
				.describe('files not imported, with why')
		}),
		cohort: z.strictObject({
			patients: count,
			implanted: count,
			trial_failed: count,
			excluded: z.array(z.strictObject({ reason: z.string(), n: count }))
		}),
		pain: z.strictObject({ pain_avg: painMeasure, pain_worst: painMeasure.optional() }),
		oral_mme: z.strictObject({
			factors: z.enum(['cdc2022', 'cdc2016']),
			baseline: summary,
			at_implant: summary,
			windows: z.array(doseWindow.extend({ opioid_free: z.strictObject({ n: count, k: count, rate: num }) })),
			opioid_free: z.strictObject({
				n: count,
				points: z.array(
					z.strictObject({
						day: int,
						cum_free: num,
						lo: num,
						hi: num,
						at_risk: count,
						events: count.describe('opioid-free events up to and including the day')
					})
				),
				median_day: num
			}),
			excluded_prescriptions: z.array(z.strictObject({ reason: z.string(), n: count }))
		}),
		it_dose: z.strictObject({
			morphine_eq: z.strictObject({ windows: z.array(doseWindow) }),
			by_drug: z.array(z.strictObject({ drug: z.string(), unit: z.string(), windows: z.array(doseWindow) })),
			escalation: z.strictObject({
				n: count,
				median_per_year: num,
				q1: num,
				q3: num,
				median_pct_per_year: num,
				q1_pct_per_year: num,
				q3_pct_per_year: num
			})
		}),
		offices
	});
}

/** `npm run report -- DIR --json`: exact counts everywhere but in `offices`. */
export const reportSchema = documentSchema(int, 'offices');

/** `npm run report -- DIR --json --suppress`: every count may be `"<11"` or null (suppress.ts). */
export const suppressedReportSchema = documentSchema(shownCount, 'all');
