import { demoPath, readCsv } from './fixtures';

/**
 * Pain outcomes at one window, computed from the demo CSV files with plain TypeScript and
 * nothing from the app: outcomes.md sections 0-2, read afresh. Used as the expectation the pain
 * page's numbers must meet.
 */

export interface PatientRow {
	patient_id: string;
	office: string;
	sex: string;
	diagnosis: string;
	trial_day: string;
	implant_year: string;
	followup_end_day: string;
	followup_end_reason: string;
}

export interface WindowExpectation {
	/** Patients due at the window (outcomes.md section 1). */
	due: number;
	/** Completers: a score in the window. */
	n: number;
	/** Completers with a baseline of 4 or more: the completers' responder denominator. */
	completersN: number;
	/** Of those, >= 30% responders. */
	responders30: number;
	/** Due patients with a baseline of 4 or more: the all-implanted denominator. */
	allImplantedN: number;
}

const int = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));
const tenths = (s: string): number => Math.round(Number(s) * 10);

export function demoPatients(): PatientRow[] {
	return readCsv(demoPath('patients')) as unknown as PatientRow[];
}

/** Section 0: implanted (an implant year) and not spasticity. */
export const inOutcome = (p: PatientRow): boolean => p.implant_year !== '' && p.diagnosis !== 'spasticity';

export function expectWindow(
	target: number,
	keep: (p: PatientRow) => boolean = () => true,
	halfWidth = 45
): WindowExpectation {
	const patients = demoPatients().filter((p) => inOutcome(p) && keep(p));
	const scores = new Map<string, { day: number; pain: string; line: number }[]>();
	readCsv(demoPath('pain_scores')).forEach((r, i) => {
		if (r.pain_avg === '' || r.day === '') return;
		const list = scores.get(r.patient_id!) ?? [];
		list.push({ day: Number(r.day), pain: r.pain_avg!, line: i + 2 });
		scores.set(r.patient_id!, list);
	});
	const lo = target - halfWidth;
	const hi = target + halfWidth; // exclusive
	const out: WindowExpectation = { due: 0, n: 0, completersN: 0, responders30: 0, allImplantedN: 0 };
	for (const p of patients) {
		const mine = scores.get(p.patient_id) ?? [];
		const trial = int(p.trial_day);
		// Section 2: the last score in [-90, -1] (or [trial - 90, trial - 1] when the trial was
		// more than 90 days before implant), strictly before the trial day.
		const [from, to] = trial !== null && trial < -90 ? [trial - 90, trial - 1] : [-90, -1];
		const before = mine
			.filter((s) => s.day >= from && s.day <= to && (trial === null || s.day < trial))
			.sort((a, b) => b.day - a.day || b.line - a.line);
		const baseline = before[0] ? tenths(before[0].pain) : null;
		// Section 1: the closest assessment to the target in [lo, hi); the earlier on a tie.
		const inWindow = mine
			.filter((s) => s.day >= lo && s.day < hi)
			.sort((a, b) => Math.abs(a.day - target) - Math.abs(b.day - target) || a.day - b.day);
		const score = inWindow[0] ? tenths(inWindow[0].pain) : null;
		const end = int(p.followup_end_day);
		const due =
			(end !== null && end >= lo) ||
			['explant', 'death', 'lost'].includes(p.followup_end_reason) ||
			score !== null;
		const eligible = baseline !== null && baseline >= 40;
		if (due) out.due++;
		if (due && eligible) out.allImplantedN++;
		if (score === null) continue;
		out.n++;
		if (!eligible) continue;
		out.completersN++;
		if (10 * (baseline - score) >= 3 * baseline) out.responders30++;
	}
	return out;
}

/** Patients in patients.csv that a filter keeps, implanted or not: the filter bar's count. */
export function expectMatch(keep: (p: PatientRow) => boolean): { patients: number; outcome: number } {
	const kept = demoPatients().filter(keep);
	return { patients: kept.length, outcome: kept.filter(inOutcome).length };
}
