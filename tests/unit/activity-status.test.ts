import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ActivityStatus } from '../../src/lib/state/activity';

/*
 * The analysis pages' status region (src/routes/+layout.svelte) says "Computing…" when the page's
 * queries run long enough to notice, and "Updated." once they have all finished.
 */
describe('the status region of the analysis pages', () => {
	let said: string[];
	let status: ActivityStatus;
	beforeEach(() => {
		vi.useFakeTimers();
		said = [];
		status = new ActivityStatus((text) => said.push(text), 300, 150);
	});
	afterEach(() => vi.useRealTimers());

	test('a long computation: "Computing…" after 300 ms, "Updated." 150 ms after the last query', () => {
		status.running(1);
		status.running(2);
		vi.advanceTimersByTime(299);
		expect(said).toEqual([]);
		vi.advanceTimersByTime(1);
		expect(said).toEqual(['Computing…']);
		status.running(1);
		status.running(0);
		vi.advanceTimersByTime(149);
		expect(said).toEqual(['Computing…']);
		vi.advanceTimersByTime(1);
		expect(said).toEqual(['Computing…', 'Updated.']);
	});

	test('a quick change says nothing (the filter bar announces its count)', () => {
		status.running(1);
		vi.advanceTimersByTime(200);
		status.running(0);
		vi.advanceTimersByTime(1000);
		expect(said).toEqual([]);
	});

	test('a view that asks in stages is one update: a query in the settling time holds "Updated."', () => {
		status.running(1);
		vi.advanceTimersByTime(400);
		status.running(0);
		vi.advanceTimersByTime(100);
		status.running(1); // the next stage
		vi.advanceTimersByTime(1000);
		expect(said).toEqual(['Computing…']);
		status.running(0);
		vi.advanceTimersByTime(150);
		expect(said).toEqual(['Computing…', 'Updated.']);
		// The next long computation is announced again.
		status.running(1);
		vi.advanceTimersByTime(300);
		expect(said).toEqual(['Computing…', 'Updated.', 'Computing…']);
	});
});
