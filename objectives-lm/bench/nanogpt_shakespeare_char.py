#!/usr/bin/python3
"""nanoGPT's small CPU Tiny Shakespeare run in plain PyTorch, as a reference for Pretext's causal-lm.

A faithful condensation of nanoGPT (github.com/karpathy/nanoGPT: model.py, train.py,
config/train_shakespeare_char.py with the README's CPU overrides): 4 layers, 4 heads, width 128,
context 64, batch 12, 2000 iterations, dropout 0, no biases, tied output layer, AdamW (beta2 0.99,
weight decay 0.1 on matrices only), learning rate 1e-3 with 100 warm-up iterations and cosine decay
to 1e-4 at 2000, gradient clipping 1.0, a 90/10 split of the characters.

It reports the validation loss the way Pretext's CausalLmObjective.validate does (every window of
65 characters with stride 64 over the held-out 10%), and nanoGPT's own estimate (the mean of 20
batches of 12 random windows) 50 times, to show how much one such estimate varies.

Run with Debian's PyTorch: /usr/bin/python3 objectives-lm/bench/nanogpt_shakespeare_char.py
[INPUT] [SEED]  (environment THREADS, default 1; LR, default 1e-3). Prints one JSON object.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/tinyshakespeare/input.txt"
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1337
torch.set_num_threads(int(os.environ.get("THREADS", "1")))
torch.manual_seed(seed)

text = open(path, encoding="utf-8").read()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = np.array([stoi[c] for c in text], dtype=np.int64)
n = len(data)
train_data = torch.from_numpy(data[: int(n * 0.9)])
val_data = torch.from_numpy(data[int(n * 0.9):])

block_size, batch_size, n_layer, n_head, n_embd = 64, 12, 4, 4, 128
# nanoGPT's learning rate 1e-3 by default; LR=2e-3 (environment) for the rate Pretext's example uses,
# the floor staying at a tenth of the peak as in nanoGPT (1e-4 for 1e-3)
lr_max = float(os.environ.get("LR", "1e-3"))
max_iters, min_lr, warmup, decay_iters = 2000, lr_max / 10, 100, 2000
vocab = len(chars)


class LayerNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, None, 1e-5)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = LayerNorm(n_embd)
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=False)
        self.attn_proj = nn.Linear(n_embd, n_embd, bias=False)
        self.ln_2 = LayerNorm(n_embd)
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=False)
        self.mlp_proj = nn.Linear(4 * n_embd, n_embd, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size))

    def attn(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(n_embd, dim=2)
        q = q.view(B, T, n_head, C // n_head).transpose(1, 2)
        k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
        v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        return self.attn_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.h = nn.ModuleList([Block() for _ in range(n_layer)])
        self.ln_f = LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab, bias=False)
        self.wte.weight = self.lm_head.weight  # weight tying
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("attn_proj.weight") or name.endswith("mlp_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    def _init(self, m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            torch.nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets):
        t = idx.size(1)
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for b in self.h:
            x = b(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, vocab), targets.view(-1))


model = GPT()
params = [p for p in model.parameters() if p.requires_grad]
decay = [p for p in params if p.dim() >= 2]
no_decay = [p for p in params if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                        lr=lr_max, betas=(0.9, 0.99))


def get_batch(split):
    d = train_data if split == "train" else val_data
    ix = torch.randint(len(d) - block_size, (batch_size,))
    return torch.stack([d[i:i + block_size] for i in ix]), torch.stack([d[i + 1:i + 1 + block_size] for i in ix])


def get_lr(it):
    if it < warmup:
        return lr_max * (it + 1) / (warmup + 1)
    ratio = (it - warmup) / (decay_iters - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr_max - min_lr)


@torch.no_grad()
def nanogpt_estimate(iters=20):
    model.eval()
    losses = [model(*get_batch("val")).item() for _ in range(iters)]
    model.train()
    return sum(losses) / len(losses)


@torch.no_grad()
def full_validation():
    model.eval()
    total, count = 0.0, 0
    windows = (len(val_data) - 1) // block_size
    starts = [i * block_size for i in range(windows)]
    for s in range(0, len(starts), 64):
        ix = starts[s:s + 64]
        x = torch.stack([val_data[i:i + block_size] for i in ix])
        y = torch.stack([val_data[i + 1:i + 1 + block_size] for i in ix])
        total += model(x, y).item() * y.numel()
        count += y.numel()
    model.train()
    return total / count


curve = []
train_seconds = 0.0
t_start = time.time()
for it in range(max_iters + 1):
    if it % 250 == 0:
        curve.append([it, nanogpt_estimate()])
        print(f"iter {it}: nanoGPT-style val estimate {curve[-1][1]:.4f}", file=sys.stderr, flush=True)
    if it == max_iters:
        break
    t0 = time.time()
    for g in opt.param_groups:
        g["lr"] = get_lr(it)
    loss = model(*get_batch("train"))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    train_seconds += time.time() - t0

full = full_validation()
estimates = [nanogpt_estimate() for _ in range(50)]
mean = sum(estimates) / len(estimates)
sd = math.sqrt(sum((e - mean) ** 2 for e in estimates) / (len(estimates) - 1))
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "seed": seed, "learningRate": lr_max,
                  "vocabulary": vocab, "parameters": sum(p.numel() for p in params),
                  "fullValidationLoss": full, "nanoGptStyleEstimateMean": mean, "nanoGptStyleEstimateSd": sd,
                  "nanoGptStyleEstimateMin": min(estimates), "curve": curve, "trainSeconds": train_seconds,
                  "tokensPerSecond": max_iters * batch_size * block_size / train_seconds,
                  "wallSeconds": time.time() - t_start, "loadAverage": os.getloadavg()[0]}, indent=1))
