import { formatNumber, type Shown } from '$lib/outcomes';
import { flagWords, FUNNEL_METRICS } from '$lib/sql';
import type { ReportDocument } from './index';
import type { SuppressedReport } from './suppress';

/** A count as published: the number, `<11`, or `–` when hidden. */
const count = (x: Shown | undefined): string => (x === null || x === undefined ? '–' : String(x));
const pct = (x: number | null) => (x === null ? '–' : `${formatNumber(x * 100)}%`);
const range = (ci: readonly [number | null, number | null] | null) =>
	ci === null ? '' : ` (${pct(ci[0])} to ${pct(ci[1])})`;

/** Problems and skipped lines listed per file in the readable summary. */
const SHOWN_LINES = 10;

/** The report for a person: the headline numbers, one line each. */
export function formatSummary(r: ReportDocument | SuppressedReport): string {
	const out: string[] = [];
	if (r.settings.suppressed === 'all') {
		out.push(
			`Small cells suppressed throughout (--suppress): counts of 1-${r.settings.suppression_threshold - 1} show as <${r.settings.suppression_threshold}, hidden values as –.`,
			''
		);
	}
	out.push(`Filters: ${r.filters.description}`, '', 'Import');
	for (const f of r.import.files) {
		out.push(
			`  ${f.file} (${f.kind}): read ${count(f.read)} = loaded ${count(f.loaded)} + rejected ${count(f.rejected)} + skipped ${count(f.skipped)}`
		);
		// The first few problems and skipped lines by line; --json lists up to 200 of each.
		const problems = f.problems as {
			line: number;
			column: string | null;
			value: string | null;
			rule: string;
		}[];
		for (const p of problems.slice(0, SHOWN_LINES)) {
			const where = p.column === null ? '' : `, ${p.column}${p.value === null ? '' : ` = "${p.value}"`}`;
			out.push(`    line ${p.line}${where}: ${p.rule}`);
		}
		const more =
			typeof f.problem_count === 'number' ? f.problem_count - Math.min(problems.length, SHOWN_LINES) : 0;
		if (problems.length && more > 0) out.push(`    … and ${more} more problems (--json lists the first 200)`);
		const skipped = f.skipped_lines as { line: number; reason: string }[];
		if (skipped.length) {
			const listed = skipped
				.slice(0, SHOWN_LINES)
				.map((x) => `line ${x.line} (${x.reason})`)
				.join(', ');
			const rest = typeof f.skipped === 'number' ? f.skipped - Math.min(skipped.length, SHOWN_LINES) : 0;
			out.push(`    skipped ${listed}${rest > 0 ? `, and ${rest} more` : ''}`);
		}
	}
	for (const x of r.import.refused) out.push(`  refused: ${x.reason}`);
	out.push('', 'Cohort');
	out.push(
		`  ${count(r.cohort.patients)} patients, ${count(r.cohort.implanted)} implanted, ${count(r.cohort.trial_failed)} failed trials`
	);
	for (const e of r.cohort.excluded) out.push(`  excluded from outcomes: ${count(e.n)} ${e.reason}`);
	const pain = r.pain.pain_avg;
	out.push('', 'Average pain (NRS 0-10)');
	out.push(
		`  baseline: n ${count(pain.baseline.n)}, mean ${formatNumber(pain.baseline.mean)}, median ${formatNumber(pain.baseline.median)}`
	);
	for (const w of pain.windows) {
		const r30 = w.responders30;
		out.push(
			`  ${w.label.padEnd(3)}: n ${count(w.n)}, mean ${formatNumber(w.mean)}, change ${formatNumber(w.mean_change)}, ` +
				`>=30% responders ${pct(r30.completers.rate)} of completers, ${pct(r30.all_implanted.rate)} of all implanted`
		);
	}
	const mme = r.oral_mme;
	out.push('', `Oral MME (${mme.factors === 'cdc2022' ? 'CDC 2022' : 'CDC 2016'} factors)`);
	out.push(`  baseline: n ${count(mme.baseline.n)}, median ${formatNumber(mme.baseline.median)}`);
	for (const w of mme.windows) {
		out.push(
			`  ${w.label.padEnd(3)}: n ${count(w.n)}, median ${formatNumber(w.median)}, opioid-free ${pct(w.opioid_free.rate)}`
		);
	}
	const at365 = mme.opioid_free.points.find((p) => p.day === 365);
	out.push(
		`  opioid-free by day 365 (Kaplan-Meier): ${pct(at365?.cum_free ?? null)} (n ${count(mme.opioid_free.n)})`
	);
	out.push('', 'Intrathecal morphine-equivalent (mg/day)');
	for (const w of r.it_dose.morphine_eq.windows) {
		out.push(`  ${w.label.padEnd(3)}: n ${count(w.n)}, median ${formatNumber(w.median, 2)}`);
	}
	const e = r.it_dose.escalation;
	out.push(`  escalation: median ${formatNumber(e.median_per_year, 2)} mg/day per year (n ${count(e.n)})`);

	const o = r.offices;
	out.push(
		'',
		`Offices: >=30% responders at ${o.window}, all implanted (small cells suppressed at <${o.suppression_threshold})`
	);
	out.push(
		`  target ${pct(o.target)}; funnel limits: ${o.method === 'exact' ? 'exact binomial (Spiegelhalter)' : 'normal approximation'}`
	);
	for (const u of o.units) {
		out.push(
			u.suppressed
				? `  ${u.office}: suppressed (n ${count(u.n)})`
				: `  ${u.office}: ${count(u.k)}/${count(u.n)}, ${pct(u.rate)}${range(u.ci)}, ${u.flag ? flagWords(u.flag, FUNNEL_METRICS.responders.better) : 'no limits'}`
		);
	}
	for (const p of o.providers) {
		out.push(
			p.suppressed
				? `    ${p.office} / ${p.provider_id}: suppressed (n ${count(p.n)})`
				: `    ${p.office} / ${p.provider_id}: ${count(p.k)}/${count(p.n)}, ${pct(p.rate)}${range(p.ci)}`
		);
	}
	return out.join('\n') + '\n';
}
