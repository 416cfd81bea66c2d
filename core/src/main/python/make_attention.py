"""Writes core/src/main/resources/org/pretext/torchscript/attention.pt, the TorchScript module
through which Pretext's multi-head attention reaches libtorch's scaled-dot-product attention
(torch.nn.functional.scaled_dot_product_attention: on the CPU one fused, multi-threaded kernel for
softmax(Q·Kᵀ/√d + M)·V and one for its gradient, without the (B, H, T, T) score and probability
arrays). DJL 0.35's JNI does not expose it, but it runs TorchScript modules with autograd on.

Run inside the PyTorch 2.6 root, from the project folder:

    scripts/pytorch-root.sh run core/src/main/python/make_attention.py

The module holds no tensors: its code (archive/code/__torch__.py inside the zip) is all it is, and
core's FusedAttentionTest checks that the committed file's code is what this script writes.
"""
import sys

import torch
import torch.nn.functional as F
from torch import Tensor


class Attention(torch.nn.Module):
    """softmax(q·kᵀ/√d)·v over (B, H, T, d) arrays; masked() adds an additive bias M broadcastable
    to (B, H, T, T) to the scores first."""

    def forward(self, q: Tensor, k: Tensor, v: Tensor) -> Tensor:
        return F.scaled_dot_product_attention(q, k, v)

    @torch.jit.export
    def masked(self, q: Tensor, k: Tensor, v: Tensor, bias: Tensor) -> Tensor:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=bias)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "core/src/main/resources/org/pretext/torchscript/attention.pt"
    module = torch.jit.script(Attention())
    module.save(out)
    print("torch", torch.__version__, "wrote", out)
