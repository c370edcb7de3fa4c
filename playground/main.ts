// The playground page: the form drives the state, the state drives a run (GPU, then the CPU check in a worker), and
// the views draw the last good run. A bad configuration shows its error and leaves the last good run on screen.
import { compareTensors, type CheckReport, type Tolerance } from '../src/checker';
import type { WebglBackend as Backend } from '../src/backend';
import { createBackend } from '../src/engines';
import { activationLayout } from '../src/convPlan';
import type { ConvSpec } from '../src/args';
import type { Tensor } from '../src/types';
import { DIVERGING, ERROR, SEQUENTIAL, fitScale } from './colors';
import { coverageMap } from '../src/coverage';
import { channelVolume, fillContent } from './contents';
import { populateMenus, readForm, showError, showRelevant, writeForm } from './controls';
import { Heatmap, type Slice } from './heatmap';
import { LayoutView } from './layoutView';
import { checkNpySize, parseNpy, toNpy } from './npyFile';
import { preflight } from './preflight';
import { CpuReference, flopsOf, runGpu, type CallTensors, type GpuRun } from './runner';
import { softwareRenderer, timingRows, verdict, type Timings } from './timings';
import {
  DEFAULT_STATE, PRESETS, callOptions, checkState, decodeState, encodeState, inputShape, presetState,
  type Field, type PlaygroundState,
} from './state';
import { bytesToBase64, encodeTensor } from '../src/support/base64';
import { VolumeView } from './volumeView';

// Nothing may fail silently: an unexpected error is shown in the status line and kept for the tests to see.
const pageErrors: string[] = [];
const reportUnexpected = (what: unknown) => {
  pageErrors.push(String(what));
  document.querySelector('#status')!.textContent = `Unexpected error: ${String(what)}`;
};
addEventListener('error', (e) => reportUnexpected(e.error ?? e.message));
addEventListener('unhandledrejection', (e) => reportUnexpected(e.reason));

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const form = $<HTMLFormElement>('#controls');
const status = $('#status');

interface Result {
  state: PlaygroundState;
  spec: ConvSpec;
  call: CallTensors;
  gpu: GpuRun;
  coverage: Int32Array;
  cpu: { output: Tensor; ms: number; tolerance: Tolerance } | null;
  /** The storage mode the GPU used. */
  storage: string;
  /** The renderer that ran it, as the device names it. */
  renderer: string;
  report: CheckReport | null;
}

let state: PlaygroundState = structuredClone(DEFAULT_STATE);
let last: Result | null = null;
/** Tensors loaded from .npy files, used while the contents say `npy`. */
const loaded: { input: Tensor | null; weight: Tensor | null } = { input: null, weight: null };
const backends = new Map<string, Backend>();
const cpu = new CpuReference();
let generation = 0;
let scheduled: ReturnType<typeof setTimeout> | null = null;
let running: Promise<void> | null = null;
let lastDownload: Uint8Array | null = null;

// ---- views --------------------------------------------------------------------------------------------------------

const maps = $('#maps');
// The output leads the summary, beside the checker and the timings: what a run is for, then whether it is right.
const outputMap = new Heatmap($('#summary'), 'map-output', 'Output (GPU)', DIVERGING);
$('#summary').prepend(outputMap.root);
const inputMap = new Heatmap(maps, 'map-input', 'Input', DIVERGING);
const weightMap = new Heatmap(maps, 'map-weight', 'Weight', DIVERGING);
const coverageView = new Heatmap(maps, 'map-coverage', 'Coverage: kernel taps per output voxel', SEQUENTIAL);
const diffMap = new Heatmap(maps, 'map-diff', '|GPU − CPU|', ERROR);
const volume = new VolumeView($<HTMLCanvasElement>('#volume'));
const layoutsRoot = $('#layouts');
const layoutViews = {
  input: new LayoutView(layoutsRoot, 'input'), weight: new LayoutView(layoutsRoot, 'weight'),
  output: new LayoutView(layoutsRoot, 'output'),
};
const viewInputs = {
  n: $<HTMLInputElement>('#view-n'), inChannel: $<HTMLInputElement>('#view-cin'),
  outChannel: $<HTMLInputElement>('#view-cout'), depth: $<HTMLInputElement>('#view-depth'),
};

