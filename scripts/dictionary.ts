// Writes docs/data-dictionary.md from the zod contract. A unit test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { dataDictionary } from '../src/lib/contract/index.ts';

writeFileSync(new URL('../docs/data-dictionary.md', import.meta.url), dataDictionary() + '\n');
console.error('wrote docs/data-dictionary.md');
