// Firefox and WebKitGTK need an X server even when headless: start Xvfb when there is no display. Also writes the
// README's code blocks where the harness page can import them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeBlocks, readmeModule } from '../support/readme';

let xvfb: ChildProcess | null = null;

/** The README's TypeScript blocks as modules the harness page imports (readme.spec.ts runs them). */
function writeReadmeBlocks(): void {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const dir = join(here, 'readme-blocks');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  readmeBlocks(readFileSync(join(here, '..', '..', 'README.md'), 'utf8')).forEach((b, i) =>
    writeFileSync(join(dir, `block-${i}.ts`), readmeModule(b, '../../../src/index.js')));
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  writeReadmeBlocks();
  if (!process.env.DISPLAY) {
    const display = await new Promise<string>((resolve, reject) => {
      // A screen larger than the largest viewport the tests ask for (1920×1080) and the window's frame around it.
      xvfb = spawn(process.env.XVFB_PATH ?? 'Xvfb', ['-displayfd', '3', '-screen', '0', '2560x1600x24', '-nolisten',
        'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
      let out = '';
      xvfb.stdio[3]!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(`:${out.trim()}`);
      });
      xvfb.on('error', (e) => reject(new Error(`cannot start Xvfb (apt-get install xvfb): ${e.message}`)));
      xvfb.on('exit', (code) => reject(new Error(`Xvfb exited with code ${code}`)));
    });
    process.env.DISPLAY = display;
  }
  return async () => {
    xvfb?.kill();
  };
}
