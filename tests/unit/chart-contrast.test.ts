import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';
import { describe, expect, test } from 'vitest';

/*
 * WCAG 1.4.11: the marks a reader needs (lines, bars, dots, their legend swatches) have at least
 * 3:1 contrast against the white page, as drawn (a translucent mark blended with white). Checked
 * on every committed chart snapshot (tests/charts/, written by the chart tests from the app's own
 * specs). Fills under half opaque (interval bands, the shaded small-count zone) are backgrounds
 * whose edges a line carries, and are left out, as is white (a halo parting a dot from a line).
 */
const DIR = fileURLToPath(new URL('../charts/', import.meta.url));

function luminance(hex: string): number {
	const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
	const lin = (v: number) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
	return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
}

/** Contrast against white, per WCAG 2 (relative luminance). */
export function contrastOnWhite(colour: string): number {
	return 1.05 / (luminance(colour) + 0.05);
}

function hex(colour: string): string | null {
	const c = colour.trim().toLowerCase();
	if (/^#[0-9a-f]{6}$/.test(c)) return c;
	if (/^#[0-9a-f]{3}$/.test(c)) return `#${c[1]}${c[1]}${c[2]}${c[2]}${c[3]}${c[3]}`;
	return null; // none, currentColor, white, url(#…): the page's own colours or no paint
}

/** The paint's opacity: the product of every opacity on it and its groups. */
const opacityOf = (el: Element | null, paint: 'fill' | 'stroke'): number => {
	let alpha = 1;
	for (let e = el; e; e = e.parentElement)
		for (const a of ['opacity', `${paint}-opacity`])
			if (e.hasAttribute(a)) alpha *= Number(e.getAttribute(a));
	return alpha;
};

/** A colour drawn at `alpha` over white, as the eye sees it. */
function overWhite(colour: string, alpha: number): string {
	const channel = (i: number) =>
		Math.round(255 - alpha * (255 - parseInt(colour.slice(i, i + 2), 16)))
			.toString(16)
			.padStart(2, '0');
	return `#${channel(1)}${channel(3)}${channel(5)}`;
}

describe('chart colours', () => {
	test('the contrast formula gives the published values', () => {
		expect(contrastOnWhite('#000000')).toBeCloseTo(21, 5);
		expect(contrastOnWhite('#767676')).toBeCloseTo(4.54, 2); // the classic AA grey
		expect(contrastOnWhite('#ffffff')).toBe(1);
	});

	const files = readdirSync(DIR).filter((f) => f.endsWith('.svg') && !f.endsWith('-changed.svg'));
	test.each(files)('%s: every opaque mark colour has 3:1 against white', (file) => {
		const { document } = new JSDOM(readFileSync(`${DIR}${file}`, 'utf8')).window;
		const low = new Set<string>();
		for (const el of document.querySelectorAll('[fill], [stroke]')) {
			if (el.tagName.toLowerCase() === 'text' || el.closest('text')) continue; // text: its own check
			for (const a of ['fill', 'stroke'] as const) {
				const colour = hex(el.getAttribute(a) ?? '');
				// White is the page's own colour: a halo that parts a dot from a line, not a mark.
				if (!colour || colour === '#ffffff') continue;
				const alpha = opacityOf(el, a);
				if (alpha < 0.5) continue; // a band or a shaded zone behind the marks
				const seen = overWhite(colour, alpha);
				if (contrastOnWhite(seen) < 3)
					low.add(`${a} ${colour}${alpha < 1 ? ` at ${alpha}` : ''} (${contrastOnWhite(seen).toFixed(2)}:1)`);
			}
		}
		expect([...low]).toEqual([]);
	});
});
