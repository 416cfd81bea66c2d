#!/usr/bin/env python3
"""FLOPs and bytes of one training step of a benchmark configuration, op by op, for the suite's
roofline table ("How close to the machine's limit" in BENCHMARKS.md).

Builds the configuration's model, batches and Adam optimizer as reference_step.py does (same seeds,
the same step function), runs one step untimed (Adam's state and the first-call work), then runs the
next step (forward, backward, loss.item(), the model's hooks and Adam's update) under a
TorchDispatchMode that records every aten op it dispatches:

- FLOPs: torch.utils.flop_counter's formulas (mm, addmm, bmm, baddbmm, convolution and its backward,
  scaled-dot-product attention), 2 per multiply-add; every other op (element-wise, reductions,
  softmax, normalisation, Adam's update) counts 0 FLOPs, which leaves the bound unchanged: such ops
  are bound by their bytes many times over.
- Bytes: what the op must move at least: the elements of its tensor inputs it reads (a broadcast
  dimension, stride 0, read once; the same tensor passed twice read once) and of its outputs it
  writes; an in-place op reads and writes its operand; an op that only overwrites (copy_, fill_,
  zero_) does not read its destination, ones_like and the like read nothing of their input; an out=
  argument is written, not read. Ops outside aten (the profiler's markers) are not counted. View and metadata
  ops (view, t, expand, as_strided, detach, _unsafe_view, alias, permute, transpose, ..., and the
  allocations empty/empty_like) move nothing.

These are the bytes of the eager op sequence: every intermediate is written to memory and read back.
A fused implementation (torch.compile, or Pretext's own ops) can move fewer, so the roofline bound
built from them is the bound of an unfused step, not of the computation itself.

Needs PyTorch 2.x (torch.utils.flop_counter; PyTorch 1.13 has no such module): run it in the root,
    scripts/pytorch-root.sh run bench/python/roofline.py --config simclr-cnn
With --peak GFLOPS and --bandwidth GBPS it adds the roofline bound in seconds: the sum over ops of
max(flops / peak, bytes / bandwidth) (each op at least as slow as its own roofline) and the whole
step's max(F / peak, B / bandwidth). --check linear counts one step of a tiny nn.Linear model
instead (the case the Java test works out by hand). Prints one JSON object on the last line:
config, flops, bytes, ops (per aten op: count, flops, bytes and "shapes", the distinct
[count, flops, bytes] of its calls, from which the per-op bound follows for any peak and bandwidth);
with --out FILE the whole object goes to FILE and the printed line leaves the op list out.
"""
import argparse
import json
import os
import sys
import time

import torch

try:
    from torch.utils.flop_counter import flop_registry
except ImportError:
    sys.exit("roofline.py needs torch.utils.flop_counter (PyTorch 2.1 or later); this interpreter has torch %s:"
             " run it in the PyTorch 2.6 root, scripts/pytorch-root.sh run bench/python/roofline.py ..."
             % torch.__version__)
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_step as ref  # noqa: E402

aten = torch.ops.aten

# Ops that move no data: views and metadata, and allocations that write nothing.
FREE = {aten.view, aten._unsafe_view, aten.t, aten.expand, aten.as_strided, aten.detach, aten.alias,
        aten._reshape_alias, aten.permute, aten.transpose, aten.unsqueeze, aten.squeeze, aten.slice, aten.select,
        aten.split, aten.split_with_sizes, aten.unbind, aten.diagonal, aten.narrow, aten.unfold, aten.view_as_real,
        aten.lift_fresh, aten.empty, aten.empty_like, aten.empty_strided, aten.new_empty, aten.new_empty_strided}
# Ops that overwrite their first argument without reading it.
OVERWRITE = {aten.copy_, aten.fill_, aten.zero_, aten.normal_, aten.uniform_}
# Ops that take a tensor's shape and type, not its values: they read nothing.
LIKE = {aten.ones_like, aten.zeros_like, aten.full_like, aten.rand_like, aten.randn_like}


def touched(t):
    """Bytes of the distinct elements a tensor view addresses: a stride-0 (broadcast) dimension counts once."""
    if t.numel() == 0:
        return 0
    n = 1
    for size, stride in zip(t.shape, t.stride()):
        if stride != 0:
            n *= size
    return n * t.element_size()


def identity(t):
    """What makes two tensor arguments the same memory read: storage, offset, shape, strides."""
    return (t.untyped_storage().data_ptr(), t.storage_offset(), tuple(t.shape), tuple(t.stride()), t.dtype)


def tensors(value):
    return [v for v in tree_flatten(value)[0] if isinstance(v, torch.Tensor)]


