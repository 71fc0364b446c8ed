import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { expect, painChart, test } from './fixtures';

/*
 * Issue 6 item 5: a chart's download carries its caption with n and filters, drawn in the picture
 * (a <desc> alone is never shown, and a PNG has none), so a picture pasted into a slide still says
 * what it shows. Checked on the dashboard's pain chart, with a filter set by the link.
 */

async function downloaded(page: Page, chart: Locator, name: string) {
	const [file] = await Promise.all([
		page.waitForEvent('download'),
		chart.getByRole('button', { name }).click()
	]);
	return { name: file.suggestedFilename(), bytes: readFileSync((await file.path())!) };
}

test('the SVG and PNG downloads of a chart draw its caption with n and the filters', async ({ page }) => {
	await page.goto('/?office=Lexington');
	await page.getByRole('button', { name: 'Use demo data' }).click();
	await expect(await painChart(page)).toHaveText(/n = \d+ patients/);
	const chart = page.getByTestId('pain-chart');
	const caption = (await chart.locator('figcaption').innerText()).trim();
	const n = caption.match(/\bn = (\d+) patients/)![1];
	expect(caption).toContain('office: Lexington');

	const svgFile = await downloaded(page, chart, 'Download SVG');
	expect(svgFile.name).toMatch(/\.svg$/);
	const svg = svgFile.bytes.toString('utf8');
	// The words of every <text>, lines (tspans) joined, spaces normalised: what a viewer draws.
	const drawn = [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)]
		.map((m) => m[1]!.replace(/<[^>]+>/g, ' '))
		.join(' ')
		.replace(/\s+/g, ' ');
	expect(drawn).toContain(`n = ${n} patients`);
	expect(drawn).toContain('office: Lexington');

	// The picture is taller than the chart by the caption's lines; the PNG is that picture at 2x.
	const size = (tag: string) => {
		const attr = (a: string) => Number(tag.match(new RegExp(`\\b${a}="([\\d.]+)"`))![1]);
		return { width: attr('width'), height: attr('height') };
	};
	const [outer, inner] = [...svg.matchAll(/<svg\b[^>]*>/g)].map((m) => size(m[0]));
	expect(outer!.width).toBe(inner!.width);
	expect(outer!.height).toBeGreaterThan(inner!.height);

	const png = await downloaded(page, chart, 'Download PNG');
	expect(png.name).toMatch(/\.png$/);
	expect([...png.bytes.subarray(1, 4)], 'PNG signature').toEqual([0x50, 0x4e, 0x47]);
	// IHDR: width and height, big-endian, at bytes 16 and 20.
	expect([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)]).toEqual([
		Math.ceil(outer!.width * 2),
		Math.ceil(outer!.height * 2)
	]);
});
