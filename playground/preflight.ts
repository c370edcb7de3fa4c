// Whether the page may run a state on a device: the argument rules, the page's settings and the memory budget, all
// decided from the shapes alone, before anything proportional to a size is allocated or computed. Pure: unit-tested
// in Node.
import type { PlanLimits } from '../src/convPlan';
import type { StorageMode } from '../src/gl/storage';
import { MEMORY_BUDGET, formatBytes, memoryNeeded } from './memory';
import { checkState, type Checked, type PlaygroundState } from './state';

export type Preflight = (Checked & { ok: true; bytes: number }) | (Checked & { ok: false });

/**
 * Checks `s` for a device with `limits` storing tensors as `storage`: an error for the control it belongs to, or
 * the spec and the bytes a run needs (0 for an empty batch, which the page does not compute).
 *
 * @example
 * const p = preflight(state, backend.limits, backend.capabilities.storage);
 * if (!p.ok) showError(form, p);
 */
export function preflight(s: PlaygroundState, limits: PlanLimits, storage: StorageMode): Preflight {
  const checked = checkState(s);
  if (!checked.ok) return checked;
  let bytes: number;
  try {
    bytes = memoryNeeded(checked.spec, limits, storage);
  } catch (e) {
    return { ok: false, field: 'output', message: `Too large for this device: ${(e as Error).message}` };
  }
  if (bytes > MEMORY_BUDGET) {
    return { ok: false, field: 'output', message: `This configuration needs about ${formatBytes(bytes)} (tensors, ` +
      `their CPU copies and GPU textures), more than the playground's budget of ${formatBytes(MEMORY_BUDGET)}: ` +
      'make it smaller.' };
  }
  return { ...checked, bytes };
}
