#!/usr/bin/env python3
"""Plain-PyTorch reference of Pretext's benchmark configurations: the same model, loss, optimizer
and batch as the Java side, timed the same way (warm-up, then measured steps).

Run with Debian's interpreter, which owns python3-torch:
    /usr/bin/python3 bench/python/reference_step.py --config simclr-mlp --threads 1 --warmup 200 --steps 500
With --load DIR it reads the initial weights and batches Pretext wrote (--dump) and prints the
losses of the first steps, for the equal-loss check.
Prints one JSON object on the last line of standard output.
"""
import argparse
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- models (mirror Pretext's)

class SimClr(nn.Module):
    """Encoder + projection head + NT-Xent, as Pretext's simclr objective."""

    def __init__(self, encoder, feature_dim, hidden=128, out=64, temperature=0.5):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Sequential(nn.Linear(feature_dim, hidden), nn.ReLU(), nn.Linear(hidden, out))
        self.temperature = temperature

    def loss(self, v1, v2):
        z = self.head(self.encoder(torch.cat([v1, v2], 0)))
        return nt_xent(z, self.temperature)


def nt_xent(z, temperature):
    n2 = z.shape[0]
    z = F.normalize(z, dim=1)
    sim = z @ z.t() / temperature
    sim = sim - 1e9 * torch.eye(n2)
    target = (torch.arange(n2) + n2 // 2) % n2
    return F.cross_entropy(sim, target)


def mlp_encoder():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 128))


def cnn_encoder(width=32):
    layers = []
    c_in = 1
    for i, c in enumerate([width, 2 * width, 4 * width]):
        layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.BatchNorm2d(c, eps=1e-5, momentum=0.1), nn.ReLU()]
        if i < 2:
            layers.append(nn.MaxPool2d(2, 2))
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)


CONFIGS = {
    "simclr-mlp": dict(build=lambda: SimClr(mlp_encoder(), 128), batch=256, shape=(1, 28, 28)),
    "simclr-cnn": dict(build=lambda: SimClr(cnn_encoder(), 128), batch=256, shape=(1, 28, 28)),
}


# ---------------------------------------------------------------- .npy files written by Pretext

def load_state(model, directory):
    """Copies Pretext's initial parameters into the model. parameters.txt lists Pretext's tensors in
    its order (index, name, trainable); trainable ones map in order onto model.parameters(), the
    others (BatchNorm running statistics) onto the running-statistics buffers."""
    params = list(model.parameters())
    buffers = [b for n, b in model.named_buffers() if "num_batches" not in n]
    pi = bi = 0
    with torch.no_grad():
        for line in open(os.path.join(directory, "parameters.txt")):
            index, name, trainable = line.split()[:3]
            arr = np.load(os.path.join(directory, "p%s.npy" % index))
            if trainable == "true":
                target, pi = params[pi], pi + 1
            else:
                target, bi = buffers[bi], bi + 1
            assert tuple(target.shape) == arr.shape, (name, tuple(target.shape), arr.shape)
            target.copy_(torch.from_numpy(arr))
    assert pi == len(params) and bi == len(buffers), "parameter count differs from Pretext's"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", choices=sorted(CONFIGS))
    ap.add_argument("--gemm", type=int, help="time an fp32 GEMM of this size instead of a training step")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--load", help="folder with Pretext's initial weights and batches (equal-loss check)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.gemm:
        n = a.gemm
        x, y = torch.randn(n, n), torch.randn(n, n)
        for _ in range(3):
            x @ y
        t = time.perf_counter()
        reps = 10
        for _ in range(reps):
            x @ y
        s = time.perf_counter() - t
        print(json.dumps({"side": "pytorch", "gemm": n, "threads": a.threads, "gflopsPerSecond": 2.0 * n ** 3 * reps / s / 1e9,
                          "blas": os.environ.get("PRETEXT_BLAS", "default"),
                          "coretype": os.environ.get("OPENBLAS_CORETYPE", "auto")}))
        return
    if not a.config:
        ap.error("--config is required")
    torch.manual_seed(0)
    cfg = CONFIGS[a.config]
    model = cfg["build"]()
    model.train()
    b = cfg["batch"]
    if a.load:
        load_state(model, a.load)
        batches = []
        i = 0
        while os.path.exists(os.path.join(a.load, "batch%03d_0.npy" % i)):
            batches.append((torch.from_numpy(np.load(os.path.join(a.load, "batch%03d_0.npy" % i))),
                            torch.from_numpy(np.load(os.path.join(a.load, "batch%03d_1.npy" % i)))))
            i += 1
    else:
        g = torch.Generator().manual_seed(1)
        batches = [(torch.rand((b,) + cfg["shape"], generator=g), torch.rand((b,) + cfg["shape"], generator=g))
                   for _ in range(8)]
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)

    def step(i):
        v1, v2 = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        loss = model.loss(v1, v2)
        loss.backward()
        opt.step()
        return loss.item()

    losses = []
    if a.load:
        for i in range(len(batches)):
            losses.append(step(i))
        print(json.dumps({"side": "pytorch", "config": a.config, "losses": losses}))
        return
    print("FIRST_STEP", flush=True)
    for i in range(a.warmup):
        step(i)
    t = time.perf_counter()
    for i in range(a.steps):
        losses.append(step(i))
    s = time.perf_counter() - t
    print(json.dumps({"side": "pytorch", "config": a.config, "threads": a.threads, "steps": a.steps,
                      "seconds": s, "stepsPerSecond": a.steps / s, "samplesPerSecond": a.steps * b / s,
                      "torch": torch.__version__, "blas": os.environ.get("PRETEXT_BLAS", "default"),
                      "coretype": os.environ.get("OPENBLAS_CORETYPE", "auto"), "finalLoss": losses[-1],
                      "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}))


if __name__ == "__main__":
    main()
