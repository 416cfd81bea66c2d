"""Writes core/src/main/resources/org/pretext/torchscript/fused_adamw.pt, the TorchScript module
through which Pretext's AdamW reaches libtorch's fused AdamW kernel (DJL 0.35's JNI does not expose
torch._fused_adamw_, but it loads TorchScript modules and passes lists of tensors to them).

Run inside the PyTorch 2.6 root, from the project folder:

    scripts/pytorch-root.sh run core/src/main/python/make_fused_adamw.py

The module holds no tensors: its code (archive/code/__torch__.py inside the zip) is all it is, and
core's FusedAdamWKernelTest checks that the committed file's code is what this script writes.
"""
from typing import List, Optional

import torch
from torch import Tensor

from torchscript_module import save


class FusedAdamW(torch.nn.Module):
    """One AdamW update (PyTorch's formula, decoupled decay) of every tensor of one parameter group,
    in place, by libtorch's fused kernel, then the gradients zeroed.

    h = [learning rate, beta1, beta2, weight decay, epsilon, update count t (from 1),
         gradient scale s (the gradient is multiplied by s, e.g. for clipping)]
    """

    def forward(self, params: List[Tensor], grads: List[Tensor], means: List[Tensor],
                variances: List[Tensor], h: List[float]) -> int:
        device = params[0].device
        step = torch.full([1], h[5], dtype=torch.float32, device=device)
        steps = [step for _ in range(len(params))]
        scale: Optional[Tensor] = None
        if h[6] != 1.0:
            # the kernel divides the gradient by grad_scale
            scale = torch.full([1], 1.0 / h[6], dtype=torch.float32, device=device)
        torch._fused_adamw_(params, grads, means, variances, [], steps, lr=h[0], beta1=h[1],
                            beta2=h[2], weight_decay=h[3], eps=h[4], amsgrad=False,
                            maximize=False, grad_scale=scale)
        torch._foreach_zero_(grads)
        return len(params)


if __name__ == "__main__":
    save(FusedAdamW(), "fused_adamw")
