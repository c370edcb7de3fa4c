// The package as users get it: packs the built library (`npm pack`), checks what the tarball holds, installs it into
// a scratch project and type-checks a file that uses every export under each TypeScript module resolution (with
// skipLibCheck off, and a line that must fail, so types that decay to `any` are caught), imports and requires it in
// Node, runs publint and arethetypeswrong, and checks the bundle size the README states. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Inside the checkout, so the scratch project finds TypeScript and the runtime dependencies in its node_modules.
const scratch = join(root, 'reports', 'package-check');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args, cwd = scratch) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });

// 1. The tarball: only what a user needs.
const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], root));
const files = packed.files.map((f) => f.path).sort();
const allowed = (f) => ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/tfjs.js', 'dist/shared.js', 'dist/kernels.js']
  .includes(f) ||
  /^dist\/types\/.*\.d\.ts$/.test(f);
const unexpected = files.filter((f) => !allowed(f));
check(unexpected.length === 0, `the tarball holds only the bundles, their declarations, README, LICENSE, package.json ` +
  `(${files.length} files${unexpected.length ? `; unexpected: ${unexpected}` : ''})`);
check(files.includes('LICENSE'), 'the tarball has a LICENSE');
const tarball = join(scratch, packed.filename);

// 2. Installed as a dependency (extracted where npm would put it; the dependencies come from the checkout's own).
const installed = join(scratch, 'node_modules', pkg.name);
mkdirSync(installed, { recursive: true });
run('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);

// 3. Types under each module resolution: every export used, and one line that must not type-check.
const consumer = `import {
  ConvTranspose3dError, axisCoverage, checkConvTranspose3d, compareTensors, configuration, configure, convTranspose3d,
  convTranspose3dOutputShape, convTranspose3dReference, convTranspose3dToSize, coverageMap, createBackend,
  defaultBackend, describeReport, numel, outputPaddingForSize, storageTolerance, tensor,
  type AnyTensor, type Backend, type BackendConvOptions, type BackendOptions, type BackendStats, type CheckReport,
  type ConvTranspose3dErrorCode, type CoverageShape, type FragmentLimits, type LayoutLimits,
  type ConvTranspose3dOptions, type DefaultConfig, type DeviceCapabilities, type FragmentShape, type GpuTensor,
  type Int3, type PlanLimits, type RendererPolicy, type StorageMode, type StorageRequest, type StorageSupport,
  type Tensor, type Tolerance, type Triple, type WebglBackend, type CpuBackend, type CpuCapabilities,
  type AutoCapabilities, type EngineName, type ResidentTensor, type InstructionSet,
} from '${pkg.name}';
import { registerWithTfjs, type TfNamespace, type TfjsRegistration } from '${pkg.name}/tfjs';

export function useTfjs(tf: TfNamespace): TfjsRegistration {
  const registration: TfjsRegistration = registerWithTfjs(tf);
  // @ts-expect-error: the registration is not a number
  const wrong: number = registration;
  void wrong;
  return registration;
}

export async function useEverything(): Promise<number> {
  const x: Tensor = tensor([1, 1, 2, 2, 2]);
  const w: Tensor = tensor([1, 1, 2, 2, 2]);
  const options: ConvTranspose3dOptions = { stride: 2 as Triple, padding: [0, 0, 0] as Int3 };
  const y: Tensor = await convTranspose3d(x, w, options);
  const sized: Tensor = await convTranspose3dToSize(x, w, [4, 4, 4], options);
  const report: CheckReport = checkConvTranspose3d(y, x, w, options);
  const same: CheckReport = compareTensors(y, convTranspose3dReference(x, w, options), { atol: 0 } as Tolerance);
  const shape: number[] = convTranspose3dOutputShape(x.shape, w.shape, options);
  const op: Int3 = outputPaddingForSize(x.shape, [2, 2, 2], [4, 4, 4], { stride: 2 });
  const counts: Int32Array = axisCoverage(2, 2, 2, 0, 1, 4);
  const shape3: CoverageShape = { inSize: [2, 2, 2], kernel: [2, 2, 2], stride: [2, 2, 2], padding: [0, 0, 0],
    dilation: [1, 1, 1], outSize: [4, 4, 4] };
  const map: Int32Array = coverageMap(shape3);
  const tolerance: Tolerance = storageTolerance('float16', x, w, options);
  const config: DefaultConfig = configuration();
  configure({ storage: 'float16' as StorageRequest, cpuFallback: true });
  const backendOptions: BackendOptions = { maxBytes: 2 ** 30 };
  const make = (): WebglBackend => createBackend({ maxBytes: 2 ** 30 });
  const makeAny = (): Backend => createBackend(backendOptions);
  const shared = (): Backend => defaultBackend();
  const cpu: CpuBackend = createBackend({ engine: 'cpu', threads: 2 });
  await cpu.ready();
  const cpuCaps: CpuCapabilities = cpu.capabilities;
  const isa: InstructionSet | null = cpuCaps.instructionSet;
  const auto: Backend = createBackend({ engine: 'auto', choices: {} });
  const autoCaps = auto.capabilities;
  const choices: Record<string, EngineName> = autoCaps.engine === 'auto' ? (autoCaps as AutoCapabilities).choices : {};
  const resident: ResidentTensor = cpu.convTranspose3d(x, w);
  await cpu.settled();
  void [isa, choices, resident, makeAny];
  const onGpu = async (b: WebglBackend): Promise<Tensor> => {
    const g: GpuTensor = b.upload(x);
    const any: AnyTensor = g;
    const convOptions: BackendConvOptions = { bias: null };
    const r = b.convTranspose3d(any, w, convOptions);
    const stats: BackendStats = b.stats();
    const caps: DeviceCapabilities = b.capabilities;
    const policy: RendererPolicy = caps.policy;
    const mode: StorageMode = caps.storage;
    const support: StorageSupport = caps.storageSupport;
    const limits: PlanLimits = b.limits;
    const parts: [LayoutLimits, FragmentLimits] = [limits, limits];
    const fragment: Partial<FragmentShape> = { voxels: 2 };
    void [stats, policy, mode, support, limits, parts, fragment];
    return r.read();
  };
  const branch = (e: unknown): ConvTranspose3dErrorCode | null => (e instanceof ConvTranspose3dError ? e.code : null);
  const argument = (e: ConvTranspose3dError): string | null => e.argument;
  void [branch, argument];
  // @ts-expect-error: a Tensor is not a number (fails to compile if the declarations decay to any)
  const wrong: number = await convTranspose3d(x, w);
  void [sized, report, same, shape, op, counts, map, tolerance, config, make, shared, onGpu, wrong];
  return numel(y.shape) + describeReport(report).length;
}
`;
const modes = [
  { resolution: 'NodeNext', module: 'NodeNext', file: 'consumer.mts' },
  { resolution: 'Node16', module: 'Node16', file: 'consumer.mts' },
  { resolution: 'Bundler', module: 'ESNext', file: 'consumer.ts' },
  // TypeScript 6 deprecates node10 resolution; projects still on it silence the deprecation this way.
  { resolution: 'Node10', module: 'ESNext', file: 'consumer.ts', ignoreDeprecations: '6.0' },
];
for (const { resolution, module, file, ignoreDeprecations } of modes) {
  const dir = join(scratch, `types-${resolution}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), consumer);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module, moduleResolution: resolution, target: 'ES2022', lib: ['ES2022', 'DOM'], strict: true,
      skipLibCheck: false, noEmit: true, types: [], ...(ignoreDeprecations ? { ignoreDeprecations } : {}) },
    files: [file],
  }, null, 2));
  let output = '';
  try {
    run(bin('tsc'), ['-p', dir]);
  } catch (e) {
    output = `${e.stdout}${e.stderr}`.trim();
  }
  check(output === '', `types resolve and type-check under moduleResolution ${resolution}, skipLibCheck off` +
    (output ? `:\n${output}` : ''));
}

// 4. In Node: import and require both work, and the one-shot call computes with the CPU reference.
const script = (loader) => `${loader}
const x = m.tensor([1, 1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
const w = m.tensor([1, 1, 1, 1, 1], [2]);
console.warn = () => {};
m.convTranspose3d(x, w).then((y) => console.log(JSON.stringify([...y.data])));`;
writeFileSync(join(scratch, 'import.mjs'), script(`const m = await import('${pkg.name}');`));
writeFileSync(join(scratch, 'require.cjs'), script(`const m = require('${pkg.name}');`));
for (const file of ['import.mjs', 'require.cjs']) {
  let out = '';
  try {
    out = run(process.execPath, [file]).trim();
  } catch (e) {
    out = `${e.stderr}`.trim().split('\n').slice(0, 3).join(' ');
  }
  const how = file.endsWith('.cjs') ? 'require' : 'import';
  check(out === '[2,4,6,8,10,12,14,16]', `Node runs the package through ${how}` +
    ` (got ${out})`);
}
writeFileSync(join(scratch, 'tfjs.mjs'), `const m = await import('${pkg.name}/tfjs');
console.log(typeof m.registerWithTfjs);`);
let tfjsEntry = '';
try {
  tfjsEntry = run(process.execPath, ['tfjs.mjs']).trim();
} catch (e) {
  tfjsEntry = `${e.stderr}`.trim().split('\n').slice(0, 3).join(' ');
}
check(tfjsEntry === 'function', `Node imports the ./tfjs entry without TensorFlow.js installed (got ${tfjsEntry})`);

// 5. Lints of the package: publint, and arethetypeswrong (an ES module package: CommonJS consumers use require(esm)).
for (const [name, cmd, args] of [
  ['publint', bin('publint'), [installed, '--strict']],
  ['arethetypeswrong', bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii']],
]) {
  let ok = true;
  let output;
  try {
    output = run(cmd, args);
  } catch (e) {
    ok = false;
    output = `${e.stdout}${e.stderr}`;
  }
  check(ok, `${name} passes${ok ? '' : `:\n${output.trim()}`}`);
}

// 6. The bundle size the README states, within 10%: the main entry and the chunk it shares with the tfjs entry.
const bundle = Buffer.concat(['index.js', 'shared.js'].map((f) => readFileSync(join(installed, 'dist', f))));
const gzipped = gzipSync(bundle, { level: 9 }).length;
const stated = /bundle is ([\d.]+) kB, ([\d.]+) kB gzipped/.exec(readFileSync(join(root, 'README.md'), 'utf8'));
const within = (got, want) => Math.abs(got - want) <= 0.1 * want;
check(stated !== null && within(bundle.length / 1000, Number(stated[1])) && within(gzipped / 1000, Number(stated[2])),
  `the bundle is ${(bundle.length / 1000).toFixed(1)} kB, ${(gzipped / 1000).toFixed(1)} kB gzipped, ` +
  `within 10% of the README's ${stated ? `${stated[1]} kB and ${stated[2]} kB` : '(no statement found)'}`);

if (failures.length) {
  console.error(`\n${failures.length} package check(s) failed`);
  process.exit(1);
}
console.log('\nthe package checks pass');
