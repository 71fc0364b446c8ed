import type { ImportReport } from '$lib/ingest';
import type { Settings, Window } from '$lib/outcomes';
import { describeFilters, type Filters } from '$lib/sql';
import type { InputFileHash } from './inputs';
import type { KAnonymity } from './kAnonymity';
import type { Coarsening } from './tables';

/** `manifest.json`: what was exported, from what, how, and under which checks. */
export interface Manifest {
	format: { name: string; version: number };
	app: { name: string; version: string; build: typeof __BUILD__ | null };
	contract: { version: string };
	exported_at: string;
	source: 'demo' | 'upload' | null;
	/** The filters, with the values of `filters_withheld` replaced (recordedFilters). */
	filters: Filters;
	filters_text: string;
	filters_withheld: string[];
	settings: Settings & { windows: readonly Window[]; window_half_width: number };
	suppression_threshold: number;
	/** Every file of the load: name, size and SHA-256 of the bytes as read, and what became of it. */
	inputs: ManifestInput[] | null;
	inputs_note?: string;
	tables: ManifestTable[];
	row_counts: Record<string, number>;
	csv: {
		encoding: string;
		record_end: string;
		formula_guard: string;
		/** Per table, the columns in which the exporter added a leading `'` to some cell. */
		quote_prefixed_columns: Record<string, string[]>;
	};
	de_identification: {
		patient_id: string;
		kept: string[];
		left_out: string[];
		time: string;
	};
	k_anonymity: ManifestKAnonymity;
	/** Every other file of the bundle with its SHA-256, for checking a copy. */
	files: { path: string; bytes: number; sha256: string }[];
}

export interface ManifestInput extends InputFileHash {
	kind: string | null;
	status: 'loaded' | 'refused' | 'unknown';
	time_form: 'day' | 'date' | null;
	read: number | null;
	loaded: number | null;
	rejected: number | null;
	skipped: number | null;
}

export interface ManifestTable {
	name: string;
	description: string;
	rows: number;
	columns: string[];
	csv: string;
	parquet: string;
}

export interface ManifestKAnonymity {
	quasi_identifiers: string[];
	coarsening: { drop_office: boolean; age_bands: '10-year' | '20-year' };
	threshold: number;
	patients: number;
	classes: number;
	smallest_class: number | null;
	classes_below_threshold: number;
	patients_in_classes_below_threshold: number;
	passed: boolean;
	/** Present when the user exported below the threshold: what they confirmed. */
	confirmation: { confirmed: true; statement: string } | null;
}

export function manifestKAnonymity(
	quasiIdentifiers: readonly string[],
	c: Coarsening,
	threshold: number,
	k: KAnonymity,
	passed: boolean,
	confirmation: string | null
): ManifestKAnonymity {
	return {
		quasi_identifiers: quasiIdentifiers.filter((q) => !(c.dropOffice && q === 'office')),
		coarsening: { drop_office: c.dropOffice, age_bands: c.wideAgeBands ? '20-year' : '10-year' },
		threshold,
		patients: k.patients,
		classes: k.classes,
		smallest_class: k.smallest,
		classes_below_threshold: k.classes_below,
		patients_in_classes_below_threshold: k.patients_below,
		passed,
		confirmation: passed || confirmation === null ? null : { confirmed: true, statement: confirmation }
	};
}

/** The hashed inputs joined to the import report by file name (in order, for repeated names). */
export function manifestInputs(
	hashes: readonly InputFileHash[],
	report: ImportReport | null
): ManifestInput[] {
	const files = [...(report?.files ?? [])];
	const refused = [...(report?.refused ?? [])];
	return hashes.map((h) => {
		const i = files.findIndex((f) => f.file === h.file);
		if (i >= 0) {
			const f = files.splice(i, 1)[0]!;
			return {
				...h,
				kind: f.kind,
				status: 'loaded',
				time_form: f.dialect.timeForm,
				read: f.read,
				loaded: f.loaded,
				rejected: f.rejected,
				skipped: f.skipped
			};
		}
		const r = refused.findIndex((x) => x.file === h.file);
		if (r >= 0) refused.splice(r, 1);
		return {
			...h,
			kind: null,
			status: r >= 0 ? 'refused' : 'unknown',
			time_form: null,
			read: null,
			loaded: null,
			rejected: null,
			skipped: null
		};
	});
}

export const WITHHELD = '(withheld)';

/**
 * The filters as an export records them. Provider codes never leave in an export (outcomes.md
 * section 6), and with the office column left out neither do the offices chosen: a cohort
 * filtered to one office would otherwise name it. Each such list keeps its length, with every
 * value `(withheld)`, so a reader knows the cohort was narrowed but not to whom.
 */
export function recordedFilters(
	filters: Filters,
	coarsening: Pick<Coarsening, 'dropOffice'>
): { filters: Filters; text: string; withheld: string[] } {
	const out = structuredClone(filters);
	const withheld: string[] = [];
	const withhold = (key: 'providers' | 'offices', why: string) => {
		if (out[key].length === 0) return;
		out[key] = out[key].map(() => WITHHELD);
		withheld.push(`${key}: ${why}`);
	};
	withhold('providers', 'provider codes are not exported');
	if (coarsening.dropOffice) withhold('offices', 'the office was left out of this export');
	// describeFilters' words, with a withheld list as its count.
	const units = (['offices', 'providers'] as const)
		.filter((key) => out[key].length > 0)
		.map((key) => {
			const label = key === 'offices' ? 'office' : 'provider';
			return out[key][0] === WITHHELD
				? `${label}: ${out[key].length} chosen, withheld`
				: `${label}: ${out[key].join(', ')}`;
		});
	const rest = describeFilters({ ...out, offices: [], providers: [] });
	const text = [...units, ...(rest === 'no filters' ? [] : [rest])].join('; ') || 'no filters';
	return { filters: out, text, withheld };
}
