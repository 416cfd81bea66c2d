#!/usr/bin/env python3
"""Plain-PyTorch reference of Pretext's benchmark configurations: the same model, loss, optimizer
and batch as the Java side, timed the same way (warm-up, then measured steps).

Run with Debian's interpreter, which owns python3-torch (bookworm's 1.13 on the host):
    /usr/bin/python3 bench/python/reference_step.py --config simclr-mlp --threads 1 --warmup 200 --steps 500
or under PyTorch 2.6 in the trixie root (scripts/pytorch-root.sh; BLAS picks the OpenBLAS build):
    THREADS=1 BLAS=openblas-openmp scripts/pytorch-root.sh run bench/python/reference_step.py \
        --config simclr-mlp --threads 1 --compile max-autotune-no-cudagraphs --cold-cache
With --compile MODE (PyTorch 2.x only) the loss (forward, and through AOTAutograd the backward) runs
through torch.compile's inductor CPU backend in that mode; Adam's update stays eager, as in the
eager reference. The first step, which compiles, is timed on its own ("compileSeconds"); with
--cold-cache it compiles into an empty inductor cache (what a first run pays), with --cache-dir DIR
into DIR (cold if DIR is empty or missing, warm after a run of the same graph there), otherwise into
the interpreter's default cache.
With --seconds T the timed steps stop once T seconds have passed (at most --steps of them), so a
slow side is not timed for longer than it needs.
With --load DIR it reads the initial weights and batches Pretext wrote (--dump: every prepared
tensor of batch i as batch<i>_<t>.npy), trains on those batches in turn from those weights and
reports the losses of the first as many steps as there are batches ("losses"), for the equal-loss
check; with --steps the same run is timed as above (the suite's equal-loss runs are timed runs of
its first round), and never stops before it has trained on every batch once. Each model mirrors
Pretext's layer order and parameter shapes so Pretext's weights load in order (trainable ones onto
parameters, frozen ones onto buffers). A model may define start() (called once its weights are in),
step_inputs(k, total) (extra loss inputs of step k), before_update(k, total) and
after_update(k, total, aux) (around the optimizer step, as Pretext's objective hooks; aux is what
the loss returned beside the loss value): DINO's teacher, temperatures and centre use them.
Prints one JSON object on the last line of standard output. roofline.py counts the FLOPs and bytes of
this script's eager step (it imports CONFIGS and make_step).
"""
import argparse
import json
import math
import os
import resource
import shutil
import struct
import sys
import tempfile
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


def mlp_encoder(hidden=512):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 128))


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


class SelfAttention(nn.Module):
    """Pretext's MultiHeadSelfAttention: one fused QKV projection, q scaled by 1/sqrt(d_head) before
    Q·Kᵀ, an optional additive mask bias, softmax, A·V, output projection; biases on."""

    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)

    def forward(self, x, bias=None):
        b, t, d = x.shape
        dh = d // self.heads
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, dh).permute(2, 0, 3, 1, 4)  # each (B, H, T, dh)
        scores = (q * (1.0 / math.sqrt(dh))) @ k.transpose(-1, -2)
        if bias is not None:
            scores = scores + bias
        y = scores.softmax(-1) @ v
        return self.out(y.transpose(1, 2).reshape(b, t, d))


class PreNormBlock(nn.Module):
    """Pretext's PreNormBlock: h = x + Attn(LN1(x)), y = h + W2·GELU(W1·LN2(h)) (exact, erf GELU),
    LayerNorm eps 1e-5, MLP 4·D wide. Parameters registered in Pretext's order (LN1, LN2, fc, proj,
    then the attention's)."""

    def __init__(self, d, heads, mlp_ratio=4):
        super().__init__()
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.fc = nn.Linear(d, mlp_ratio * d)
        self.proj = nn.Linear(mlp_ratio * d, d)
        self.attn = SelfAttention(d, heads)

    def forward(self, x, bias=None):
        h = x + self.attn(self.ln1(x), bias)
        return h + self.proj(F.gelu(self.fc(self.ln2(h))))


