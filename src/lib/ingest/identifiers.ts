import { columnsOf, normaliseHeader, SYNONYMS, type FileKind } from '$lib/contract';
import { DATE_BAD, DATE_SERIAL, readDate, type DateRead } from './dates';

/**
 * The identifier guard (outcomes.md section 6, HIPAA Safe Harbor): column names and values that
 * look like direct identifiers. Values are classified from bytes during the scan; only counts
 * leave this module, never a value.
 */
export type IdentifierKind =
	| 'name'
	| 'address'
	| 'phone'
	| 'email'
	| 'ssn'
	| 'mrn'
	| 'birth_date'
	| 'full_date'
	| 'zip'
	| 'serial'
	| 'free_text'
	| 'age_over_89';

export const IDENTIFIER_LABEL: Record<IdentifierKind, string> = {
	name: 'person names',
	address: 'street addresses or places',
	phone: 'phone numbers',
	email: 'e-mail addresses',
	ssn: 'Social Security numbers',
	mrn: 'medical record or account numbers',
	birth_date: 'dates of birth',
	full_date: 'full dates (day, month and year)',
	zip: '5-digit ZIP codes',
	serial: 'device serial numbers',
	free_text: 'free-text notes',
	age_over_89: 'ages over 89 not grouped as 90+'
};

/** One flagged column: which, why, and how many of its values (never the values). */
export interface IdentifierFinding {
	/** Index of the column in the file. */
	column: number;
	header: string;
	kind: IdentifierKind;
	/** `name`: the header says so; `values`: values have the shape. */
	by: 'name' | 'values';
	/** Values that matched (for `name`: every non-empty value). */
	matched: number;
	/** Non-empty values in the column. */
	of: number;
}

// Value shapes, as bits of a column's hit counts.
export const V_SSN = 0;
export const V_PHONE = 1;
export const V_EMAIL = 2;
export const V_ZIP = 3;
export const V_STREET = 4;
export const V_DATE = 5;
export const V_NAME = 6;
export const V_LONG = 7;
export const V_AGE = 8;
export const V_COUNT = 9;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;
const decoder = new TextDecoder();
const scratch: DateRead = { form: 0, dateEnd: 0, hasTime: false, hasZone: false };

/** Free text longer than this is a note, whatever its header says. */
export const LONG_TEXT = 200;

