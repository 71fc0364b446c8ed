import type { PlotOptions } from '@observablehq/plot';

export interface TableColumn<R> {
	key: keyof R & string;
	label: string;
	digits?: number;
}

/** Everything a page needs to show one chart: Plot options, words, and its table twin. */
export interface ChartSpec<R = Record<string, unknown>> {
	id: string;
	title: string;
	caption: string;
	ariaDescription: string;
	options: PlotOptions;
	table: { columns: TableColumn<R>[]; rows: R[] };
	/**
	 * Clicking the datum under the pointer (the figure's `value`, set by a pointer mark) selects
	 * `datum[key]`; the page decides what that opens. `hint` tells the user so, beside the chart.
	 */
	select?: { key: string; hint: string };
}
