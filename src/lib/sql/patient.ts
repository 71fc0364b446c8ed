import { filterClause, type Filters } from './filters';
import type { Query } from './query';

/**
 * One patient's drill-down (a physician view: exact values, any population). The id is bound,
 * never concatenated. The IT dose steps come from `itDoseTimeline` (itDose.ts).
 */

export interface PatientFacts {
	patient_id: string;
	office: string;
	provider_id: string | null;
	sex: string | null;
	age_band: string | null;
	diagnosis: string;
	program: string | null;
	implant_year: number | null;
	trial_day: number | null;
	trial_result: string | null;
	followup_end_day: number | null;
	followup_end_reason: string | null;
	explant_reason: string | null;
	implanted: boolean;
	in_outcome: boolean;
}

/** The patient's facts; no row when the id is not loaded. */
export function patientFacts(patientId: string): Query {
	return {
		name: 'patientFacts',
		sql: `SELECT patient_id, office, provider_id, sex, age_band, diagnosis, program, implant_year, trial_day,
		        trial_result, followup_end_day, followup_end_reason, explant_reason, implanted, in_outcome
		      FROM patient_facts WHERE patient_id = ?`,
		params: [patientId]
	};
}

/** Whether the patient passes the filters (one row, `inside`); no row when the id is not loaded. */
export function patientInFilters(patientId: string, f: Filters): Query {
	const w = filterClause(f);
	return {
		name: 'patientInFilters',
		sql: `SELECT coalesce(${w.sql}, FALSE) AS inside FROM patient_facts p WHERE patient_id = ?`,
		params: [...w.params, patientId]
	};
}

export interface PatientPainRow {
	day: number;
	pain_avg: number;
	pain_worst: number | null;
	odi: number | null;
	pgic: number | null;
}

/** Every pain assessment of the patient, in time order (file order within a day). */
export function patientPain(patientId: string): Query {
	return {
		name: 'patientPain',
		sql: `SELECT day, pain_avg, pain_worst, odi, pgic FROM pain_scores
		      WHERE patient_id = ? ORDER BY day, _line`,
		params: [patientId]
	};
}

export interface PatientPainPick {
	/** 'baseline' or a window label. */
	label: string;
	/** The window's target day; null for the baseline. */
	target: number | null;
	day: number;
	score: number;
}

/**
 * The assessments the outcome tables used for this patient (average pain): the baseline visit and
 * each window's chosen visit, so the timeline can mark which scores count. Outcome population only.
 */
export function patientPainPicks(patientId: string): Query {
	return {
		name: 'patientPainPicks',
		sql: `SELECT 'baseline' AS label, baseline_day AS day, baseline AS score, NULL::INTEGER AS target
		      FROM pain_baseline WHERE patient_id = ? AND measure = 'pain_avg' AND baseline IS NOT NULL
		      UNION ALL
		      SELECT label, day, score, target FROM pain_window
		      WHERE patient_id = ? AND measure = 'pain_avg' AND score IS NOT NULL
		      ORDER BY target NULLS FIRST`,
		params: [patientId, patientId]
	};
}

export interface PatientMmeStep {
	from_day: number;
	to_day: number;
	/** Oral MME/day on every day of [from_day, to_day]; null when only excluded prescriptions cover it. */
	mme: number | null;
}

/**
 * The patient's daily oral MME as runs of equal days: `mme_segments`, which `mme_daily` expands to
 * one row per day. Runs are exact (a step chart needs nothing else) and a patient-decade is a
 * few dozen rows instead of 3,650. Outcome population only; empty without prescriptions.
 */
export function patientMme(patientId: string): Query {
	return {
		name: 'patientMme',
		sql: `SELECT from_day, to_day, mme FROM mme_segments WHERE patient_id = ? ORDER BY from_day`,
		params: [patientId]
	};
}

export interface PatientPumpEvent {
	day: number;
	event: string;
	drug: string | null;
	daily_dose: number | null;
	daily_dose_unit: string | null;
	complication: string | null;
}

/** Every pump event of the patient, one row per event and drug, in time order. */
export function patientPumpEvents(patientId: string): Query {
	return {
		name: 'patientPumpEvents',
		sql: `SELECT day, event, drug, daily_dose, daily_dose_unit, complication FROM pump_events
		      WHERE patient_id = ? ORDER BY day, _line`,
		params: [patientId]
	};
}

/** Up to `limit` loaded patient ids starting with `prefix` (case-insensitive), for the id picker. */
export function patientIdsLike(prefix: string, limit = 20): Query {
	return {
		name: 'patientIdsLike',
		sql: `SELECT patient_id FROM patient_facts
		      WHERE starts_with(lower(patient_id), lower(?)) ORDER BY patient_id LIMIT ?`,
		params: [prefix, limit]
	};
}
