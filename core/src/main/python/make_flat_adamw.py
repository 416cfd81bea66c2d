"""Writes core/src/main/resources/org/pretext/torchscript/flat_adamw.pt, the TorchScript module
through which Pretext's AdamW updates a group of parameters as one flat tensor: libtorch's fused
AdamW kernel over four flat buffers (weights, gradients, first and second moments), each
parameter, gradient and moment a view of its slice of them, instead of one kernel call per tensor
(each its own parallel region: 2.2 ms for causal-lm's 53 tensors at 2 threads, 0.17 ms for one
flat tensor of the same size).

Run inside the PyTorch 2.6 root, from the project folder:

    scripts/pytorch-root.sh run core/src/main/python/make_flat_adamw.py

The module holds no tensors: its code (archive/code/__torch__.py inside the zip) is all it is, and
core's TorchScriptModulesTest checks that the committed file's code is what this script writes.
"""
from typing import List, Optional

import torch
from torch import Tensor

from torchscript_module import save


def _dense(t: Tensor) -> bool:
    return t.is_contiguous() or (t.dim() == 4 and t.is_contiguous(memory_format=torch.channels_last))


def _bind(t: Tensor, flat: Tensor, offset: int, closely: bool) -> int:
    """Makes t a view of flat's elements [offset, offset + t.numel()), keeping t's values and
    strides (so that t's i-th element in memory is flat's offset + i-th); 0 if it already is one.

    Unless `closely`, a tensor that starts at element `offset` of its storage (offset > 0) is
    taken to be bound without a closer look (a tensor made anew, as a replaced parameter is,
    starts at 0): the closer look (a view to compare with) costs as much as the update itself."""
    if not closely and offset > 0 and t.storage_offset() == offset:
        return 0
    view = flat.as_strided(t.size(), t.stride(), offset)
    if t.is_set_to(view):
        return 0
    if not _dense(t):
        raise RuntimeError("flat AdamW: a tensor of shape " + str(t.size()) + " with strides "
                           + str(t.stride()) + " is neither row-major nor channels-last")
    view.copy_(t)
    t.set_(flat, offset, t.size(), t.stride())
    return 1


class FlatAdamW(torch.nn.Module):
    """One AdamW update (PyTorch's formula, decoupled decay) of one parameter group, in place, by
    libtorch's fused kernel over the group's flat buffers, then the gradients zeroed.

    flat_w, flat_g, flat_m, flat_v: one-element lists [W], [G], [M], [V] holding 1-D float32 tensors
    of the group's total size, zeros when new (lists, because TorchScript drops a call of
    _fused_adamw_ on lists made inside the module as having no effect). Parameter
    i's weight, gradient and moments are bound to the slice at the sum of the earlier parameters'
    sizes: each tensor not yet a view of its slice (the first call, or a tensor replaced since) has
    its values copied there and becomes that view (Tensor.set_), so later calls, the backward pass
    accumulating into the gradients, and everyone holding the tensors see the flat buffers. grads[i]
    is params[i]'s gradient (the caller passes zeros for a parameter that has none: they are copied
    to its slice, and that is the gradient it is updated with).
    The four tensors of a parameter must share strides (the kernel pairs elements by offset).

    h = [learning rate, beta1, beta2, weight decay, epsilon, update count t (from 1),
         gradient scale s (the gradient is multiplied by s, e.g. for clipping),
         1 to look closely at every tensor (new buffers, whose offsets old views may share) or 0]

    Returns the number of tensors bound by this call (0 once every tensor is a view).
    """

    def forward(self, params: List[Tensor], grads: List[Tensor], means: List[Tensor], variances: List[Tensor],
                flat_w: List[Tensor], flat_g: List[Tensor], flat_m: List[Tensor],
                flat_v: List[Tensor], h: List[float]) -> int:
        w, g, m, v = flat_w[0], flat_g[0], flat_m[0], flat_v[0]
        bound = 0
        closely = h[7] != 0.0
        with torch.no_grad():
            offset = 0
            for i in range(len(params)):
                p = params[i]
                bound += _bind(p, w, offset, closely)
                bound += _bind(grads[i], g, offset, closely)
                bound += _bind(means[i], m, offset, closely)
                bound += _bind(variances[i], v, offset, closely)
                offset += p.numel()
            if offset != w.numel():
                raise RuntimeError("flat AdamW: the parameters hold " + str(offset)
                                   + " values, the flat buffers " + str(w.numel()))
            step = torch.full([1], h[5], dtype=torch.float32, device=w.device)
            scale: Optional[Tensor] = None
            if h[6] != 1.0:
                # the kernel divides the gradient by grad_scale
                scale = torch.full([1], 1.0 / h[6], dtype=torch.float32, device=w.device)
            torch._fused_adamw_(flat_w, flat_g, flat_m, flat_v, [], [step], lr=h[0], beta1=h[1], beta2=h[2],
                                weight_decay=h[3], eps=h[4], amsgrad=False, maximize=False,
                                grad_scale=scale)
            g.zero_()
        return bound


if __name__ == "__main__":
    save(FlatAdamW(), "flat_adamw")
