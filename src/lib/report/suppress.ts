import {
	isSmall,
	OPIOID_FREE_REPORT_DAYS,
	showHiddenCount,
	suppress,
	type Shown,
	type SuppressionCell,
	type SuppressionGroup,
	type SuppressionReason
} from '$lib/outcomes';
import type { PainMeasureReport } from '$lib/sql';
import { COHORT_EXCLUSIONS } from './cohort';
import type { ReportDocument } from './index';

/**
 * `report --suppress`: outcomes.md section 6 applied to the whole document, at the threshold the
 * document records (`settings.suppression_threshold`, 11 unless changed). docs/report.md lists
 * the result section by section; in short:
 *
 * - Every count from 1 to threshold - 1 is the string `"<11"`.
 * - A statistic (mean, SD, median, quartiles, interval, rate, test statistic, Kaplan-Meier
 *   estimate) is null when a count it rests on is hidden, or when its k or n - k is small.
 * - Complementary suppression (the same `suppress` as the leadership page) over the additions a
 *   reader can make inside the document: read = loaded + rejected + skipped (per file);
 *   patients = implanted + not implanted; implanted = pain baseline n + without a baseline +
 *   spasticity; per window, n = n for % + left out of % (completers), n = n for the change +
 *   the scored without a baseline, due = all-implanted n + left out (all implanted), due = n +
 *   the due without a score (when that is small, due goes, not the scores), n paired = Wilcoxon
 *   n + zero differences. A hidden count is `"<11"` when small and null otherwise (a hidden 0 is
 *   null too).
 * - Row-level detail goes: the import's `problems` (line numbers and cell values) and
 *   `skipped_lines` (line numbers), the import
 *   warnings that state a number (counts and line numbers), and the Kaplan-Meier points at the
 *   days of individual events (the fixed report days stay).
 * - `offices` is unchanged (it is suppressed at the same threshold in every report), but its
 *   target may go: see `sameCohort` below.
 *
 * Not covered: differences between counts that no addition above relates (e.g. one window's n
 * minus the next one's), and bounds reasoning with `"<11"` (1-10).
 */
export function suppressReport(doc: ReportDocument) {
	const threshold = doc.settings.suppression_threshold;
	if (doc.offices.suppression_threshold !== threshold) {
		throw new Error(
			`offices were suppressed at ${doc.offices.suppression_threshold}, the document at ${threshold}`
		);
	}
	const ledger = new Ledger(threshold);
	// The offices' target is the practice's responder rate (>= 30%, all-implanted denominator) at
	// its window: the pain section's k / n for pain_avg there whenever both count the same patients
	// (no office or provider filter; with one, the offices count every office). Its exact value gives
	// n and k away (one n <= due fits it), so the pain section keeps that n shown where it can, hiding
	// another cell of its additions instead (there, due). Where it cannot, or that rate alone would
	// rest on a small k or n - k, the target goes, and the funnel limits and flags resting on it. The
	// pain section may still hide the same rate beside its hidden completers' rate (one k, both
	// denominators): the target is then its only place, and reveals no hidden count.
	const sameCohort = doc.filters.offices.length === 0 && doc.filters.providers.length === 0;
	const practiceN = `pain.pain_avg.windows.${doc.offices.window}.all_implanted.n`;
	if (sameCohort) ledger.keep([practiceN]);
	const worst = 'pain_worst' in doc.pain ? doc.pain.pain_worst : undefined;
	// Register every count and addition first; render once the hidden cells are known.
	const render = {
		import: importPart(doc.import, ledger),
		cohort: cohortPart(doc.cohort, ledger),
		pain_avg: painPart('pain.pain_avg', doc.pain.pain_avg, ledger),
		pain_worst: worst ? painPart('pain.pain_worst', worst, ledger) : null,
		oral_mme: mmePart(doc.oral_mme, ledger),
		it_dose: itDosePart(doc.it_dose, ledger)
	};
	ledger.resolve();
	const pain_avg = render.pain_avg.render();
	const targetHidden =
		sameCohort &&
		(ledger.isHidden(practiceN) ||
			render.pain_avg.allImplantedRateHidden(doc.offices.window, 'responders30'));
	return {
		settings: { ...doc.settings, suppressed: 'all' as const },
		filters: doc.filters,
		import: render.import(),
		cohort: render.cohort(),
		pain: render.pain_worst ? { pain_avg, pain_worst: render.pain_worst.render() } : { pain_avg },
		oral_mme: render.oral_mme(),
		it_dose: render.it_dose(),
		offices: targetHidden ? withoutTarget(doc.offices) : doc.offices
	};
}