class Stack(nn.Module):
    """Pretext's TransformerStack: blocks then a final LayerNorm (registered first, as in Pretext)."""

    def __init__(self, layers, d, heads):
        super().__init__()
        self.norm = nn.LayerNorm(d, eps=1e-5)
        self.blocks = nn.ModuleList([PreNormBlock(d, heads) for _ in range(layers)])

    def forward(self, x, bias=None):
        for blk in self.blocks:
            x = blk(x, bias)
        return self.norm(x)


class CausalLm(nn.Module):
    """Pretext's transformer encoder with the causal-lm objective: token embedding E and learned
    positions, pre-norm blocks under a causal additive mask (-1e9 above the diagonal), final
    LayerNorm, logits h·Eᵀ (tied), mean next-token cross-entropy."""

    def __init__(self, vocabulary=65, context=64, layers=4, heads=4, d=128):
        super().__init__()
        self.tokens = nn.Parameter(torch.randn(vocabulary, d) * 0.02)
        self.positions = nn.Parameter(torch.randn(context, d) * 0.02)
        self.stack = Stack(layers, d, heads)
        # a plain tensor, not a buffer: load_state maps Pretext's non-trainable parameters onto buffers
        self.causal = torch.full((context, context), -1e9).triu(1).view(1, 1, context, context)

    def loss(self, x, y):
        t = x.shape[1]
        h = F.embedding(x, self.tokens) + self.positions[:t]
        h = self.stack(h, self.causal[:, :, :t, :t])
        logits = F.linear(h, self.tokens)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def sincos_table(rows, cols, d):
    """Pretext's SinCosPositions: [sin(c·ω), cos(c·ω), sin(r·ω), cos(r·ω)], ω_k = 10000^(-k/(D/4))."""
    q = d // 4
    omega = 10000.0 ** (-np.arange(q, dtype=np.float64) / q)
    r, c = np.meshgrid(np.arange(rows, dtype=np.float64), np.arange(cols, dtype=np.float64), indexing="ij")
    r, c = r.reshape(-1, 1) * omega, c.reshape(-1, 1) * omega
    return torch.from_numpy(np.concatenate([np.sin(c), np.cos(c), np.sin(r), np.cos(r)], 1).astype(np.float32))


class VitPatches(nn.Module):
    """Pretext's vit-tiny as MAE's encoder: linear patch embedding, fixed sine-cosine positions of the
    given patches, pre-norm blocks, final LayerNorm."""

    def __init__(self, patch_values=16, d=128, layers=4, heads=4, grid=7):
        super().__init__()
        self.embed = nn.Linear(patch_values, d)
        self.register_buffer("positions", sincos_table(grid, grid, d))
        self.stack = Stack(layers, d, heads)

    def forward(self, patches, ids):
        return self.stack(self.embed(patches) + F.embedding(ids, self.positions))


class MaeDecoder(nn.Module):
    """Pretext's MaeDecoder: visible states projected to the decoder width, mask tokens appended
    (tokens in the order [visible..., masked...]), sine-cosine positions of every token's patch,
    pre-norm blocks, final LayerNorm, linear map to the patch's values. Parameters in Pretext's
    order: embedding, mask token, prediction, then the stack."""

    def __init__(self, encoder_d=128, d=64, layers=2, heads=4, patch_values=16, grid=7):
        super().__init__()
        self.embed_w = nn.Parameter(torch.empty(d, encoder_d))
        self.embed_b = nn.Parameter(torch.zeros(d))
        self.mask_token = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.pred_w = nn.Parameter(torch.empty(patch_values, d))
        self.pred_b = nn.Parameter(torch.zeros(patch_values))
        nn.init.xavier_uniform_(self.embed_w)
        nn.init.xavier_uniform_(self.pred_w)
        self.register_buffer("positions", sincos_table(grid, grid, d))
        self.stack = Stack(layers, d, heads)

    def forward(self, encoded, ids):
        b, k, _ = encoded.shape
        visible = F.linear(encoded, self.embed_w, self.embed_b)
        masked = self.mask_token.expand(b, ids.shape[1] - k, -1)
        x = torch.cat([visible, masked], 1) + F.embedding(ids, self.positions)
        return F.linear(self.stack(x), self.pred_w, self.pred_b)


