"""The PyTorch backend (issue 14, items 1 and 3): the generated torch module against torch's own
autograd in float64, on networks covering every activation and loss, batch and single
example, weight decay, and on every example model; its autograd.Function and nn.Module;
float32; stability at |z| = 1e3; shape errors; byte-identical output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model

sys.path.insert(0, str(Path(__file__).parent))
from test_model_codegen import _arrays, _model, _split, _widths  # noqa: E402
from torch_support import (  # noqa: E402
    assert_close,
    compiled,
    data,
    direct_cost,
    import_torch,
    leaves,
)

torch = import_torch()

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted((ROOT / "examples" / "models").glob("*.model"))
#: the example models the default suite runs (every one runs in the slow suite)
QUICK = ("logdet_inv", "residual_mlp", "rnn_3", "softmax_l2")

#: (spec, loss, l2, swish): together every activation and every loss
NETWORKS = [
    ("4-3-2-1", "bce", 0.0, False),
    ("3-4:tanh-3:relu-3:softmax", "ce", 0.0, False),
    ("3-4:leaky_relu-3:softplus-2:identity", "mse", 0.1, False),
    ("3-4:swish-2:sigmoid", "bce", 0.05, True),
    ("2-3:softplus-3:softmax", "mse", 0.0, False),
]


@pytest.mark.parametrize("m", [5, 1], ids=["batch", "single"])
@pytest.mark.parametrize("case", NETWORKS, ids=lambda c: f"{c[0]}-{c[1]}")
def test_gradients_equal_torch_autograd(case: tuple[str, str, float, bool], m: int) -> None:
    module = compiled(*case)
    params = module.init_params(seed=2)
    X, Y = data(torch, module, m)
    cost, grads = module.loss_and_grads(params, X, Y)
    tracked = leaves(torch, params)
    J = direct_cost(torch, module, tracked, X, Y)
    J.backward()
    assert cost == pytest.approx(float(J.detach()), rel=1e-10)
    assert_close(grads, {k: v.grad for k, v in tracked.items()})
    # the autograd.Function's backward is the derived one, scaled by grad_output
    through = leaves(torch, params)
    (3.0 * module.module.cost(through, X, Y)).backward()
    assert_close({k: v.grad for k, v in through.items()}, {k: 3.0 * g for k, g in grads.items()})


HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "softplus", "swish")


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_random_networks_equal_torch_autograd(seed: int) -> None:
    """Random depth, widths, hidden activations, loss (with its output) and weight decay."""
    rng = np.random.default_rng(seed)
    loss = str(rng.choice(["bce", "mse", "ce"]))
    output = {"bce": "sigmoid", "ce": "softmax"}.get(loss, str(rng.choice(HIDDEN)))
    widths = rng.integers(1, 5, size=int(rng.integers(2, 5))).tolist()
    hidden = [f"{w}:{rng.choice(HIDDEN)}" for w in widths[1:]]
    spec = "-".join([str(widths[0]), *hidden, f"{int(rng.integers(2, 4))}:{output}"])
    l2 = float(rng.choice([0.0, 0.1]))
    case = (spec, loss, l2, "swish" in spec)
    test_gradients_equal_torch_autograd(case, int(rng.integers(1, 6)))


def test_init_params_equal_the_numpy_modules_and_follow_dtype() -> None:
    module = compiled("4-3-2-1")
    numpy_params = sb.compile("4-3-2-1").init_params(seed=7, scheme="he")
    params = module.init_params(seed=7, scheme="he")
    for name, value in numpy_params.items():
        assert params[name].dtype == torch.float64
        np.testing.assert_array_equal(params[name].numpy(), value)
    single = module.init_params(seed=7, dtype=torch.float32)
    assert {p.dtype for p in single.values()} == {torch.float32}
    as_numpy = module.init_params(seed=7, dtype=np.float32)  # the NumPy module's spelling
    assert all(torch.equal(as_numpy[k], single[k]) for k in single)


def test_float32_in_float32_out() -> None:
    module = compiled("3-4:tanh-3:relu-3:softmax", "ce")
    params = module.init_params(seed=1, dtype=torch.float32)
    X, Y = data(torch, module, 4, dtype=torch.float32)
    _, grads = module.loss_and_grads(params, X, Y)
    assert {g.dtype for g in grads.values()} == {torch.float32}
    wide = {k: v.double() for k, v in params.items()}
    _, want = module.loss_and_grads(wide, X.double(), Y.double())
    assert_close({k: g.double() for k, g in grads.items()}, want, rtol=1e-4)


@pytest.mark.parametrize(
    ("spec", "loss", "swish"),
    [
        ("1-1:sigmoid", "bce", False),
        ("1-2:softmax", "ce", False),
        ("1-1:softplus", "mse", False),
        ("1-1:swish", "mse", True),
        ("1-1:tanh", "mse", False),
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_stays_finite_for_logits_up_to_1e3(spec: str, loss: str, swish: bool, dtype: str) -> None:
    module = compiled(spec, loss, 0.0, swish)
    kind = getattr(torch, dtype)
    params = {k: torch.ones_like(v) for k, v in module.init_params(dtype=kind).items()}
    params = {k: v if k.startswith("W") else torch.zeros_like(v) for k, v in params.items()}
    X = torch.tensor([[-1000.0, -30.0, 0.0, 30.0, 1000.0]], dtype=kind)
    n_out = module.SHAPES["W1"][0]
    Y = torch.zeros((n_out, 5), dtype=kind)
    Y[0] = 1.0
    cost, grads = module.loss_and_grads(params, X, Y)
    assert np.isfinite(cost)
    assert all(bool(torch.isfinite(g).all()) for g in grads.values())


def _sgd_step(net: Any, *data: Any, lr: float = 0.5) -> float:
    """One plain SGD step (torch.optim's first import alone takes seconds): the cost before."""
    net.zero_grad()
    loss = net(*data)
    loss.backward()
    with torch.no_grad():
        for parameter in net.parameters():
            parameter -= lr * parameter.grad
    return float(loss.detach())


def test_the_module_trains() -> None:
    module = compiled("3-4:tanh-3:relu-3:softmax", "ce")
    net = module.module.Net(seed=0)
    assert [name for name, _ in net.named_parameters()] == [f"params.{k}" for k in module.SHAPES]
    X, Y = data(torch, module, 16)
    costs = [_sgd_step(net, X, Y) for _ in range(5)]
    assert costs[-1] < costs[0]


def test_shapes_are_checked_on_entry_with_one_clear_error() -> None:
    module = compiled("4-3-2-1")
    params = module.init_params()
    X, Y = data(torch, module, 3)
    with pytest.raises(ValueError, match=r"X has shape \(3, 3\), expected \(4, m\)"):
        module.forward(params, X[:3])
    with pytest.raises(ValueError, match=r"Y has shape \(2, 3\), expected \(1, 3\)"):
        module.loss_and_grads(params, X, torch.zeros(2, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"W2 has shape \(3, 3\), expected \(2, 3\)"):
        module.forward({**params, "W2": torch.zeros(3, 3)}, X)
    _, cache = module.forward(params, X)
    with pytest.raises(ValueError, match="cache has no 'A1'"):
        module.backward(params, {"X": X}, Y)


def test_output_is_byte_identical_ruff_clean_and_imports_only_torch_and_numpy(
    tmp_path: Path,
) -> None:
    net = sb.Network.parse("3-4:leaky_relu-3:softmax", loss="ce", l2=0.1)
    text = sb.codegen(net, backend="torch")
    assert text == sb.codegen(net, backend="torch")
    assert max(len(row) for row in text.splitlines()) <= 99
    imports = {row for row in text.splitlines() if row.startswith(("import ", "from "))}
    assert imports == {"import numpy as np", "import torch"}
    model = sb.codegen(Model.from_file(EXAMPLES[0]), backend="torch")
    for name, source in (("net.py", text), ("model.py", model)):
        (tmp_path / name).write_text(source)
    for args in (["check", "--no-cache", "--isolated"], ["format", "--check", "--isolated"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--line-length", "99", str(tmp_path)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


# -- models ---------------------------------------------------------------------------------


def _model_case(model: Model, key: str, sizes: dict[str, int] | None = None) -> None:
    module = sb.compile(model, sizes=sizes, backend="torch")
    assert max(len(row) for row in module.source.splitlines()) <= 99
    reference = sb.compile(model, sizes=sizes)
    params, values = _split(model, _arrays(model, reference, key))
    tensors = [torch.tensor(v) for v in values]
    start = {k: torch.tensor(v) for k, v in params.items()}
    cost, grads = module.loss_and_grads(start, *tensors)
    # autograd through the generated forward itself (its body without torch.no_grad)
    tracked = leaves(torch, start)
    J, _ = module.module._forward.__wrapped__(tracked, *tensors)
    J.sum().backward()
    assert_close(grads, {k: v.grad for k, v in tracked.items()})
    # the same numbers as the NumPy module
    numpy_cost, numpy_grads = reference.loss_and_grads(params, *values)
    assert cost == pytest.approx(numpy_cost, rel=1e-10, abs=1e-12)
    assert_close(grads, {k: torch.tensor(v) for k, v in numpy_grads.items()})
    # the Function's backward is the derived one
    through = leaves(torch, start)
    module.module.cost(through, *tensors).backward()
    assert_close({k: v.grad for k, v in through.items()}, grads)


@pytest.mark.parametrize(
    "path",
    [p if p.stem in QUICK else pytest.param(p, marks=pytest.mark.slow) for p in EXAMPLES],
    ids=lambda p: p.stem,
)
def test_example_models_equal_torch_autograd(path: Path) -> None:
    _model_case(Model.from_file(path), path.stem)


@pytest.mark.slow
@pytest.mark.parametrize("key", ["kitchen_sink", "edge_cases"])
def test_harder_models_equal_torch_autograd(key: str) -> None:
    model, sizes = _model(key)
    _model_case(model, key, _widths(sizes))


def test_a_model_module_trains() -> None:
    path = ROOT / "examples" / "models" / "residual_mlp.model"
    model = Model.from_file(path)
    module = sb.compile(model, backend="torch")
    params, values = _split(model, _arrays(model, sb.compile(model), path.stem, m=8))
    net = module.module.Model(seed=1)
    tensors = [torch.tensor(v) for v in values]
    costs = [_sgd_step(net, *tensors) for _ in range(5)]
    assert costs[-1] < costs[0]


def test_model_names_that_the_torch_module_uses_are_renamed() -> None:
    text = "x : 3 x 1\ndevice : 3 x 1\ntorch : 3 x 3\n"
    text += "J = sum(torch device) + sum(device * x)\ndata: x\n"
    model = Model.parse(text)
    module = sb.compile(model, backend="torch")
    assert 'torch_ = params["torch"]' in module.source
    start = module.init_params(seed=1)
    _, grads = module.loss_and_grads(start, torch.ones(3, 1, dtype=torch.float64))
    tracked = leaves(torch, start)
    ((tracked["torch"] @ tracked["device"]).sum() + tracked["device"].sum()).backward()
    assert_close(grads, {k: v.grad for k, v in tracked.items()})
