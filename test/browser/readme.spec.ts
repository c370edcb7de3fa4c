// The README's examples, run as written in each engine, a worker's script in a Web Worker (the unit suite
// type-checks them).
import { readFileSync } from 'node:fs';
import { readmeBlocks } from '../support/readme';
import { expect, test } from './fixtures';

const blocks = readmeBlocks(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'));

for (const [i, block] of blocks.entries()) {
  test(`the README's example at line ${block.line} runs${block.worker ? ' in a Web Worker' : ''}`, async ({
    engine,
  }) => {
    expect(await engine.call<string>(block.worker ? 'readmeWorker' : 'readmeBlock', i)).toBe('ok');
  });
}
