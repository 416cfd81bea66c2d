"""Pretext's built-in encoders in PyTorch, loaded from ``pretext export --format safetensors``.

    import torch, pretext_encoders
    encoder = pretext_encoders.load("mnist-encoder")    # the folder export wrote
    features = encoder(images)                          # (n, feature_size), eval mode

Depends on torch only (``safetensors`` is used when importable, else the format is read here). The
modules rebuild MLP (``mlp``), CNN (``cnn-small``), ViT (``vit-tiny``, timm's parameter names) and
the token transformer (``transformer``, nanoGPT's names) from ``config.json`` and compute the same
features as Pretext to about 1e-6 relative.
"""
import ast
import json
import math
import os
import struct

import torch
from torch import nn
import torch.nn.functional as F

__all__ = ["load", "build", "read_safetensors", "write_safetensors", "MLP", "CNN", "ViT", "TokenTransformer"]

_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
           "BOOL": torch.bool}


def read_safetensors(path):
    """The tensors of a safetensors file as an ordered dict name -> tensor."""
    try:
        from safetensors.torch import load_file
        return load_file(path)
    except ImportError:
        pass
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        chunk = bytearray(body[begin:end])
        t = torch.frombuffer(chunk, dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def write_safetensors(tensors, path):
    """Writes name -> tensor as safetensors (float32, int64, ...), e.g. a state dict for Pretext to import."""
    names = {v: k for k, v in _DTYPES.items()}
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)


class MLP(nn.Module):
    """``mlp``: flatten, then Linear (+ BatchNorm1d) + ReLU per hidden width, then Linear to the features."""

    def __init__(self, input_size, hidden, features, batch_norm=False):
        super().__init__()
        layers, width = [], input_size
        for h in hidden:
            layers.append(nn.Linear(width, h))
            if batch_norm:
                layers.append(nn.BatchNorm1d(h, eps=1e-5))
            layers.append(nn.ReLU())
            width = h
        layers.append(nn.Linear(width, features))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x.flatten(1))


class CNN(nn.Module):
    """``cnn-small``: three 3x3 conv stages (w, 2w, 4w) with BatchNorm2d and ReLU, 2x2 max-pool after the
    first two, global average pool."""

    def __init__(self, channels, width):
        super().__init__()
        layers, c = [], channels
        for i, w in enumerate([width, 2 * width, 4 * width]):
            layers += [nn.Conv2d(c, w, 3, padding=1), nn.BatchNorm2d(w, eps=1e-5), nn.ReLU()]
            if i < 2:
                layers.append(nn.MaxPool2d(2, 2))
            c = w
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x).mean(dim=(2, 3))


