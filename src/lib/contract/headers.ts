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
	/**
	 * One entry per source column, in file order. `via`: how the target was found (the exact
	 * contract name, a synonym or normalisation, or the user's choice); null when not mapped.
	 */
	columns: { header: string; target: string | null; via: 'exact' | 'synonym' | 'user' | null }[];
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
	return finish(
		specs,
		headers,
		target,
		ambiguous,
		target.map((t, i) => (t === null ? null : headers[i]!.trim() === t ? 'exact' : 'synonym'))
	);
}

/**
 * A mapping the user chose (a target per column); unknown targets are ignored. A column mapped as
 * the headers alone would map it keeps how it was found (same name, synonym); the others are the
 * user's choice.
 */
export function mapWithTargets(
	kind: FileKind,
	headers: readonly string[],
	targets: readonly (string | null | undefined)[]
): Mapping {
	const specs = columnsOf(kind);
	const names = new Set(specs.map((s) => s.name));
	const target = headers.map((_, i) => {
		const t = targets[i];
		return t && names.has(t) ? t : null;
	});
	const ambiguous = [...new Set(target.filter((t, i) => t && target.indexOf(t) !== i))] as string[];
	const suggested = mapHeaders(kind, headers).columns;
	return finish(
		specs,
		headers,
		target,
		ambiguous,
		target.map((t, i) => (t === null ? null : suggested[i]?.target === t ? suggested[i]!.via : 'user'))
	);
}

function finish(
	specs: ReturnType<typeof columnsOf>,
	headers: readonly string[],
	target: (string | null)[],
	ambiguous: string[],
	via: Mapping['columns'][number]['via'][]
): Mapping {
	const present = new Set(target);
	const missing: string[] = [];
	for (const s of specs) {
		if (s.required === 'yes' && !present.has(s.name)) missing.push(s.name);
		// A time column is required in one of its two forms, `day` or `date`.
		if (s.kind === 'date' && s.dayForm && s.required.startsWith('yes')) {
			if (!present.has(s.name) && !present.has(s.dayForm)) missing.push(`${s.dayForm} (or ${s.name})`);
		}
	}
	return {
		columns: headers.map((header, i) => ({ header, target: target[i] ?? null, via: via[i] ?? null })),
		missing,
		ambiguous
	};
}

/** The key of remembered choices: the normalised header list (never a data value). */
export function headerKey(headers: readonly string[]): string {
	return headers.map(normaliseHeader).join('|');
}

const UNIT_ALIASES: Record<string, string> = {
	'mg/day': 'mg/day',
	'mg/d': 'mg/day',
	'mcg/day': 'mcg/day',
	'mcg/d': 'mcg/day',
	'ug/day': 'mcg/day',
	'µg/day': 'mcg/day',
	'mg/ml': 'mg/mL',
	'mcg/ml': 'mcg/mL',
	'ug/ml': 'mcg/mL',
	'µg/ml': 'mcg/mL',
	mg: 'mg',
	mcg: 'mcg',
	ug: 'mcg',
	µg: 'mcg',
	'mcg/hr': 'mcg/hr',
	'mcg/h': 'mcg/hr',
	'µg/h': 'mcg/hr'
};

/** The unit in a header's trailing brackets (`Daily dose (mcg/day)` -> `mcg/day`), if it names one. */
export function headerUnit(header: string): string | null {
	const m = /[([{]\s*([^()[\]{}]+?)\s*[)\]}]\s*$/.exec(header.trim());
	return m ? (UNIT_ALIASES[m[1]!.toLowerCase().replace(/\s+/g, '')] ?? null) : null;
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