class Mae(nn.Module):
    """Pretext's mae objective with its defaults: encode the visible patches only, decode all, MSE on
    the masked patches against per-patch normalised pixels (unbiased variance, eps 1e-6)."""

    def __init__(self):
        super().__init__()
        self.encoder = VitPatches()
        self.decoder = MaeDecoder()

    def loss(self, visible, visible_ids, ids, target, mask):
        prediction = self.decoder(self.encoder(visible, visible_ids), ids)
        mean = target.mean(-1, keepdim=True)
        var = target.var(-1, keepdim=True)
        target = (target - mean) / (var + 1e-6).sqrt()
        per_patch = (prediction - target).square().mean(-1)
        return (per_patch * mask).sum() / mask.sum()


class DinoHead(nn.Module):
    """Pretext's DINO head (DinoObjective): an MLP with two hidden layers (Linear, ReLU; biases on) to
    the bottleneck, l2 normalisation of each row (x / max(|x|, 1e-12), Norms.unitRows), then the
    weight-normalised prototypes of WeightNormLinear: y_k = (v_k / max(|v_k|, 1e-12)) . z, no bias,
    gains fixed at 1 (norm-last-layer). Parameters in Pretext's order: the three layers' weight and
    bias, then V (K, bottleneck)."""

    def __init__(self, d_in=128, hidden=512, bottleneck=128, prototypes=256):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, bottleneck))
        # a submodule, not a parameter of this module: parameters() lists a module's own before its children's
        self.last = nn.Linear(bottleneck, prototypes, bias=False)

    @property
    def prototypes(self):
        """V, the (K, bottleneck) weight the optimizer updates."""
        return self.last.weight

    def forward(self, x):
        z = F.normalize(self.mlp(x), dim=1, eps=1e-12)
        v = self.prototypes / self.prototypes.norm(dim=1, keepdim=True).clamp_min(1e-12)
        return F.linear(z, v)