const STREET_RE =
	/^\d+[A-Za-z]?\s+(?:[A-Za-z0-9.'-]+\s+){1,5}(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|ct|court|way|pl|place|pkwy|parkway|hwy|highway|cir|circle|ter|terrace|trl|trail|sq|square)\.?(?:\s+(?:apt|unit|suite|ste|#)\s*\S+)?$/i;
const NAME_RE = /^[A-Z][a-z'-]+,\s?[A-Z][a-z'-]+(?:\s[A-Z]\.?)?$/;

/** Count the identifier shapes of one value (`b[s, e)`, trimmed) into `hits`. */
export function classifyValue(b: Uint8Array, s: number, e: number, hits: Int32Array, dates: boolean): void {
	const len = e - s;
	if (len > LONG_TEXT) {
		hits[V_LONG]!++;
		return;
	}
	// One pass to see what the value is made of; most values are ruled out here.
	let digits = 0;
	let letters = 0;
	let at = -1;
	let spaces = 0;
	let commas = 0;
	for (let i = s; i < e; i++) {
		const c = b[i]!;
		if (c >= 0x30 && c <= 0x39) digits++;
		else if (c === 0x40) at = i;
		else if (c === 0x20) spaces++;
		else if (c === 0x2c) commas++;
		else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) letters++;
	}
	if (at > s) {
		if (isEmail(b, s, e)) hits[V_EMAIL]!++;
		return;
	}
	if (letters === 0) {
		if (digits === 9 && len === 11 && b[s + 3] === 0x2d && b[s + 6] === 0x2d) hits[V_SSN]!++;
		else if ((digits === 10 || digits === 11) && isPhone(b, s, e)) hits[V_PHONE]!++;
		else if ((len === 5 && digits === 5) || (len === 10 && digits === 9 && b[s + 5] === 0x2d)) hits[V_ZIP]!++;
		else if (dates && digits >= 6) {
			const d = readDate(b, s, e, scratch);
			if (d.form !== DATE_BAD && d.form !== DATE_SERIAL) hits[V_DATE]!++;
		}
		return;
	}
	if (dates && digits >= 6 && isDigit(b[s]!)) {
		// A date with a time (`2024-01-02 10:00`) has letters only in AM/PM or T/Z.
		const d = readDate(b, s, e, scratch);
		if (d.form !== DATE_BAD && d.form !== DATE_SERIAL) {
			hits[V_DATE]!++;
			return;
		}
	}
	if (spaces > 0 && isDigit(b[s]!) && len >= 8 && STREET_RE.test(decoder.decode(b.subarray(s, e)))) {
		hits[V_STREET]!++;
		return;
	}
	if (commas > 0 && isUpper(b[s]!) && NAME_RE.test(decoder.decode(b.subarray(s, e)))) hits[V_NAME]!++;
}

/** An ungrouped age over 89: a whole number 90-130. */
export function isAgeOver89(b: Uint8Array, s: number, e: number): boolean {
	if (e - s < 2 || e - s > 3 || !allDigits(b, s, e)) return false;
	// Two or three ASCII digits: their value without a TextDecoder call (a microsecond each, on
	// every age of a patients file).
	let v = 0;
	for (let i = s; i < e; i++) v = v * 10 + b[i]! - 0x30;
	return v >= 90 && v <= 130;
}

function allDigits(b: Uint8Array, s: number, e: number): boolean {
	for (let i = s; i < e; i++) if (!isDigit(b[i]!)) return false;
	return e > s;
}

/**
 * North American numbers: digit groups 3-3-4 (optionally after a country code 1), with at least one
 * separator. NDC (4-4-2, 5-3-2, 5-4-1, 5-4-2), SSN (3-2-4) and LOINC (5-1) never have that shape.
 */
function isPhone(b: Uint8Array, s: number, e: number): boolean {
	const groups: number[] = [];
	let run = 0;
	let separators = 0;
	for (let i = s; i < e; i++) {
		const c = b[i]!;
		if (isDigit(c)) run++;
		else if (c === 0x2d || c === 0x2e || c === 0x20 || c === 0x28 || c === 0x29 || c === 0x2b) {
			separators++;
			if (run) groups.push(run);
			run = 0;
		} else return false;
	}
	if (run) groups.push(run);
	if (separators === 0) return false;
	const g = groups.join('-');
	return g === '3-3-4' || g === '1-3-3-4';
}

function isEmail(b: Uint8Array, s: number, e: number): boolean {
	let at = -1;
	let dot = -1;
	for (let i = s; i < e; i++) {
		const c = b[i]!;
		if (c === 0x40) {
			if (at >= 0) return false;
			at = i;
		} else if (c === 0x2e && at >= 0) dot = i;
		else if (c === 0x20 || c === 0x2c || c === 0x3b) return false;
	}
	return at > s && dot > at + 1 && e - dot >= 3;
}

// ---------------------------------------------------------------------------------------------
// Column names.

const RULES: [IdentifierKind, RegExp][] = [
	['birth_date', /(^|_)(birth|dob|birthdate|birthday|date_of_birth|birth_date|birth_datetime)(_|$)/],
	[
		'name',
		/^(name|fname|lname|surname|firstname|lastname|givenname|fullname)$|(^|_)(first|last|given|family|full|middle|maiden|patient|person|mother|father|guardian|spouse|contact)_?name$/
	],
	['address', /(^|_)(address|addr|street|city|county|address_line_?\d?)(_|$)/],
	['zip', /(^|_)(zip|zipcode|zip_code|postal|postal_code|postcode)(_|$)/],
	['phone', /(^|_)(phone|telephone|tel|mobile|cell|fax)(_|$)/],
	['email', /(^|_)(e_?mail|email_address)(_|$)/],
	['ssn', /(^|_)(ssn|social_security(_number)?|sin)(_|$)/],
	[
		'mrn',
		/(^|_)(mrn|medical_record(_number)?|record_number|chart_(number|no)|account_(number|no)|acct(_no)?|member_id|insurance_id|policy_(number|no)|health_plan(_id)?|beneficiary(_id)?)(_|$)|^(person|patient|visit)_source_value$/
	],
	['serial', /(^|_)(serial|serial_(number|no)|sn|udi|device_id|device_serial)(_|$)/],
	[
		'free_text',
		/(^|_)(note|notes|comment|comments|remark|remarks|narrative|free_text|freetext|memo|sig)(_|$)/
	],
	['age_over_89', /^(age|age_years|patient_age|age_at_[a-z_]+)$/]
];

const YEAR_ONLY = /^(year_of_birth|birth_year|yob)$/;

/** Headers that name a code system: their digits are codes, never ZIP codes. */
const CODE_HEADER =
	/(^|_)(ndc|rxnorm|rxcui|loinc|snomed|icd|icd9|icd10|cpt|hcpcs|code|codes|concept|concept_id|id|ids|npi|source_value)(_|$)/;

/** Header names of the contract (and its synonyms) are never identifiers by name. */
function contractNames(kind: FileKind | null): Set<string> {
	const names = new Set<string>();
	for (const c of kind ? columnsOf(kind) : []) {
		names.add(c.name);
		for (const s of SYNONYMS[c.name] ?? []) names.add(s);
	}
	return names;
}

export function identifierByName(header: string, kind: FileKind | null): IdentifierKind | null {
	const h = normaliseHeader(header);
	if (!h || contractNames(kind).has(h) || YEAR_ONLY.test(h)) return null;
	for (const [k, re] of RULES) if (k !== 'age_over_89' && re.test(h)) return k;
	return null;
}

export const isAgeHeader = (header: string) => RULES.at(-1)![1].test(normaliseHeader(header));
export const isCodeHeader = (header: string) => CODE_HEADER.test(normaliseHeader(header));

/** What the guard needs to know about one column after the scan. */
export interface ColumnEvidence {
	column: number;
	header: string;
	/** Mapped to a contract column (its own dates and ages are judged by the contract). */
	contract: 'date' | 'age' | 'other' | null;
	values: number;
	hits: Int32Array;
}

/**
 * Which columns are flagged. Outside the contract, a header flags a column that has values, and
 * full dates flag it; in any column, one value of an unambiguous shape flags it (SSN, phone,
 * e-mail, street, "Last, First", long text); 5-digit numbers flag a column outside the contract
 * when they are at least half its values and its header does not name a code system. The
 * contract's own dates are never flagged by their values (outcomes.md section 6).
 */
export function findIdentifiers(
	kind: FileKind | null,
	columns: readonly ColumnEvidence[]
): IdentifierFinding[] {
	const out: IdentifierFinding[] = [];
	const shapes: [number, IdentifierKind][] = [
		[V_SSN, 'ssn'],
		[V_PHONE, 'phone'],
		[V_EMAIL, 'email'],
		[V_STREET, 'address'],
		[V_NAME, 'name'],
		[V_LONG, 'free_text']
	];
	for (const c of columns) {
		if (c.values === 0) continue;
		const add = (k: IdentifierKind, by: 'name' | 'values', matched: number) =>
			out.push({ column: c.column, header: c.header, kind: k, by, matched, of: c.values });
		const h = c.hits;
		const outside = c.contract === null;
		const byName = outside ? identifierByName(c.header, kind) : null;
		if (byName) {
			add(byName, 'name', c.values);
			continue;
		}
		for (const [bit, k] of shapes) if (h[bit]! > 0) add(k, 'values', h[bit]!);
		if (outside && h[V_DATE]! > 0) add('full_date', 'values', h[V_DATE]!);
		if (outside && h[V_ZIP]! > 0 && h[V_ZIP]! * 2 >= c.values && !isCodeHeader(c.header))
			add('zip', 'values', h[V_ZIP]!);
		if ((c.contract === 'age' || (outside && isAgeHeader(c.header))) && h[V_AGE]! > 0)
			add('age_over_89', 'values', h[V_AGE]!);
	}
	return out;
}

export function describeFinding(f: IdentifierFinding): string {
	const what = IDENTIFIER_LABEL[f.kind];
	return f.by === 'name'
		? `column "${f.header}": its name says ${what} (${f.of} non-empty value${f.of === 1 ? '' : 's'})`
		: `column "${f.header}": ${f.matched} of ${f.of} value${f.of === 1 ? '' : 's'} look like ${what}`;
}