/** Index along an axis of `length` for the shared depth fraction. */
const at = (fraction: number, length: number) => Math.min(length - 1, Math.max(0, Math.round(fraction * (length - 1))));
const clampInt = (v: number, hi: number) => Math.min(Math.max(0, Math.floor(Number.isFinite(v) ? v : 0)), hi);

function sliceOf(volumeData: Float32Array | Int32Array, H: number, W: number, d: number, name: string): Slice {
  return {
    data: volumeData.subarray(d * H * W, (d + 1) * H * W), rows: H, cols: W,
    label: (r, c) => `${name}[d ${d}, h ${r}, w ${c}]`,
  };
}

function drawViews(): void {
  const r = last;
  if (!r) return;
  const { spec } = r;
  const v = r.state.view;
  const n = clampInt(v.n, Math.max(spec.batch - 1, 0));
  const cin = clampInt(v.inChannel, spec.inChannels - 1);
  const cout = clampInt(v.outChannel, spec.outChannels - 1);
  const shape5 = [spec.batch, spec.inChannels, ...spec.inSize];
  const out5 = [spec.batch, spec.outChannels, ...spec.outSize];
  const [ID, IH, IW] = spec.inSize;
  const [OD, OH, OW] = spec.outSize;
  const [KD, KH, KW] = spec.kernel;
  const dIn = at(v.depth, ID);
  const dOut = at(v.depth, OD);
  const dK = at(v.depth, KD);
  const item = spec.batched ? `n ${n}, ` : '';
  const xv = channelVolume(r.call.x.data, shape5, n, cin);
  inputMap.show(sliceOf(xv, IH, IW, dIn, 'x'), fitScale(xv, 'diverging'), `${item}c ${cin}, depth ${dIn} of ${ID}`);
  const yv = channelVolume(r.gpu.output.data, out5, n, cout);
  outputMap.show(sliceOf(yv, OH, OW, dOut, 'y'), fitScale(yv, 'diverging'), `${item}c ${cout}, depth ${dOut} of ${OD}`);
  volume.show(yv, spec.outSize);
  if (r.cpu) {
    const cv = channelVolume(r.cpu.output.data, out5, n, cout);
    const diff = yv.map((g, i) => Math.abs(g - cv[i]));
    const identical = diff.every((v) => v === 0);
    diffMap.show(sliceOf(diff, OH, OW, dOut, '|gpu − cpu|'), fitScale(diff, 'sequential'),
      `${item}c ${cout}, depth ${dOut}${identical ? ': bit-identical in this channel' : ''}`,
      (v) => (v === 0 ? '0 everywhere: the GPU equals the CPU reference here' : `every difference here is ${v}`));
  } else {
    diffMap.clear('waiting for the CPU reference…');
  }
  const group = Math.floor(cout / spec.outPerGroup);
  const inGroup = Math.floor(cin / spec.inPerGroup) === group;
  const wv = channelVolume(r.call.w.data, [spec.inChannels, spec.outPerGroup, KD, KH, KW], cin,
    cout % spec.outPerGroup);
  weightMap.show(sliceOf(wv, KH, KW, dK, 'w'), fitScale(wv, 'diverging'),
    `[${cin}, ${cout % spec.outPerGroup}], kd ${dK} of ${KD}` +
    (inGroup ? '' : ` — input channel ${cin} is not in output channel ${cout}'s group: not used`));
  const cov = r.coverage;
  coverageView.show(sliceOf(cov, OH, OW, dOut, 'taps'), fitScale(cov, 'sequential'),
    `depth ${dOut}; ${coverageSummary(cov)}`);
}

