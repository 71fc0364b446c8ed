import * as Plot from '@observablehq/plot';
import { SERIES_COLOURS } from './palette';
import type { Shown } from '$lib/outcomes';
import type { OfficesView } from '$lib/sql';
import { plural } from '$lib/ingest';
import type { ChartSpec } from './types';

export interface OfficeTrendContext {
	filters: string;
}

export interface OfficeTrendRow extends Record<string, string | number> {
	office: string;
}

interface Point {
	office: string;
	year: number;
	n: number | null;
	small: boolean;
}

/**
 * Implant cohorts by year per office, as published: exact counts as lines and dots, counts
 * suppressed as `<11` as hollow marks inside a shaded 1 to threshold - 1 band (their place within
 * the band means nothing), and hidden counts left out (a gap in the line).
 */
export function officeTrendChart(view: OfficesView, ctx: OfficeTrendContext): ChartSpec<OfficeTrendRow> {
	const offices = view.trend.rows.filter((r) => r.level === 'office');
	const practice = view.trend.rows.find((r) => r.level === 'practice');
	const years = view.trend.years;
	const points: Point[] = offices.flatMap((r) =>
		years.map((y) => {
			const v: Shown = r.years[y] ?? null;
			return {
				office: r.label,
				year: Number(y),
				n: typeof v === 'number' ? v : null,
				small: typeof v === 'string'
			};
		})
	);
	const exact = points.filter((p) => p.n !== null);
	// Side by side within the year, so each office's mark shows even where all are suppressed.
	const spread = (office: string) =>
		(offices.findIndex((r) => r.label === office) - (offices.length - 1) / 2) * 0.12;
	const small = points.filter((p) => p.small).map((p) => ({ ...p, x: p.year + spread(p.office) }));
	const t = view.threshold;
	const mid = t / 2;
	const cell = (v: Shown | undefined) => (v === null || v === undefined ? '–' : String(v));
	const rows: OfficeTrendRow[] = [...offices, ...(practice ? [practice] : [])].map((r) => ({
		office: r.label,
		...Object.fromEntries(years.map((y) => [y, cell(r.years[y])]))
	}));
	const hidden = points.filter((p) => p.n === null && !p.small).length;
	return {
		id: 'offices-implant-trend',
		title: 'Implants by year per office',
		caption:
			`Implanted patients without spasticity, by implant year (${plural(years.length, 'year')} with an implant, ${plural(offices.length, 'office')}). ` +
			`Hollow marks in the shaded band: fewer than ${t} (exact count suppressed); ${hidden} hidden ` +
			`count(s) are left out so that no suppressed count can be recovered. Filters: ${ctx.filters}.`,
		ariaDescription:
			offices.length === 0 || years.length === 0
				? 'No office has an implant under these filters.'
				: `Implants by year for ${plural(offices.length, 'office')}, in the ${plural(years.length, 'year')} with an ` +
					`implant from ${years[0]} to ${years.at(-1)}. ` +
					offices
						.map((r) => `${r.label}: ${years.map((y) => `${y} ${cell(r.years[y])}`).join(', ')}`)
						.join('; ') +
					'.',
		options: {
			width: 760,
			height: 320,
			marginLeft: 48,
			marginRight: 100,
			x: { label: 'Implant year', tickFormat: 'd', ticks: years.map(Number) },
			y: { label: 'Implants', grid: true, zero: true },
			color: { legend: true, domain: offices.map((r) => r.label), range: [...SERIES_COLOURS] },
			marks: [
				Plot.rectY([0], {
					x1: () => Number(years[0]) - 0.5,
					x2: () => Number(years.at(-1)) + 0.5,
					y1: 1,
					y2: t - 1,
					fill: '#ccc',
					fillOpacity: 0.3
				}),
				Plot.text([`fewer than ${t}`], { frameAnchor: 'right', y: mid, dx: 96, fontSize: 10, fill: '#555' }),
				Plot.lineY(points, { x: 'year', y: 'n', stroke: 'office', strokeWidth: 1.5 }),
				Plot.dot(exact, { x: 'year', y: 'n', fill: 'office', r: 3.5 }),
				Plot.dot(small, { x: 'x', y: () => mid, stroke: 'office', r: 4, fill: 'white', strokeWidth: 1.5 }),
				Plot.tip(
					exact,
					Plot.pointer({ x: 'year', y: 'n', title: (p: Point) => `${p.office} ${p.year}: ${p.n} implants` })
				)
			]
		},
		table: {
			columns: [{ key: 'office', label: 'Office' }, ...years.map((y) => ({ key: y, label: y }))],
			rows
		}
	};
}
