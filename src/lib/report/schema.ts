import { z } from 'zod';

/**
 * The command-line report's JSON document (report.md), as a zod schema: the documentation of the
 * format and the test of it in one. Fields named in report.md are required; more may be present.
 * A number that is undefined (no patients, suppressed) is null.
 */
const num = z.number().nullable();
const int = z.number().int();
const interval = z.tuple([num, num]);

const proportion = z.object({
	n: int.describe('denominator'),
	k: int.describe('responders'),
	rate: num,
	ci: interval.describe('Wilson 95% interval, z = 1.959964')
});

const windowLabel = z.string().describe('"3m" | "6m" | "12m" | "18m" | "24m" | "36m"');

const painWindow = z.object({
	label: windowLabel,
	target_day: int,
	n: int.describe('completers: patients with a score in the window'),
	mean: num,
	sd: num,
	median: num,
	q1: num,
	q3: num,
	mean_change: num.describe('mean of follow-up - baseline; negative is better'),
	mean_pct_change: num.describe('mean of individual % changes (completers, baseline >= 4)'),
	pct_change_of_means: num.describe('% change of the group means (same patients)'),
	excluded_low_baseline: int.describe('completers left out of % metrics: baseline missing or < 4'),
	responders30: z.object({ completers: proportion, all_implanted: proportion }),
	responders50: z.object({ completers: proportion, all_implanted: proportion }),
	wilcoxon: z.object({
		n: int,
		statistic: num.describe('V: sum of the ranks of positive differences'),
		z: num,
		p: num,
		approximate: z.boolean()
	})
});

const painMeasure = z.object({
	baseline: z.object({ n: int, mean: num, sd: num, median: num, q1: num, q3: num }),
	windows: z.array(painWindow)
});

const summary = z.object({ n: int, mean: num, median: num, q1: num, q3: num });
const doseWindow = summary.extend({ label: windowLabel, target_day: int });

export const reportSchema = z.object({
	import: z.object({
		files: z.array(
			z.object({
				file: z.string(),
				kind: z.enum(['patients', 'pain_scores', 'oral_opioids', 'pump_events']),
				mapping: z
					.record(z.string(), z.string().nullable())
					.describe('source header -> contract column (null: ignored)'),
				read: int,
				loaded: int,
				rejected: int,
				skipped: int,
				warnings: z.array(z.string())
			})
		)
	}),
	cohort: z.object({
		patients: int,
		implanted: int,
		trial_failed: int,
		excluded: z.array(z.object({ reason: z.string(), n: int }))
	}),
	pain: z.object({ pain_avg: painMeasure, pain_worst: painMeasure.optional() }),
	oral_mme: z.object({
		factors: z.enum(['cdc2022', 'cdc2016']),
		baseline: summary,
		at_implant: summary,
		windows: z.array(doseWindow.extend({ opioid_free: z.object({ n: int, k: int, rate: num }) })),
		opioid_free: z.object({
			n: int,
			points: z.array(z.object({ day: int, cum_free: num, lo: num, hi: num, at_risk: int })),
			median_day: num
		}),
		excluded_prescriptions: z.array(z.object({ reason: z.string(), n: int }))
	}),
	it_dose: z.object({
		morphine_eq: z.object({ windows: z.array(doseWindow) }),
		by_drug: z.array(z.object({ drug: z.string(), unit: z.string(), windows: z.array(doseWindow) })),
		escalation: z.object({ n: int, median_per_year: num, q1: num, q3: num, median_pct_per_year: num })
	})
});
