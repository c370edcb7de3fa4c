#!/usr/bin/python3
"""PyTorch's native torch.nn.functional.conv_transpose3d on the benchmark's cases, a CPU baseline for `npm run bench`.

Outside the test suite and outside `npm run bench`: run it by hand, with Debian's Python, which has torch (the
python3 first on PATH may be another, without it):

    apt-get install -y python3-torch libopenblas0-pthread
    /usr/bin/python3 scripts/bench-pytorch.py [--threads 1,2] [--runs 5] [--cases docs-example,unet-up]

The cases are bench/cases.json, the file bench/cases.ts reads. Each case runs with a fixed-seed random input and
weight, no bias, under torch.inference_mode(): one warm-up call, then the median of --runs calls, for each thread
count. FLOPs as the bench counts them: 2·N·Cin·(Cout/groups)·kD·kH·kW·D·H·W. Prints a Markdown table.

Threads: torch.set_num_threads(N) sets PyTorch's own (OpenMP) pool, but on a CPU build without a oneDNN path for
transposed 3-D convolutions the call is an im2col-style gather and a BLAS GEMM, and OpenBLAS keeps a pool of its own
(all cores by default). Both are set to N, so that "1 thread" means one.
"""
import argparse
import ctypes
import json
import os
import platform
import statistics
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    raise SystemExit('no torch in this Python: run /usr/bin/python3 after apt-get install -y python3-torch')

CASES_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench', 'cases.json')


def flops(case):
    n, cin, d, h, w = case['input']
    _, cout_per_group, kd, kh, kw = case['weight']
    return 2 * n * cin * cout_per_group * kd * kh * kw * d * h * w


def torch_kwargs(options):
    """The case's options (bench/cases.json, as ConvTranspose3dOptions) as conv_transpose3d's keyword arguments."""
    names = {'stride': 'stride', 'padding': 'padding', 'outputPadding': 'output_padding', 'groups': 'groups',
             'dilation': 'dilation'}
    unknown = set(options) - set(names)
    if unknown:
        raise SystemExit(f'unknown case options: {sorted(unknown)}')
    return {names[k]: tuple(v) if isinstance(v, list) else v for k, v in options.items()}


def openblas():
    """The OpenBLAS library this torch loaded, or None (another BLAS, or torch's own GEMM)."""
    with open('/proc/self/maps') as maps:
        paths = sorted({line.split()[-1] for line in maps if 'openblas' in line and '.so' in line})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            return lib
        except (OSError, AttributeError):
            continue
    return None


def set_threads(n, blas):
    torch.set_num_threads(n)
    if blas is not None:
        blas.openblas_set_num_threads(n)


def conv_backend(x, w, kw):
    """The implementation PyTorch picks for this call, where this torch can say."""
    select = getattr(torch._C, '_select_conv_backend', None)
    if select is None:
        return '?'
    triple = lambda v, d: list(v) if isinstance(v, tuple) else [v if v is not None else d] * 3
    try:
        backend = select(x, w, None, triple(kw.get('stride'), 1), triple(kw.get('padding'), 0),
                         triple(kw.get('dilation'), 1), True, triple(kw.get('output_padding'), 0), kw.get('groups', 1))
        return str(backend).split('.')[-1]
    except (RuntimeError, TypeError):
        return '?'


def time_case(case, threads, runs, blas):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(case['input'], generator=gen)
    w = torch.randn(case['weight'], generator=gen)
    kw = torch_kwargs(case['options'])
    results = {}
    with torch.inference_mode():
        for n in threads:
            set_threads(n, blas)
            F.conv_transpose3d(x, w, **kw)
            ms = []
            for _ in range(runs):
                t0 = time.perf_counter()
                F.conv_transpose3d(x, w, **kw)
                ms.append((time.perf_counter() - t0) * 1e3)
            results[n] = statistics.median(ms)
    return results, conv_backend(x, w, kw)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--threads', default='1,2', help='thread counts, comma-separated (default 1,2)')
    parser.add_argument('--runs', type=int, default=5, help='timed calls per case and thread count (default 5)')
    parser.add_argument('--cases', default=None, help='case names, comma-separated (default: all)')
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(',')]
    with open(CASES_JSON) as f:
        cases = json.load(f)
    if args.cases:
        wanted = args.cases.split(',')
        missing = set(wanted) - {c['name'] for c in cases}
        if missing:
            raise SystemExit(f'no such cases: {sorted(missing)}')
        cases = [c for c in cases if c['name'] in wanted]

    blas = openblas()
    print(f'PyTorch {torch.__version__} on {platform.machine()}, {os.cpu_count()} cores; '
          f'BLAS: {blas.openblas_get_config().decode() if blas is not None else "not OpenBLAS"}; '
          f'oneDNN available: {torch.backends.mkldnn.is_available()}; medians of {args.runs} runs after one warm-up')
    print()
    print('| case | GFLOP | implementation | ' + ' | '.join(f'{n} thr ms | {n} thr GFLOP/s' for n in threads) + ' |')
    print('|---|---|---|' + '---|---|' * len(threads))
    for case in cases:
        ms, backend = time_case(case, threads, args.runs, blas)
        gflop = flops(case) / 1e9
        cells = ' | '.join(f'{ms[n]:.1f} | {gflop / (ms[n] / 1e3):.2f}' for n in threads)
        print(f'| {case["name"]} | {gflop:.3f} | {backend} | {cells} |', flush=True)


if __name__ == '__main__':
    main()