class Dino(nn.Module):
    """Pretext's dino objective (objectives-contrastive: DinoObjective, DinoLoss) with multi-crop, at
    the settings of examples/configs/mnist-dino.yaml: the student (encoder and head) sees the two
    global views in one encoder pass and the local crops in a second, one head pass over all rows;
    the teacher, an exact copy of the student at the start that is not trained, sees the global views
    (train mode, no gradient). The loss is lightly's DINOLoss (python/fixtures/lightly/loss/
    dino_loss.py, the fixture Pretext's DinoLoss is tested against), written out here so that its
    centre update can run after the optimizer step as Pretext's does:

        P_t = softmax((g_t - c) / tau_t), log P_s = log_softmax(g_s / tau_s)
        L = - sum over teacher view t, student view s != t of sum_b,k P_t log P_s / ((2V - 2) N)

    Around the optimizer step (before_update / after_update, as Pretext's objective hooks): the
    prototypes' gradient is zeroed during the first round(0.01 * total) steps (freeze-last-layer),
    then the centre moves, c <- 0.9 c + 0.1 mean(g_t), and the teacher moves towards the student,
    xi <- m xi + (1 - m) theta with m = 1 - (1 - 0.996) (cos(pi k / total) + 1) / 2 (BatchNorm's
    running statistics too, as EmaTarget). tau_t at step k: linear from the warm-up temperature to
    the final one over the first 30% of the run (both 0.01 here); tau_s = 0.1. The step index k is
    zero-based and total is the run's length (with --load: the number of Pretext's batches, as its
    dump run). The teacher and the centre are not registered as parameters or buffers: load_state
    maps Pretext's parameters (the student's alone, as PretextModel lists them) onto this module."""

    def __init__(self, prototypes=256, teacher_temperature=0.01, warmup_teacher_temperature=0.01,
                 warmup_fraction=0.3, student_temperature=0.1, centre_momentum=0.9, base_momentum=0.996,
                 freeze_last_layer=0.01):
        super().__init__()
        self.encoder = cnn_encoder()
        self.head = DinoHead(prototypes=prototypes)
        self.centre = torch.zeros(1, prototypes)  # a plain tensor, updated in place after each step
        self.teacher_temperature = teacher_temperature
        self.warmup_teacher_temperature = warmup_teacher_temperature
        self.warmup_fraction = warmup_fraction
        self.student_temperature = student_temperature
        self.centre_momentum = centre_momentum
        self.base_momentum = base_momentum
        self.freeze_last_layer = freeze_last_layer
        self._teacher = None  # (encoder, head), made by start() once the student's weights are in

    def start(self):
        """The teacher: an exact copy of the student (EmaTarget.track), frozen, in train mode."""
        import copy
        encoder, head = copy.deepcopy(self.encoder), copy.deepcopy(self.head)
        for p in list(encoder.parameters()) + list(head.parameters()):
            p.requires_grad_(False)
        self._teacher = (encoder.train(), head.train())  # a tuple: not registered as submodules

    def step_inputs(self, k, total):
        """tau_t of step k as a 0-dim tensor (a Python float would make torch.compile specialise on it)."""
        w = self.warmup_fraction * total
        t = self.teacher_temperature if k >= w else (self.warmup_teacher_temperature + (
            self.teacher_temperature - self.warmup_teacher_temperature) * k / w)
        return (torch.tensor(t, dtype=torch.float32),)

    def loss(self, *inputs):
        views, tau = inputs[:-1], inputs[-1]
        n = views[0].shape[0]
        both = torch.cat(views[:2], 0)  # (2N, ...): global view 1's rows, then view 2's
        features = self.encoder(both)
        if len(views) > 2:
            features = torch.cat([features, self.encoder(torch.cat(views[2:], 0))], 0)
        student = self.head(features)
        teacher_encoder, teacher_head = self._teacher
        with torch.no_grad():
            teacher = teacher_head(teacher_encoder(both))
        t_out = F.softmax((teacher - self.centre) / tau, dim=-1).view(2, n, -1)
        s_out = F.log_softmax(student / self.student_temperature, dim=-1).view(len(views), n, -1)
        terms = -torch.einsum("tbd,sbd->ts", t_out, s_out)
        terms = terms * (1 - torch.eye(2, len(views)))  # lightly: fill_diagonal_(0), a view never meets itself
        loss = terms.sum() / ((terms.numel() - 2) * n)
        return loss, teacher.mean(0, keepdim=True)

    def before_update(self, k, total):
        if k < math.floor(self.freeze_last_layer * total + 0.5):  # Java's Math.round
            self.head.prototypes.grad.zero_()

    def after_update(self, k, total, batch_centre):
        m = 1 - (1 - self.base_momentum) * (math.cos(math.pi * min(1.0, k / total)) + 1) / 2
        teacher_encoder, teacher_head = self._teacher
        with torch.no_grad():
            self.centre.mul_(self.centre_momentum).add_(batch_centre * (1 - self.centre_momentum))
            for online, target in ((self.encoder, teacher_encoder), (self.head, teacher_head)):
                pairs = list(zip(online.parameters(), target.parameters()))
                pairs += [(o, t) for (name, o), t in zip(online.named_buffers(), target.buffers())
                          if "num_batches" not in name]
                for o, t in pairs:
                    t.sub_(o).mul_(m).add_(o)  # xi - theta, times m, plus theta: EmaTarget.update's order


