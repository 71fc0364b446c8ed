import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as Plot from '@observablehq/plot';
import { JSDOM } from 'jsdom';
import { expect } from 'vitest';
import type { ChartSpec } from '../../src/lib/charts';

/**
 * Chart snapshots the way Observable Plot tests its marks (test/plots/ + test/output/): render the
 * spec to SVG in a fresh jsdom, normalise numbers to 2 decimals, and compare with a committed
 * file in tests/charts/. The committed SVGs double as a gallery a reviewer can open.
 *
 * A missing snapshot is written (commit it); a changed one fails the test and the new rendering
 * is written beside it as `<name>-changed.svg` for a side-by-side look. Outside CI, set
 * UPDATE_SNAPSHOTS=1 to accept a change.
 */
const DIR = fileURLToPath(new URL('../charts/', import.meta.url));

export function renderSvg<R>(spec: ChartSpec<R>): string {
	const { document } = new JSDOM('').window;
	const node = Plot.plot({
		...spec.options,
		ariaLabel: spec.title,
		ariaDescription: spec.ariaDescription,
		document
	});
	return normalise(node.outerHTML);
}

/** Numbers to at most 2 decimals; one element per line, so a diff points at the mark that moved. */
export function normalise(html: string): string {
	return (
		html
			.replace(/-?\d+\.\d+(e[-+]?\d+)?/g, (s) => {
				const v = Math.round(Number(s) * 100) / 100;
				return String(Object.is(v, -0) ? 0 : v);
			})
			// Plot numbers clip paths with a counter that runs across the whole test process.
			.replace(/plot-clip-\d+/g, 'plot-clip')
			.replace(/>\s*</g, '>\n<')
			.trim()
			.concat('\n')
	);
}

export function expectSnapshot(name: string, svg: string): void {
	mkdirSync(DIR, { recursive: true });
	const file = `${DIR}${name}.svg`;
	const changed = `${DIR}${name}-changed.svg`;
	if (!existsSync(file) || process.env.UPDATE_SNAPSHOTS === '1') {
		if (process.env.CI)
			throw new Error(`missing chart snapshot ${name}.svg: run the tests locally and commit it`);
		writeFileSync(file, svg);
		return;
	}
	const expected = readFileSync(file, 'utf8');
	if (svg !== expected) writeFileSync(changed, svg);
	expect(svg, `${name}.svg differs; see ${name}-changed.svg`).toBe(expected);
}
