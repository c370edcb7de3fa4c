// The playground in each engine, driven as a person would: presets, typing arguments, links, .npy files.
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { convTranspose3dOutputShape } from '../../src/args';
import type { CheckReport } from '../../src/checker';
import type { Encoded } from '../../src/support/base64';
import { numel } from '../../src/tensor';
import { MAX_HEADER_BYTES, MAX_NPY_BYTES } from '../../playground/npyFile';
import { decodeState, encodeState } from '../../playground/state';
import { MIN_WARM_RUNS, timingRows, verdict, type Timings } from '../../playground/timings';
import { decode } from '../support/golden';
import { EMPTY_LINKS, ONE_VOXEL_LINKS, hostileLinks, misfit } from '../support/hostileLinks';
import { hostileNpyFiles } from '../support/npyBytes';
import type { Engine } from './engines';
import { PLAYGROUND_URL, expect, test } from './fixtures';

interface Summary {
  query: string;
  /** The query in the address bar. */
  address: string;
  outputShape: string;
  errors: Record<string, string>;
  status: string;
  badge: string;
  report: CheckReport | null;
  storage: string | null;
  pageErrors: string[];
  runState: string;
  runLabel: string;
  timings: Timings | null;
  verdict: string;
}

const NPY = (name: string) => fileURLToPath(new URL(`../fixtures/npy/${name}.npy`, import.meta.url));

/** How long the page may take to answer before the test calls it frozen: far beyond any real answer here. */
const FROZEN_MS = 60_000;

/** `p`, or a failure naming `what` when the page does not answer in time (a frozen main thread never does). */
function answered<T>(p: Promise<T>, what: string, ms = FROZEN_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frozen = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the page did not answer within ${ms / 1000} s ${what}: it froze`)), ms);
  });
  return Promise.race([p, frozen]).finally(() => clearTimeout(timer));
}

const idle = (pg: Engine, what = 'when asked whether it was idle') => answered(pg.call<Summary>('idle'), what);
/** {@link idle}, and the address bar up to date. */
const settled = (pg: Engine) => answered(pg.call<Summary>('idle', true), 'when asked whether it was settled');

async function screenshot(pg: Engine, name: string): Promise<void> {
  const path = test.info().outputPath(`${pg.name}-${name}.png`);
  await pg.ui.screenshot(path);
  await test.info().attach(name, { path, contentType: 'image/png' });
}

async function waitForText(pg: Engine, selector: string, pattern: RegExp, ms = 60_000): Promise<string> {
  const end = Date.now() + ms;
  let text = '';
  while (Date.now() < end) {
    text = await answered(pg.ui.text(selector), `while waiting for ${selector} to match ${pattern}`);
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${selector} never matched ${pattern}; last text: ${text}`);
}

function expectPass(s: Summary, count: number): void {
  expect(s.pageErrors).toEqual([]);
  expect(s.badge).toBe('pass');
  expect(s.report?.ok).toBe(true);
  expect(s.report?.count).toBe(count);
}

test('loads without errors, runs the default preset and draws every view', { tag: '@quick' }, async ({
  playground: pg,
}) => {
  await pg.ui.goto(PLAYGROUND_URL);
  const s = await idle(pg);
  expect(s.outputShape).toBe('[1, 16, 33, 33, 33]');
  expectPass(s, 16 * 33 ** 3);
  expect(s.errors).toEqual({});
  expect([s.runState, s.runLabel]).toEqual(['done', 'Run again']);
  // A sphere of ones (the middle depth: a disc on zeros) through a kernel of ones at stride 2. The middle output
  // depth (16 of 33) gets 2 taps along depth and 1 or 2 along height and width: 2, 4 or 8 taps, 3 colours.
  expect(await pg.call<number>('distinctColors', '#map-input canvas.map')).toBe(2);
  expect(await pg.call<number>('distinctColors', '#map-coverage canvas.map')).toBe(3);
  expect(await pg.call<number>('distinctColors', '#map-output canvas.map')).toBeGreaterThan(3);
  expect(await pg.call<number>('distinctColors', '#volume')).toBeGreaterThan(20);
  // Maps of one colour say what they hold, inside the map; the others carry no note.
  expect(await pg.ui.text('#map-weight .note')).toBe('every value here is 1');
  expect(await pg.ui.text('#map-diff .note')).toBe('0 everywhere: the GPU equals the CPU reference here');
  for (const map of ['#map-input', '#map-output', '#map-coverage']) expect(await pg.ui.text(`${map} .note`)).toBe('');
  // Timings: the first call apart (it compiled this configuration's shaders), then medians of warm runs, and the
  // sentence the numbers call for.
  const t = s.timings!;
  expect(t.compiled).toBe(true);
  expect(t.endToEnd.length).toBeGreaterThanOrEqual(MIN_WARM_RUNS);
  expect(t.resident?.length).toBeGreaterThanOrEqual(MIN_WARM_RUNS);
  expect(t.cpuMs).toBeGreaterThan(0);
  expect(s.verdict).toBe(verdict(t));
  const rows = timingRows(t);
  const table = await pg.ui.text('#timings');
  for (const row of rows) expect(table).toContain(`${row.what}${row.ms!.toFixed(1)} ms`);
  await screenshot(pg, 'default');
});

