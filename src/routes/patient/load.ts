import {
	patientDayDomain,
	patientEvents,
	patientItDose,
	patientMme,
	patientPain,
	type ChartSpec,
	type PatientChartContext
} from '$lib/charts';
import type { Database } from '$lib/db';
import type { MmeFactors } from '$lib/outcomes';
import {
	itDoseTimeline,
	patientFacts,
	patientIdsLike,
	patientInFilters,
	patientMme as patientMmeQuery,
	patientPain as patientPainQuery,
	patientPainPicks,
	patientPumpEvents,
	run,
	runOne,
	withMmeFactors,
	type Filters,
	type ItDoseStep,
	type PatientFacts,
	type PatientMmeStep,
	type PatientPainPick,
	type PatientPainRow,
	type PatientPumpEvent
} from '$lib/sql';

export interface PatientView {
	facts: PatientFacts;
	/** Whether the patient passes the filters the analysis pages apply now. */
	inFilters: boolean;
	pain: ChartSpec<PatientPainRow & { used: string }>;
	mme: ChartSpec<PatientMmeStep> | null;
	/** One chart per intrathecal drug, in the timeline's order. */
	doses: ChartSpec<ItDoseStep>[];
	events: ChartSpec<PatientPumpEvent> | null;
}

/** One patient's timeline on a shared day axis; null when the id is not loaded. */
export async function loadPatient(
	db: Database,
	id: string,
	factors: MmeFactors,
	filters: Filters
): Promise<PatientView | null> {
	const [facts] = await run<PatientFacts>(db, patientFacts(id));
	if (!facts) return null;
	const { inside } = await runOne<{ inside: boolean }>(db, patientInFilters(id, filters));
	const [pain, picks, dose, events] = await Promise.all([
		run<PatientPainRow>(db, patientPainQuery(id)),
		run<PatientPainPick>(db, patientPainPicks(id)),
		run<ItDoseStep>(db, itDoseTimeline(id)),
		run<PatientPumpEvent>(db, patientPumpEvents(id))
	]);
	// The MME tables hold one factor table at a time; the opioid page may be switching it.
	const mme = await withMmeFactors(db, factors, () => run<PatientMmeStep>(db, patientMmeQuery(id)));
	const ctx: PatientChartContext = {
		patientId: id,
		domain: patientDayDomain({ facts, pain, mme, dose, events }),
		trialDay: facts.trial_day,
		implanted: facts.implanted
	};
	const drugs = [...new Set(dose.map((d) => d.drug))];
	return {
		facts,
		inFilters: inside,
		pain: patientPain(pain, picks, ctx),
		mme: mme.length ? patientMme(mme, { ...ctx, factors }) : null,
		doses: drugs.map((drug) =>
			patientItDose(
				dose.filter((d) => d.drug === drug),
				ctx
			)
		),
		events: events.length ? patientEvents(events, ctx) : null
	};
}

export async function suggestIds(db: Database, prefix: string): Promise<string[]> {
	const rows = await run<{ patient_id: string }>(db, patientIdsLike(prefix, 20));
	return rows.map((r) => r.patient_id);
}