export type SuppressedReport = ReturnType<typeof suppressReport>;

/** The offices without the practice's rate: the target, and the limits and flags computed from it. */
function withoutTarget(o: ReportDocument['offices']): ReportDocument['offices'] {
	return {
		...o,
		target: null,
		units: o.units.map((u) => ({ ...u, limits95: null, limits998: null, flag: null }))
	};
}

/** The published counts, the additions between them, and (once resolved) which are hidden. */
class Ledger {
	private readonly cells: SuppressionCell[] = [];
	private readonly groups: SuppressionGroup[] = [];
	private readonly values = new Map<string, number>();
	private readonly kept = new Set<string>();
	private hidden: ReadonlyMap<string, SuppressionReason> | null = null;

	constructor(readonly threshold: number) {}

	/**
	 * A published count. `same` are the places the document publishes the very same count again
	 * (e.g. the completers n of each responder rule): they must agree, and are shown or hidden as one.
	 */
	count(id: string, value: number, same: readonly number[] = []): string {
		if (this.values.has(id)) throw new Error(`report suppression: ${id} registered twice`);
		for (const v of same) {
			if (v !== value) throw new Error(`report suppression: ${id} is published as ${value} and as ${v}`);
		}
		this.values.set(id, value);
		this.cells.push({ id, counts: [value], size: value, keep: this.kept.has(id) });
		return id;
	}

	/**
	 * Counts another section publishes where this ledger cannot hide them (the offices' practice
	 * total): complementary suppression hides other cells first. Call before registering them.
	 */
	keep(ids: readonly string[]): void {
		for (const id of ids) this.kept.add(id);
	}

	/**
	 * Members add up to the total. Registered only when the published numbers do: an addition that
	 * does not hold lets nobody recover anything.
	 */
	adds(total: string, members: readonly string[], complementTotal = false): void {
		const sum = members.reduce((s, m) => s + this.value(m), 0);
		if (sum === this.value(total)) this.groups.push({ total, members, complementTotal });
	}

	resolve(): void {
		this.hidden = suppress(this.cells, this.groups, this.threshold);
	}

	/** The count as published: itself, or `<threshold` (small) or null when hidden. */
	shown(id: string): Shown {
		return showHiddenCount(this.value(id), this.isHidden(id), this.threshold);
	}

	isHidden(id: string): boolean {
		if (!this.hidden) throw new Error('report suppression: resolve() first');
		return this.hidden.has(id);
	}

	/** A statistic is hidden when a count it rests on is hidden, or when any of `rule` is small. */
	hides(on: readonly string[], rule: readonly number[] = []): boolean {
		return on.some((id) => this.isHidden(id)) || rule.some((x) => isSmall(x, this.threshold));
	}

	/** A count inside a statistic: shown with it, otherwise `<threshold` when small, else null. */
	within(value: number, hidden: boolean): Shown {
		return showHiddenCount(value, hidden, this.threshold);
	}

	private value(id: string): number {
		const v = this.values.get(id);
		if (v === undefined) throw new Error(`report suppression: no count ${id}`);
		return v;
	}
}

const hide = <T>(value: T, hidden: boolean): T | null => (hidden ? null : value);

/** Leaves out warnings that state a number: row counts and line numbers of single records. */
const statesNoNumber = (w: string) => !/\d/.test(w);