const ESSENTIALS = ['#preset', '#run', '#status', '#map-output', '#checker', '#timings-panel'];

for (const [width, height] of [[1366, 768], [1920, 1080]] as const) {
  test(`at ${width}×${height}, the preset, Run, status, output, checker and timings are in view and not clipped`,
    async ({ playground: pg }) => {
      await pg.ui.viewport(width, height);
      try {
        await pg.ui.goto(PLAYGROUND_URL);
        const s = await idle(pg);
        expectPass(s, 16 * 33 ** 3);
        const path = test.info().outputPath(`${pg.name}-${width}x${height}.png`);
        await pg.ui.screenshot(path, true);
        await test.info().attach(`${width}x${height}`, { path, contentType: 'image/png' });
        const seen = await pg.ui.evaluate(measureInView, ESSENTIALS);
        expect(seen.viewport).toEqual({ width, height });
        for (const e of seen.elements) {
          expect(e.box, `${e.selector} is not drawn`).not.toBeNull();
          expect(e.outside, `${e.selector} at ${JSON.stringify(e.box)} leaves the viewport`).toEqual([]);
          expect(e.clipped, `${e.selector} holds text that does not fit its box`).toEqual([]);
          expect(e.covered, `${e.selector} is covered by another element`).toBe(false);
        }
        // The preset menu shows its whole title.
        const preset = await pg.ui.evaluate(measureSelect, '#preset');
        expect(preset.text).toBe('Checkerboard artifacts (kernel 3, stride 2)');
        expect(preset.textWidth, `the preset menu is ${preset.room} px wide inside`).toBeLessThanOrEqual(preset.room);
      } finally {
        await pg.ui.viewport(1280, 720);
      }
    });
}

/**
 * Where each element of `selectors` is, in the page: its box, the edges of it outside the viewport, the elements in
 * it whose content overflows their box (text cut off or spilling), and whether another element covers its middle.
 * Sent to the page as source: self-contained.
 */
