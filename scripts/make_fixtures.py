#!/usr/bin/python3
"""Writes test/fixtures/conv_transpose3d.json: conv_transpose3d results, error messages and output_size rules
computed by real PyTorch. Run by hand (not by the tests):

    apt-get install -y python3-torch && /usr/bin/python3 scripts/make_fixtures.py

The format is the one of the independent PyTorch-made golden set the tests also read from ../shared/golden when that
folder exists (see README.md, "Fixtures"): tensors are base64 little-endian float32; results are computed in float64
from the float32 inputs and rounded once to float32.
"""
import base64
import json
import os
import random

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'conv_transpose3d.json')


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {'shape': list(t.shape), 'data': base64.b64encode(t.numpy().astype('<f4').tobytes()).decode('ascii')}


def triple(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v, v]


def case(name, x_shape, w_shape, stride=1, padding=0, output_padding=0, groups=1, dilation=1, bias=False,
         seed=0, special=None):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(x_shape, generator=g)
    w = torch.randn(w_shape, generator=g)
    b = torch.randn(w_shape[1] * groups, generator=g) if bias else None
    if special == 'integers':
        x = torch.randint(-3, 4, x_shape, generator=g).float()
        w = torch.randint(-3, 4, w_shape, generator=g).float()
    if special == 'magnitudes':  # values from 1e-2 to 1e2 (wider, and float32 itself leaves the tolerance)
        x = x * torch.pow(10.0, torch.randint(-2, 3, x_shape, generator=g).float())
    if special in ('nonfinite', 'nonfinite-weight'):
        flat = (x if special == 'nonfinite' else w).view(-1)
        flat[0] = float('nan')
        flat[flat.numel() // 3] = float('inf')
        flat[2 * flat.numel() // 3] = float('-inf')
    args = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation)
    y64 = F.conv_transpose3d(x.double(), w.double(), None if b is None else b.double(), **args)
    y32 = F.conv_transpose3d(x, w, b, **args)
    dev = (y32.double() - y64).abs()
    dev = dev[torch.isfinite(dev)]
    out = {
        'name': name, 'input': enc(x), 'weight': enc(w), 'bias': None if b is None else enc(b),
        'stride': triple(stride), 'padding': triple(padding), 'output_padding': triple(output_padding),
        'groups': groups, 'dilation': triple(dilation), 'output': enc(y64.float()),
        'torch_float32_max_abs_dev': float(dev.max()) if dev.numel() else 0.0,
    }
    if special:
        out['special'] = special
    return out


CASES = [
    case('pytorch-docs-example-scaled', [2, 16, 5, 4, 6], [16, 33, 3, 3, 3], stride=(2, 1, 1), padding=(0, 1, 1)),
    case('integers-exact', [1, 4, 3, 3, 3], [4, 4, 2, 2, 2], stride=2, special='integers', seed=1),
    case('defaults', [1, 4, 3, 3, 3], [4, 4, 3, 3, 3], seed=2),
    case('bias', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], bias=True, seed=3),
    case('stride-2', [1, 4, 4, 4, 4], [4, 4, 3, 3, 3], stride=2, seed=4),
    case('stride-3-kernel-2', [1, 3, 3, 3, 3], [3, 2, 2, 2, 2], stride=3, seed=5),
    case('stride-per-axis', [1, 4, 3, 4, 5], [4, 3, 3, 3, 3], stride=(1, 2, 3), seed=6),
    case('stride-4-kernel-4', [1, 4, 2, 3, 2], [4, 4, 4, 4, 4], stride=4, seed=7),
    case('padding-1', [1, 4, 4, 4, 4], [4, 4, 3, 3, 3], padding=1, seed=8),
    case('padding-per-axis', [1, 3, 4, 5, 6], [3, 4, 3, 3, 5], padding=(0, 1, 2), seed=9),
    case('padding-crops', [1, 2, 4, 4, 4], [2, 3, 3, 3, 3], padding=2, seed=10),
    case('padding-larger-than-kernel', [1, 2, 5, 5, 5], [2, 2, 2, 2, 2], padding=2, stride=2, seed=11),
    case('output-padding-stride-2', [1, 4, 3, 3, 3], [4, 4, 3, 3, 3], stride=2, output_padding=1, seed=12),
    case('output-padding-per-axis', [1, 3, 3, 4, 3], [3, 2, 3, 3, 3], stride=(2, 3, 4), output_padding=(1, 2, 3),
         seed=13),
    case('output-padding-below-dilation', [1, 2, 3, 3, 3], [2, 3, 3, 3, 3], dilation=3, output_padding=2, seed=14),
    case('dilation-2', [1, 4, 4, 4, 4], [4, 4, 3, 3, 3], dilation=2, seed=15),
    case('dilation-per-axis', [1, 2, 3, 4, 5], [2, 3, 2, 3, 2], dilation=(1, 2, 3), seed=16),
    case('dilation-2-stride-2', [1, 4, 3, 3, 3], [4, 4, 3, 3, 3], dilation=2, stride=2, padding=1, seed=17),
    case('dilation-3-stride-2', [1, 3, 3, 3, 3], [3, 2, 3, 3, 3], dilation=3, stride=2, seed=18),
    case('dilation-2-stride-4', [1, 2, 3, 3, 3], [2, 3, 3, 3, 3], dilation=2, stride=4, output_padding=1, seed=19),
    case('dilation-6-stride-4', [1, 2, 2, 3, 2], [2, 2, 3, 2, 3], dilation=6, stride=4, seed=20),
    case('groups-2-aligned', [1, 8, 3, 3, 3], [8, 4, 3, 3, 3], groups=2, seed=21),
    case('groups-2-unaligned', [2, 6, 3, 3, 3], [6, 3, 3, 3, 3], groups=2, seed=22),
    case('groups-3-cut-texels', [1, 9, 3, 3, 3], [9, 5, 2, 2, 2], groups=3, stride=2, bias=True, seed=23),
    case('depthwise', [1, 8, 4, 4, 4], [8, 1, 3, 3, 3], groups=8, stride=2, seed=24),
    case('depthwise-multiplier-3', [1, 5, 3, 3, 3], [5, 3, 3, 3, 3], groups=5, seed=25),
    case('depthwise-nonfinite', [1, 6, 3, 3, 3], [6, 1, 2, 2, 2], groups=6, special='nonfinite', seed=26),
    case('groups-nonfinite-cut-texels', [1, 6, 3, 3, 3], [6, 2, 2, 2, 2], groups=3, special='nonfinite', seed=27),
    case('channels-odd', [1, 5, 3, 3, 3], [5, 7, 3, 3, 3], seed=28),
    case('channels-one', [1, 1, 5, 5, 5], [1, 1, 3, 3, 3], stride=2, seed=29),
    case('channels-wide', [1, 37, 2, 2, 2], [37, 19, 2, 2, 2], stride=2, bias=True, seed=30),
    case('kernel-1', [2, 5, 3, 2, 4], [5, 7, 1, 1, 1], stride=2, seed=31),
    case('kernel-non-cubic', [1, 3, 4, 4, 4], [3, 2, 1, 3, 5], stride=(2, 1, 2), seed=32),
    case('kernel-larger-than-input', [1, 2, 2, 2, 2], [2, 3, 5, 4, 3], seed=33),
    case('single-voxel', [3, 4, 1, 1, 1], [4, 5, 3, 3, 3], stride=2, seed=34),
    case('batch-3', [3, 3, 2, 3, 2], [3, 5, 2, 2, 2], stride=2, bias=True, seed=35),
    case('unet-up', [1, 16, 4, 4, 4], [16, 8, 2, 2, 2], stride=2, bias=True, seed=36),
    case('vae-up', [1, 8, 3, 6, 6], [8, 4, 4, 4, 4], stride=2, padding=1, seed=37),
    case('video-up', [1, 8, 2, 5, 5], [8, 8, 3, 3, 3], stride=(1, 2, 2), padding=1, output_padding=(0, 1, 1),
         seed=38),
    case('checkerboard-k3-s2', [1, 1, 4, 4, 4], [1, 1, 3, 3, 3], stride=2, seed=39),
    case('everything', [2, 6, 3, 4, 5], [6, 4, 3, 2, 3], stride=(2, 3, 1), padding=(1, 0, 2),
         output_padding=(1, 2, 0), groups=2, dilation=(1, 2, 2), bias=True, seed=40),
    case('everything-unaligned', [2, 9, 3, 3, 4], [9, 2, 2, 3, 2], stride=(3, 2, 2), padding=(1, 1, 0),
         output_padding=(2, 0, 1), groups=3, dilation=(2, 1, 3), bias=True, seed=41),
    case('empty-batch', [0, 3, 3, 3, 3], [3, 2, 3, 3, 3], seed=42),
    case('nonfinite-input', [1, 4, 3, 3, 3], [4, 3, 2, 2, 2], special='nonfinite', seed=43),
    case('unbatched', [3, 3, 4, 2], [3, 2, 2, 3, 2], stride=2, padding=1, output_padding=1, seed=44),
    case('unbatched-groups-bias', [4, 3, 3, 3], [4, 3, 3, 3, 3], groups=2, bias=True, seed=45),
    case('mixed-magnitudes', [1, 4, 3, 3, 3], [4, 4, 3, 3, 3], special='magnitudes', seed=46),
    # Inf and NaN weights where some W taps fall outside the input (their products must be dropped, not taken as 0)
    case('nonfinite-weight-edges', [1, 4, 3, 4, 5], [4, 5, 3, 3, 3], special='nonfinite-weight', seed=47),
    case('nonfinite-weight-stride-2', [1, 4, 3, 4, 5], [4, 4, 4, 4, 4], stride=2, padding=1,
         special='nonfinite-weight', seed=48),
]

