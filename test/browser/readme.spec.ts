// The README's examples, run as written in each engine (the unit suite type-checks them).
import { readFileSync } from 'node:fs';
import { readmeBlocks } from '../support/readme';
import { expect, test } from './fixtures';

const blocks = readmeBlocks(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'));

for (const [i, block] of blocks.entries()) {
  test(`the README's example at line ${block.line} runs`, async ({ engine }) => {
    expect(await engine.call<string>('readmeBlock', i)).toBe('ok');
  });
}