def view_pairs(shape):
    def make(g, b):
        return (torch.rand((b,) + shape, generator=g), torch.rand((b,) + shape, generator=g))
    return make


def multi_crop(local_crops, side=28, local=12):
    """Two global views (b, 1, side, side) and local_crops local ones (b, 1, local, local) of uniform
    noise, as dino's prepared batch (global views first)."""
    def make(g, b):
        return (tuple(torch.rand((b, 1, side, side), generator=g) for _ in range(2))
                + tuple(torch.rand((b, 1, local, local), generator=g) for _ in range(local_crops)))
    return make


def token_windows(vocabulary, context):
    """Random int windows of T + 1 tokens shifted into inputs and targets, as causal-lm's prepare."""
    def make(g, b):
        w = torch.randint(0, vocabulary, (b, context + 1), generator=g)
        return w[:, :-1].contiguous(), w[:, 1:].contiguous()
    return make


def mae_batch(n=49, k=12, p=4, side=28):
    """Random 28x28 images cut into 4x4 patches (row, column, channel order), k visible patches per
    image chosen at random (sorted), then the masked ones (sorted), as mae's prepare."""
    def make(g, b):
        images = torch.rand((b, 1, side, side), generator=g)
        g_ = side // p
        patches = images.reshape(b, 1, g_, p, g_, p).permute(0, 2, 4, 3, 5, 1).reshape(b, n, p * p)
        order = torch.stack([torch.randperm(n, generator=g) for _ in range(b)])
        ids = torch.cat([order[:, :k].sort(1).values, order[:, k:].sort(1).values], 1)
        target = torch.gather(patches, 1, ids.unsqueeze(-1).expand(-1, -1, p * p))
        mask = torch.zeros(b, n)
        mask[:, k:] = 1
        return target[:, :k].contiguous(), ids[:, :k].contiguous(), ids, target, mask
    return make


