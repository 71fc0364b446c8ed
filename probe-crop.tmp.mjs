// Split a tall PNG into viewable parts, and render PDF pages to PNG with pdf.js + @napi-rs/canvas.
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { readFileSync, writeFileSync } from 'node:fs';
const [mode, file, prefix] = process.argv.slice(2);
if (mode === 'png') {
	const img = await loadImage(readFileSync(file));
	const step = 1600;
	for (let i = 0; i * step < img.height; i++) {
		const h = Math.min(step, img.height - i * step);
		const c = createCanvas(img.width, h);
		c.getContext('2d').drawImage(img, 0, -i * step);
		writeFileSync(`${prefix}-${i}.png`, c.toBuffer('image/png'));
	}
	console.log(img.width, img.height);
} else {
	const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
	const doc = await getDocument({ data: new Uint8Array(readFileSync(file)) }).promise;
	console.log('pages', doc.numPages);
	for (let i = 1; i <= doc.numPages; i++) {
		const page = await doc.getPage(i);
		const vp = page.getViewport({ scale: 1.3 });
		const c = createCanvas(vp.width, vp.height);
		await page.render({ canvasContext: c.getContext('2d'), viewport: vp, canvas: c }).promise;
		writeFileSync(`${prefix}-p${i}.png`, c.toBuffer('image/png'));
	}
}
