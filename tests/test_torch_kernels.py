"""The kernels the generated torch module asks torch for (issue 14, item 5): a deterministic
account of its speed, where timings on a shared machine are noise.

A hidden delta is scaled by relu's, tanh's and sigmoid's derivative in place, by the one kernel
torch's autograd runs for it (``threshold_backward``, ``tanh_backward``, ``sigmoid_backward``
into the delta itself): no bool mask to convert, no temporary; the values stay the formula's,
relu'(0) = 0 included. ``db = dZ 1_m`` is a matrix-vector product with a column of ones. With a
workspace (``work=``) every product, and the softmax output, goes into a tensor of it: forward
and backward allocate nothing, and the gradients are the workspace's tensors until the next call.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb

sys.path.insert(0, str(Path(__file__).parent))
from framework_support import import_framework  # noqa: E402
from torch_support import assert_close, compiled, data, torch  # noqa: E402

#: every test needs torch: skipped without it, failed under SYMBACKPROP_REQUIRE_TORCH=1
pytestmark = pytest.mark.usefixtures("needs_torch")

#: aten operations that make a view, not a tensor of their own
VIEWS = ("t", "transpose", "permute", "numpy_T", "expand", "view")


@functools.cache
def _ops_mode() -> type:
    """A dispatch mode recording the aten operations run inside its ``with`` block and the
    dtypes of what they made (a class made in a test: torch is imported there)."""
    dispatch = import_framework("torch.utils._python_dispatch")

    class _Ops(dispatch.TorchDispatchMode):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.names: list[str] = []
            self.made: set[Any] = set()

        def __torch_dispatch__(
            self, func: Any, types: Any, args: Any = (), kwargs: Any = None
        ) -> Any:
            out = func(*args, **(kwargs or {}))
            name = func.__name__
            if name.split(".")[0] not in VIEWS:
                self.names.append(name)
                if isinstance(out, torch.Tensor):
                    self.made.add(out.dtype)
            return out

    return _Ops


def backward_ops(
    module: Any, dtype: Any, work: dict[str, Any] | None = None, m: int = 6
) -> list[str]:
    params = module.init_params(seed=1, dtype=dtype)
    X, Y = data(torch, module, m, dtype=dtype)
    # the workspace, and the column of ones of db (with or without one), are made on the
    # first call with this m and dtype
    _, cache = module.forward(params, X, work)
    module.backward(params, cache, Y, work)
    _, cache = module.forward(params, X, work)
    with _ops_mode()() as ops:
        module.backward(params, cache, Y, work)
    assert ops.made == {dtype}, "backward made a tensor of another dtype (a bool mask?)"
    return ops.names


#: the op list of the backward of 3-4:tanh-3:relu-3:softmax (ce) without a workspace
BACKWARD_OPS = [
    "sum.dim_IntList",  # Y_sums: the column sums of Y (any target, hostile22)
    "mul.Tensor",  # dZ3 = A3 ⊙ Y_sums
    "sub_.Tensor",  # dZ3 -= Y
    "div_.Tensor",  # dZ3 /= m
    "mm.default",  # dW3
    "mm.default",  # db3 = dZ3 @ ones_m (made once per m, dtype and device)
    "mm.default",  # dZ2 = W3.T @ dZ3
    "threshold_backward.grad_input",  # dZ2 ⊙= relu'(Z2) = 1{A2 > 0}, from the cached A2
    "mm.default",  # dW2
    "mm.default",  # db2
    "mm.default",  # dZ1 = W2.T @ dZ2
    "tanh_backward.grad_input",  # dZ1 ⊙= tanh'(Z1) = 1 - A1 * A1
    "mm.default",  # dW1
    "mm.default",  # db1
]


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_hidden_derivatives_are_one_pass_kernels_in_the_tensors_dtype() -> None:
    module = compiled("3-4:tanh-3:relu-3:softmax", "ce")
    for dtype in (torch.float64, torch.float32):
        assert backward_ops(module, dtype) == BACKWARD_OPS


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_with_a_workspace_backward_writes_into_it_and_allocates_nothing() -> None:
    """The same kernels, each writing into a workspace tensor (``.out``) or in place."""
    module = compiled("3-4:tanh-3:relu-3:softmax", "ce")
    want = [name.replace(".Tensor", ".out").replace(".default", ".out") for name in BACKWARD_OPS]
    want[0] = "sum.IntList_out"  # Y_sums, into the workspace
    want[2:4] = ["sub_.Tensor", "div_.Tensor"]  # dZ3 -= Y, dZ3 /= m: in place
    for dtype in (torch.float64, torch.float32):
        assert backward_ops(module, dtype, work={}) == want


def test_one_example_is_not_divided_by_m_and_the_ones_are_made_once() -> None:
    """At m = 1 the mean over the batch changes no number (x / 1.0 is x): no division. The
    column of ones of db is made on the first call with an m, dtype and device only, with or
    without a workspace, and is the same tensor on the next call (read only)."""
    module = compiled("3-4:tanh-3:relu-3:softmax", "ce")
    for work in (None, {}):
        names = backward_ops(module, torch.float64, work, m=1)
        assert "div_.Tensor" not in names and "new_ones.default" not in names, names
        assert len(names) == len(BACKWARD_OPS) - 1
    X, _ = data(torch, module, 5)
    assert module._ones_column(X) is module._ones_column(X.clone())
    assert module._ones_column(X).shape == (5, 1) and bool((module._ones_column(X) == 1).all())
    assert module._ones_column(X.float()).dtype == torch.float32


def test_with_a_workspace_forward_writes_into_it_the_softmax_output_too() -> None:
    """Each product into a workspace tensor, each hidden activation in place, and the softmax
    output into a tensor of its own (it is cached beside its logits): no fresh tensor."""
    module = compiled("3-4:tanh-3:relu-3:softmax", "ce")
    params = module.init_params(seed=1)
    X, _ = data(torch, module, 6)
    work: dict[str, Any] = {}
    module.forward(params, X, work)  # the workspace is made on the first call
    with _ops_mode()() as ops:
        A3, cache = module.forward(params, X, work)
    assert ops.names == [
        *("addmm.out", "tanh_.default", "addmm.out", "relu_.default", "addmm.out"),
        "softmax.int_out",
    ]
    (part,) = (key for key in work if key.startswith("forward "))  # "forward <digest>"
    assert A3 is work[part][1]["A3"] and cache["A3"] is A3


def test_sigmoid_derivative_is_one_kernel_for_its_two_factors() -> None:
    """dZ ⊙ A ⊙ (1 - A): sigmoid_backward, not two products and a temporary."""
    names = backward_ops(compiled("3-4:sigmoid-2:sigmoid", "bce"), torch.float64)
    assert names.count("sigmoid_backward.grad_input") == 1
    assert not {"mul_.Tensor", "rsub.Scalar", "sub.Tensor"} & set(names[2:])


@pytest.mark.parametrize("spec", ["3-4:tanh-3:relu-3:softmax", "3-3:tanh-3:sigmoid-3:relu-3"])
def test_workspace_reuses_tensors_and_changes_no_result(spec: str) -> None:
    """A workspace dict gives the same numbers, and the same tensors on the next call (the
    gradients live in it until then); another m or dtype makes new ones; no workspace, fresh
    ones.
    Equal widths let a delta's tensor hold a later one: no tensor is written while read."""
    module = compiled(spec, "ce" if "softmax" in spec else "bce")
    params = module.init_params(seed=5)
    X, Y = data(torch, module, 6)
    cost, grads = module.loss_and_grads(params, X, Y)
    work: dict[str, Any] = {}
    cost_w, grads_w = module.loss_and_grads(params, X, Y, work)
    assert cost_w == cost
    for key in grads:
        assert torch.equal(grads_w[key], grads[key]), key
    kept = {key: value.clone() for key, value in grads_w.items()}
    _, again = module.loss_and_grads(params, X, Y, work)
    assert all(again[key] is grads_w[key] for key in grads)  # written into the same tensors
    assert all(torch.equal(again[key], kept[key]) for key in grads)
    for m, dtype in ((7, torch.float64), (1, torch.float64), (7, torch.float32)):
        typed = {key: value.to(dtype) for key, value in params.items()}
        Xm, Ym = data(torch, module, m, dtype=dtype)
        _, got = module.loss_and_grads(typed, Xm, Ym, work)  # new tensors for m or dtype
        _, want = module.loss_and_grads(typed, Xm, Ym)
        assert all(torch.equal(got[key], want[key]) for key in grads), (m, dtype)
    _, fresh = module.loss_and_grads(params, X, Y)
    assert fresh["W1"] is not grads["W1"]  # without a workspace every call is new


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


