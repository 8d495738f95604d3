"""Softmax + cross-entropy modules and targets whose columns do not sum to 1 (hostile14 #8).

dJ/dZ = (softmax(Z) - Y) / m holds only when each column of Y sums to 1 (DESIGN.md states
the assumption). A zero column (a padded example) used to give a cost of one function and
gradients of another, silently, and ``sb.gradcheck`` reported FAILED with relative errors
of 0.16-0.33. Now the NumPy module refuses such a Y in one line, says the assumption in its
docstrings and ``SUMS_TO_ONE``, and gradcheck refuses it up front. Torch and JAX cannot check
values (a GPU sync; no raise under jit), and hostile22 found their modules silently wrong for a
zero column (db off by 0.1 of 0.45): they now compute (softmax(Z) ⊙ s - Y) / m with s the
column sums of Y, the gradient of the returned cost for any target, and say so.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import symbackprop as sb

NET = sb.Network.parse("3-4-3:softmax", loss="ce")
TWO_HEADS = Path(__file__).resolve().parents[1] / "examples" / "models" / "two_heads.model"


def _problem(dtype: type = np.float64) -> tuple[dict, np.ndarray, np.ndarray]:
    params = {k: v.astype(dtype) for k, v in sb.compile(NET).init_params(seed=0).items()}
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 4)).astype(dtype)
    Y = np.eye(3, dtype=dtype)[:, [0, 1, 2, 0]]
    return params, X, Y


def test_numpy_module_refuses_a_zero_column_in_one_line() -> None:
    module = sb.compile(NET)
    params, X, Y = _problem()
    Y[:, 3] = 0.0  # a padded example
    with pytest.raises(ValueError) as caught:
        module.loss_and_grads(params, X, Y)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("column 3 of Y sums to 0, not 1")
    assert "each column of Y sums to 1" in message
    _, cache = module.forward(params, X)
    with pytest.raises(ValueError, match="column 3 of Y sums to 0"):
        module.backward(params, cache, Y, {})
    Y[:, 3] = [0.5, 0.5, 0.5]  # sums to 1.5
    with pytest.raises(ValueError, match="column 3 of Y sums to 1.5, not 1"):
        module.loss_and_grads(params, X, Y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_probability_targets_pass_and_their_gradients_are_right(dtype: type) -> None:
    """Label smoothing and a float32 softmax's probabilities (sums off 1 by rounding) pass;
    the gradients are those of the cost (finite differences in float64)."""
    module = sb.compile(NET)
    params, X, _ = _problem(dtype)
    logits = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    soft = np.exp(logits) / np.exp(logits).sum(axis=0, dtype=np.float32)
    cost, grads = module.loss_and_grads(params, X, soft.astype(dtype))
    assert np.isfinite(cost)
    smooth = 0.9 * np.eye(3)[:, [0, 1, 2, 0]] + 0.1 / 3
    assert sb.gradcheck(module, params, X, smooth.astype(dtype)).ok


def test_a_nan_in_y_propagates_as_before() -> None:
    module = sb.compile(NET)
    params, X, Y = _problem()
    Y[1, 2] = np.nan
    with np.errstate(invalid="ignore"):
        cost, _ = module.loss_and_grads(params, X, Y)
    assert np.isnan(cost)


def test_numpy_model_module_refuses_a_zero_column_of_its_ce_target() -> None:
    module = sb.compile(sb.Model.from_file(TWO_HEADS))
    assert module.SUMS_TO_ONE == ("Y2",)
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 5))
    Y1 = rng.uniform(size=(1, 5))  # bce's target: no such assumption
    Y2 = np.eye(3)[:, [0, 1, 2, 0, 1]]
    assert sb.gradcheck(module, params, X, Y1, Y2).ok
    Y2[:, 1] = 0.0
    with pytest.raises(ValueError, match=r"^column 1 of Y2 sums to 0, not 1: "):
        module.loss_and_grads(params, X, Y1, Y2)


def test_gradcheck_says_the_assumption_is_broken_not_failed() -> None:
    module = sb.compile(NET)
    params, X, Y = _problem()
    Y[:, 3] = 0.0
    with pytest.raises(ValueError, match=r"^column 3 of Y sums to 0, not 1: the module's "):
        sb.gradcheck(module, params, X, Y)


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", ["torch", "jax"])
@pytest.mark.parametrize("source", [NET, TWO_HEADS])
def test_torch_and_jax_gradients_are_right_for_any_target(backend: str, source: object) -> None:
    """A zero column (a padded example), a column summing to 1.5 and one summing to 0.2: the
    gradients against finite differences of the module's own cost (sb.gradcheck, float64;
    (softmax(Z) - Y) / m, the form before this fix, gave db off by 0.1 of 0.45)."""
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    spec = sb.Model.from_file(source) if isinstance(source, Path) else source
    module = sb.compile(spec, backend=backend)
    assert not hasattr(module, "SUMS_TO_ONE")
    rng = np.random.default_rng(3)
    params = {k: np.asarray(v) for k, v in sb.compile(spec).init_params(seed=1).items()}
    target = np.eye(3)[:, [0, 1, 2, 0, 1]]
    target[:, 1] = 0.0
    target[:, 3] = [0.5, 0.5, 0.5]
    target[:, 4] = [0.1, 0.0, 0.1]
    if isinstance(source, Path):
        data = [rng.standard_normal((4, 5)), rng.uniform(size=(1, 5)), target]
    else:
        data = [rng.standard_normal((3, 5)), target]
    report = sb.gradcheck(module, params, *data)
    assert report.ok, report


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
@pytest.mark.parametrize("source", [NET, TWO_HEADS])
def test_every_softmax_ce_module_says_how_it_treats_the_sums(backend: str, source: object) -> None:
    spec = sb.Model.from_file(source) if isinstance(source, Path) else source
    text = sb.codegen(spec, backend=backend)
    y = "Y2" if isinstance(source, Path) else "Y"
    module_doc = " ".join(text.split('"""')[1].split())
    if backend == "numpy":
        assert re.search(rf"only when each column of {y} sums to 1", module_doc)
        assert re.search(rf'^SUMS_TO_ONE = \("{y}",\)', text, re.M)
    else:  # computed for any target: no constraint to state in the functions
        assert f"(softmax(Z) ⊙ s - {y}) / m with s the column sums of {y}" in module_doc
        assert "for any target" in module_doc
        assert "SUMS_TO_ONE" not in text
        assert re.search(
            rf"^    {y}_sums = (torch\.sum\({y}, |{y}\.sum\(|\({y} \+ 0 \* \w+\)\.sum\()",
            text,
            re.M,
        )
    for function in ("backward", "loss_and_grads"):
        doc = " ".join(text.split(f"def {function}(")[1].split('"""')[1].split())
        assert (f"Each column of {y} must sum to 1" in doc) == (backend == "numpy"), function
        assert ("a ValueError names" in doc) == (backend == "numpy"), function