function measureInView(selectors: string[]) {
  const root = document.documentElement;
  scrollTo(0, 0);
  const viewport = { width: innerWidth, height: innerHeight };
  const elements = selectors.map((selector) => {
    const el = document.querySelector(selector);
    if (!el) return { selector, box: null, outside: [], clipped: [], covered: true };
    const r = el.getBoundingClientRect();
    const box = { left: Math.round(r.left), top: Math.round(r.top), right: Math.round(r.right),
      bottom: Math.round(r.bottom) };
    const outside: string[] = [];
    if (r.width === 0 || r.height === 0) outside.push('empty');
    if (r.left < 0) outside.push('left');
    if (r.top < 0) outside.push('top');
    if (r.right > root.clientWidth) outside.push('right');
    if (r.bottom > root.clientHeight) outside.push('bottom');
    const clipped: string[] = [];
    for (const e of [el, ...el.querySelectorAll('*')]) {
      if (e.tagName === 'CANVAS' || e.tagName === 'SELECT' || e.clientWidth === 0) continue;
      if (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1) {
        clipped.push(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} "${(e.textContent ?? '').slice(0, 40)}"`);
      }
    }
    const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
    return { selector, box, outside, clipped, covered: !(hit && (hit === el || el.contains(hit))) };
  });
  return { viewport, elements };
}

/** The selected option's text, its width in the menu's font, and the room the menu gives it (less its arrow). */
function measureSelect(selector: string) {
  const select = document.querySelector(selector) as HTMLSelectElement;
  const style = getComputedStyle(select);
  const ctx = document.createElement('canvas').getContext('2d')!;
  ctx.font = style.font || `${style.fontSize} ${style.fontFamily}`;
  const text = select.selectedOptions[0]?.textContent ?? '';
  // The arrow: about one line's height on every engine's menus.
  const arrow = parseFloat(style.fontSize) * 1.25;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - arrow;
  return { text, textWidth: Math.ceil(ctx.measureText(text).width), room: Math.floor(room) };
}

test('the impulse preset shows the kernel footprint, and the checker passes', async ({ playground: pg }) => {
  await pg.ui.goto(PLAYGROUND_URL);
  await idle(pg);
  await pg.ui.select('#preset', 'impulse');
  const s = await idle(pg);
  expect(s.outputShape).toBe('[1, 1, 11, 11, 11]');
  expectPass(s, 11 ** 3);
  const t = await pg.call<{ x: Encoded; w: Encoded; y: Encoded }>('tensors');
  const w = decode(t.w).data;
  const y = decode(t.y).data;
  // The impulse sits at input voxel (2, 2, 2); at stride 2 its copy of the kernel starts at output (4, 4, 4).
  const footprint = new Float32Array(11 ** 3);
  for (let kd = 0; kd < 3; kd++) {
    for (let kh = 0; kh < 3; kh++) {
      for (let kw = 0; kw < 3; kw++) footprint[((4 + kd) * 11 + 4 + kh) * 11 + 4 + kw] = w[(kd * 3 + kh) * 3 + kw];
    }
  }
  expect(Array.from(y)).toEqual(Array.from(footprint));
  expect(w.every((v) => v !== 0)).toBe(true);
  await screenshot(pg, 'impulse');
});

test('typing a stride updates the output shape; an invalid groups shows the error beside it', async ({
  playground: pg,
}) => {
  await pg.ui.goto(PLAYGROUND_URL);
  await idle(pg);
  await pg.ui.fill('[name="stride.0"]', '3');
  await waitForText(pg, '#out-shape', /^\[1, 16, 48, 33, 33\]$/);
  const typed = await settled(pg);
  expectPass(typed, 16 * 48 * 33 * 33);
  expect([typed.runState, typed.runLabel]).toEqual(['done', 'Run again']);
  expect(typed.address).toBe(typed.query);
  expect(decodeState(typed.address).stride).toEqual([3, 2, 2]);
  await pg.ui.fill('[name="groups"]', '3');
  const error = await waitForText(pg, '[data-error="groups"]', /groups/);
  expect(error).toBe('conv_transpose3d: groups=3 must divide weight.shape[0] (in channels), got weight shape ' +
    '[16, 16, 3, 3, 3]');
  const s = await idle(pg);
  expect(s.errors).toEqual({ groups: error });
  expect(s.outputShape).toBe('—');
  // Nothing can run: the button says so, and the status says what to do.
  expect([s.runState, s.runLabel, s.status]).toEqual(['invalid', 'Run', 'Fix the highlighted argument to run again.']);
  // The last good result stays on screen.
  expect(s.badge).toBe('pass');
  expect(await pg.call<number>('distinctColors', '#map-output canvas.map')).toBeGreaterThan(1);
  await screenshot(pg, 'invalid-groups');
  await pg.ui.fill('[name="groups"]', '2');
  expect((await idle(pg)).errors).toEqual({});
});

test('a link restores its state', async ({ playground: pg }) => {
  const query = 'x=2,3,4,5,6&w=3,2,2,3,2&s=1,2,3&p=0,1,0&op=0,1,2&dl=1,1,1&g=1&bias=1&xc=sphere&wc=random&seed=7' +
    '&at=0,1,1,1&view=1,1,0,0.25&storage=uint32';
  await pg.ui.goto(`${PLAYGROUND_URL}?${query}`);
  const s = await idle(pg);
  const shape = convTranspose3dOutputShape([2, 3, 4, 5, 6], [3, 2, 2, 3, 2], { stride: [1, 2, 3], padding: [0, 1, 0],
    outputPadding: [0, 1, 2] });
  expect(s.outputShape).toBe(`[${shape.join(', ')}]`);
  expectPass(s, numel(shape));
  expect(s.query).toBe(encodeState(decodeState(query)));
  expect(s.storage).toBe('uint32');
  const expected: Record<string, string> = {
    '[name="input.0"]': '2', '[name="input.4"]': '6', '[name="weight.3"]': '3', '[name="stride.2"]': '3',
    '[name="padding.1"]': '1', '[name="outputPadding.2"]': '2', '[name="bias"]': 'true',
    '[name="inputContent"]': 'sphere', '[name="seed"]': '7', '#view-n': '1', '#view-cin': '0', '#view-cout': '1',
    '#view-depth': '250', '#storage': 'uint32',
  };
  for (const [selector, value] of Object.entries(expected)) expect(await pg.ui.value(selector), selector).toBe(value);
});

test('.npy round trip: load input and weight, run, download the output NumPy would write', async ({
  playground: pg,
}) => {
  // Same call as scripts/make_npy_fixtures.py; the tensors hold small integers, so the result is exact.
  await pg.ui.goto(`${PLAYGROUND_URL}?s=1,2,2&p=0,1,0`);
  await idle(pg);
  await pg.ui.setFile('#input-npy', NPY('input'));
  await pg.ui.setFile('#weight-npy', NPY('weight'));
  await waitForText(pg, '#out-shape', /^\[1, 2, 6, 8, 13\]$/);
  const s = await idle(pg);
  expectPass(s, 2 * 6 * 8 * 13);
  expect(s.report?.maxAbsError).toBe(0);
  expect(await pg.ui.value('[name="inputContent"]')).toBe('npy');
  await pg.ui.click('#download');
  const got = Buffer.from(await pg.call<string>('lastDownload'), 'base64');
  expect(got.equals(readFileSync(NPY('output')))).toBe(true);
});

test('long work can be cancelled; sizes over the memory budget are refused before running', async ({
  playground: pg,
}) => {
  await pg.ui.goto(`${PLAYGROUND_URL}?preset=docs`);
  await waitForText(pg, '#status', /Checking against the CPU reference/, 120_000);
  const button = () => pg.ui.evaluate(() => {
    const run = document.querySelector<HTMLButtonElement>('#run')!;
    return [run.dataset.state, run.textContent, run.disabled];
  });
  expect(await button()).toEqual(['running', 'Running…', true]);
  await pg.ui.click('#cancel');
  const s = await idle(pg);
  expect(s.status).toBe('Cancelled.');
  expect(await button()).toEqual(['cancelled', 'Run', false]);
  expect(s.pageErrors).toEqual([]);
  await pg.ui.fill('[name="input.0"]', '4000');
  const refused = await waitForText(pg, '[data-error="output"]', /budget/);
  expect(refused).toMatch(/^This configuration needs about [\d.]+ GiB .* more than the playground's budget of 1\.50 GiB/);
  expect((await idle(pg)).status).toMatch(/^Not run: This configuration needs about/);
});

test('hostile .npy files are refused with their reason, without freezing; a good file then runs', async ({
  playground: pg,
}) => {
  await pg.ui.goto(`${PLAYGROUND_URL}?s=1,2,2&p=0,1,0`);
  await idle(pg);
  const files: Array<[string, string, RegExp]> = hostileNpyFiles(MAX_HEADER_BYTES).map(([what, bytes, pattern], i) => {
    const path = test.info().outputPath(`hostile-${i}.npy`);
    writeFileSync(path, new Uint8Array(bytes));
    return [what, path, pattern];
  });
  // Larger than the page reads, yet sparse on disk: refused by its size, before being read.
  const huge = test.info().outputPath('huge.npy');
  const fd = openSync(huge, 'w');
  ftruncateSync(fd, MAX_NPY_BYTES + 1);
  closeSync(fd);
  files.push(['a file over the size cap', huge,
    /^input: the \.npy file is 512\.0 MiB \(536870913 bytes\), more than the 512\.0 MiB the playground reads$/]);
  for (const [what, path, pattern] of files) {
    await pg.ui.setFile('#input-npy', path);
    await waitForText(pg, '[data-error="input"]', pattern, 30_000).catch((e: Error) => {
      throw new Error(`${what}: ${e.message}`);
    });
  }
  await pg.ui.setFile('#weight-npy', files[0][1]);
  await waitForText(pg, '[data-error="weight"]', /^weight: the \.npy header is 131060 bytes long/, 30_000);
  expect((await idle(pg)).pageErrors).toEqual([]);
  await pg.ui.setFile('#input-npy', NPY('input'));
  await pg.ui.setFile('#weight-npy', NPY('weight'));
  await waitForText(pg, '#out-shape', /^\[1, 2, 6, 8, 13\]$/);
  const s = await idle(pg);
  expectPass(s, 2 * 6 * 8 * 13);
  expect(s.errors).toEqual({});
});

test('hostile links open with the error beside its control, without freezing; a normal link then runs', async ({
  playground: pg,
}) => {
  // One real load of a hostile link, then the rest opened in the same page as a link would be.
  const hostile = `${PLAYGROUND_URL}?x=1,16,100000000,100000000,100000000`;
  await answered(pg.ui.goto(hostile), `while opening ${hostile}`);
  const first = await idle(pg, 'after opening a link with an input of 10^24 voxels');
  expect(Object.keys(first.errors)).toEqual(['output']);
  const failures: string[] = [];
  for (const link of hostileLinks()) {
    await answered(pg.call('open', link.query), `while opening ?${link.query}`);
    const s = await idle(pg, `after opening ?${link.query}`);
    const fields = Object.keys(s.errors);
    let wrong: string | null = null;
    if (s.pageErrors.length) wrong = `page errors: ${s.pageErrors.join('; ')}`;
    else if (link.valid) {
      if (fields.length || !['pass', 'empty'].includes(s.badge)) wrong = `${s.badge}, ${JSON.stringify(s.errors)}`;
    } else if (fields.length !== 1) wrong = `errors shown: ${JSON.stringify(s.errors)} (${s.status})`;
    else wrong = misfit(link, fields[0], s.errors[fields[0]]);
    if (wrong) failures.push(`?${link.query}: ${wrong}`);
  }
  expect(failures).toEqual([]);
  for (const query of EMPTY_LINKS) {
    await answered(pg.call('open', query), `while opening ?${query}`);
    const s = await idle(pg, `after opening ?${query}`);
    expect(s.badge, query).toBe('empty');
    expect(s.status, query).toMatch(/^Done: the output \[0, [\d, ]+\] is empty; there is nothing to compute\.$/);
    expect(await pg.ui.text('#map-coverage .note'), query).toBe('the batch is empty');
  }
  // Valid, with an axis a million voxels long: the maps are drawn sampled (browsers refuse canvases that wide).
  const long = 'x=1,1,1,1,1000000&w=1,1,1,1,1&s=1,1,1';
  await answered(pg.call('open', long), `while opening ?${long}`);
  expectPass(await idle(pg, `after opening ?${long}`), 1e6);
  expect(await pg.ui.text('#map-output .caption')).toMatch(/\(every 977th cell shown\)$/);
  await pg.ui.goto(PLAYGROUND_URL);
  expectPass(await idle(pg), 16 * 33 ** 3);
});

// Depends on the library's planner: a huge stride or dilation on a one-voxel input has a one-element output, and
// planning it must not take time proportional to the stride or dilation.
test('huge strides and dilations on a one-voxel input run without freezing', async ({ playground: pg }) => {
  for (const query of ONE_VOXEL_LINKS) {
    await answered(pg.ui.goto(`${PLAYGROUND_URL}?${query}`), `while opening ?${query}`);
    const s = await idle(pg, `after opening ?${query}`);
    expectPass(s, 1);
  }
});
