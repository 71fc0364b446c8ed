import { FILES } from './files';
import { SYNONYMS } from './headers';
import { columnsOf, type ColumnSpec } from './spec';

/** The data dictionary as Markdown, generated from the zod contract (never edited by hand). */
export function dataDictionary(): string {
	const out = [
		'# Data dictionary',
		'',
		'<!-- Generated from src/lib/contract by `npm run dictionary`. Do not edit by hand. -->',
		'',
		'Four CSV files make one dataset; only `patients.csv` is required. A file is recognised by its',
		'header, not its name. Time is given per file either as integer days from implant (`day` form,',
		'implant = day 0) or as ISO dates (`date` form, converted to days on import).',
		''
	];
	for (const f of FILES) {
		out.push(`## ${f.fileName}: ${f.title}${f.required ? ' (required)' : ''}`, '');
		out.push('| column | type | required | allowed values / range | meaning | also accepted |');
		out.push('|---|---|---|---|---|---|');
		for (const c of columnsOf(f.kind)) {
			const synonyms = (SYNONYMS[c.name] ?? []).map((s) => `\`${s}\``).join(', ');
			out.push(`| ${c.name} | ${typeName(c)} | ${c.required} | ${domain(c)} | ${meaning(c)} | ${synonyms} |`);
		}
		out.push('');
	}
	return out.join('\n');
}

function typeName(c: ColumnSpec): string {
	switch (c.kind) {
		case 'id':
			return 'text (1-64 chars)';
		case 'age':
			return 'integer or `90+`';
		case 'date':
			return 'date (YYYY-MM-DD)';
		default:
			return c.kind;
	}
}

function domain(c: ColumnSpec): string {
	if (c.values) return c.values.map((v) => `\`${v}\``).join(', ');
	const parts: string[] = [];
	if (c.min !== undefined && c.max !== undefined) parts.push(`${c.min} to ${c.max}`);
	else if (c.min !== undefined) parts.push(`>= ${c.min}`);
	if (c.positive) parts.push('> 0');
	if (c.maxDecimals !== undefined) parts.push(`at most ${c.maxDecimals} decimal`);
	if (c.kind === 'age') parts.push('or `90+`');
	if (c.notRecorded !== undefined) parts.push(c.values ? 'or empty' : 'or 0 / empty (not recorded)');
	return parts.join(', ');
}

function meaning(c: ColumnSpec): string {
	if (c.notRecorded === undefined) return c.description;
	const empty = c.values ? 'Empty' : '0 or empty';
	return `${c.description}. ${empty}: not recorded, ${c.notRecorded}`;
}