def test_modules_without_the_assumption_say_nothing_of_it() -> None:
    for spec in ("3-2-1", "3-2-3:softmax --loss mse"):
        net = sb.Network.parse(spec.split()[0], loss="mse" if "mse" in spec else None)
        text = sb.codegen(net)
        assert "SUMS_TO_ONE" not in text and "_sums_to_one" not in text


CE_AND_MSE = (
    "X : n x m\nY : k x m\nW : k x n\nsizes: n = 4, k = 3\nS = softmax(W X)\n"
    "J = ce(S, Y) + mse(S, Y)\ndata: X, Y\n"
)
#: a parameter named as the module would name Y's column sums
NAMED_Y_SUMS = (
    "X : n x m\nY : k x m\nV : h x n\nY_sums : k x h\nsizes: n = 4, k = 3, h = 2\n"
    "H = tanh(V X)\nJ = ce(softmax(Y_sums H), Y)\ndata: X, Y\n"
)


def _uniform(module: object, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    shapes = module.DATA_SHAPES.values()  # type: ignore[attr-defined]
    return [rng.uniform(0.1, 0.9, size=tuple(5 if d == "m" else d for d in s)) for s in shapes]


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_a_softmax_step_with_another_term_is_right_for_any_target(backend: str) -> None:
    """review22: with ce(S, Y) + mse(S, Y) the softmax step holds two (S - Y) terms and only
    the ce's may take the column sums (rewriting the whole step failed gradcheck by 2.6e-2 on
    a target not summing to 1). The step carries its form before the assumption, each term
    apart (Step.general), so torch and JAX write the ce's term with Y's column sums and the
    mse's as it is: gradcheck passes on targets that do not sum to 1."""
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    model = sb.Model.parse(CE_AND_MSE)
    module = sb.compile(model, backend=backend)
    assert not hasattr(module, "SUMS_TO_ONE")
    text = sb.codegen(model, backend=backend)
    assert re.search(r"^    Y_sums = ", text, re.M)
    assert "(softmax(Z) ⊙ s - Y) / m with s the column sums of Y" in " ".join(text.split())
    params = sb.compile(model).init_params(seed=1)
    X, Y = _uniform(module)
    assert abs(Y.sum(axis=0) - 1).min() > 0.1  # no column sums to 1
    report = sb.gradcheck(module, params, X, Y)
    assert report.ok, report
    assert sb.gradcheck(module, params, X, Y / Y.sum(axis=0, keepdims=True)).ok


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_the_step_carries_its_form_for_any_target() -> None:
    """Step.general: the softmax step before the stated assumption, the ce's term with the
    target's column sums (1 1^T Y) and the mse's term unchanged; equal to the step where
    each column of Y sums to 1, and not elsewhere."""
    d = sb.derive(sb.Model.parse(CE_AND_MSE))
    (step,) = [s for s in d.steps if s.general is not None]
    assert step.rule == "softmax"
    assert step.for_any_target is step.general
    assert all(s.for_any_target is s.expr for s in d.steps if s.general is None)
    sizes = {"n": 4, "k": 3, "m": 5}
    dims = {s: sizes[s.name] for s in step.general.free_symbols if s.name in sizes}
    rng = np.random.default_rng(0)
    point = {
        sym: sp.Matrix(rng.uniform(0.1, 0.9, tuple(int(x.subs(dims)) for x in sym.shape)))
        for sym in step.general.free_symbols
        if isinstance(sym, sp.MatrixSymbol)
    }

    def value(expr: object) -> np.ndarray:
        out = expr.xreplace(point).subs(dims).doit()  # type: ignore[attr-defined]
        return np.array(sp.Matrix(out), dtype=float)

    assert np.abs(value(step.general) - value(step.expr)).max() > 1e-3  # Y's sums are not 1
    (y,) = [sym for sym in point if sym.name == "Y"]
    drawn = np.array(point[y], dtype=float)
    point[y] = sp.Matrix(drawn / drawn.sum(axis=0))  # each column sums to 1
    assert np.abs(value(step.general) - value(step.expr)).max() < 1e-12


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_the_column_sums_take_a_name_the_model_does_not_use(backend: str) -> None:
    """review22: a parameter called Y_sums was overwritten by Y's column sums (torch: a
    shape error; JAX: wrong gradients)."""
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    model = sb.Model.parse(NAMED_Y_SUMS)
    text = sb.codegen(model, backend=backend)
    assert re.search(r"^    Y_sums_ = (Y\.sum\(|\(Y \+ 0 \* \w+\)\.sum\()", text, re.M)
    module = sb.compile(model, backend=backend)
    params = sb.compile(model).init_params(seed=1)
    assert sb.gradcheck(module, params, *_uniform(module)).ok


def _entry_ops(hlo: str) -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """An optimised HLO module's ENTRY computation: its parameters (instruction name -> the
    argument it holds, ``Y`` say) and the other instructions' (name, operand names)."""
    entry = hlo[hlo.index("\nENTRY") :]
    entry = entry[: entry.index("\n}")]
    parameters, ops = {}, []
    for text in entry.splitlines()[1:]:
        found = re.match(r"\s*(?:ROOT )?%(\S+) = .*? ([\w-]+)\((.*?)\)", text)
        if not found:
            continue
        if found[2] == "parameter":
            held = re.search(r'op_name="([^"]+)"', text)
            parameters[found[1]] = held[1] if held else ""
        else:
            ops.append((found[1], re.findall(r"%([\w.\-]+)", found[3])))
    return parameters, ops


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("source", ["network", "model"])
def test_jax_computes_the_column_sums_after_the_softmax(source: str) -> None:
    """session 24: ``Y.sum(axis=0)`` alone was ready at the start, XLA's CPU runtime ran it
    beside the first product, and each gradient after an idle pause took 1.1-1.2x
    ``jax.jit(jax.grad)`` on 784-256-256-10 (benchmarks/grad_speed.py). In the compiled
    program no instruction may read a ce target and nothing computed (only arguments and
    constants): the sums wait for the softmax. Their values are unchanged (``+ 0 * S`` is
    exact; the gradchecks above pass on any target)."""
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed")
    spec: object
    if source == "network":
        spec = sb.Network.parse("5-4:relu-3:softmax", loss="ce")
    else:
        spec = sb.Model.parse(Path("examples/models/two_heads.model").read_text())
    module = sb.compile(spec, backend="jax")
    text = sb.codegen(spec, backend="jax")
    ordered = re.findall(r"^    (\w+)_sums = \((\w+) \+ 0 \* \w+\)\.sum\(", text, re.M)
    assert ordered and all(y == target for y, target in ordered)
    params = sb.compile(spec).init_params(seed=0)
    arrays = tuple(params[name] for name in module.SHAPES)
    rng = np.random.default_rng(0)
    if source == "network":
        data = [rng.uniform(0.1, 0.9, size=(5, 4)), rng.uniform(0.1, 0.9, size=(3, 4))]
    else:
        data = _uniform(module)
    hlo = module.gradients.lower(arrays, *data).compile().as_text()
    parameters, ops = _entry_ops(hlo)
    names = list(getattr(module.module, "DATA_SHAPES", None) or ["X", "Y"])  # *data
    held = {
        k: re.sub(r"data\[(\d+)\]", lambda n: names[int(n[1])], v) for k, v in parameters.items()
    }
    targets = {name for name, what in held.items() if what in {y for y, _ in ordered}}
    assert len(targets) == len(ordered), parameters
    constants = {name for name, _ in ops if name.startswith("constant")}
    early = [
        name
        for name, operands in ops
        if set(operands) & targets and set(operands) <= set(parameters) | constants
    ]
    assert not early, f"{early} read a target and nothing computed:\n{hlo}"


ANOTHER_PRODUCT = """
X : n x m
Y : k x m
R : k x m
W : k x n
sizes: n = 4, k = 3
Z = W X + b
S = softmax(Z)
J = ce(S, Y) + sum(R ⊙ abs(Z))
data: X, Y, R
"""


@pytest.mark.slow  # four processes, one per hash seed (3 s)
def test_the_sums_wait_for_the_softmax_not_another_factor_in_every_process() -> None:
    """review24: sums_factor took the first element-wise product with one matrix symbol, from
    a set: with ``R ⊙ abs(Z)`` in the step, half the hash seeds wrote ``(Y + 0 * R)`` (not
    ordered after the softmax, and NaN where R is inf). The product must hold the sums, and
    the text is the same in every process."""
    import subprocess
    import sys

    script = (
        "import symbackprop as sb, sys\n"
        "text = sb.codegen(sb.Model.parse(sys.stdin.read()), backend='jax')\n"
        "print([line.strip() for line in text.splitlines() if '_sums = ' in line])\n"
    )
    seen = set()
    for seed in ("0", "1", "3", "5"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=ANOTHER_PRODUCT,
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
            timeout=120,
            check=True,
        )
        seen.add(done.stdout)
    (only,) = seen
    assert "(Y + 0 * S).sum(axis=0, keepdims=True)" in only, only


def test_the_generated_sum_check_and_the_gradient_check_share_one_tolerance() -> None:
    """review28 #12: the tolerance of a column sum was written in the generated helper and in
    the gradient check separately; both now come from records.losses."""
    from symbackprop.records.losses import sums_to_one_tolerance

    module = sb.compile(sb.Network.parse("4-3:relu-3:softmax", loss="ce")).module
    for dtype in (np.float16, np.float32, np.float64):
        for rows in (1, 3, 1000):
            _, _, tol = module._sum_check(np.dtype(dtype), rows)
            assert tol == sums_to_one_tolerance(float(np.finfo(dtype).eps), rows)
