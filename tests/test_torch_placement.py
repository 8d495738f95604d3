"""The torch modules name a tensor on the wrong device, a nested one, or one of a layout torch's
kernels refuse, in one ValueError (hostile27 #5): before, a meta X beside CPU weights gave
gradients read from no data, a sparse X failed inside ``addmm`` and a nested one raised
torch's "Internal error". A sparse tensor that torch's kernels take is computed with, and
equals the dense answer."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from example_models import sized
from torch_support import compiled, import_torch

import symbackprop as sb
from symbackprop.model import Model

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "models"


@pytest.fixture(scope="module")
def torch() -> Any:
    return import_torch()


def _moved(torch: Any, value: Any, how: str) -> Any:
    """``value`` on the meta device, sparse (COO), or as a nested tensor of two copies."""
    with warnings.catch_warnings():  # nested and CSR tensors warn that they are prototypes
        warnings.simplefilter("ignore")
        if how == "meta":
            return value.to("meta")
        if how == "sparse":
            return value.to_sparse()
        return torch.nested.nested_tensor([value, value])


def _network_case(torch: Any) -> tuple[Any, dict[str, Any], Any, Any]:
    module = compiled("4-3-2-1")
    params = module.init_params(seed=1)
    X = torch.linspace(-1.0, 1.0, 20, dtype=torch.float64).reshape(4, 5)
    Y = torch.tensor([[0.0, 1.0, 1.0, 0.0, 1.0]], dtype=torch.float64)
    return module, params, X, Y


#: (which tensor, how it is changed, the error)
NETWORK_CASES = [
    ("X", "meta", r"^X is on device meta but W1 is on cpu: every tensor must be on one device"),
    ("Y", "meta", r"^Y is on device meta but W1 is on cpu: .*\(Y\.to\('cpu'\) moves it\)$"),
    ("W1", "meta", r"^W1 is on device meta but X is on cpu"),
    ("b3", "meta", r"^b3 is on device meta but X is on cpu"),
    ("X", "sparse", r"^X has layout torch\.sparse_coo, .*\(X\.to_dense\(\) converts it\)$"),
    ("X", "nested", r"^X is a nested tensor; expected a dense tensor of one shape$"),
    ("Y", "nested", r"^Y is a nested tensor"),
]


@pytest.mark.parametrize(("name", "how", "message"), NETWORK_CASES)
def test_a_network_module_names_the_misplaced_tensor(
    torch: Any, name: str, how: str, message: str
) -> None:
    module, params, X, Y = _network_case(torch)
    if name == "X":
        X = _moved(torch, X, how)
    elif name == "Y":
        Y = _moved(torch, Y, how)
    else:
        params = {**params, name: _moved(torch, params[name], how)}
    with pytest.raises(ValueError, match=message) as raised:
        module.loss_and_grads(params, X, Y)
    error = raised.value  # one line: not chained to torch's kernel error
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    with pytest.raises(ValueError, match=message):
        module.module.cost(params, X, Y)  # through BackpropCost


@pytest.mark.parametrize("name", ["X", "A1", "A2", "A3", "Y", "W2", "W3"])
def test_backward_names_a_meta_tensor_among_what_it_reads(torch: Any, name: str) -> None:
    """Every tensor backward reads, on the meta device beside CPU ones, is named; a meta
    ``cache['X']`` gave CPU gradients computed from no data (review28b #1)."""
    module, params, X, Y = _network_case(torch)
    _, cache = module.module.forward(params, X)
    if name == "Y":
        Y = Y.to("meta")
    elif name in cache:
        cache = {**cache, name: cache[name].to("meta")}
    else:
        params = {**params, name: params[name].to("meta")}
    shown = name if name in ("X", "Y") or name in params else f"cache['{name}']"
    with pytest.raises(ValueError, match=rf"^{re.escape(shown)} is on device meta but \w+ is on"):
        module.module.backward(params, cache, Y)


def test_backward_ignores_the_tensors_it_does_not_read(torch: Any) -> None:
    """W1, the biases and Z3 are not read by backward: on the meta device, the gradients are
    the CPU ones, equal to those from the whole cache."""
    module, params, X, Y = _network_case(torch)
    _, cache = module.module.forward(params, X)
    expected = module.module.backward(params, cache, Y)
    unread = [name for name in params if name != "W2" and name != "W3"]
    moved = {**params, **{name: params[name].to("meta") for name in unread}}
    cache = {**cache, **{k: v.to("meta") for k, v in cache.items() if k not in module.CACHE_READS}}
    grads = module.module.backward(moved, cache, Y)
    for name, grad in expected.items():
        torch.testing.assert_close(grads[name], grad, rtol=0, atol=0)


def test_a_meta_network_still_runs_forward_and_backward(torch: Any) -> None:
    """Every tensor on the meta device is one device: shapes come out, no data is read."""
    module, params, X, Y = _network_case(torch)
    meta = {name: value.to("meta") for name, value in params.items()}
    output, cache = module.module.forward(meta, X.to("meta"))
    grads = module.module.backward(meta, cache, Y.to("meta"))
    assert output.device.type == "meta" and tuple(output.shape) == (1, 5)
    assert {name: tuple(grad.shape) for name, grad in grads.items()} == {
        name: tuple(value.shape) for name, value in params.items()
    }


def test_a_sparse_weight_that_torch_takes_gives_the_dense_gradients(torch: Any) -> None:
    module, params, X, Y = _network_case(torch)
    J, grads = module.loss_and_grads(params, X, Y)
    sparse = {**params, "W2": params["W2"].to_sparse()}
    J_sparse, grads_sparse = module.loss_and_grads(sparse, X, Y)
    assert J_sparse == pytest.approx(J, rel=1e-14)
    for name, grad in grads.items():
        torch.testing.assert_close(grads_sparse[name].to_dense(), grad, rtol=1e-13, atol=1e-15)


def test_a_model_module_names_the_misplaced_tensor(torch: Any) -> None:
    source = (EXAMPLES / "residual_mlp.model").read_text()
    module = sb.compile(Model.parse(source), backend="torch")
    params = module.init_params(seed=1)
    X = torch.linspace(-1.0, 1.0, 20, dtype=torch.float64).reshape(4, 5)
    Y = torch.tensor([[0.0, 1.0, 1.0, 0.0, 1.0]], dtype=torch.float64)
    J, grads = module.loss_and_grads(params, X, Y)
    for name, how, message in [
        ("X", "meta", r"^X is on device meta but Y is on cpu"),
        ("W2", "meta", r"^W2 is on device meta but X is on cpu"),
        ("c", "sparse", r"^c has layout torch\.sparse_coo, .*\(c\.to_dense\(\) converts it\)$"),
        ("X", "nested", r"^X is a nested tensor"),
    ]:
        data = {"X": X, "Y": Y}
        if name in data:
            data[name] = _moved(torch, data[name], how)
            given = params
        else:
            given = {**params, name: _moved(torch, params[name], how)}
        with pytest.raises(ValueError, match=message):
            module.loss_and_grads(given, data["X"], data["Y"])
    # a sparse X is one that torch's products take: computed with, the same numbers
    J_sparse, grads_sparse = module.loss_and_grads(params, X.to_sparse(), Y)
    assert J_sparse == pytest.approx(J, rel=1e-14)
    for name, grad in grads.items():
        torch.testing.assert_close(grads_sparse[name].to_dense(), grad, rtol=1e-13, atol=1e-15)


def test_an_all_meta_cost_is_refused_in_one_line(torch: Any) -> None:
    """The cost of an all-meta network has no value to give: float(J) raised torch's own
    RuntimeError (hostile29); loss_and_grads now says so in a ValueError, while forward and
    backward still follow the shapes (above)."""
    module, params, X, Y = _network_case(torch)
    meta = {name: value.to("meta") for name, value in params.items()}
    with pytest.raises(ValueError, match=r"^X is on the meta device, which holds no values"):
        module.loss_and_grads(meta, X.to("meta"), Y.to("meta"))


def _model_case(torch: Any, path: Path) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """The example model's torch module, its parameters and data tensors in its shapes (m = 5;
    Y's columns sum to one, as a softmax target's must)."""
    module = sb.compile(Model.parse(path.read_text()), backend="torch").module
    params = {
        name: torch.linspace(0.5, 1.5, rows * cols, dtype=torch.float64).reshape(rows, cols)
        + torch.eye(rows, cols, dtype=torch.float64)  # square ones invertible, with det > 0
        for name, (rows, cols) in ((n, sized(shape, 5)) for n, shape in module.SHAPES.items())
    }
    data = {}
    for name, shape in module.DATA_SHAPES.items():
        rows, cols = (5 if size == "m" else size for size in shape)
        value = torch.linspace(0.1, 0.9, rows * cols, dtype=torch.float64).reshape(rows, cols)
        data[name] = value / value.sum(0, keepdim=True)
    return module, params, data


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.model")), ids=lambda p: p.stem)
def test_every_model_names_a_meta_tensor_beside_cpu_ones(torch: Any, path: Path) -> None:
    """Any one tensor of an example model on the meta device, the rest on the CPU: a ValueError
    naming it, never gradients computed from no data (review28b #2: a meta X was computed
    with) and never advice to move the CPU tensors to meta (#7: the tie of one meta and one
    CPU tensor was broken towards meta)."""
    module, params, data = _model_case(torch, path)
    module.loss_and_grads(params, *data.values())  # the case itself is fine
    # every tensor on meta (logdet_inv's X alone is that): one device, no values for a cost
    every = {k: v.to("meta") for k, v in params.items()}
    with pytest.raises(ValueError, match=r"^every tensor is on the meta device"):
        module.loss_and_grads(every, *(v.to("meta") for v in data.values()))
    if len(data) + len(params) == 1:
        return
    for name in [*data, *params]:
        moved_data = {k: v.to("meta") if k == name else v for k, v in data.items()}
        moved = {k: v.to("meta") if k == name else v for k, v in params.items()}
        with pytest.raises(ValueError, match=rf"^{name} is on device meta but \w+ is on cpu"):
            module.loss_and_grads(moved, *moved_data.values())


def test_an_extra_parameter_entry_is_never_named(torch: Any) -> None:
    """params may hold entries the module never reads (an optimiser's state, say): on another
    device, they are not the tensor at fault."""
    module, params, X, Y = _network_case(torch)
    extra = {**params, "momentum": params["W1"].to("meta"), "W2": params["W2"].to("meta")}
    with pytest.raises(ValueError, match=r"^W2 is on device meta but X is on cpu"):
        module.loss_and_grads(extra, X, Y)
