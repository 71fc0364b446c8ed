import { chromium } from '@playwright/test';
import { writeFileSync } from 'node:fs';
const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	args: [
		'--no-sandbox',
		'--disable-gpu',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
		'--no-first-run'
	]
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.stack || String(e)));
await page.goto('http://127.0.0.1:4199/offices');
await page.getByTestId('needs-data').getByRole('button', { name: 'Use demo data' }).click();
const t0 = Date.now();
await page.getByTestId('funnel-chart').locator('svg').first().waitFor({ timeout: 60000 });
console.log('render ms after click', Date.now() - t0);
await page.screenshot({ path: '/tmp/offices-screen.png', fullPage: true });
await page.emulateMedia({ media: 'print' });
await page.setViewportSize({ width: 703, height: 1000 });
console.log(
	await page.evaluate(() =>
		[...document.querySelectorAll('.offices-report table, .offices-report svg, main, .offices-report')]
			.map(
				(el) =>
					`${el.tagName}.${el.className} ${el.closest('[data-testid]')?.getAttribute('data-testid')} ${Math.round(el.getBoundingClientRect().width)}`
			)
			.join('\n')
	)
);
const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
writeFileSync('/tmp/offices.pdf', pdf);
console.log('errors', errors);
await browser.close();
