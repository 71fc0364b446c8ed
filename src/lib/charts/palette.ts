/**
 * Colours for series told apart by colour (offices): distinct hues, each with at least 3:1
 * contrast against the white page (WCAG 1.4.11; tests/unit/chart-contrast.test.ts checks every
 * chart). Plot repeats them beyond eight.
 */
export const SERIES_COLOURS = [
	'#1f4e79',
	'#b15928',
	'#2f7d77',
	'#7b3f6e',
	'#3d7f38',
	'#c0392b',
	'#6b6b6b',
	'#8c6d00'
] as const;