def test_functions_switch_autograd_off_and_back_on_even_when_they_raise() -> None:
    """``_no_grad`` (the decorator's effect without its per-call object): parameters that
    require grad give gradients that do not, no tape is recorded, grad mode is on again after
    the call and after a refused call, and the functions keep their names and docstrings."""
    module = compiled("3-4:sigmoid-2:sigmoid", "bce")
    params = {k: v.requires_grad_() for k, v in module.init_params(seed=2).items()}
    X, Y = data(torch, module, 5)
    A, cache = module.forward(params, X)
    cost, grads = module.loss_and_grads(params, X, Y)
    assert not A.requires_grad and not any(g.requires_grad for g in grads.values())
    assert torch.is_grad_enabled()
    with pytest.raises(ValueError, match="X has shape"):
        module.forward(params, X[:2])
    assert torch.is_grad_enabled()
    with torch.no_grad():  # off stays off
        module.backward(params, cache, Y)
        assert not torch.is_grad_enabled()
    assert module.module.backward.__name__ == "backward"
    assert "Gradients of J" in module.module.backward.__doc__


def test_with_a_workspace_the_mean_allocates_nothing_in_float32_either() -> None:
    """dZ3 /= m divides by m as a 0-d tensor of the tensors' dtype, made once per m, dtype and
    device: a Python float would make torch allocate two scalar tensors per call in float32
    (the float wrapped as a float64 one, then converted). The numbers are the float's."""
    module = compiled("3-4:tanh-3:relu-3:softmax", "ce")
    profiler = import_framework("torch.profiler")
    for dtype in (torch.float32, torch.float64):
        params = module.init_params(seed=1, dtype=dtype)
        X, Y = data(torch, module, 6, dtype=dtype)
        work: dict[str, Any] = {}
        for _ in range(2):  # the workspace and the batch's constants: made on the first call
            _, cache = module.forward(params, X, work)
            module.backward(params, cache, Y, work)
        _, cache = module.forward(params, X, work)
        with profiler.profile(
            activities=[profiler.ProfilerActivity.CPU], profile_memory=True
        ) as p:
            module.backward(params, cache, Y, work)
        memory = [e for e in p.profiler.kineto_results.events() if e.name() == "[memory]"]
        assert [e.nbytes() for e in memory if e.nbytes() > 0] == [], dtype
        dZ = torch.randn(3, 6, dtype=dtype, generator=torch.Generator().manual_seed(2))
        assert torch.equal(dZ / module._batch_size(X), dZ / 6.0)
        assert module._batch_size(X) is module._batch_size(X.clone())


def test_a_half_precision_batch_divides_by_m_exactly() -> None:
    """review14 R7: m as a float16 0-d tensor is inf above 65504 (every gradient 0) and rounds
    above 2048; bfloat16 rounds 257 to 256. Where the dtype cannot hold m, the module divides
    by the Python float, as before the 0-d tensor."""
    module = compiled("3-4:tanh-3:relu-3:softmax", "ce")
    for dtype, m in ((torch.float16, 70000), (torch.float16, 2049), (torch.bfloat16, 257)):
        X = torch.zeros(3, m, dtype=dtype)
        assert module._batch_size(X) == m, (dtype, m)
        dZ = torch.ones(2, m, dtype=dtype)
        assert torch.equal(dZ / module._batch_size(X), dZ / float(m))
    params = module.init_params(seed=1, dtype=torch.float16)
    X, Y = data(torch, module, 70000, dtype=torch.float16)
    _, grads = module.loss_and_grads(params, X, Y)
    reference = module.loss_and_grads(
        {k: v.double() for k, v in params.items()}, X.double(), Y.double()
    )[1]
    for name, grad in grads.items():
        assert torch.all(torch.isfinite(grad)), name
        assert torch.allclose(grad.double(), reference[name], rtol=0.05, atol=2e-3), name
