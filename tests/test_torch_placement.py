"""The torch modules name a tensor on the wrong device, a nested one, or one of a layout torch's
kernels refuse, in one ValueError (hostile27 #5): before, a meta X beside CPU weights gave
gradients read from no data, a sparse X failed inside ``addmm`` and a nested one raised
torch's "Internal error". A sparse tensor that torch's kernels take is computed with, and
equals the dense answer."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
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


def test_another_runtime_error_is_torchs_own(torch: Any) -> None:
    """Where no tensor is misplaced, torch's RuntimeError is raised as it was: the cost of an
    all-meta network has no value to give."""
    module, params, X, Y = _network_case(torch)
    meta = {name: value.to("meta") for name, value in params.items()}
    with pytest.raises(RuntimeError, match="meta"):
        module.loss_and_grads(meta, X.to("meta"), Y.to("meta"))
