// Every TypeScript block of the README type-checks against the library as it is (the browser suite runs them).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeBlocks, readmeModule, type ReadmeBlock } from '../support/readme';

const root = join(__dirname, '..', '..');
const blocks = readmeBlocks(readFileSync(join(root, 'README.md'), 'utf8'));

/** tsc's diagnostics for these blocks as modules importing src/index.ts ('' when they type-check). */
function typeCheck(name: string, list: ReadmeBlock[]): string {
  const dir = join(root, 'reports', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = list.map((b, i) => {
    writeFileSync(join(dir, `block-${i}.ts`), readmeModule(b, '../../src/index.js'));
    return `block-${i}.ts`;
  });
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'],
      strict: true, noEmit: true, skipLibCheck: true, types: [] },
    files: [...files, '../../src/glsl.d.ts'],
  }));
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', dir], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    return `${(e as { stdout: string }).stdout}`.trim();
  }
}

describe('the README', () => {
  it('has its examples as TypeScript blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks.every((b) => /from 'webgl-conv-transpose3d(\/tfjs)?'/.test(b.code))).toBe(true);
  });

  it('type-checks every block against the library', { timeout: 60_000 }, () => {
    expect(typeCheck('readme-check', blocks)).toBe('');
  });

  it('would fail on a block that does not match the API', { timeout: 60_000 }, () => {
    const wrong = { line: 0, worker: false, code: "import { convTranspose3d } from 'webgl-conv-transpose3d';\n" +
      'const y: number = await convTranspose3d(1, 2);' };
    expect(typeCheck('readme-check-wrong', [wrong])).toMatch(/error TS/);
  });
});
