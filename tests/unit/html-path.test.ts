import { describe, expect, test } from 'vitest';
import { pageOfHtmlPath } from '../../src/lib/htmlPath';

describe('a prerendered file name opens its page', () => {
	test.each([
		['/pump.html', '/pump'],
		['/index.html', '/'],
		['/dictionary.html', '/dictionary'],
		['/docs/index.html', '/docs'],
		['/pump', undefined],
		['/', undefined],
		['/data.csv', undefined]
	])('%s -> %s', (path, page) => {
		expect(pageOfHtmlPath(path)).toBe(page);
	});
});