rng = random.Random(1234)
for i in range(24):
    groups = rng.choice([1, 1, 2, 3, 4])
    cig = rng.randint(1, 5)
    cog = rng.randint(1, 5)
    k = [rng.randint(1, 4) for _ in range(3)]
    s = [rng.randint(1, 3) for _ in range(3)]
    d = [rng.randint(1, 3) for _ in range(3)]
    p = [rng.randint(0, 2) for _ in range(3)]
    op = [rng.randint(0, max(s[a], d[a]) - 1) for a in range(3)]
    size = [rng.randint(1, 4) for _ in range(3)]
    outs = [(size[a] - 1) * s[a] - 2 * p[a] + d[a] * (k[a] - 1) + op[a] + 1 for a in range(3)]
    if min(outs) < 1:
        p = [0, 0, 0]
    batch = rng.choice([None, 1, 2])
    x_shape = ([batch] if batch else []) + [cig * groups] + size
    CASES.append(case(f'random-{i}', x_shape, [cig * groups, cog] + k, stride=s, padding=p, output_padding=op,
                      groups=groups, dilation=d, bias=rng.random() < 0.5, seed=100 + i))

ERRORS = [
    # name, argument our message must name, input shape, weight shape, bias shape, kwargs
    ('input-rank-3', 'input', [4, 3, 3], [4, 6, 3, 3, 3], None, {}),
    ('input-rank-6', 'input', [1, 2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {}),
    ('weight-rank-4', 'weight', [2, 4, 3, 3, 3], [4, 6, 3, 3], None, {}),
    ('weight-rank-6', 'weight', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3, 1], None, {}),
    ('channels-mismatch', 'weight', [2, 4, 3, 3, 3], [5, 6, 3, 3, 3], None, {}),
    ('groups-not-dividing', 'groups', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'groups': 3}),
    ('groups-zero', 'groups', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'groups': 0}),
    ('groups-negative', 'groups', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'groups': -2}),
    ('output-padding-equal-stride', 'outputPadding', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None,
     {'stride': 2, 'output_padding': 2}),
    ('output-padding-stride-1', 'outputPadding', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'output_padding': 1}),
    ('output-padding-one-axis', 'outputPadding', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None,
     {'stride': (2, 2, 1), 'output_padding': (1, 1, 1)}),
    ('output-padding-negative', 'outputPadding', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None,
     {'stride': 2, 'output_padding': -1}),
    ('stride-zero', 'stride', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'stride': 0}),
    ('stride-negative-one-axis', 'stride', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'stride': (1, -1, 1)}),
    ('padding-negative', 'padding', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'padding': -1}),
    ('dilation-zero', 'dilation', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'dilation': 0}),
    ('dilation-negative', 'dilation', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'dilation': (1, 1, -2)}),
    ('bias-wrong-size', 'bias', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], [5], {}),
    ('bias-2d', 'bias', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], [1, 6], {}),
    ('output-too-small', 'output size', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'padding': 3}),
    ('output-zero', 'output size', [1, 4, 1, 1, 1], [4, 6, 1, 1, 1], None, {'padding': 1}),
    ('empty-spatial-input', 'input', [1, 4, 0, 3, 3], [4, 6, 3, 3, 3], None, {}),
    ('kernel-zero-size', 'weight', [2, 4, 3, 3, 3], [4, 6, 0, 3, 3], None, {}),
    ('weight-zero-out-channels', 'weight', [2, 4, 3, 3, 3], [4, 0, 3, 3, 3], None, {}),
    ('stride-wrong-length', 'stride', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'stride': (1, 2)}),
    ('padding-wrong-length', 'padding', [2, 4, 3, 3, 3], [4, 6, 3, 3, 3], None, {'padding': (1, 1, 1, 1)}),
]


