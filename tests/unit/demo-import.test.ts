import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { load } from './helpers';

const DIR = new URL('../../data/demo/', import.meta.url);

test('the committed demo cohort imports with every row loaded and nothing rejected or skipped', async () => {
	const texts = Object.fromEntries(
		readdirSync(DIR)
			.filter((n) => n.endsWith('.csv'))
			.map((n) => [n, readFileSync(new URL(n, DIR), 'utf8')])
	);
	const { report } = await load(texts);
	expect(report.refused).toEqual([]);
	expect(report.files.map((f) => f.kind).sort()).toEqual([
		'oral_opioids',
		'pain_scores',
		'patients',
		'pump_events'
	]);
	for (const f of report.files) {
		// Independent count: the demo has no quoted newlines, so records = lines - header.
		const records = texts[f.file]!.trimEnd().split('\n').length - 1;
		expect({
			file: f.file,
			read: f.read,
			loaded: f.loaded,
			rejected: f.rejected,
			skipped: f.skipped
		}).toEqual({
			file: f.file,
			read: records,
			loaded: records,
			rejected: 0,
			skipped: 0
		});
	}
});