function coverageSummary(cov: Int32Array): string {
  let lo = Infinity;
  let hi = 0;
  for (const c of cov) {
    lo = Math.min(lo, c);
    hi = Math.max(hi, c);
  }
  return lo === hi ? `every voxel gets ${hi} tap${hi === 1 ? '' : 's'}: even` :
    `${lo} to ${hi} taps: uneven (checkerboard)`;
}

function drawChecker(r: Result): void {
  const badge = $('#badge');
  const numbers = $('#checker-numbers');
  if (!r.report) {
    badge.textContent = 'checking…';
    badge.className = 'badge';
    numbers.innerHTML = '';
    return;
  }
  const rep = r.report;
  badge.textContent = rep.ok ? 'pass' : 'FAIL';
  badge.className = `badge ${rep.ok ? 'pass' : 'fail'}`;
  numbers.innerHTML = `<dt>elements</dt><dd>${rep.count.toLocaleString('en')}</dd>
    <dt>max abs error</dt><dd>${rep.maxAbsError.toExponential(2)}</dd>
    <dt>max rel error</dt><dd>${rep.maxRelError.toExponential(2)}</dd>
    <dt>mismatches</dt><dd>${rep.mismatches}</dd>
    <dt>NaN positions agree</dt><dd>${rep.nanPositionsAgree ? 'yes' : 'no'}</dd>`;
}

function timingsOf(r: Result): Timings {
  return { firstMs: r.gpu.firstMs, compiled: r.gpu.compiled, endToEnd: r.gpu.endToEnd, resident: r.gpu.resident,
    cpuMs: r.cpu?.ms ?? null, flops: flopsOf(r.spec), softwareRenderer: softwareRenderer(r.renderer) };
}

function drawTimings(r: Result): void {
  const t = timingsOf(r);
  const body = $<HTMLTableSectionElement>('#timings tbody');
  body.innerHTML = '';
  for (const row of timingRows(t)) {
    const tr = body.insertRow();
    tr.insertCell().outerHTML = '<th></th>';
    tr.cells[0].textContent = row.what;
    const cell = (text: string, className = '') => Object.assign(tr.insertCell(), { textContent: text, className });
    cell(row.ms === null ? (row.missing ?? '…') : `${row.ms.toFixed(1)} ms`, 'ms');
    cell(row.gflops === null ? '' : `${row.gflops.toPrecision(3)} GFLOP/s`, 'rate');
    // The note under its row, across the table: beside it, it would squeeze into a tall, narrow column.
    const note = body.insertRow();
    note.className = 'note';
    Object.assign(note.insertCell(), { colSpan: 3, textContent: row.note });
  }
  const work = body.insertRow();
  work.innerHTML = '<th>work</th><td colspan="2"></td>';
  work.cells[1].textContent = `${(t.flops / 1e9).toPrecision(3)} GFLOP`;
  $('#verdict').textContent = verdict(t);
}

function drawDevice(backend: Backend | null, error: string | null): void {
  const dl = $('#device');
  if (!backend) {
    dl.innerHTML = `<dt>WebGL2</dt><dd class="bad"></dd>`;
    dl.querySelector('dd')!.textContent = error ?? 'unavailable';
    return;
  }
  const c = backend.capabilities;
  const items: Array<[string, string]> = [
    ['renderer', c.renderer], ['vendor', c.vendor],
    ['MAX_TEXTURE_SIZE', c.maxTextureSize === c.deviceMaxTextureSize ? String(c.deviceMaxTextureSize) :
      `${c.deviceMaxTextureSize} (capped to ${c.maxTextureSize} here)`],
    ['array texture layers', String(c.maxTextureLayers)], ['draw buffers', String(c.maxDrawBuffers)],
    ['storage modes (probed)', Object.entries(c.storageSupport).map(([m, ok]) => `${m} ${ok ? 'yes' : 'no'}`)
      .join(', ')],
    ['storage in use', c.storage],
  ];
  dl.innerHTML = items.map(() => '<dt></dt><dd></dd>').join('');
  items.forEach(([k, v], i) => {
    dl.querySelectorAll('dt')[i].textContent = k;
    dl.querySelectorAll('dd')[i].textContent = v;
  });
}

