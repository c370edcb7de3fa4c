// Which build of the kernel this runtime runs, and the compiled module: relaxed SIMD where the runtime validates it
// (its fused multiply-add), plain SIMD otherwise; a shared memory where workers can share one. Decided once.
import { base64ToBytes } from '../base64.js';

/** The instruction set the CPU engine runs: WebAssembly SIMD128, with or without relaxed SIMD's fused multiply-add. */
export type InstructionSet = 'relaxed-simd' | 'simd';

export interface KernelModule {
  module: WebAssembly.Module;
  instructionSet: InstructionSet;
  shared: boolean;
}

let generated: Promise<typeof import('./kernel/modules.generated.js')> | null = null;

/** Whether this runtime has WebAssembly with 128-bit SIMD at all (the engine needs it). */
export async function hasSimd(): Promise<boolean> {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return false;
  const modules = await (generated ??= import('./kernel/modules.generated.js'));
  return WebAssembly.validate(base64ToBytes(modules.simdPrivate));
}

/**
 * The kernel for this runtime: `shared` for a pool of workers on one memory. Rejects when the runtime has no
 * WebAssembly SIMD. `instructionSet` forces plain SIMD where relaxed would do (tests compare the two).
 */
export async function kernelModule(shared: boolean, instructionSet?: InstructionSet): Promise<KernelModule> {
  const modules = await (generated ??= import('./kernel/modules.generated.js'));
  const relaxed = base64ToBytes(shared ? modules.relaxedShared : modules.relaxedPrivate);
  const plain = base64ToBytes(shared ? modules.simdShared : modules.simdPrivate);
  if (instructionSet !== 'simd' && WebAssembly.validate(relaxed)) {
    return { module: await WebAssembly.compile(relaxed), instructionSet: 'relaxed-simd', shared };
  }
  if (!WebAssembly.validate(plain)) throw new Error('this runtime has no WebAssembly SIMD');
  return { module: await WebAssembly.compile(plain), instructionSet: 'simd', shared };
}