function importPart(section: ReportDocument['import'], L: Ledger) {
	const files = section.files.map((f, i) => {
		const id = (k: string) => `import.files.${i}.${k}`;
		const read = L.count(id('read'), f.read);
		const parts = (['loaded', 'rejected', 'skipped'] as const).map((k) => L.count(id(k), f[k]));
		L.adds(read, parts);
		const problemCount = L.count(id('problem_count'), f.problem_count);
		return () => ({
			...f,
			read: L.shown(read),
			loaded: L.shown(parts[0]!),
			rejected: L.shown(parts[1]!),
			skipped: L.shown(parts[2]!),
			warnings: f.warnings.filter(statesNoNumber),
			problem_count: L.shown(problemCount),
			problems: [],
			skipped_lines: []
		});
	});
	return () => ({ files: files.map((f) => f()), refused: section.refused });
}

const COHORT = {
	implanted: 'cohort.implanted',
	spasticity: 'cohort.excluded.spasticity'
};

function cohortPart(c: ReportDocument['cohort'], L: Ledger) {
	const patients = L.count('cohort.patients', c.patients);
	L.count(COHORT.implanted, c.implanted);
	const trialFailed = L.count('cohort.trial_failed', c.trial_failed);
	const excluded = c.excluded.map((e, i) => {
		const key = Object.entries(COHORT_EXCLUSIONS).find(([, reason]) => reason === e.reason)?.[0];
		return L.count(key === 'spasticity' ? COHORT.spasticity : `cohort.excluded.${key ?? i}`, e.n);
	});
	const notImplanted = c.excluded.findIndex((e) => e.reason === COHORT_EXCLUSIONS.notImplanted);
	if (notImplanted >= 0) L.adds(patients, [COHORT.implanted, excluded[notImplanted]!]);
	return () => ({
		patients: L.shown(patients),
		implanted: L.shown(COHORT.implanted),
		trial_failed: L.shown(trialFailed),
		excluded: c.excluded.map((e, i) => ({ reason: e.reason, n: L.shown(excluded[i]!) }))
	});
}

const RULES = ['responders30', 'responders50', 'responders2pt'] as const;

