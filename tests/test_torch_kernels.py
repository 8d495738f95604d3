"""The kernels the generated torch module asks torch for (issue 14, item 5): a deterministic
account of its speed, where timings on a shared machine are noise.

relu's derivative is a float comparison (``torch.gt(Z, 0, out=...)``), never a bool mask that
``*=`` would convert first, and tanh's ``1 - A^2`` is one ``torch.addcmul``; the values stay
the formula's, relu'(0) = 0 included.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

import symbackprop as sb

sys.path.insert(0, str(Path(__file__).parent))
from torch_support import assert_close, compiled, data, import_torch  # noqa: E402

torch = import_torch()
from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402 - torch may be absent


class _Ops(TorchDispatchMode):  # type: ignore[misc]
    """The aten operations run inside the ``with`` block and the dtypes of what they made."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.made: set[Any] = set()

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        out = func(*args, **(kwargs or {}))
        name = func.__name__
        if name.split(".")[0] not in ("t", "transpose", "permute", "numpy_T", "expand", "view"):
            self.names.append(name)
            if isinstance(out, torch.Tensor):
                self.made.add(out.dtype)
        return out


def backward_ops(module: Any, dtype: Any) -> list[str]:
    params = module.init_params(seed=1, dtype=dtype)
    X, Y = data(torch, module, 6, dtype=dtype)
    _, cache = module.forward(params, X)
    with _Ops() as ops:
        module.backward(params, cache, Y)
    assert ops.made == {dtype}, "backward made a tensor of another dtype (a bool mask?)"
    return ops.names


def test_hidden_derivatives_are_one_pass_kernels_in_the_tensors_dtype() -> None:
    module = compiled("3-4:tanh-3:relu-3:softmax", "ce")
    for dtype in (torch.float64, torch.float32):
        assert backward_ops(module, dtype) == [
            "sub.Tensor",  # dZ3 = A3 - Y
            "div_.Tensor",  # dZ3 /= m
            "mm.default",  # dW3
            "sum.dim_IntList",  # db3
            "mm.default",  # dZ2 = W3.T @ dZ3
            "empty_like.default",
            "gt.Scalar_out",  # relu'(Z2) = 1{A2 > 0} from the cached A2, in the float dtype
            "mul_.Tensor",
            "mm.default",  # dW2
            "sum.dim_IntList",  # db2
            "mm.default",  # dZ1 = W2.T @ dZ2
            "new_ones.default",
            "addcmul.default",  # tanh'(Z1) = 1 - A1 * A1
            "mul_.Tensor",
            "mm.default",  # dW1
            "sum.dim_IntList",  # db1
        ]


def test_relu_derivative_at_zero_is_zero_as_in_the_numpy_module() -> None:
    """Z2 with exact zeros (a zero row of W2 and b2): relu'(0) = 0 in both modules."""
    spec = sb.Network.parse("3-4:tanh-3:relu-3:softmax", loss="ce")
    module = compiled("3-4:tanh-3:relu-3:softmax", "ce")
    reference = sb.compile(spec)
    params = reference.init_params(seed=4)
    params["W2"][1] = 0.0
    params["b2"][1] = 0.0
    X, Y = data(torch, module, 5)
    _, want = reference.loss_and_grads(params, X.numpy(), Y.numpy())
    tensors = {k: torch.from_numpy(v) for k, v in params.items()}
    _, cache = module.forward(tensors, X)
    # Z2's row 1 is exactly 0, so A2's is, and the mask 1{A2 > 0} is 0 there (Z2 is not cached)
    assert "Z2" not in cache and bool((cache["A2"][1] == 0).all())
    _, got = module.loss_and_grads(tensors, X, Y)
    assert_close(got, {k: torch.from_numpy(np.asarray(v)) for k, v in want.items()})
    assert bool((got["b2"][1] == 0).all()) and bool((got["W2"][1] == 0).all())
