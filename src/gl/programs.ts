// Shader programs: sources from glsl/ specialized by #defines, compiled with twgl.js once per specialization.
import { LRUCache } from 'lru-cache';
import * as twgl from 'twgl.js';
import vertexSource from '../../glsl/fullscreen.vert.glsl?raw';
import layoutChunk from '../../glsl/texlayout.glsl?raw';
import type { BackendStats } from './stats.js';
import { unrollLoops } from './unroll.js';
import { ConvTranspose3dError } from '../errors.js';

/** Values of `#define`s, by name; booleans become 1/0. */
export type Defines<D> = { [K in keyof D]: number | boolean | string };

/**
 * The full fragment source: version, defines, the shared layout functions, then the shader body, whose
 * `#pragma unroll` loops are unrolled when `unroll` is set (see unrollLoops).
 *
 * @example
 * specialize(repackSource, { ...repackDefines(plan), STORAGE_UINT: false }, { unroll: true });
 */
export function specialize<D extends Defines<D>>(body: string, defines: D, options: { unroll?: boolean } = {}):
  string {
  const values = defines as Record<string, number | boolean | string>;
  const lines = Object.entries(values).map(([name, value]) => {
    const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    return `#define ${name} ${text}`;
  });
  return ['#version 300 es', ...lines, layoutChunk, unrollLoops(body, values, options.unroll ?? false)].join('\n');
}

/** The compiler's own error lines first (twgl's messages also list the whole numbered source), then the rest. */
function compileErrors(messages: string[]): string {
  const lines = messages.join('\n').split('\n');
  const errors = lines.filter((l) => /ERROR/.test(l));
  return [...errors, ...lines.filter((l) => !/ERROR/.test(l))].join('\n').slice(0, 2000);
}

/** Programs kept at most: each shape gets its own specialization, so an app with ever-new shapes must not grow. */
export const MAX_PROGRAMS = 96;

/** Compiles programs on demand and keeps the most recently used by their full source. */
export class ProgramCache {
  private readonly programs: LRUCache<string, twgl.ProgramInfo>;

  constructor(private readonly gl: WebGL2RenderingContext, private readonly stats: BackendStats,
    capacity = MAX_PROGRAMS) {
    this.programs = new LRUCache({ max: capacity, dispose: (info) => {
      this.gl.deleteProgram(info.program);
      this.stats.programs--;
    } });
  }

  get(fragmentSource: string): twgl.ProgramInfo {
    // Called for every draw: a hit needs none of getAll's lists.
    return this.programs.get(fragmentSource) ?? this.getAll([fragmentSource])[0];
  }

  /**
   * The programs of several sources. The missing ones are compiled and linked together and only then checked
   * (twgl's createProgramInfos), so that the driver can overlap their compilation.
   */
  getAll(fragmentSources: string[]): twgl.ProgramInfo[] {
    const made = new Map<string, twgl.ProgramInfo>();
    const missing = [...new Set(fragmentSources.filter((s) => !this.programs.has(s)))];
    if (missing.length) {
      const errors: string[] = [];
      const infos = twgl.createProgramInfos(this.gl, Object.fromEntries(missing.map((s, i) => [i, [vertexSource, s]])),
        { errorCallback: (msg: string) => errors.push(msg) });
      if (!infos) {
        const lost = this.gl.isContextLost();
        throw new ConvTranspose3dError(`conv_transpose3d: shader failed to compile or link (${lost ? 'context lost' :
          compileErrors(errors)})`, lost ? 'context-lost' : 'gpu-failure');
      }
      missing.forEach((s, i) => {
        made.set(s, infos[i]);
        this.programs.set(s, infos[i]);
      });
      this.stats.programs += missing.length;
      this.stats.compiles += missing.length;
    }
    return fragmentSources.map((s) => made.get(s) ?? this.programs.get(s)!);
  }

  dispose(): void {
    this.programs.clear();
  }
}
