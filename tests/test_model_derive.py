"""Deriving models written as forward equations (issue 11, item 3).

Each model's derived gradients are evaluated with SymPy alone at small concrete sizes and
random values (substitute the sizes and the matrices, ``.doit()``) and compared with central
finite differences of the cost computed from the model's own forward equations, evaluated the
same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from model_eval import Evaluator as _Evaluator
from model_eval import draw as _draw
from sympy import MatrixSymbol

import symbackprop as sb
from symbackprop.core.graph import LAMBDA
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.errors import SpecError
from symbackprop.model import Model
from symbackprop.records.losses import LOSSES

LOSSES_CE_ASSUMPTION = LOSSES["ce"].assumption_on("Y")  # of the models' target, Y

RESIDUAL_MLP = """
X  : n0 x m
Y  : 1 x m
W1 : n1 x n0
W2 : n0 x n1
z1 = W1 X + b1
a1 = relu(z1)
h  = W2 a1 + X
J  = bce(sigmoid(w^T h + c), Y)
data: X, Y
"""

TIED_AUTOENCODER = """
X : n0 x m
W : n1 x n0
H = sigmoid(W X + b)
R = W^T H + c
J = mse(R, X)
data: X
"""

RNN_3 = """
X1 : n0 x m
X2 : n0 x m
X3 : n0 x m
Y  : 1 x m
W  : n1 x n1
U  : n1 x n0
h1 = tanh(U X1 + b)
h2 = tanh(W h1 + U X2 + b)
h3 = tanh(W h2 + U X3 + b)
J  = mse(v^T h3 + c, Y)
data: X1, X2, X3, Y
"""

TWO_HEADS = """
X  : n0 x m
Y1 : 1 x m
Y2 : n2 x m
W1 : n1 x n0
V  : n2 x n1
H  = relu(W1 X + b1)
p  = sigmoid(w^T H + c)
J  = bce(p, Y1) + ce(softmax(V H + d), Y2)
data: X, Y1, Y2
"""

LOGISTIC_L2 = """
X : n x m
Y : 1 x m
lam = 0.01
p = sigmoid(w^T X + c)
J = bce(p, Y) + (lam / 2) sum(w ⊙ w)
data: X, Y
"""

SOFTMAX_L2 = """
X : n x m
Y : k x m
W : k x n
lam = 0.1
J = ce(softmax(W X + b), Y) + (lam / (2 m)) sum(W * W)
data: X, Y
"""

QUADRATIC = """
x : n x 1
A : n x n
J = 0.5 x^T A x
data:
"""

NORM2_SQUARED = """
A : k x n
x : n x 1
y : k x 1
J = norm2(A x - y)^2
data: y
"""

NORM1 = """
A : k x n
x : n x 1
y : k x 1
J = norm1(A x - y)
data: y
"""

LOGISTIC_SUM = """
X : m x n
y : m x 1
J = sum(log(exp(-y ⊙ (X w)) + 1))
data: X, y
"""

DOT = """
x : n x 1
y : n x 1
J = (y ⊙ v)^T x
data: y
"""

TRACE = """
X : n x k
A : p x k
C : k x p
J = tr(A X^T B X C)
data:
"""

LOGDET_INV = """
X : n x n
J = log(det(inv(X)))
data:
"""

LOGDET = """
X : n x n
J = logdet(X) + tr(X)
data:
"""

BATCH_NORM = """
X : n0 x m
Y : 1 x m
W : n1 x n0
Z = W X
mu = (1/m) rowsum(Z)
D = Z - mu
var = (1/m) rowsum(D ⊙ D)
N = D / sqrt(var + 0.001)
H = relu(gamma ⊙ N + beta)
J = mse(v^T H, Y)
data: X, Y
"""

DROPOUT = """
X : n0 x m
Y : 1 x m
M : n1 x m
W1 : n1 x n0
H = relu(W1 X + b1) ⊙ M / 0.8
J = bce(sigmoid(w^T H + c), Y)
data: X, Y, M
"""

KITCHEN_SINK = """
X : n x m
Y : n x m
A : n x n
P = exp(A X) / (1 + abs(X) ^ 2)
Q = sqrt(P + 1) ⊙ b + 2 / (P + 3) - A^T P
s = sum(Q) / m
R = s A X + rowsum(Q ⊙ X) - X
J = mse(softmax(R), Y) + 0.1 sum(A ⊙ A) + sum(s b)
data: X, Y
"""

EDGE_CASES = """
X : n x m
W : k x n
V : k x n
u : k x 1
half = m / 2
S = leaky_relu(W X) + softplus(W X) ⊙ swish(W X)
s = log(sum(exp(S))) ^ 2
t = s
J = t / half + sigmoid(3) sum(identity(V X)) + (sum(u) - 1) ^ 2
data: X
"""

#: model, sizes (every dimension), targets of the data: "binary", "one-hot" or "real"
MODELS: dict[str, tuple[str, dict[str, int]]] = {
    "residual_mlp": (RESIDUAL_MLP, {"n0": 3, "n1": 2, "m": 3}),
    "tied_autoencoder": (TIED_AUTOENCODER, {"n0": 3, "n1": 2, "m": 2}),
    "rnn_3": (RNN_3, {"n0": 2, "n1": 2, "m": 2}),
    "two_heads": (TWO_HEADS, {"n0": 2, "n1": 2, "n2": 3, "m": 2}),
    "logistic_l2": (LOGISTIC_L2, {"n": 3, "m": 3}),
    "softmax_l2": (SOFTMAX_L2, {"n": 2, "k": 3, "m": 2}),
    "quadratic": (QUADRATIC, {"n": 3}),
    "norm2_squared": (NORM2_SQUARED, {"n": 2, "k": 3}),
    "norm1": (NORM1, {"n": 2, "k": 3}),
    "logistic_sum": (LOGISTIC_SUM, {"n": 2, "m": 3}),
    "dot": (DOT, {"n": 3}),
    "trace": (TRACE, {"n": 2, "k": 3, "p": 2}),
    "logdet_inv": (LOGDET_INV, {"n": 2}),
    "logdet": (LOGDET, {"n": 2}),
    "batch_norm": (BATCH_NORM, {"n0": 2, "n1": 2, "m": 3}),
    "dropout": (DROPOUT, {"n0": 2, "n1": 3, "m": 2}),
    "kitchen_sink": (KITCHEN_SINK, {"n": 2, "m": 3}),
    "edge_cases": (EDGE_CASES, {"n": 2, "k": 2, "m": 3}),
}
#: custom activations the models use
DEFINE = {"swish": "z*sigmoid(z)"}


def _finite_differences(
    ev: _Evaluator, values: dict[str, np.ndarray], name: str, eps: float = 1e-6
) -> np.ndarray:
    out = np.zeros_like(values[name])
    for index in np.ndindex(*out.shape):
        plus = {k: v.copy() for k, v in values.items()}
        minus = {k: v.copy() for k, v in values.items()}
        plus[name][index] += eps
        minus[name][index] -= eps
        out[index] = (ev.cost(plus) - ev.cost(minus)) / (2 * eps)
    return out


#: the models whose finite-difference check takes seconds run in the slow suite
SLOW_MODELS = {
    "residual_mlp",
    "tied_autoencoder",
    "rnn_3",
    "two_heads",
    "softmax_l2",
    "kitchen_sink",
    "edge_cases",
    "dropout",
    "trace",
}


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(key, marks=pytest.mark.slow) if key in SLOW_MODELS else key
        for key in sorted(MODELS)
    ],
)
def test_gradients_match_finite_differences(key: str) -> None:
    text, sizes = MODELS[key]
    model = Model.parse(text, define=DEFINE)
    d = sb.derive(model)
    assert isinstance(d, ModelDerivation)
    assert set(d.gradients) == set(model.parameters)
    ev = _Evaluator(d, sizes)
    values = _draw(model, ev.sizes, key, seed=1)
    compact = ev.compact_gradients(values)
    for name in model.parameters:
        derived = ev.gradient(name, values)
        np.testing.assert_allclose(compact[name], derived, rtol=1e-9, atol=1e-12)
        numeric = _finite_differences(ev, values, name)
        assert derived.shape == numeric.shape, name
        np.testing.assert_allclose(
            derived, numeric, rtol=1e-5, atol=1e-7, err_msg=f"{key}: {name}"
        )


def test_adjoints_cover_every_equation_and_parameter() -> None:
    model = Model.parse(RESIDUAL_MLP)
    d = sb.derive(model)
    assert isinstance(d, ModelDerivation)
    for name in ("J", "h", "a1", "z1", "W1", "b1", "W2", "w", "c"):
        assert name in d.adjoints
        assert tuple(d.adjoints[name].shape) == tuple(model.shapes[name])
    assert d.gradients["W1"] == d.adjoints["W1"]


def test_shared_weights_sum_their_contributions_with_a_step_saying_so() -> None:
    d = sb.derive(Model.parse(RNN_3))
    steps = {step.target: step for step in d.steps}
    for name in ("W", "U", "b"):
        assert "reaches J along" in steps[f"dJ/d{name}"].reason
    tied = {step.target: step for step in sb.derive(Model.parse(TIED_AUTOENCODER)).steps}
    assert "reaches J along 2 paths" in tied["dJ/dW"].reason


def test_square_parameters_say_shapes_do_not_decide() -> None:
    steps = {step.target: step for step in sb.derive(Model.parse(RNN_3)).steps}
    assert "shapes alone do not decide" in steps["dJ/dW"].reason
    quadratic = {step.target: step for step in sb.derive(Model.parse(QUADRATIC)).steps}
    assert "shapes alone do not decide" in quadratic["dJ/dA"].reason


def test_generic_shapes_decide_alone() -> None:
    steps = {step.target: step for step in sb.derive(Model.parse(RESIDUAL_MLP)).steps}
    assert "shapes alone do not decide" not in steps["dJ/dW1"].reason
    assert "of the 8 arrangements only" in steps["dJ/dW1"].reason


def test_quadratic_recovers_the_closed_forms() -> None:
    d = sb.derive(Model.parse(QUADRATIC))
    ev = _Evaluator(d, {"n": 3})
    model = d.model
    assert model is not None
    values = _draw(model, ev.sizes, "quadratic", seed=3)
    a, x = values["A"], values["x"]
    np.testing.assert_allclose(ev.gradient("x", values), (a + a.T) @ x / 2, rtol=1e-9)
    np.testing.assert_allclose(ev.gradient("A", values), x @ x.T / 2, rtol=1e-9)


def test_batch_is_refused_for_a_model() -> None:
    with pytest.raises(SpecError, match="batch"):
        sb.derive(Model.parse(QUADRATIC), batch=True)


def test_every_printer_prints_a_model_derivation() -> None:
    """The printers print a model (tests/test_render_models.py tests them in depth)."""
    d = sb.derive(Model.parse(QUADRATIC))
    for printer in (sb.to_text, sb.to_markdown, sb.to_json, sb.to_latex):
        out = printer(d)
        assert "_t1" not in out
    assert "dJ/dA = " in sb.to_text(d)


@pytest.mark.parametrize(
    ("text", "line", "name"),
    [
        ("x : n x 1\nW : k x n\nh = W x\nunused = h + 1\nJ = sum(h)\n", 4, "unused"),
        ("x : n x 1\nV : k x n\nW : k x n\nu = V x\nJ = sum(W x)\n", 4, "u"),
        # read only by another value the cost never reads: refused at the first of them
        ("x : n x 1\nW : k x n\nu = W x\nv = u + 1\nJ = sum(x)\n", 3, "u"),
    ],
)
def test_an_equation_the_cost_never_reads_is_refused_on_its_line(
    text: str, line: int, name: str
) -> None:
    """An equation J never reads gave its parameters a zero gradient with no word (unused
    data and declarations are refused: hostile25 #5). It is refused, as they are."""
    with pytest.raises(SpecError, match=rf"^line {line}: '{name}' is defined but the cost J "):
        Model.parse(text)


def test_the_network_path_is_unchanged() -> None:
    d = sb.derive("3-2-1", batch=True)
    assert not isinstance(d, ModelDerivation)
    assert all("reaches J along" not in step.reason for step in d.steps)


def test_internal_names_stay_out_of_the_expanded_results() -> None:
    d = sb.derive(Model.parse(TWO_HEADS))
    assert isinstance(d, ModelDerivation)
    for expr in (*d.expanded.values(), *d.expanded_adjoints.values()):
        names = {s.name for s in expr.atoms(MatrixSymbol)}
        assert not any(name.startswith("_") for name in names)


def test_sigmoid_and_bce_cancel_to_a_minus_y() -> None:
    d = sb.derive(Model.parse(RESIDUAL_MLP))
    (step,) = [s for s in d.steps if s.algebra]
    assert step.algebra_text is not None and step.algebra_text.endswith("= a - y")
    assert "simplified on scalars" in step.reason


@pytest.mark.parametrize(
    ("spec", "loss", "l2"),
    [
        ("3-2-1", "bce", 0.0),
        ("3-2:relu-3:softmax", "ce", 0.0),
        ("2-3:tanh-2:identity", "mse", 0.25),
    ],
)
def test_network_equations_derive_the_networks_gradients(spec: str, loss: str, l2: float) -> None:
    """A dense network through Network.equations and back derives equal gradients."""
    network = sb.Network.parse(spec, loss=loss, l2=l2)
    model = Model.parse(network.equations)
    as_model, as_network = sb.derive(model), sb.derive(network, batch=True)
    sizes = {**{str(k): v for k, v in as_network.sizes.items()}, "m": 2}
    lam = {LAMBDA: sp.Rational(l2).limit_denominator(1000)}
    on_model, on_network = _Evaluator(as_model, sizes), _Evaluator(as_network, sizes, lam)
    targets = {"Y": "one-hot" if loss == "ce" else "binary"}
    values = _draw(model, on_model.sizes, "network", seed=2, targets=targets)
    for name in model.parameters:
        np.testing.assert_allclose(
            on_model.gradient(name, values), on_network.gradient(name, values), rtol=1e-9
        )


def test_every_entry_point_takes_a_model_its_file_and_its_derivation(tmp_path: Path) -> None:
    path = tmp_path / "quadratic.model"
    path.write_text(QUADRATIC + "sizes: n = 3\n", encoding="utf-8")
    model = Model.from_file(path)
    d = sb.derive(model)
    sources = (model, d, path, str(path))
    codes = {sb.codegen(source) for source in sources}
    assert len(codes) == 1 and "def loss_and_grads" in codes.pop()
    for source in (d, str(path)):  # the checks derive once per call: two sources suffice
        assert sb.check_exact(source, trials=1).ok
        assert sb.check_formula(source, "x", "0.5 (A + A^T) x").ok
    for source in sources:
        assert sb.cache_plan(source) == sb.cache_plan(model) != []
        module = sb.compile(source)
        params = module.init_params(seed=1)
        assert sb.gradcheck(module, params).ok
    with pytest.raises(SpecError, match="batch= is for networks"):
        sb.check_formula(model, "x", "A x", batch=True)


def test_softmax_and_ce_cancel_to_a_minus_y_under_the_stated_assumption() -> None:
    d = sb.derive(Model.parse(SOFTMAX_L2))
    assert d.assumptions == [LOSSES_CE_ASSUMPTION]
    (step,) = [s for s in d.steps if s.algebra]
    assert step.algebra_text is not None and step.algebra_text.endswith("= a - y")
    assumption = next(s for s in d.steps if s.rule == "assumption")
    assert assumption.number < step.number


@pytest.mark.parametrize(
    ("model", "step", "kept", "gradient"),
    [
        (
            "A : k x n\nx : n x 1\ny : k x 1\nsizes: k = 3, n = 2\nJ = norm1(A x - y)\ndata: A, y",
            "dJ/d(A x - y)",
            ("dJ/d(abs(A x - y))", "1"),
            ("x", "A^T ({})"),
        ),
        (
            "X : n x n\nsizes: n = 3\nJ = log(abs(det(X)))\ndata:",
            "dJ/d(det(X))",
            ("dJ/d(abs(det(X)))", "1 / abs(det(X))"),
            ("X", "({}) det(X) inv(X)^T"),
        ),
    ],
)
def test_abs_derivative_is_printed_in_the_formula_language(
    tmp_path: Path, model: str, step: str, kept: tuple[str, str], gradient: tuple[str, str]
) -> None:
    """hostile13 #4: abs' was printed ``sign(A x - y)``, a name the formula language does not
    have; the printed step pastes back into shapecheck (exit 0, the right gradient)."""
    from click.testing import CliRunner

    from cli.main import main

    path = tmp_path / "m.model"
    path.write_text(model + "\n")
    derived = CliRunner().invoke(main, ["derive", str(path)])
    assert derived.exit_code == 0, derived.stdout + derived.stderr
    assert "sign(" not in derived.stdout
    line = next(ln for ln in derived.stdout.splitlines() if ln.strip().startswith(f"{step} = "))
    printed = line.split(" = ", 1)[1].replace(*kept)
    wrt, shape = gradient
    checked = CliRunner().invoke(
        main, ["shapecheck", str(path), "--wrt", wrt, shape.format(printed)]
    )
    assert checked.exit_code == 0, checked.stdout + checked.stderr


def test_network_equations_name_their_custom_activations_definition() -> None:
    """hostile33: the text of a --define network called sw(Z1) and said nothing of sw, so
    saved as a .model file it did not parse, with nothing to say what define= to pass."""
    network = sb.Network.parse("3-2:sw-1:sigmoid", loss="bce", define={"sw": "z*sigmoid(z)"})
    text = network.equations
    assert "# sw(z) = z*sigmoid(z): custom, parse with define={'sw': 'z*sigmoid(z)'}" in text
    model = Model.parse(text, define={"sw": "z*sigmoid(z)"})
    assert model.parameters == ("W1", "b1", "W2", "b2")
    assert "custom" not in sb.Network.parse("3-2-1").equations