function drawLayouts(r: Result, backend: Backend): void {
  const { spec } = r;
  const inShape = [spec.batch, spec.inChannels, ...spec.inSize];
  const wShape = [spec.inChannels, spec.outPerGroup, ...spec.kernel];
  const outShape = [spec.batch, spec.outChannels, ...spec.outSize];
  for (const [view, shape] of [[layoutViews.input, inShape], [layoutViews.weight, wShape],
    [layoutViews.output, outShape]] as const) {
    view.show(activationLayout(shape, backend.limits), shape);
  }
}

/** An empty batch: nothing is computed, so every view says so instead of showing an earlier run. */
function drawEmpty(spec: ConvSpec): void {
  last = null;
  $<HTMLButtonElement>('#download').disabled = true;
  for (const m of [inputMap, weightMap, outputMap, coverageView, diffMap]) m.clear('the batch is empty');
  volume.clear();
  for (const view of Object.values(layoutViews)) view.clear();
  $('#badge').textContent = 'empty';
  $('#badge').className = 'badge';
  $('#checker-numbers').innerHTML = '';
  $('#timings tbody').innerHTML = '';
  $('#verdict').textContent = 'Nothing to time: the batch is empty.';
  shown = generation;
  showRunState('done', `Done: the output [${spec.outShape.join(', ')}] is empty; there is nothing to compute.`);
}

function drawCall(s: PlaygroundState, spec: ConvSpec | null): void {
  const triple = (t: number[]) => (t[0] === t[1] && t[1] === t[2] ? String(t[0]) : `(${t.join(', ')})`);
  const args = (py: boolean) => {
    const parts: string[] = [];
    if (s.bias) parts.push(py ? 'b' : 'bias: b');
    const add = (snake: string, camel: string, v: number[], dflt: number) => {
      if (v.some((x) => x !== dflt)) {
        const same = v.every((x) => x === v[0]);
        parts.push(py ? `${snake}=${triple(v)}` : `${camel}: ${same ? v[0] : `[${v.join(', ')}]`}`);
      }
    };
    add('stride', 'stride', s.stride, 1);
    add('padding', 'padding', s.padding, 0);
    add('output_padding', 'outputPadding', s.outputPadding, 0);
    if (s.groups !== 1) parts.push(py ? `groups=${s.groups}` : `groups: ${s.groups}`);
    add('dilation', 'dilation', s.dilation, 1);
    return parts;
  };
  const py = args(true);
  const js = args(false);
  const shapeText = spec ? `  # → [${spec.outShape.join(', ')}]` : '';
  $('#call').textContent =
    `# x: [${inputShape(s).join(', ')}], w: [${s.weight.join(', ')}]\n` +
    `y = F.conv_transpose3d(x, w${py.length ? ', ' + py.join(', ') : ''})${shapeText}\n` +
    `const y = await convTranspose3d(x, w${js.length ? `, { ${js.join(', ')} }` : ''});`;
}

// ---- running ------------------------------------------------------------------------------------------------------

function backendFor(cap: number, storage: PlaygroundState['storage']): Backend {
  const key = `${cap}/${storage}`;
  let b = backends.get(key);
  if (!b || b.gl.isContextLost()) {
    b = createBackend({ storage, ...(cap > 0 ? { maxTextureSize: cap } : {}) });
    backends.set(key, b);
  }
  return b;
}

/** The contents of one tensor; a loaded `.npy` must match the shape the form asks for. */
function contentsOf(which: 'input' | 'weight', shape: number[], s: PlaygroundState): Float32Array {
  const kind = which === 'input' ? s.inputContent : s.weightContent;
  if (kind === 'npy') {
    const t = loaded[which];
    if (!t) throw fieldError(which, `${which}: no .npy file loaded; load one or pick other contents`);
    if (t.shape.join() !== shape.join()) {
      throw fieldError(which, `${which}: the loaded .npy has shape [${t.shape.join(', ')}], but the ${which} shape ` +
        `is [${shape.join(', ')}]`);
    }
    return t.data.slice();
  }
  return fillContent(kind, shape, which === 'input' ? s.seed : s.seed + 1000, s.impulse);
}

