/**
 * What the bytes of an upload are, before any CSV parsing: refuses empty files and other formats
 * by their magic bytes, and turns every accepted encoding into UTF-8 without a BOM.
 */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export type Decoded =
	| {
			ok: true;
			utf8: Uint8Array;
			encoding: Encoding;
			warnings: string[];
			/**
			 * Byte offsets (into `utf8`) of invalid UTF-8 sequences in a file that is otherwise UTF-8;
			 * the scanner rejects the records holding them. Empty for a valid file.
			 */
			invalid: number[];
	  }
	| { ok: false; reason: string };

const MAGIC: { bytes: number[]; what: string; todo: string }[] = [
	{
		bytes: [0x50, 0x4b, 0x03, 0x04],
		what: 'an Excel workbook or zip archive',
		todo: 'export it as "CSV UTF-8"'
	},
	{ bytes: [0x1f, 0x8b], what: 'a gzip archive', todo: 'decompress it first' },
	{ bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document', todo: 'export the data as CSV instead' },
	{ bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Excel (.xls) workbook', todo: 'export it as "CSV UTF-8"' }
];

const UTF8_BOM = [0xef, 0xbb, 0xbf];

const startsWith = (b: Uint8Array, prefix: readonly number[], at = 0) =>
	prefix.every((x, i) => b[at + i] === x);

/** The UTF-8 byte-order mark starts at `at`. */
export const startsWithBom = (b: Uint8Array, at = 0) => startsWith(b, UTF8_BOM, at);

/** Bytes to UTF-8 without a BOM, or the reason the file cannot be read as text. */
export function decodeBytes(file: string, bytes: Uint8Array): Decoded {
	const empty = { ok: false as const, reason: `${file} is empty` };
	if (bytes.length === 0 || (bytes.length === 3 && startsWith(bytes, UTF8_BOM))) return empty;
	for (const m of MAGIC) {
		if (startsWith(bytes, m.bytes))
			return { ok: false, reason: `${file} is ${m.what}, not a CSV file: ${m.todo}` };
	}
	const utf16 = utf16Of(bytes);
	if (utf16) {
		const text = new TextDecoder(utf16.encoding).decode(bytes.subarray(utf16.bom ? 2 : 0));
		if (text.trim() === '') return empty;
		const side = utf16.encoding === 'utf-16le' ? 'little' : 'big';
		return {
			ok: true,
			utf8: new TextEncoder().encode(text),
			encoding: utf16.encoding,
			invalid: [],
			warnings: [
				`${file} is UTF-16 (${side}-endian${utf16.bom ? '' : ', without a byte order mark'}, Excel's "Unicode text"); it was converted to UTF-8`
			]
		};
	}
	const body = startsWith(bytes, UTF8_BOM) ? bytes.subarray(3) : bytes;
	if (isUtf8(body)) return { ok: true, utf8: body, encoding: 'utf-8', warnings: [], invalid: [] };

	const scan = invalidUtf8(body);
	if (looksSingleByte(body, scan)) {
		// Excel's plain "CSV" is Windows-1252 (a superset of Latin-1). Every byte decodes, so this is a
		// guess from the shape of the text: say so loudly.
		const text = new TextDecoder('windows-1252').decode(body);
		const lines = linesOf(body, scan.offsets);
		return {
			ok: true,
			utf8: new TextEncoder().encode(text),
			encoding: 'windows-1252',
			invalid: [],
			warnings: [
				`${file} is not UTF-8: it was read as Windows-1252 (Excel's "CSV", Latin-1), which changes the accented ` +
					`letters on ${plural(lines.length, 'line')} (first: line ${lines[0]}). Check them, or export as "CSV UTF-8"`
			]
		};
	}
	return { ok: true, utf8: body, encoding: 'utf-8', warnings: [], invalid: scan.offsets };
}

function isUtf8(bytes: Uint8Array): boolean {
	// Most exports are ASCII: check that four bytes at a time, without decoding into a string.
	const n = bytes.length;
	let i = 0;
	while (i < n && (bytes.byteOffset + i) % 4 !== 0) if (bytes[i++]! >= 0x80) return strictUtf8(bytes);
	const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (n - i) >> 2);
	for (let k = 0; k < words.length; k++) if ((words[k]! & 0x80808080) !== 0) return strictUtf8(bytes);
	for (i += words.length * 4; i < n; i++) if (bytes[i]! >= 0x80) return strictUtf8(bytes);
	return true;
}

function strictUtf8(bytes: Uint8Array): boolean {
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(bytes);
		return true;
	} catch {
		return false;
	}
}