class Recorder(TorchDispatchMode):
    """Records each dispatched aten op's FLOPs and bytes: ops[name][(flops, bytes)] = calls."""

    def __init__(self):
        super().__init__()
        self.ops = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if func.namespace != "aten":  # e.g. the profiler's record_function markers in Adam's step
            return out
        packet = func.overloadpacket
        flops = 0
        if packet in flop_registry:
            flops = int(flop_registry[packet](*args, **kwargs, out_val=out))
        moved = 0 if packet in FREE or func.is_view else self.bytes(func, packet, args, kwargs, out)
        per_shape = self.ops.setdefault(str(packet), {})
        per_shape[(flops, moved)] = per_shape.get((flops, moved), 0) + 1
        return out

    @staticmethod
    def bytes(func, packet, args, kwargs, out):
        reads, written = {}, {}
        mutated = []
        for i, arg in enumerate(func._schema.arguments):
            value = args[i] if i < len(args) and not arg.kwarg_only else kwargs.get(arg.name)
            ts = tensors(value)
            write = arg.alias_info is not None and arg.alias_info.is_write
            if write:
                mutated += ts
            if arg.is_out or (write and i == 0 and packet in OVERWRITE) or packet in LIKE:
                continue
            for t in ts:
                reads[identity(t)] = touched(t)
        for t in tensors(out) + mutated:  # a mutated argument is written, whether or not it is returned
            written[identity(t)] = touched(t)
        return sum(reads.values()) + sum(written.values())


def count(step, k):
    """Runs step(k) under the recorder: {op: {(flops, bytes): calls}}."""
    rec = Recorder()
    with rec:
        step(k)
    return rec.ops


def summary(ops):
    """Totals and the per-op list (most bytes first) of a recorded step."""
    rows = []
    for name, shapes in ops.items():
        rows.append({"op": name, "count": sum(shapes.values()),
                     "flops": sum(f * n for (f, b), n in shapes.items()),
                     "bytes": sum(b * n for (f, b), n in shapes.items()),
                     "shapes": sorted([[n, f, b] for (f, b), n in shapes.items()], key=lambda s: (-s[2], -s[1]))})
    rows.sort(key=lambda r: (-r["bytes"], -r["flops"], r["op"]))
    return {"flops": sum(r["flops"] for r in rows), "bytes": sum(r["bytes"] for r in rows),
            "opCalls": sum(r["count"] for r in rows), "ops": rows}


def bound(ops, peak_gflops, bandwidth_gbps):
    """Seconds: the sum over ops of max(flops / peak, bytes / bandwidth), and the whole step's max."""
    per_op = sum(n * max(f / (peak_gflops * 1e9), b / (bandwidth_gbps * 1e9))
                 for shapes in ops.values() for (f, b), n in shapes.items())
    s = summary(ops)
    return per_op, max(s["flops"] / (peak_gflops * 1e9), s["bytes"] / (bandwidth_gbps * 1e9))


def config_step(name):
    """The configuration's model, optimizer and step as reference_step.py's run() makes them (eager)."""
    torch.manual_seed(0)
    cfg = ref.CONFIGS[name]
    model = cfg["build"](None)
    model.train()
    g = torch.Generator().manual_seed(1)
    batches = [cfg["inputs"](g, cfg["batch"]) for _ in range(2)]
    if hasattr(model, "start"):
        model.start()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    # two steps in a run of two: the second is a steady step (Adam's state exists, DINO's last layer not frozen)
    return ref.make_step(model, opt, model.loss, batches, 2), cfg["batch"]


class TinyLinear(torch.nn.Module):
    """--check linear: y = x W^T + b (nn.Linear(5, 3)) on 4 examples, loss = sum(y)."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(5, 3)

    def loss(self, x):
        return self.fc(x).sum()


def tiny_step():
    torch.manual_seed(0)
    model = TinyLinear()
    batches = [(torch.rand(4, 5),)]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    return ref.make_step(model, opt, model.loss, batches, 2), 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", choices=sorted(ref.CONFIGS))
    ap.add_argument("--check", choices=["linear"], help="count a tiny case instead of a configuration")
    ap.add_argument("--peak", type=float, help="fp32 GEMM peak, GFLOP/s (with --bandwidth: add the bound)")
    ap.add_argument("--bandwidth", type=float, help="memory bandwidth, GB/s")
    ap.add_argument("--out", help="write the whole result (op list included) to this file and print it without the ops")
    a = ap.parse_args()
    if (a.config is None) == (a.check is None):
        ap.error("give one of --config or --check")
    if (a.peak is None) != (a.bandwidth is None) or (a.peak is not None and (a.peak <= 0 or a.bandwidth <= 0)):
        ap.error("--peak and --bandwidth go together and must be positive")
    t0 = time.perf_counter()
    step, batch = tiny_step() if a.check else config_step(a.config)
    step(0)
    ops = count(step, 1)
    out = {"config": a.config or a.check, "batch": batch, "torch": torch.__version__, "countedStep": 1}
    out.update(summary(ops))
    if a.peak is not None:
        out["peakGflops"], out["bandwidthGBps"] = a.peak, a.bandwidth
        out["boundSeconds"], out["wholeStepBoundSeconds"] = bound(ops, a.peak, a.bandwidth)
    out["seconds"] = time.perf_counter() - t0
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out, f)
        out = {k: v for k, v in out.items() if k != "ops"}
        out["written"] = a.out
    print(json.dumps(out))


if __name__ == "__main__":
    main()