class FieldError extends Error {
  constructor(readonly field: Field, message: string) {
    super(message);
  }
}
const fieldError = (field: Field, message: string) => new FieldError(field, message);

/**
 * Where the page stands: a run is `pending` (the form changed; it starts in a moment), `running`, `done`, `failed`,
 * `cancelled`, or the form is `invalid`. The Run button, Cancel and the status line say it, and the results fade
 * while they are not those of the form.
 */
type RunState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'invalid';
/** The status while the form is invalid. */
const FIX_ARGUMENT = 'Fix the highlighted argument to run again.';
const RUN_LABELS: Record<RunState, string> = {
  pending: 'Run now', running: 'Running…', done: 'Run again', failed: 'Run again', cancelled: 'Run', invalid: 'Run',
};
/** The generation whose results the views show (-1: none yet). */
let shown = -1;

function showRunState(runState: RunState, text: string): void {
  const button = $<HTMLButtonElement>('#run');
  button.dataset.state = runState;
  button.textContent = RUN_LABELS[runState];
  button.disabled = runState === 'running' || runState === 'invalid';
  $<HTMLButtonElement>('#cancel').disabled = runState !== 'running' && runState !== 'pending';
  document.body.classList.toggle('busy', runState === 'running');
  status.textContent = text;
  status.className = runState === 'done' || runState === 'failed' ? runState : '';
  $('#views').classList.toggle('stale', runState === 'pending' || runState === 'invalid' || shown !== generation);
}

async function run(s: PlaygroundState): Promise<void> {
  const gen = ++generation;
  cpu.cancel();
  const checked = checkState(s);
  if (!checked.ok) {
    showRunState('invalid', FIX_ARGUMENT);
    return;
  }
  const { spec } = checked;
  const cancelled = () => gen !== generation;
  let backend: Backend;
  try {
    backend = backendFor(s.textureCap, s.storage);
    drawDevice(backend, null);
  } catch (e) {
    const message = (e as Error).message;
    if (!backends.size) drawDevice(null, message);
    showError(form, { field: 'device', message });
    showRunState('failed', `Not run: ${message}`);
    return;
  }
  try {
    // Every check and the memory estimate, before anything proportional to a size is allocated.
    const ready = preflight(s, backend.limits, backend.capabilities.storage);
    if (!ready.ok) throw fieldError(ready.field, ready.message);
    if (spec.batch === 0) {
      drawEmpty(spec);
      return;
    }
    const x = { shape: inputShape(s), data: contentsOf('input', inputShape(s), s) };
    const w = { shape: s.weight.slice(), data: contentsOf('weight', s.weight, s) };
    const bias = s.bias ? { shape: [spec.outChannels], data: fillContent('random', [spec.outChannels], s.seed + 2000) }
      : null;
    const call: CallTensors = { x, w, options: { ...callOptions(s), bias } };
    showRunState('running', 'Running on the GPU (the first call compiles its shaders)…');
    await new Promise((r) => setTimeout(r, 0));
    const gpu = await runGpu(backend, call, cancelled, (what) => showRunState('running', what));
    if (!gpu || cancelled()) return;
    const result: Result = { state: s, spec, call, gpu, coverage: coverageMap(spec), cpu: null, report: null,
      storage: backend.capabilities.storage, renderer: backend.capabilities.renderer };
    last = result;
    shown = gen;
    $<HTMLButtonElement>('#download').disabled = false;
    drawViews();
    drawChecker(result);
    drawTimings(result);
    drawLayouts(result, backend);
    const started = performance.now();
    showRunState('running', 'Checking against the CPU reference…');
    const tick = setInterval(() => {
      const seconds = ((performance.now() - started) / 1e3).toFixed(0);
      if (!cancelled()) showRunState('running', `Checking against the CPU reference… ${seconds} s`);
    }, 1000);
    try {
      result.cpu = await cpu.run({ ...call, storage: backend.capabilities.storage });
    } finally {
      clearInterval(tick);
    }
    if (cancelled()) return;
    result.report = compareTensors(gpu.output, result.cpu.output, result.cpu.tolerance);
    drawViews();
    drawChecker(result);
    drawTimings(result);
    const ok = result.report.ok;
    showRunState(ok ? 'done' : 'failed', `Done: output [${spec.outShape.join(', ')}], the GPU ` +
      `${ok ? 'equals' : 'DIFFERS FROM'} the CPU reference.`);
  } catch (e) {
    if (cancelled()) return;
    const message = (e as Error).message;
    if (e instanceof FieldError) showError(form, { field: e.field, message });
    if (message === 'cancelled') showRunState('cancelled', 'Cancelled.');
    else showRunState('failed', `Not run: ${message}`);
  }
}

