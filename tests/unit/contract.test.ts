import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
	columnsOf,
	dataDictionary,
	mapHeaders,
	normaliseHeader,
	recogniseFile,
	pain_scores
} from '../../src/lib/contract';

describe('normaliseHeader', () => {
	test.each([
		['Average Pain (NRS)', 'average_pain'],
		['Follow-up End Date', 'followup_end_date'],
		['  patient.ID ', 'patient_id'],
		['\uFEFFpatient_id', 'patient_id'],
		['Pain Score (0-10)', 'pain_score'],
		['follow_up__end--day', 'followup_end_day']
	])('%j becomes %j', (input, expected) => {
		expect(normaliseHeader(input)).toBe(expected);
	});
});

describe('mapHeaders', () => {
	test('maps the synonyms data-contract.md lists', () => {
		const m = mapHeaders('pain_scores', [
			'Subject ID',
			'Visit Date',
			'Average Pain (NRS)',
			'Worst Pain',
			'Comment'
		]);
		expect(m.columns.map((c) => c.target)).toEqual(['patient_id', 'date', 'pain_avg', 'pain_worst', null]);
		expect(m.missing).toEqual([]);
	});

	test('an exact name wins over a synonym for the same column', () => {
		const m = mapHeaders('pain_scores', ['patient_id', 'day', 'pain_avg', 'pain']);
		expect(m.columns.map((c) => c.target)).toEqual(['patient_id', 'day', 'pain_avg', null]);
	});

	test('three case variants of one synonym are ambiguous', () => {
		const m = mapHeaders('pain_scores', ['patient_id', 'day', 'Pain', 'pain', 'PAIN']);
		expect(m.ambiguous).toEqual(['pain_avg']);
	});

	test('a missing time column is reported in both its forms', () => {
		expect(mapHeaders('pain_scores', ['patient_id', 'pain_avg']).missing).toEqual(['day (or date)']);
	});
});

describe('recogniseFile', () => {
	test.each([
		[['patient_id', 'office', 'diagnosis'], 'patients'],
		[['patient_id', 'day', 'pain_avg'], 'pain_scores'],
		[
			['patient_id', 'start_day', 'days_supply', 'drug', 'strength', 'strength_unit', 'quantity'],
			'oral_opioids'
		],
		[['patient_id', 'day', 'event', 'drug', 'daily_dose', 'daily_dose_unit'], 'pump_events']
	])('recognises %j as %s by its header', (headers, kind) => {
		expect(recogniseFile(headers)?.kind).toBe(kind);
	});

	test('recognises nothing without a patient key', () => {
		expect(recogniseFile(['id', 'name', 'lat', 'lon'])).toBeNull();
	});
});

describe('contract', () => {
	test('the zod schema accepts a valid pain row and refuses a score of 11', () => {
		expect(pain_scores.safeParse({ patient_id: 'P1', day: 30, pain_avg: 4 }).success).toBe(true);
		expect(pain_scores.safeParse({ patient_id: 'P1', day: 30, pain_avg: 11 }).success).toBe(false);
	});

	test('every column carries a description and a required rule', () => {
		for (const kind of ['patients', 'pain_scores', 'oral_opioids', 'pump_events'] as const) {
			for (const c of columnsOf(kind)) {
				expect(c.description.length, `${kind}.${c.name}`).toBeGreaterThan(2);
				expect(c.required.length, `${kind}.${c.name}`).toBeGreaterThan(1);
			}
		}
	});

	test('the committed data dictionary is up to date (run `npm run dictionary`)', () => {
		const committed = readFileSync(new URL('../../docs/data-dictionary.md', import.meta.url), 'utf8');
		expect(committed).toBe(dataDictionary() + '\n');
	});
});
