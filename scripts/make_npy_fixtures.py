#!/usr/bin/python3
"""Writes test/fixtures/npy/{input,weight,output}.npy with NumPy's own np.save, for the playground's .npy round
trip test. Integer-valued tensors, so every sum is exact in float32 and the GPU must match PyTorch bit for bit.
Run by hand (not by the tests):

    apt-get install -y python3-torch && /usr/bin/python3 scripts/make_npy_fixtures.py
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'npy')
# The call the test makes: keep in step with test/browser/playground.spec.ts.
STRIDE, PADDING = (1, 2, 2), (0, 1, 0)


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(5)
    x = torch.randint(-3, 4, (1, 3, 4, 5, 6), generator=g).float()
    w = torch.randint(-3, 4, (3, 2, 3, 2, 3), generator=g).float()
    y = F.conv_transpose3d(x, w, stride=STRIDE, padding=PADDING)
    for name, t in (('input', x), ('weight', w), ('output', y)):
        np.save(os.path.join(OUT, f'{name}.npy'), t.numpy().astype('<f4'))
        print(name, tuple(t.shape))


if __name__ == '__main__':
    main()