function schedule(delay = 350): void {
  if (scheduled) clearTimeout(scheduled);
  const s = structuredClone(state);
  scheduled = setTimeout(() => {
    scheduled = null;
    const p = run(s).finally(() => {
      if (running === p) running = null;
    });
    running = p;
  }, delay);
}

function cancel(): void {
  generation++;
  cpu.cancel();
  if (scheduled) clearTimeout(scheduled);
  scheduled = null;
  showRunState('cancelled', 'Cancelled.');
}

// ---- wiring -------------------------------------------------------------------------------------------------------

let urlUpdate: ReturnType<typeof setTimeout> | null = null;

/**
 * Puts the state in the address bar, at most a few times a second: browsers limit how often a page may replace its
 * URL (WebKit throws past 100 times in 10 seconds), and a slider being dragged changes the state far more often.
 */
function keepInUrl(): void {
  urlUpdate ??= setTimeout(() => {
    urlUpdate = null;
    history.replaceState(null, '', `?${encodeState(state)}`);
  }, 250);
}

function stateChanged(rerun: boolean): void {
  keepInUrl();
  const checked = checkState(state);
  drawCall(state, checked.ok ? checked.spec : null);
  $('#out-shape').textContent = checked.ok ? `[${checked.spec.outShape.join(', ')}]` : '—';
  showError(form, checked.ok ? null : checked);
  if (!checked.ok) {
    // The last good result stays on screen; say why nothing new runs.
    showRunState('invalid', FIX_ARGUMENT);
    return;
  }
  if (rerun) {
    showRunState('pending', 'The arguments changed: running in a moment…');
    schedule();
  }
}

function syncViewInputs(): void {
  viewInputs.n.value = String(state.view.n);
  viewInputs.inChannel.value = String(state.view.inChannel);
  viewInputs.outChannel.value = String(state.view.outChannel);
  viewInputs.depth.value = String(Math.round(state.view.depth * 1000));
}

function formInput(e: Event): void {
  const target = e.target as HTMLInputElement;
  if (target.name === 'preset') {
    if (!target.value) return;
    state = presetState(target.value);
    writeForm(form, state);
    syncViewInputs();
  } else if (target.type !== 'file') {
    // Only read: rewriting the fields here would fight the person typing in them.
    state = readForm(form, state);
    ($<HTMLSelectElement>('#preset')).value = '';
    showRelevant(form, state);
  }
  stateChanged(target.type !== 'file');
}
form.addEventListener('input', formInput);
// The preset menu belongs to the form but sits in the toolbar, outside it: its events do not reach the form.
$('#preset').addEventListener('input', formInput);

for (const [key, el] of Object.entries(viewInputs)) {
  el.addEventListener('input', () => {
    const v = Number(el.value);
    state.view = { ...state.view, [key]: key === 'depth' ? v / 1000 : v };
    if (last) last.state = { ...last.state, view: state.view };
    keepInUrl();
    drawViews();
  });
}