function painPart(path: string, m: PainMeasureReport, L: Ledger) {
	const b = m.baseline;
	const bn = L.count(`${path}.baseline.n`, b.n);
	const missing = L.count(`${path}.baseline.missing`, b.missing);
	const shifted = L.count(`${path}.baseline.trial_shifted`, b.trial_shifted);
	// The outcome population: implanted patients but spasticity, with or without a baseline.
	L.adds(COHORT.implanted, [bn, missing, COHORT.spasticity]);

	const windows = m.windows.map((w) => {
		const id = (k: string) => `${path}.windows.${w.label}.${k}`;
		const r = RULES.map((rule) => w[rule]);
		const n = L.count(id('n'), w.n);
		const due = L.count(id('due'), w.due);
		const nChange = L.count(id('n_change'), w.n_change);
		const nPct = L.count(
			id('n_pct'),
			w.n_pct,
			r.map((x) => x.completers.n)
		);
		const leftOut = L.count(
			id('excluded_low_baseline'),
			w.excluded_low_baseline,
			r.map((x) => x.completers.excluded)
		);
		const allN = L.count(
			id('all_implanted.n'),
			r[0]!.all_implanted.n,
			r.map((x) => x.all_implanted.n)
		);
		const allLeftOut = L.count(
			id('all_implanted.excluded'),
			r[0]!.all_implanted.excluded,
			r.map((x) => x.all_implanted.excluded)
		);
		const wn = L.count(id('wilcoxon.n'), w.wilcoxon.n);
		const zeros = L.count(id('wilcoxon.zeros'), w.wilcoxon.zeros);
		// Not published, but n - n_change: the scored without a baseline.
		const withoutBaseline = L.count(id('scored_without_baseline'), w.n - w.n_change);
		// Not published, but due - n: the patients due without a score (a completer is always due).
		// When small, due goes rather than the scores.
		const dueWithoutScore = L.count(id('due_without_score'), w.due - w.n);
		L.adds(n, [nPct, leftOut]);
		L.adds(n, [nChange, withoutBaseline]);
		L.adds(due, [allN, allLeftOut]);
		L.adds(due, [n, dueWithoutScore], true);
		L.adds(nChange, [wn, zeros]);

		// One k under both denominators: its rates are shown or hidden together.
		const respondersHidden = (rule: (typeof RULES)[number]) => {
			const { completers: c, all_implanted: a } = w[rule];
			return L.hides([nPct, allN], [c.k, c.n - c.k, a.n - a.k]);
		};
		// The all-implanted rate on its own: its n shown, neither k nor n - k small (offices.target).
		const allImplantedRateHidden = (rule: (typeof RULES)[number]) => {
			const a = w[rule].all_implanted;
			return L.hides([allN], [a.k, a.n - a.k]);
		};
		const render = () => {
			const scores = L.hides([n]);
			const change = L.hides([nChange]);
			const pct = L.hides([nPct]);
			const wilcoxon = L.hides([wn]);
			const responders = (rule: (typeof RULES)[number]) => {
				const { completers: c, all_implanted: a } = w[rule];
				const h = respondersHidden(rule);
				const k = L.within(c.k, h);
				return {
					completers: {
						n: L.shown(nPct),
						k,
						rate: hide(c.rate, h),
						ci: hide(c.ci, h),
						excluded: L.shown(leftOut)
					},
					all_implanted: {
						n: L.shown(allN),
						k,
						rate: hide(a.rate, h),
						ci: hide(a.ci, h),
						excluded: L.shown(allLeftOut)
					}
				};
			};
			return {
				label: w.label,
				target_day: w.target_day,
				n: L.shown(n),
				mean: hide(w.mean, scores),
				sd: hide(w.sd, scores),
				median: hide(w.median, scores),
				q1: hide(w.q1, scores),
				q3: hide(w.q3, scores),
				mean_ci: hide(w.mean_ci, scores),
				due: L.shown(due),
				n_change: L.shown(nChange),
				mean_change: hide(w.mean_change, change),
				n_pct: L.shown(nPct),
				mean_pct_change: hide(w.mean_pct_change, pct),
				pct_change_of_means: hide(w.pct_change_of_means, pct),
				excluded_low_baseline: L.shown(leftOut),
				responders30: responders('responders30'),
				responders50: responders('responders50'),
				responders2pt: responders('responders2pt'),
				wilcoxon: {
					n: L.shown(wn),
					zeros: L.shown(zeros),
					statistic: hide(w.wilcoxon.statistic, wilcoxon),
					z: hide(w.wilcoxon.z, wilcoxon),
					p: hide(w.wilcoxon.p, wilcoxon),
					approximate: w.wilcoxon.approximate
				}
			};
		};
		return { label: w.label, render, allImplantedRateHidden };
	});

	const render = () => {
		const h = L.hides([bn]);
		return {
			baseline: {
				n: L.shown(bn),
				mean: hide(b.mean, h),
				sd: hide(b.sd, h),
				median: hide(b.median, h),
				q1: hide(b.q1, h),
				q3: hide(b.q3, h),
				mean_ci: hide(b.mean_ci, h),
				missing: L.shown(missing),
				trial_shifted: L.shown(shifted)
			},
			windows: windows.map((w) => w.render())
		};
	};
	/** Whether a window's all-implanted rate for a rule, taken alone, rests on a hidden or small count. */
	const allImplantedRateHidden = (label: string, rule: (typeof RULES)[number]): boolean => {
		const w = windows.find((x) => x.label === label);
		if (!w) throw new Error(`report suppression: no ${path} window ${label}`);
		return w.allImplantedRateHidden(rule);
	};
	return { render, allImplantedRateHidden };
}

interface Summary {
	n: number;
	mean: number | null;
	median: number | null;
	q1: number | null;
	q3: number | null;
}

/** A summary (n, mean, median, quartiles): its statistics go with its n. */
function summaryPart(id: string, s: Summary, L: Ledger) {
	const n = L.count(`${id}.n`, s.n);
	return () => {
		const h = L.hides([n]);
		return {
			n: L.shown(n),
			mean: hide(s.mean, h),
			median: hide(s.median, h),
			q1: hide(s.q1, h),
			q3: hide(s.q3, h)
		};
	};
}

