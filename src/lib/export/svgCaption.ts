const escapeXml = (s: string) =>
	s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Greedy word wrap to lines of at most `width` characters (a longer word keeps a line of its own). */
export function wrapWords(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/).filter(Boolean)) {
		if (line && line.length + 1 + word.length > width) {
			lines.push(line);
			line = word;
		} else line = line ? `${line} ${word}` : word;
	}
	if (line) lines.push(line);
	return lines;
}

export interface SvgCaption {
	/** Size of the chart's SVG in pixels. */
	width: number;
	height: number;
	title: string;
	/** The chart's caption, which states its n and filters (style.md). */
	caption: string;
	fontSize?: number;
}

/**
 * A downloaded chart as a standalone SVG that shows its title and caption under the plot, so the
 * picture carries its n and filters wherever it is pasted (a <desc> alone is never drawn, and a PNG
 * made from the SVG would lose it). The chart's own SVG is nested unchanged, so its styles apply;
 * the caption is also kept as <title> and <desc> for screen readers and search. Returns the new
 * picture's size too, for drawing it on a canvas (PNG).
 */
export function captionedSvg(
	chartSvg: string,
	c: SvgCaption
): { svg: string; width: number; height: number } {
	const fontSize = c.fontSize ?? 12;
	const lineHeight = Math.round(fontSize * 1.35);
	const pad = 8;
	// About 0.55 em per character in a sans-serif face.
	const lines = wrapWords(
		`${c.title}. ${c.caption}`,
		Math.max(20, Math.floor((c.width - 2 * pad) / (fontSize * 0.55)))
	);
	const height = Math.ceil(c.height + 2 * pad + lines.length * lineHeight);
	const inner = chartSvg.replace(/^<\?xml[^>]*>\s*/, '');
	const tspans = lines
		.map((l, i) => `<tspan x="${pad}" dy="${i === 0 ? 0 : lineHeight}">${escapeXml(l)}</tspan>`)
		.join('');
	const svg =
		`<svg xmlns="http://www.w3.org/2000/svg" width="${c.width}" height="${height}" viewBox="0 0 ${c.width} ${height}">` +
		`<title>${escapeXml(c.title)}</title><desc>${escapeXml(c.caption)}</desc>` +
		`<rect width="100%" height="100%" fill="#fff"/>${inner}` +
		`<text class="caption" x="${pad}" y="${c.height + pad + fontSize}" font-family="system-ui, sans-serif" ` +
		`font-size="${fontSize}" fill="#333">${tspans}</text></svg>`;
	return { svg, width: c.width, height };
}