def error_case(name, argument, x_shape, w_shape, b_shape, kwargs):
    args = {'stride': 1, 'padding': 0, 'output_padding': 0, 'groups': 1, 'dilation': 1}
    args.update(kwargs)
    try:
        F.conv_transpose3d(torch.zeros(x_shape), torch.zeros(w_shape),
                           None if b_shape is None else torch.zeros(b_shape), **args)
    except (RuntimeError, ValueError) as e:
        message = str(e).split('\n')[0]
    else:
        raise SystemExit(f'PyTorch accepted error case {name}')
    as_list = {k: list(v) if isinstance(v, tuple) else v for k, v in args.items()}
    return {'name': name, 'argument': argument, 'input_shape': x_shape, 'weight_shape': w_shape,
            'bias_shape': b_shape, **as_list, 'torch_error': message}


OUTPUT_SIZE = [
    ('min', [2, 4, 3, 3, 3], [3, 3, 3], [2, 2, 2], [0, 0, 0], [1, 1, 1], [7, 7, 7]),
    ('max', [2, 4, 3, 3, 3], [3, 3, 3], [2, 2, 2], [0, 0, 0], [1, 1, 1], [8, 8, 8]),
    ('mixed', [1, 2, 4, 5, 6], [3, 3, 3], [2, 3, 1], [1, 1, 1], [1, 1, 1], [8, 14, 6]),
    ('stride-4', [1, 2, 3, 3, 3], [2, 2, 2], [4, 4, 4], [0, 1, 0], [1, 1, 1], [12, 9, 10]),
    ('dilation', [1, 2, 3, 3, 3], [3, 3, 3], [2, 2, 2], [0, 0, 0], [2, 2, 2], [9, 10, 9]),
    ('full-shape-batched', [2, 4, 3, 3, 3], [3, 3, 3], [2, 2, 2], [0, 0, 0], [1, 1, 1], [2, 6, 8, 7, 8]),
    ('full-shape-unbatched', [4, 3, 3, 3], [3, 3, 3], [2, 2, 2], [0, 0, 0], [1, 1, 1], [6, 8, 7, 8]),
    ('too-large', [2, 4, 3, 3, 3], [3, 3, 3], [2, 2, 2], [0, 0, 0], [1, 1, 1], [9, 9, 9]),
    ('too-small', [2, 4, 3, 3, 3], [3, 3, 3], [2, 2, 2], [0, 0, 0], [1, 1, 1], [7, 6, 7]),
    ('stride-1-only-min', [1, 2, 3, 3, 3], [3, 3, 3], [1, 1, 1], [0, 0, 0], [1, 1, 1], [6, 5, 5]),
    ('wrong-length', [2, 4, 3, 3, 3], [3, 3, 3], [2, 2, 2], [0, 0, 0], [1, 1, 1], [7, 7]),
]


def output_size_case(name, x_shape, k, s, p, d, size):
    cin = x_shape[-4]
    m = torch.nn.ConvTranspose3d(cin, 2, k, stride=s, padding=p, dilation=d)
    out = {'name': f'output-size-{name}', 'input_shape': x_shape, 'kernel_size': k, 'stride': s, 'padding': p,
           'dilation': d, 'output_size': size}
    try:
        op = m._output_padding(torch.zeros(x_shape), size, s, p, k, 3, d)
        y = m(torch.zeros(x_shape), output_size=size)
        out['output_padding'] = list(op)
        out['output_shape'] = list(y.shape)
    except (RuntimeError, ValueError) as e:
        out['torch_error'] = str(e).split('\n')[0]
    return out


def main():
    data = {
        'generator': f'scripts/make_fixtures.py with torch {torch.__version__}',
        'cases': CASES,
        'errors': [error_case(*e) for e in ERRORS],
        'output_size': [output_size_case(*o) for o in OUTPUT_SIZE],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    print(f'wrote {len(CASES)} cases, {len(data["errors"])} errors, {len(data["output_size"])} output_size cases '
          f'to {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
