import { FILES, type FileKind } from './files';
import { columnsOf } from './spec';

/**
 * data-contract.md "Matching headers": trim, lower-case, drop a trailing bracketed part, and turn
 * runs of spaces, `-`, `_` and `.` into one `_`; `follow_up` then equals `followup`.
 */
export function normaliseHeader(header: string): string {
	return header
		.replace(/^\uFEFF/, '')
		.trim()
		.toLowerCase()
		.replace(/\s*[([{][^()[\]{}]*[)\]}]\s*$/, '')
		.replace(/[\s\-_.]+/g, '_')
		.replace(/^_+|_+$/g, '')
		.replace(/follow_up/g, 'followup');
}

/** Synonyms every importer must know (the contract's minimum), keyed by contract column. */
export const SYNONYMS: Record<string, readonly string[]> = {
	patient_id: ['patient', 'patient_key', 'pseudo_id', 'subject_id', 'study_id'],
	office: ['site', 'clinic', 'location', 'office_name'],
	provider_id: ['provider', 'physician', 'physician_id'],
	age_at_implant: ['age', 'age_at_implantation'],
	diagnosis: ['primary_diagnosis', 'indication', 'dx'],
	day: ['days_from_implant', 'study_day', 'rel_day'],
	date: ['visit_date', 'event_date', 'assessment_date', 'service_date'],
	pain_avg: ['average_pain', 'avg_pain', 'pain', 'nrs', 'pain_score', 'nrs_average'],
	pain_worst: ['worst_pain', 'nrs_worst', 'max_pain'],
	start_date: ['rx_start_date', 'fill_date'],
	end_date: ['rx_end_date'],
	drug: ['medication', 'drug_name', 'opioid'],
	daily_dose: ['dose', 'dose_per_day'],
	units_per_day: ['doses_per_day', 'tablets_per_day']
};

/** Where each header of a file goes: a contract column, or null (not in the contract). */
export interface Mapping {
	/** One entry per source column, in file order. */
	columns: { header: string; target: string | null }[];
	/** Mandatory contract columns with no source column. */
	missing: string[];
	/** Contract columns claimed by more than one header. */
	ambiguous: string[];
}

/** Match headers to one file kind's columns; an exact name wins over a synonym. */
export function mapHeaders(kind: FileKind, headers: readonly string[]): Mapping {
	const specs = columnsOf(kind);
	const names = new Set(specs.map((s) => s.name));
	const norm = headers.map(normaliseHeader);
	const synonymOf = (h: string) => specs.find((s) => (SYNONYMS[s.name] ?? []).includes(h))?.name ?? null;
	const target = norm.map((h) => (names.has(h) ? h : synonymOf(h)));
	const ambiguous: string[] = [];
	for (const t of new Set(target)) {
		if (!t) continue;
		const claims = target.flatMap((x, i) => (x === t ? [i] : []));
		if (claims.length < 2) continue;
		const exact = claims.filter((i) => norm[i] === t);
		if (exact.length === 1) claims.forEach((i) => i !== exact[0] && (target[i] = null));
		else ambiguous.push(t);
	}
	const present = new Set(target);
	const missing: string[] = [];
	for (const s of specs) {
		if (s.required === 'yes' && !present.has(s.name)) missing.push(s.name);
		// A time column is required in one of its two forms, `day` or `date`.
		if (s.kind === 'date' && s.dayForm && s.required.startsWith('yes')) {
			if (!present.has(s.name) && !present.has(s.dayForm)) missing.push(`${s.dayForm} (or ${s.name})`);
		}
	}
	return { columns: headers.map((header, i) => ({ header, target: target[i] ?? null })), missing, ambiguous };
}

/**
 * Which contract file a header row belongs to: the kind whose mandatory columns it covers, with
 * the most matched columns. A file is recognised by its header, never by its name.
 */
export function recogniseFile(headers: readonly string[]): { kind: FileKind; mapping: Mapping } | null {
	let best: { kind: FileKind; mapping: Mapping; score: number } | null = null;
	for (const f of FILES) {
		const mapping = mapHeaders(f.kind, headers);
		const matched = mapping.columns.filter((c) => c.target).length;
		if (!mapping.columns.some((c) => c.target === 'patient_id') || matched < 2) continue;
		const score = matched - 100 * mapping.missing.length;
		if (!best || score > best.score) best = { kind: f.kind, mapping, score };
	}
	return best ? { kind: best.kind, mapping: best.mapping } : null;
}