/** UTF-16 by its BOM, or (without one) by the zero high bytes of ASCII text in the first 64 bytes. */
function utf16Of(b: Uint8Array): { encoding: 'utf-16le' | 'utf-16be'; bom: boolean } | null {
	if (startsWith(b, [0xff, 0xfe])) return { encoding: 'utf-16le', bom: true };
	if (startsWith(b, [0xfe, 0xff])) return { encoding: 'utf-16be', bom: true };
	const n = Math.min(b.length, 64) & ~1;
	if (n < 4) return null;
	let evenZero = 0;
	let oddZero = 0;
	for (let i = 0; i < n; i += 2) {
		if (b[i] === 0) evenZero++;
		if (b[i + 1] === 0) oddZero++;
	}
	if (oddZero === n / 2 && evenZero === 0) return { encoding: 'utf-16le', bom: false };
	if (evenZero === n / 2 && oddZero === 0) return { encoding: 'utf-16be', bom: false };
	return null;
}

interface Utf8Scan {
	/** Where each invalid sequence starts. */
	offsets: number[];
	/** Whether any valid multi-byte sequence was seen (evidence that the file really is UTF-8). */
	multiByte: boolean;
}

/** The slow path, for a file that failed fast validation: every invalid sequence's offset. */
function invalidUtf8(b: Uint8Array): Utf8Scan {
	const offsets: number[] = [];
	let multiByte = false;
	let i = 0;
	while (i < b.length) {
		const c = b[i]!;
		if (c < 0x80) {
			i++;
			continue;
		}
		const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		let ok = len > 0 && i + len <= b.length;
		for (let k = 1; ok && k < len; k++) ok = (b[i + k]! & 0xc0) === 0x80;
		// Overlong and surrogate forms (RFC 3629): E0 needs A0-BF, ED needs 80-9F, F0 90-BF, F4 80-8F.
		if (ok && len === 3) ok = !(c === 0xe0 && b[i + 1]! < 0xa0) && !(c === 0xed && b[i + 1]! > 0x9f);
		if (ok && len === 4) ok = !(c === 0xf0 && b[i + 1]! < 0x90) && !(c === 0xf4 && b[i + 1]! > 0x8f);
		if (ok) {
			multiByte = true;
			i += len;
		} else {
			offsets.push(i);
			i++;
		}
	}
	return { offsets, multiByte };
}

const isAsciiLetter = (c: number | undefined) =>
	c !== undefined && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));

/**
 * A Latin-1 / Windows-1252 file has no valid UTF-8 multi-byte sequences, and its high bytes are
 * accented letters inside words: each run of at most two high bytes touches an ASCII letter
 * (`Jos\xe9`, `M\xfcller`, `\xc9lodie`). Stray bytes between punctuation (`_\xff\xff_`) are
 * damage in a UTF-8 file instead, and are rejected line by line.
 */
function looksSingleByte(b: Uint8Array, scan: Utf8Scan): boolean {
	if (scan.multiByte) return false;
	let i = 0;
	while (i < b.length) {
		if (b[i]! < 0x80) {
			i++;
			continue;
		}
		let j = i;
		while (j < b.length && b[j]! >= 0x80) j++;
		if (j - i > 2 || !(isAsciiLetter(b[i - 1]) || isAsciiLetter(b[j]))) return false;
		i = j;
	}
	return true;
}

/** Physical line numbers (1-based) of the given byte offsets, in order and without repeats. */
function linesOf(b: Uint8Array, offsets: readonly number[]): number[] {
	const lines: number[] = [];
	let line = 1;
	let k = 0;
	for (let i = 0; i < b.length && k < offsets.length; i++) {
		if (i === offsets[k]) {
			if (lines[lines.length - 1] !== line) lines.push(line);
			k++;
		}
		const c = b[i];
		if (c === 0x0a || (c === 0x0d && b[i + 1] !== 0x0a)) line++;
	}
	return lines;
}

export function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}