# build takes the width of the scaling sweep (--width): the MLP's hidden layer, the transformer's D
CONFIGS = {
    "simclr-mlp": dict(build=lambda w: SimClr(mlp_encoder(w or 512), 128), batch=256, inputs=view_pairs((1, 28, 28)),
                       scalable=True),
    "simclr-cnn": dict(build=lambda w: SimClr(cnn_encoder(), 128), batch=256, inputs=view_pairs((1, 28, 28))),
    "causal-lm": dict(build=lambda w: CausalLm(d=w or 128), batch=12, inputs=token_windows(65, 64), scalable=True),
    "mae": dict(build=lambda w: Mae(), batch=256, inputs=mae_batch()),
    "dino-cnn": dict(build=lambda w: Dino(), batch=64, inputs=multi_crop(6)),
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


def load_batches(directory):
    """Every tensor of every batch Pretext wrote: batch###_T.npy for T = 0, 1, ... in order; int32
    arrays (token ids, patch indices) become int64, which embedding look-ups and targets take."""
    batches = []
    i = 0
    while os.path.exists(os.path.join(directory, "batch%03d_0.npy" % i)):
        tensors = []
        j = 0
        while os.path.exists(os.path.join(directory, "batch%03d_%d.npy" % (i, j))):
            arr = np.load(os.path.join(directory, "batch%03d_%d.npy" % (i, j)))
            t = torch.from_numpy(arr)
            tensors.append(t.long() if np.issubdtype(arr.dtype, np.integer) else t)
            j += 1
        batches.append(tuple(tensors))
        i += 1
    return batches


def blas_library():
    """The OpenBLAS (or other BLAS) shared library this process has mapped, as a path: which build
    really runs, whatever the environment asked for."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if len(line.split()) >= 6}
    except OSError:
        return "unknown (no /proc/self/maps)"
    found = sorted(p for p in paths if "openblas" in os.path.basename(p) or os.path.basename(p).startswith("libblas")
                   or "libmkl" in os.path.basename(p))
    return " ".join(found) if found else "none mapped"


def fill_cache_sizes():
    """torch.compile's C++ GEMM template (max-autotune) asserts that libtorch knows the per-core L1d
    and L2 sizes; libtorch asks cpuinfo, which cannot parse /proc/cpuinfo on some VMs (this 2-core
    EPYC one: "Error in cpuinfo: failed to parse processor information") and reports 0. glibc's
    getconf reads them from cpuid: use those then, and say so in the output."""
    cpu = torch._C._cpu
    if cpu._L1d_cache_size() > 0 and cpu._L2_cache_size() > 0:
        return "libtorch"
    import subprocess
    sizes = {}
    for key, name in (("l1d", "LEVEL1_DCACHE_SIZE"), ("l2", "LEVEL2_CACHE_SIZE")):
        try:
            sizes[key] = int(subprocess.run(["getconf", name], capture_output=True, text=True, check=True).stdout)
        except (OSError, ValueError, subprocess.CalledProcessError):
            return "unknown (libtorch reports 0; max-autotune may fail)"
    if sizes["l1d"] <= 0 or sizes["l2"] <= 0:
        return "unknown (libtorch and getconf report 0; max-autotune may fail)"
    cpu._L1d_cache_size = lambda: sizes["l1d"]
    cpu._L2_cache_size = lambda: sizes["l2"]
    return "getconf: L1d %d, L2 %d bytes" % (sizes["l1d"], sizes["l2"])


def channels_last(x):
    """A batch with every 4-D tensor in channels-last layout (tuples and lists walked)."""
    if isinstance(x, (tuple, list)):
        return type(x)(channels_last(v) for v in x)
    if isinstance(x, torch.Tensor) and x.dim() == 4:
        return x.contiguous(memory_format=torch.channels_last)
    return x


def settings(a):
    """What the reported numbers ran with, for every JSON line."""
    return {"torch": torch.__version__, "blas": os.environ.get("PRETEXT_BLAS", "default"),
            "coretype": os.environ.get("OPENBLAS_CORETYPE", "auto"), "blasLibrary": blas_library(),
            "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
            "glibcTunables": os.environ.get("GLIBC_TUNABLES"),
            "torchThreads": torch.get_num_threads(), "compile": a.compile or "eager",
            "adam": getattr(a, "adam", None),
            "memoryFormat": "channels-last" if getattr(a, "channels_last", False) else "contiguous",
            "precision": "bf16-autocast" if getattr(a, "autocast", False) else "float32",
            "cacheSizes": getattr(a, "cache_sizes", None)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", choices=sorted(CONFIGS))
    ap.add_argument("--gemm", type=int, help="time an fp32 GEMM of this size instead of a training step")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=200, help="steps before timing starts (the first one included)")
    ap.add_argument("--steps", type=int,
                    help="timed steps (default 500; with --load and no --steps: none, the losses only)")
    ap.add_argument("--seconds", type=float, default=0.0,
                    help="stop the timed steps once this many seconds have passed (0: run all --steps)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--adam", choices=["auto", "fused", "single-tensor"], default="auto",
                    help="torch.optim.Adam's implementation: fused (libtorch's fused kernel, fused=True, which"
                         " Pretext's AdamW calls too; CPU support since PyTorch 2.4) or single-tensor (the CPU"
                         " default, one op per tensor and formula term); auto: fused where the version has it")
    ap.add_argument("--profile", help="run the timed steps under torch's profiler, write a Chrome trace here")
    ap.add_argument("--load", help="folder with Pretext's initial weights and batches (equal-loss check): train"
                    " on them in turn, report the losses of the first as many steps as there are batches, and"
                    " with --steps time the steps after the warm-up too (never fewer steps in all than batches)")
    ap.add_argument("--channels-last", action="store_true",
                    help="convolution weights and image batches in channels-last (NHWC) layout")
    ap.add_argument("--batch", type=int, help="examples per step instead of the configuration's (scaling sweep)")
    ap.add_argument("--width", type=int, help="simclr-mlp's hidden width or causal-lm's D (scaling sweep)")
    ap.add_argument("--autocast", action="store_true",
                    help="run the loss under torch.autocast('cpu', dtype=torch.bfloat16) (mixed precision)")
    ap.add_argument("--compile", choices=["default", "max-autotune-no-cudagraphs"],
                    help="run the loss through torch.compile (inductor, CPU) in this mode; PyTorch 2.x only")
    ap.add_argument("--cold-cache", action="store_true",
                    help="with --compile: compile into an empty inductor cache, removed afterwards")
    ap.add_argument("--cache-dir", help="with --compile: inductor's cache folder (kept; cold if empty or missing)")
    a = ap.parse_args()
    if a.compile and not hasattr(torch, "compile"):
        ap.error("--compile %s needs PyTorch 2.x with torch.compile; this interpreter has torch %s "
                 "(run it in the PyTorch 2.6 root: scripts/pytorch-root.sh run ...)" % (a.compile, torch.__version__))
    if (a.cold_cache or a.cache_dir) and not a.compile:
        ap.error("--cold-cache and --cache-dir only apply with --compile")
    if a.cold_cache and a.cache_dir:
        ap.error("--cold-cache and --cache-dir exclude each other")
    cache = None
    if a.cache_dir:
        a.cold = not os.path.isdir(a.cache_dir) or not os.listdir(a.cache_dir)
        os.makedirs(a.cache_dir, exist_ok=True)
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.abspath(a.cache_dir)
    else:
        a.cold = bool(a.cold_cache)
    if a.compile:
        a.cache_sizes = fill_cache_sizes()
    if a.cold_cache:
        # read by inductor when it first looks for its cache, i.e. at the first compiled call
        cache = tempfile.mkdtemp(prefix="pretext-inductor-")
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache
    try:
        run(a, ap)
    finally:
        if cache:
            shutil.rmtree(cache, ignore_errors=True)


def make_step(model, opt, loss_fn, batches, total, phases=None):
    """The training step of this script (and of roofline.py): step(k), zero-based over a run of total
    steps, trains on batch k mod the number of batches (zero_grad, the loss, backward, loss.item(), the
    model's hooks around Adam's update) and returns the loss; with phases, a dict of "forward",
    "backward" and "update", it adds each phase's seconds to it."""
    extra_inputs = getattr(model, "step_inputs", None)
    before_update = getattr(model, "before_update", None)
    after_update = getattr(model, "after_update", None)

    def step(k):
        """Step k (zero-based over the whole run) on batch k mod the number of batches."""
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        inputs = batches[k % len(batches)]
        if extra_inputs:
            inputs = tuple(inputs) + extra_inputs(k, total)
        out = loss_fn(*inputs)
        loss, aux = out if isinstance(out, tuple) else (out, None)
        t1 = time.perf_counter()
        loss.backward()
        value = loss.item()
        t2 = time.perf_counter()
        if before_update:
            before_update(k, total)
        opt.step()
        if after_update:
            after_update(k, total, aux)
        t3 = time.perf_counter()
        if phases is not None:
            phases["forward"] += t1 - t0
            phases["backward"] += t2 - t1
            phases["update"] += t3 - t2
        return value

    return step


def run(a, ap):
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
        out = {"side": "pytorch", "gemm": n, "threads": a.threads, "gflopsPerSecond": 2.0 * n ** 3 * reps / s / 1e9}
        out.update(settings(a))
        print(json.dumps(out))
        return
    if not a.config:
        ap.error("--config is required")
    torch.manual_seed(0)
    cfg = CONFIGS[a.config]
    if (a.batch or a.width) and not cfg.get("scalable"):
        ap.error("--batch and --width resize simclr-mlp and causal-lm only, not %s" % a.config)
    model = cfg["build"](a.width)
    model.train()
    b = a.batch or cfg["batch"]
    if a.load:
        load_state(model, a.load)
        batches = load_batches(a.load)
        if a.steps is None:  # the losses only
            a.warmup, a.steps = len(batches), 0
        # Pretext's dump run is one run over its batches: the schedules (DINO's) span that many steps
        total = len(batches)
    else:
        g = torch.Generator().manual_seed(1)
        batches = [cfg["inputs"](g, b) for _ in range(8)]
        a.steps = 500 if a.steps is None else a.steps
        total = max(1, a.warmup) + a.steps
    if hasattr(model, "start"):
        model.start()  # after load_state: e.g. DINO's teacher starts as a copy of the student's weights
    if a.channels_last:
        # convolution weights (and the images) in NHWC layout: oneDNN's convolutions then produce
        # channels-last activations, which batch norm, ReLU and pooling keep
        model.to(memory_format=torch.channels_last)
        batches = [channels_last(x) for x in batches]
    if a.adam == "auto":
        a.adam = "fused" if tuple(int(x) for x in torch.__version__.split(".")[:2]) >= (2, 4) else "single-tensor"
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8,
                           **({"fused": True} if a.adam == "fused" else {}))
    loss_fn = torch.compile(model.loss, mode=a.compile) if a.compile else model.loss
    if a.autocast:
        # the forward (and so the backward) of matmuls and convolutions in bfloat16, the rest in float32:
        # PyTorch's CPU mixed precision; the weights, gradients and Adam's update stay float32
        inner = loss_fn

        def loss_fn(*inputs):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return inner(*inputs)
    phases = {"update": 0.0, "forward": 0.0, "backward": 0.0}
    step = make_step(model, opt, loss_fn, batches, total, phases)

    compared = len(batches) if a.load else 0  # losses reported for the equal-loss check
    losses = []
    print("FIRST_STEP", flush=True)
    # the first step on its own: with --compile it traces and compiles the forward and backward graphs
    t = time.perf_counter()
    losses.append(step(0))
    first = time.perf_counter() - t
    k = 1
    while k < a.warmup:
        losses.append(step(k))
        k += 1
    if a.steps == 0:
        out = {"side": "pytorch", "config": a.config, "losses": losses[:compared]}
        out.update(settings(a))
        print(json.dumps(out))
        return
    for key in phases:
        phases[key] = 0.0
    prof = torch.autograd.profiler.profile(record_shapes=True) if a.profile else None
    if prof:
        prof.__enter__()
    t = time.perf_counter()
    n = 0
    while n < a.steps or k < compared:
        losses.append(step(k))
        k += 1
        n += 1
        if a.seconds > 0 and k >= compared and time.perf_counter() - t >= a.seconds:
            break
    s = time.perf_counter() - t
    if prof:
        prof.__exit__(None, None, None)
        prof.export_chrome_trace(a.profile)
    out = {"side": "pytorch", "config": a.config, "threads": a.threads, "steps": n, "batch": b,
           "width": a.width, "warmup": max(1, a.warmup),
           "seconds": s, "stepsPerSecond": n / s, "samplesPerSecond": n * b / s,
           "firstStepSeconds": first, "coldCache": a.cold,
           # the first step less one timed step: tracing and compiling (eager: first-call overheads)
           "compileSeconds": first - s / n, "finalLoss": losses[-1],
           "phaseMillisPerStep": {key: v * 1e3 / n for key, v in phases.items()},
           "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}
    if a.load:
        out["losses"] = losses[:compared]
        # a run on Pretext's batches holds all of them, where a plain run holds 8: leave the others out of its peak
        # memory, so that the suite's memory table compares like with like (the raw figure is kept beside it)
        extra = sum(t.element_size() * t.nelement() for batch in batches[8:] for t in batch) / 2.0 ** 20
        out["peakRssMbRaw"] = out["peakRssMb"]
        out["peakRssMb"] -= extra
    out.update(settings(a))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
