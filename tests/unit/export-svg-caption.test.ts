import { JSDOM } from 'jsdom';
import { describe, expect, test } from 'vitest';
import { captionedSvg, wrapWords } from '../../src/lib/export';

const CHART = `<svg xmlns="http://www.w3.org/2000/svg" class="plot-1" width="760" height="360" viewBox="0 0 760 360"><style>.plot-1 { fill: red; }</style><g><rect width="10" height="10"/></g></svg>`;
const CAPTION =
	'Months -6 to 36; n = 287 patients (implanted, not spasticity). Band: interquartile range. Filters: office: Lexington & "Danville"; diagnosis: <crps>.';

describe('captionedSvg', () => {
	const {
		svg: out,
		width,
		height
	} = captionedSvg(CHART, {
		width: 760,
		height: 360,
		title: 'Average pain by month',
		caption: CAPTION
	});
	const doc = new JSDOM(out, { contentType: 'image/svg+xml' }).window.document;

	test('draws the title, n and filters as text under the chart', () => {
		const text = [...doc.querySelectorAll('text.caption tspan')].map((t) => t.textContent).join(' ');
		expect(text).toBe(`Average pain by month. ${CAPTION}`);
		expect(text).toContain('n = 287 patients');
		expect(text).toContain('Filters: office: Lexington & "Danville"; diagnosis: <crps>.');
		const caption = doc.querySelector('text.caption')!;
		expect(Number(caption.getAttribute('y'))).toBeGreaterThan(360);
	});

	test('nests the chart unchanged and grows the picture to fit the caption', () => {
		const root = doc.documentElement;
		expect(root.getAttribute('width')).toBe('760');
		const lines = doc.querySelectorAll('text.caption tspan').length;
		expect(lines).toBeGreaterThan(1);
		expect(Number(root.getAttribute('height'))).toBe(Math.ceil(360 + 16 + lines * 16));
		expect([width, height]).toEqual([760, Number(root.getAttribute('height'))]);
		expect(out).toContain(CHART);
		expect(doc.querySelector('desc')!.textContent).toBe(CAPTION);
	});
});

describe('wrapWords', () => {
	test.each([
		['', 10, []],
		['one', 10, ['one']],
		['aa bb cc dd', 5, ['aa bb', 'cc dd']],
		['a verylongword b', 4, ['a', 'verylongword', 'b']]
	])('wraps %j at %i', (text, width, lines) => {
		expect(wrapWords(text, width)).toEqual(lines);
	});
});
