import { formatNumber } from '$lib/outcomes';
import type { ReportDocument } from './index';

/** The report for a person: the headline numbers, one line each. */
export function formatSummary(r: ReportDocument): string {
	const out: string[] = [];
	const pct = (x: number | null) => (x === null ? '–' : `${formatNumber(x * 100)}%`);
	out.push('Import');
	for (const f of r.import.files) {
		out.push(
			`  ${f.file} (${f.kind}): read ${f.read} = loaded ${f.loaded} + rejected ${f.rejected} + skipped ${f.skipped}`
		);
	}
	for (const x of r.import.refused) out.push(`  refused: ${x.reason}`);
	out.push('', 'Cohort');
	out.push(
		`  ${r.cohort.patients} patients, ${r.cohort.implanted} implanted, ${r.cohort.trial_failed} failed trials`
	);
	for (const e of r.cohort.excluded) out.push(`  excluded from outcomes: ${e.n} ${e.reason}`);
	const pain = r.pain.pain_avg;
	out.push('', 'Average pain (NRS 0-10)');
	out.push(
		`  baseline: n ${pain.baseline.n}, mean ${formatNumber(pain.baseline.mean)}, median ${formatNumber(pain.baseline.median)}`
	);
	for (const w of pain.windows) {
		const r30 = w.responders30;
		out.push(
			`  ${w.label.padEnd(3)}: n ${w.n}, mean ${formatNumber(w.mean)}, change ${formatNumber(w.mean_change)}, ` +
				`>=30% responders ${pct(r30.completers.rate)} of completers, ${pct(r30.all_implanted.rate)} of all implanted`
		);
	}
	const mme = r.oral_mme;
	out.push('', `Oral MME (${mme.factors === 'cdc2022' ? 'CDC 2022' : 'CDC 2016'} factors)`);
	out.push(`  baseline: n ${mme.baseline.n}, median ${formatNumber(mme.baseline.median)}`);
	for (const w of mme.windows) {
		out.push(
			`  ${w.label.padEnd(3)}: n ${w.n}, median ${formatNumber(w.median)}, opioid-free ${pct(w.opioid_free.rate)}`
		);
	}
	const at365 = mme.opioid_free.points.find((p) => p.day === 365);
	out.push(
		`  opioid-free by day 365 (Kaplan-Meier): ${pct(at365?.cum_free ?? null)} (n ${mme.opioid_free.n})`
	);
	out.push('', 'Intrathecal morphine-equivalent (mg/day)');
	for (const w of r.it_dose.morphine_eq.windows) {
		out.push(`  ${w.label.padEnd(3)}: n ${w.n}, median ${formatNumber(w.median, 2)}`);
	}
	const e = r.it_dose.escalation;
	out.push(`  escalation: median ${formatNumber(e.median_per_year, 2)} mg/day per year (n ${e.n})`);
	return out.join('\n') + '\n';
}
