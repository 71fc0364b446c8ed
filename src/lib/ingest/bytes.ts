/** What the bytes of an upload turned out to be, before any CSV parsing. */
export type Decoded =
	| {
			ok: true;
			utf8: Uint8Array;
			encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
			warnings: string[];
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

const startsWith = (b: Uint8Array, prefix: readonly number[]) => prefix.every((x, i) => b[i] === x);

/** Bytes to UTF-8 without a BOM; refuses empty files and non-text formats by their magic bytes. */
export function decodeBytes(file: string, bytes: Uint8Array): Decoded {
	if (bytes.length === 0 || (bytes.length === 3 && startsWith(bytes, [0xef, 0xbb, 0xbf]))) {
		return { ok: false, reason: `${file} is empty` };
	}
	for (const m of MAGIC) {
		if (startsWith(bytes, m.bytes))
			return { ok: false, reason: `${file} is ${m.what}, not a CSV file: ${m.todo}` };
	}
	if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
		const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
		const text = new TextDecoder(encoding).decode(bytes.subarray(2));
		if (text.trim() === '') return { ok: false, reason: `${file} is empty` };
		return {
			ok: true,
			utf8: new TextEncoder().encode(text),
			encoding,
			warnings: [
				`${file} is UTF-16 (${encoding === 'utf-16le' ? 'little' : 'big'}-endian); converted to UTF-8`
			]
		};
	}
	const body = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? bytes.subarray(3) : bytes;
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(body);
		return { ok: true, utf8: body, encoding: 'utf-8', warnings: [] };
	} catch {
		// Excel's plain "CSV" is Windows-1252; every byte sequence decodes, so say so loudly.
		const line = firstInvalidUtf8Line(body);
		const text = new TextDecoder('windows-1252').decode(body);
		return {
			ok: true,
			utf8: new TextEncoder().encode(text),
			encoding: 'windows-1252',
			warnings: [
				`${file} is not UTF-8 (first invalid byte on line ${line}); read as Windows-1252. ` +
					'Check accented text, or export as "CSV UTF-8".'
			]
		};
	}
}

function firstInvalidUtf8Line(bytes: Uint8Array): number {
	const decoder = new TextDecoder('utf-8', { fatal: true });
	let line = 1;
	let start = 0;
	for (let i = 0; i <= bytes.length; i++) {
		if (i === bytes.length || bytes[i] === 0x0a) {
			try {
				decoder.decode(bytes.subarray(start, i));
			} catch {
				return line;
			}
			line++;
			start = i + 1;
		}
	}
	return line;
}