function mmePart(m: ReportDocument['oral_mme'], L: Ledger) {
	const baseline = summaryPart('oral_mme.baseline', m.baseline, L);
	const atImplant = summaryPart('oral_mme.at_implant', m.at_implant, L);
	const windows = m.windows.map((w) => {
		const id = `oral_mme.windows.${w.label}`;
		const summary = summaryPart(id, w, L);
		const freeN = L.count(`${id}.opioid_free.n`, w.opioid_free.n);
		return () => {
			const { k, n } = w.opioid_free;
			const h = L.hides([freeN], [k, n - k]);
			return {
				label: w.label,
				target_day: w.target_day,
				...summary(),
				opioid_free: { n: L.shown(freeN), k: L.within(k, h), rate: hide(w.opioid_free.rate, h) }
			};
		};
	});
	const kmN = L.count('oral_mme.opioid_free.n', m.opioid_free.n);
	// Points at event days give single patients' days: only the fixed report days stay. At each,
	// n = at risk + those who left before (not published: n - at risk), and those who left = events +
	// censored (not published either): a small one hides at risk or the events as its complement.
	const kmPoints = m.opioid_free.points
		.filter((p) => OPIOID_FREE_REPORT_DAYS.includes(p.day))
		.map((p) => {
			const id = (k: string) => `oral_mme.opioid_free.day${p.day}.${k}`;
			const atRisk = L.count(id('at_risk'), p.at_risk);
			const left = L.count(id('left'), m.opioid_free.n - p.at_risk);
			L.adds(kmN, [atRisk, left]);
			const events = L.count(id('events'), p.events);
			const censored = m.opioid_free.n - p.at_risk - p.events;
			if (censored >= 0) L.adds(left, [events, L.count(id('censored'), censored)]);
			return { p, atRisk, events };
		});
	const prescriptions = m.excluded_prescriptions.map((e, i) =>
		L.count(`oral_mme.excluded_prescriptions.${i}`, e.n)
	);
	return () => {
		const km = m.opioid_free;
		return {
			factors: m.factors,
			baseline: baseline(),
			at_implant: atImplant(),
			windows: windows.map((w) => w()),
			opioid_free: {
				n: L.shown(kmN),
				points: kmPoints.map(({ p, atRisk, events }) => {
					// Without censoring the estimate is events / n: it goes with the events.
					const h = L.hides([kmN, events], [p.at_risk, p.events, km.n - p.events]);
					return {
						day: p.day,
						cum_free: hide(p.cum_free, h),
						lo: hide(p.lo, h),
						hi: hide(p.hi, h),
						at_risk: L.shown(atRisk),
						events: L.within(p.events, h)
					};
				}),
				median_day: hide(km.median_day, L.hides([kmN]))
			},
			excluded_prescriptions: m.excluded_prescriptions.map((e, i) => ({
				reason: e.reason,
				n: L.shown(prescriptions[i]!)
			}))
		};
	};
}

function itDosePart(d: ReportDocument['it_dose'], L: Ledger) {
	const windows = (id: string, ws: ReportDocument['it_dose']['morphine_eq']['windows']) =>
		ws.map((w) => {
			const summary = summaryPart(`${id}.${w.label}`, w, L);
			return () => ({ label: w.label, target_day: w.target_day, ...summary() });
		});
	const morphine = windows('it_dose.morphine_eq', d.morphine_eq.windows);
	const drugs = d.by_drug.map((x) => ({ x, windows: windows(`it_dose.by_drug.${x.drug}`, x.windows) }));
	const e = d.escalation;
	const escalationN = L.count('it_dose.escalation.n', e.n);
	return () => {
		const h = L.hides([escalationN]);
		return {
			morphine_eq: { windows: morphine.map((w) => w()) },
			by_drug: drugs.map(({ x, windows }) => ({
				drug: x.drug,
				unit: x.unit,
				windows: windows.map((w) => w())
			})),
			escalation: {
				n: L.shown(escalationN),
				median_per_year: hide(e.median_per_year, h),
				q1: hide(e.q1, h),
				q3: hide(e.q3, h),
				median_pct_per_year: hide(e.median_pct_per_year, h),
				q1_pct_per_year: hide(e.q1_pct_per_year, h),
				q3_pct_per_year: hide(e.q3_pct_per_year, h)
			}
		};
	};
}
