// The README's TypeScript blocks as modules, so that the unit suite type-checks them and the browser suite runs
// them: the README cannot drift from the API. A block may be preceded by `<!-- readme: … -->`: code that the block
// assumes (its own tensors, say) and the page does not show, or `worker` for a worker's script.

export interface ReadmeBlock {
  /** Line of the opening fence, 1-based. */
  line: number;
  code: string;
  /** The block is a worker's script (`<!-- readme: worker -->` before it): run in a Web Worker, not in the page. */
  worker: boolean;
}

const PACKAGE = 'webgl-conv-transpose3d';

/** Every ```ts block of a Markdown text, with its hidden preamble in front. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const end = lines.indexOf('```', i + 1);
    const note = /^<!-- readme: (.*) -->$/.exec(lines[i - 1] ?? '')?.[1] ?? '';
    const worker = note === 'worker';
    blocks.push({ line: i + 1, code: `${worker ? '' : note}\n${lines.slice(i + 1, end).join('\n')}`, worker });
    i = end;
  }
  return blocks;
}

/**
 * A block as a module importing the library from `entry` instead of the package name (imports of the package are
 * merged into one line at the top, as the preamble may import too), and its ./tfjs entry from beside `entry`.
 */
export function readmeModule(block: ReadmeBlock, entry: string): string {
  const names = new Set<string>();
  const body = block.code.replace(new RegExp(`import \\{([^}]*)\\} from '${PACKAGE}';`, 'g'), (_, list: string) => {
    for (const name of list.split(',').map((n) => n.trim()).filter(Boolean)) names.add(name);
    return '';
  });
  // The ./tfjs entry sits beside the main one, as in the package.
  const tfjsEntry = entry.replace(/index\.js$/, 'tfjs/index.js');
  const code = body.replaceAll(`from '${PACKAGE}/tfjs';`, `from '${tfjsEntry}';`);
  return `import { ${[...names].join(', ')} } from '${entry}';\n// README.md line ${block.line}\n${code}\nexport {};\n`;
}
