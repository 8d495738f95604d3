"""The backend-neutral lowering plan: what the generated code computes, as data.

The plan of the lecture's network is checked field by field (cache, backward order and targets,
step numbers, provenance, release points); no field holds backend text; and the plan's
backward expressions, printed one by one with the NumPy printer and no in-place rewriting,
give the gradients of the module ``sb.compile`` writes with its in-place lowering.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.errors import SpecError
from symbackprop.lowering import names
from symbackprop.lowering.executor import load_source
from symbackprop.lowering.numpy.printer import NumPyPrinter
from symbackprop.lowering.numpy.template import SIGMOID_HELPER
from symbackprop.lowering.plan import LoweringPlan, build_plan
from symbackprop.lowering.provenance import text

LECTURE = sb.Network.parse("4-3-2-1")


def test_the_lecture_plan_caches_what_backward_and_the_cost_read() -> None:
    plan = build_plan(LECTURE, None)
    assert [value.name for value in plan.cache] == ["X", "A1", "A2", "Z3", "A3"]
    assert {value.name: value.read_by for value in plan.cache}["Z3"] == ("cost",)
    assert plan.backward_reads == ("X", "A1", "A2", "A3")
    assert plan.cost.from_logits and (plan.cost.logits, plan.cost.output) == ("Z3", "A3")
    assert plan.backward_parameters == ("W2", "W3")
    assert [layer.linear.target for layer in plan.forward] == ["Z1", "Z2", "Z3"]
    assert plan.forward[0].linear.shape == (3, "m")
    assert text(plan.forward[0].linear.expr) == "W1 X + b1 1_m^T"


def test_the_lecture_plan_lists_the_backward_statements_in_step_order() -> None:
    plan = build_plan(LECTURE, None)
    rows = [(s.target, s.step, s.shape, s.gradient_of) for s in plan.backward]
    assert rows == [
        ("dZ3", 2, (1, "m"), None),
        ("dW3", 3, (1, 2), "W3"),
        ("db3", 4, (1, 1), "b3"),
        ("dZ2", 6, (2, "m"), None),
        ("dW2", 7, (2, 3), "W2"),
        ("db2", 8, (2, 1), "b2"),
        ("dZ1", 10, (3, "m"), None),
        ("dW1", 11, (3, 4), "W1"),
        ("db1", 12, (3, 1), "b1"),
    ]
    # the loss step and the dJ/dA steps are part of the delta statement that follows them
    provenance = {s.target: [(p.step, p.rule) for p in s.provenance] for s in plan.backward}
    assert provenance["dZ3"] == [(1, "loss"), (2, "elementwise")]
    assert provenance["dZ2"] == [(5, "bilinear"), (6, "elementwise")]
    assert provenance["db1"] == [(12, "bias")]
    # each delta is released after its last read, and nothing at the end
    assert {s.target: s.releases for s in plan.backward if s.releases} == {
        "dZ2": ("dZ3",),
        "dZ1": ("dZ2",),
    }
    assert plan.gradients[:2] == (("W1", "dW1"), ("b1", "db1"))


def test_provenance_is_data_in_code_names() -> None:
    plan = build_plan(LECTURE, None)
    by_target = {s.target: s for s in plan.backward}
    dz3 = sp.MatrixSymbol("dZ3", *by_target["dZ3"].expr.shape)
    own = by_target["dW3"].provenance[-1]
    assert own.wrt.name == "W3" and own.shape == (1, 2)
    assert dz3 in own.chosen.atoms(sp.MatrixSymbol) and own.reads() == {"dZ3", "A2"}
    assert text(own.chosen) == "dZ3 A2^T"
    assert text(by_target["db3"].provenance[-1].chosen) == "dZ3 1_m"
    assert text(by_target["dZ2"].provenance[0].chosen) == "W3^T dZ3"
    assert by_target["dZ3"].provenance[-1].algebra  # BCE with sigmoid: the a - y cancellation
    assert dz3 in by_target["dW3"].expr.atoms(sp.MatrixSymbol)


def test_an_assumption_and_weight_decay_are_in_the_plan() -> None:
    net = sb.Network.parse("5-4:relu-3:softmax", loss="ce", l2=0.1)
    plan = build_plan(net, None)
    first = plan.backward[0]
    assumption = next(p for p in first.provenance if p.rule == "assumption")
    assert assumption.wrt is None and assumption.assumption == net.loss_record.assumption_on("Y")
    assert sp.Symbol(names.L2, positive=True) in plan.backward[1].expr.free_symbols
    assert plan.cost.l2 == 0.1 and [v.name for v in plan.cache][-2:] == ["Z2", "A2"]


def _leaves(value: Any) -> Iterator[Any]:
    """Every str and SymPy object reachable from a plan's fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value).__module__.startswith("symbackprop.records"):
            return  # a record carries its own per-backend forms; the plan only points at it
        for field in dataclasses.fields(value):
            yield from _leaves(getattr(value, field.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(key)
            yield from _leaves(item)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


@pytest.mark.parametrize(
    "spec, kw",
    [("4-3-2-1", {}), ("5-4:relu-3:softmax", {"loss": "ce", "l2": 0.1})],
)
def test_no_plan_field_holds_numpy_text_or_derivation_names(spec: str, kw: dict[str, Any]) -> None:
    plan = build_plan(sb.Network.parse(spec, **kw), None)
    fields = [f.name for f in dataclasses.fields(LoweringPlan) if f.name != "activations"]
    leaves = [leaf for name in fields for leaf in _leaves(getattr(plan, name))]
    strings = [leaf for leaf in leaves if isinstance(leaf, str)]
    assert strings
    for string in strings:
        assert not any(code in string for code in ("np.", "numpy", "@", ".T", "out=", "*=")), (
            string
        )
    exprs = [leaf for leaf in leaves if isinstance(leaf, sp.Basic)]
    symbols = {s.name for e in exprs for s in e.atoms(sp.MatrixSymbol, sp.Symbol)}
    assert "dZ1" in symbols
    assert not {name for name in symbols if name.startswith("delta") or name == "lambda"}


NETWORKS = [
    ("4-3-2-1", {}),
    ("5-4:relu-3:softmax", {"loss": "ce", "l2": 0.1}),
    ("3-4:tanh-2:identity", {"loss": "mse", "l2": 0.5}),
    ("3-2:leaky_relu-2:softplus-1", {"loss": "mse", "output": "identity"}),
    ("3-2:swish-1", {"define": {"swish": "z*sigmoid(z)"}}),
]


def _plain_backward(plan: LoweringPlan) -> str:
    """A backward pass that evaluates each plan expression as printed, nothing in place."""
    printer = NumPyPrinter(plan.activations)
    lines = ["import numpy as np", SIGMOID_HELPER, "def backward(params, cache, Y, L2):"]
    lines += [f'    {p.name} = params["{p.name}"]' for p in plan.parameters]
    lines += [f'    {v.name} = cache["{v.name}"]' for v in plan.cache]
    lines += ["    m = X.shape[1]"]
    lines += [f"    {s.target} = {printer.code(s.expr)}" for s in plan.backward]
    returned = ", ".join(f'"{param}": {target}' for param, target in plan.gradients)
    return "\n".join([*lines, f"    return {{{returned}}}", ""])


@pytest.mark.parametrize(("spec", "kw"), NETWORKS, ids=[spec for spec, _ in NETWORKS])
def test_plan_expressions_evaluate_to_the_compiled_gradients(
    spec: str, kw: dict[str, Any]
) -> None:
    net = sb.Network.parse(spec, **kw)
    plan = build_plan(net, None)
    plain = load_source(_plain_backward(plan), "plain_backward").backward
    module = sb.compile(net)
    rng = np.random.default_rng(7)
    params = module.init_params(seed=3)
    n0, n_out = int(plan.data_shapes["X"][0]), int(plan.data_shapes["Y"][0])
    X = rng.standard_normal((n0, 5))
    Y = np.eye(n_out)[:, rng.integers(0, n_out, 5)] if net.loss == "ce" else rng.random((n_out, 5))
    _, cache = module.forward(params, X)
    expected = module.backward(params, cache, Y)
    got = plain(params, cache, Y, module.L2)
    assert got.keys() == expected.keys()
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-12, atol=1e-14)


def test_a_backend_with_no_emitter_is_refused() -> None:
    for backend in ("tensorflow", "Jax", "NumPy"):
        with pytest.raises(SpecError, match="accepted 'numpy', 'torch', 'jax'"):
            sb.codegen("4-3-1", backend=backend)
        with pytest.raises(SpecError, match=f"backend {backend!r} is not available"):
            sb.compile("4-3-1", backend=backend)
    assert sb.codegen("4-3-1", backend="numpy") == sb.codegen("4-3-1")
    runner = CliRunner()
    refused = runner.invoke(main, ["codegen", "4-3-1", "--backend", "tensorflow"])
    assert refused.exit_code == 2 and "numpy" in refused.output
    chosen = runner.invoke(main, ["codegen", "4-3-1", "--backend", "numpy"])
    assert chosen.exit_code == 0 and chosen.stdout == sb.codegen("4-3-1")
    torch = runner.invoke(main, ["codegen", "4-3-1", "--backend", "torch"])
    assert torch.exit_code == 0 and torch.stdout == sb.codegen("4-3-1", backend="torch")


def test_compile_without_the_backends_framework_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from symbackprop.lowering import executor

    real = executor.importlib.util.find_spec
    monkeypatch.setattr(
        executor.importlib.util,
        "find_spec",
        lambda name, *args: None if name in ("torch", "jax") else real(name, *args),
    )
    for backend, extra in (("torch", "symbackprop[torch]"), ("jax", "symbackprop[jax]")):
        with pytest.raises(executor.MissingFramework, match=re.escape(extra)):
            sb.compile("4-3-1", backend=backend)
        assert "import" in sb.codegen("4-3-1", backend=backend)  # the text needs no framework


@pytest.mark.parametrize(
    ("backend", "rows", "columns"),
    [
        ("numpy", "A.sum(axis=1, keepdims=True)", "A.sum(axis=0, keepdims=True)"),
        ("torch", "A.sum(dim=1, keepdim=True)", "A.sum(dim=0, keepdim=True)"),
        ("jax", "A.sum(axis=1, keepdims=True)", "A.sum(axis=0, keepdims=True)"),
    ],
)
def test_ones_at_an_end_and_inside_a_product_print_as_a_sum(
    backend: str, rows: str, columns: str
) -> None:
    """A 1_n 1_m^T (a column of ones inside, a row of ones at the end) is A's row sums,
    broadcast over the m columns, and 1_k 1_k^T A its column sums: every backend reads the
    ends first. The NumPy (and JAX) printer read the inner ones first and wrote
    ``A.sum(axis=1, keepdims=True) @ 1.0``, which matmul refuses (a 0-d operand)."""
    from symbackprop.lowering.jax.printer import JaxPrinter
    from symbackprop.lowering.torch.printer import TorchPrinter
    from symbackprop.records.activations import ACTIVATIONS

    printers = {"numpy": NumPyPrinter, "torch": TorchPrinter, "jax": JaxPrinter}
    n, m, k = sp.symbols("n m k", integer=True, positive=True)
    A = sp.MatrixSymbol("A", k, n)
    printer = printers[backend](ACTIVATIONS)
    assert printer.matrix_product([A, sp.OneMatrix(n, 1), sp.OneMatrix(1, m)]) == rows
    assert printer.matrix_product([sp.OneMatrix(k, 1), sp.OneMatrix(1, k), A]) == columns