for (const which of ['input', 'weight'] as const) {
  $<HTMLInputElement>(`#${which}-npy`).addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      // By its size first: a file too big to run is refused without being read.
      checkNpySize(file.size, which);
      const t = parseNpy(await file.arrayBuffer(), which);
      if (which === 'input') {
        if (t.shape.length !== 4 && t.shape.length !== 5) {
          throw new Error('input: the .npy must be 4-D (C, D, H, W) or 5-D (N, C, D, H, W), got ' +
            `[${t.shape.join(', ')}]`);
        }
        state.unbatched = t.shape.length === 4;
        state.input = t.shape.length === 4 ? [1, ...t.shape] : t.shape.slice();
        state.inputContent = 'npy';
      } else {
        if (t.shape.length !== 5) throw new Error(`weight: the .npy must be 5-D, got [${t.shape.join(', ')}]`);
        state.weight = t.shape.slice();
        state.weightContent = 'npy';
      }
      loaded[which] = t;
      writeForm(form, state);
      stateChanged(true);
    } catch (err) {
      showError(form, { field: which, message: (err as Error).message });
    }
  });
}

$('#run').addEventListener('click', () => schedule(0));
$('#cancel').addEventListener('click', cancel);
$('#download').addEventListener('click', () => {
  if (!last) return;
  const bytes = toNpy(last.gpu.output);
  lastDownload = bytes;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  a.download = `conv_transpose3d_output_${last.spec.outShape.join('x')}.npy`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
});

/** Shows and runs the state a link's query describes (`?preset=name` starts from a preset). */
function openLink(search: string): void {
  const preset = new URLSearchParams(search).get('preset');
  state = decodeState(search, preset ? presetState(preset) : DEFAULT_STATE);
  writeForm(form, state);
  syncViewInputs();
  const menu = $<HTMLSelectElement>('#preset');
  if (preset && PRESETS.some((p) => p.name === preset)) menu.value = preset;
  else menu.value = search.length > 1 ? '' : PRESETS[0].name;
  stateChanged(false);
  schedule(0);
}

populateMenus(form);
openLink(location.search);

// ---- test hooks: what the browser tests read back (plain JSON) ----------------------------------------------------

Object.assign(window, {
  playground: {
    /**
     * Waits until no run is scheduled or running (and, with `address`, until the address bar is up to date), then
     * reports what the page shows.
     */
    async idle(address = false) {
      while (scheduled || running || (address && urlUpdate)) await (running ?? new Promise((r) => setTimeout(r, 50)));
      const errors: Record<string, string> = {};
      for (const p of form.querySelectorAll<HTMLElement>('[data-error]')) {
        if (p.textContent) errors[p.dataset.error!] = p.textContent;
      }
      return {
        query: encodeState(state), address: location.search.slice(1), outputShape: $('#out-shape').textContent,
        errors, status: status.textContent, badge: $('#badge').textContent, report: last?.report ?? null,
        storage: last?.storage ?? null, pageErrors, runState: $('#run').dataset.state, runLabel: $('#run').textContent,
        timings: last ? timingsOf(last) : null, verdict: $('#verdict').textContent,
      };
    },
    /** Opens `?query` as a link would, without reloading the page. */
    open(query: string) {
      openLink(`?${query}`);
    },
    tensors: () => (last ? { x: encodeTensor(last.call.x), w: encodeTensor(last.call.w), y: encodeTensor(last.gpu.output) }
      : null),
    lastDownload: () => (lastDownload ? bytesToBase64(lastDownload) : null),
    /** How many distinct colours a canvas shows (1 means blank). */
    distinctColors(selector: string) {
      const canvas = $<HTMLCanvasElement>(selector);
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d')!;
      ctx.drawImage(canvas, 0, 0);
      const px = ctx.getImageData(0, 0, copy.width, copy.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < px.length; i += 4) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      return seen.size;
    },
  },
});