class Attention(nn.Module):
    """Multi-head self-attention with a fused QKV projection (q, k, v stacked, heads contiguous)."""

    def __init__(self, width, heads, bias=True, names=("qkv", "proj")):
        super().__init__()
        self.heads = heads
        self._names = names
        setattr(self, names[0], nn.Linear(width, 3 * width, bias=bias))
        setattr(self, names[1], nn.Linear(width, width, bias=bias))

    def forward(self, x, mask_bias=None):
        b, t, d = x.shape
        dh = d // self.heads
        qkv = getattr(self, self._names[0])(x).reshape(b, t, 3, self.heads, dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = (q * (1.0 / math.sqrt(dh))) @ k.transpose(-2, -1)
        if mask_bias is not None:
            scores = scores + mask_bias
        y = scores.softmax(-1) @ v
        return getattr(self, self._names[1])(y.transpose(1, 2).reshape(b, t, d))


class Mlp(nn.Module):
    def __init__(self, width, hidden, bias=True, names=("fc1", "fc2")):
        super().__init__()
        self._names = names
        setattr(self, names[0], nn.Linear(width, hidden, bias=bias))
        setattr(self, names[1], nn.Linear(hidden, width, bias=bias))

    def forward(self, x):
        return getattr(self, self._names[1])(F.gelu(getattr(self, self._names[0])(x)))


class Block(nn.Module):
    """Pre-norm block: x + attn(norm1(x)); h + mlp(norm2(h))."""

    def __init__(self, width, heads, mlp_ratio, bias=True, gpt_names=False):
        super().__init__()
        n1, n2 = ("ln_1", "ln_2") if gpt_names else ("norm1", "norm2")
        self._n = (n1, n2)
        setattr(self, n1, nn.LayerNorm(width, eps=1e-5))
        self.attn = Attention(width, heads, bias, ("c_attn", "c_proj") if gpt_names else ("qkv", "proj"))
        setattr(self, n2, nn.LayerNorm(width, eps=1e-5))
        self.mlp = Mlp(width, mlp_ratio * width, bias, ("c_fc", "c_proj") if gpt_names else ("fc1", "fc2"))

    def forward(self, x, mask_bias=None):
        h = x + self.attn(getattr(self, self._n[0])(x), mask_bias)
        return h + self.mlp(getattr(self, self._n[1])(h))


class PatchEmbed(nn.Module):
    def __init__(self, channels, patch, width):
        super().__init__()
        self.proj = nn.Conv2d(channels, width, patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # (B, N, D), patches row by row


class ViT(nn.Module):
    """``vit-tiny``: p x p patch embedding, position embeddings, optional [CLS] token, pre-norm blocks,
    final LayerNorm; features are the mean of the patch states or the [CLS] state."""

    def __init__(self, channels, height, width_px, patch_size, width, depth, heads, mlp_ratio, pooling="mean",
                 positions="sincos"):
        super().__init__()
        n = (height // patch_size) * (width_px // patch_size)
        self.patch_embed = PatchEmbed(channels, patch_size, width)
        self.pooling = pooling
        if pooling == "cls":
            self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.zeros(1, n, width), requires_grad=(positions == "learned"))
        self.blocks = nn.ModuleList([Block(width, heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(width, eps=1e-5)

    def forward(self, x):
        h = self.patch_embed(x) + self.pos_embed
        if self.pooling == "cls":
            h = torch.cat([self.cls_token.expand(h.shape[0], -1, -1), h], dim=1)
        for b in self.blocks:
            h = b(h)
        h = self.norm(h)
        return h[:, 0] if self.pooling == "cls" else h.mean(1)


class _Trunk(nn.Module):
    def __init__(self, vocabulary, context, layers, heads, width, bias):
        super().__init__()
        self.wte = nn.Embedding(vocabulary, width)
        self.wpe = nn.Embedding(context, width)
        self.h = nn.ModuleList([Block(width, heads, 4, bias, gpt_names=True) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(width, eps=1e-5)


class TokenTransformer(nn.Module):
    """``transformer``: GPT-style (causal, last-token features) or BERT-style (bidirectional, mean features)
    transformer over token ids (B, T), right-padded with ``pad_id`` (-1: no padding)."""

    def __init__(self, vocabulary, context, layers, heads, width, causal=True, bias=True, pad_id=-1, pooling=None):
        super().__init__()
        self.transformer = _Trunk(vocabulary, context, layers, heads, width, bias)
        self.causal, self.pad_id = causal, pad_id
        self.pooling = pooling or ("last" if causal else "mean")

    def hidden_states(self, tokens):
        tokens = tokens.long()
        b, t = tokens.shape
        x = self.transformer.wte(tokens) + self.transformer.wpe.weight[:t]
        bias = None
        if self.causal:
            bias = torch.triu(torch.full((t, t), -1e9), diagonal=1).reshape(1, 1, t, t)
        elif self.pad_id >= 0:
            bias = ((tokens != self.pad_id).float() - 1.0).mul(1e9).reshape(b, 1, 1, t)
        for blk in self.transformer.h:
            x = blk(x, bias)
        return self.transformer.ln_f(x)

    def forward(self, tokens):
        h = self.hidden_states(tokens)
        if self.pad_id < 0:
            return h[:, -1] if self.pooling == "last" else h.mean(1)
        keep = (tokens != self.pad_id).float()
        if self.pooling == "mean":
            w = keep / keep.sum(1, keepdim=True).clamp(min=1)
        else:
            nxt = torch.cat([keep[:, 1:], torch.zeros(keep.shape[0], 1)], dim=1)
            w = keep if keep.shape[1] == 1 else keep - nxt
        return (w.unsqueeze(1) @ h).squeeze(1)


def build(model):
    """The PyTorch module described by config.json's ``model`` (weights uninitialised)."""
    arch, shape = model["architecture"], model["input_shape"]
    if arch == "mlp":
        return MLP(int(math.prod(shape)), model["hidden"], model["features"], model["batch_norm"])
    if arch == "cnn-small":
        return CNN(shape[0], model["width"])
    if arch == "vit-tiny":
        return ViT(shape[0], shape[1], shape[2], model["patch_size"], model["width"], model["depth"], model["heads"],
                   model["mlp_ratio"], model["pooling"], model["positions"])
    if arch == "transformer":
        return TokenTransformer(model["vocabulary"], model["context"], model["layers"], model["heads"], model["width"],
                                model["causal"], model["bias"], model["pad_id"], model["pooling"])
    raise ValueError("unknown architecture %r (this module knows mlp, cnn-small, vit-tiny, transformer)" % arch)


def load(folder):
    """The encoder exported into ``folder`` (config.json + model.safetensors), in eval mode."""
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    module = build(config["model"])
    state = read_safetensors(os.path.join(folder, config.get("weights", "model.safetensors")))
    own = module.state_dict()
    for name, t in own.items():  # the same check as Pretext's import: names and shapes, first mismatch named
        if name.endswith("num_batches_tracked"):
            state.setdefault(name, t)
            continue
        if name not in state:
            raise ValueError("%s: tensor %r (shape %s) is missing" % (folder, name, tuple(t.shape)))
        if tuple(state[name].shape) != tuple(t.shape):
            raise ValueError("%s: tensor %r has shape %s, expected %s" % (folder, name, tuple(state[name].shape),
                                                                       tuple(t.shape)))
    module.load_state_dict(state, strict=True)
    module.config = config
    return module.eval()


def _read_npy(path):
    """A C-order little-endian .npy file as a tensor (float32, float64, int32, int64, uint8)."""
    with open(path, "rb") as f:
        data = f.read()
    major = data[6]
    (n,) = struct.unpack("<H" if major == 1 else "<I", data[8:10] if major == 1 else data[8:12])
    start = (10 if major == 1 else 12) + n
    header = ast.literal_eval(data[(10 if major == 1 else 12):start].decode("latin1"))
    dtype = {"<f4": torch.float32, "<f8": torch.float64, "<i4": torch.int32, "<i8": torch.int64,
             "|u1": torch.uint8}[header["descr"]]
    return torch.frombuffer(bytearray(data[start:]), dtype=dtype).reshape(header["shape"])


def _write_npy(path, t):
    t = t.detach().contiguous().cpu().float()
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % (
        "(%s)" % "".join("%d, " % s for s in t.shape) if t.dim() != 1 else "(%d,)" % t.shape[0])
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(t.numpy().tobytes())


if __name__ == "__main__":
    # python3 pretext_encoders.py FOLDER INPUTS.npy FEATURES.npy: features of the inputs through the encoder
    import sys
    if len(sys.argv) != 4:
        sys.exit("usage: pretext_encoders.py FOLDER INPUTS.npy FEATURES.npy")
    enc = load(sys.argv[1])
    x = _read_npy(sys.argv[2])
    with torch.no_grad():
        feats = enc(x.long() if enc.config["model"]["architecture"] == "transformer" else x.float())
    _write_npy(sys.argv[3], feats)
