import type { InputFile } from './prepare';

/**
 * The files of an upload, each under a name no other file of it has. A file is known by its name
 * everywhere after this: in the report, in the problems table, in the review and in the export's
 * manifest. Two files of one name are common (a/export.csv and b/export.csv: a browser gives no
 * folder) and are both imported: each is named with its place among them, in the order given,
 * "export.csv (2nd file of that name)".
 */
export function uniqueNames<T extends InputFile>(inputs: readonly T[]): T[] {
	const count = new Map<string, number>();
	for (const f of inputs) count.set(f.name, (count.get(f.name) ?? 0) + 1);
	if (inputs.every((f) => count.get(f.name) === 1)) return [...inputs];
	const used = new Set(inputs.map((f) => f.name));
	const seen = new Map<string, number>();
	return inputs.map((f) => {
		if (count.get(f.name) === 1) return f;
		const k = (seen.get(f.name) ?? 0) + 1;
		seen.set(f.name, k);
		let name = `${f.name} (${ordinal(k)} file of that name)`;
		// Another file of the upload may be called that already: number on.
		for (let extra = 2; used.has(name); extra++)
			name = `${f.name} (${ordinal(k)} file of that name, ${extra})`;
		used.add(name);
		return { ...f, name };
	});
}

function ordinal(n: number): string {
	const tens = n % 100;
	const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
	return `${n}${suffix}`;
}
