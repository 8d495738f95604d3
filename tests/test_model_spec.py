"""Models as forward equations: statements, parameters, data and inferred shapes (DESIGN.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

import symbackprop.records.activations  # noqa: F401 - fills the function table
from symbackprop.errors import SpecError
from symbackprop.formula import Call, parse
from symbackprop.model import Model


def dim(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, integer=True, positive=True)


n0, n1, n2, m, n, k = (dim(s) for s in ("n0", "n1", "n2", "m", "n", "k"))
ONE = sympy.Integer(1)

DESIGN_EXAMPLE = """\
# the lecture's network with a skip connection, batch form
X  : n0 x m
Y  : 1 x m
W1 : n1 x n0
W2 : n0 x n1
sizes: n0 = 4, n1 = 3      # concrete values; dimensions stay generic in derivations
z1 = W1 X + b1             # b1 is inferred n1 x 1 and broadcast over the m columns: b1 1_m^T
a1 = relu(z1)
h  = W2 a1 + X             # a skip connection
J  = bce(sigmoid(w^T h + c), Y)
data: X, Y
"""


def test_design_example() -> None:
    model = Model.parse(DESIGN_EXAMPLE)
    assert model.parameters == ("W1", "b1", "W2", "w", "c")
    assert model.data == ("X", "Y")
    assert model.batch and model.cost == "J"
    assert model.sizes == {"n0": 4, "n1": 3}
    assert model.shapes["b1"] == (n1, ONE)
    assert model.shapes["w"] == (n0, ONE)
    assert model.shapes["c"] == (ONE, ONE)
    assert model.shapes["h"] == (n0, m)
    assert model.shapes["J"] == (ONE, ONE)
    assert model.shape_reasons["b1"] == (7, "z1 = W1 X + b1")
    assert model.shape_reasons["w"][0] == 10
    assert "X" not in model.shape_reasons  # declared, not inferred
    assert [eq.name for eq in model.equations] == ["z1", "a1", "h", "J"]
    assert model.text == DESIGN_EXAMPLE


def test_dimensions_are_positive_integer_symbols() -> None:
    model = Model.parse(DESIGN_EXAMPLE)
    rows, cols = model.shapes["X"]
    assert rows.is_integer and rows.is_positive and cols == m


RESIDUAL_MLP = """\
X : n0 x m
Y : 1 x m
W1 : n1 x n0
W2 : n0 x n1
h1 = X + W2 relu(W1 X + b1) + b2
W3 : n1 x n0
W4 : n0 x n1
h2 = h1 + W4 relu(W3 h1 + b3) + b4
J = (1/m) bce(sigmoid(v^T h2 + c), Y)
"""

AUTOENCODER = """\
X : n0 x m
W : n1 x n0
H = sigmoid(W X + b)
R = W^T H + c
J = 0.5 * sum((R - X)^2) / m
"""

RNN = """\
x1 : n x 1
x2 : n x 1
x3 : n x 1
y : k x 1
W : k x k
U : k x n
h0 : k x 1
h1 = tanh(W h0 + U x1 + b)
h2 = tanh(W h1 + U x2 + b)
h3 = tanh(W h2 + U x3 + b)
J = mse(V h3, y)
data: x1, x2, x3, y
"""

TWO_HEADS = """\
X : n0 x m
Y1 : 1 x m
Y2 : n2 x m
W1 : n1 x n0
A1 = relu(W1 X + b1)
P = sigmoid(w^T A1 + c)
S = softmax(V A1 + d)
J = bce(P, Y1) + ce(S, Y2)
data: X, Y1, Y2
"""

LOGISTIC_L2 = """\
X : n x m
Y : 1 x m
lam = 0.01
J = bce(sigmoid(w^T X + b), Y) + lam / (2 * m) * sum(w^2)
"""

SOFTMAX_REGRESSION = """\
X : n x m
Y : k x m
lam = 0.001
J = ce(softmax(W X + b), Y) + 0.5 * lam * norm2(W)^2
"""

QUADRATIC = """\
x : n x 1
J = 0.5 * x^T A x
data:
"""


def test_residual_mlp() -> None:
    model = Model.parse(RESIDUAL_MLP)
    assert model.batch
    assert model.parameters == ("W2", "W1", "b1", "b2", "W4", "W3", "b3", "b4", "v", "c")
    assert model.shapes["b2"] == (n0, ONE) and model.shapes["b1"] == (n1, ONE)
    assert model.shapes["v"] == (n0, ONE) and model.shapes["c"] == (ONE, ONE)
    assert model.shapes["h2"] == (n0, m)


def test_tied_autoencoder() -> None:
    model = Model.parse(AUTOENCODER)
    assert model.data == ("X",) and model.parameters == ("W", "b", "c")
    assert model.shapes["b"] == (n1, ONE) and model.shapes["c"] == (n0, ONE)
    assert model.shapes["R"] == (n0, m)


def test_rnn_shared_weights() -> None:
    model = Model.parse(RNN)
    assert not model.batch
    assert model.parameters == ("W", "h0", "U", "b", "V")
    assert model.shapes["b"] == (k, ONE) and model.shapes["V"] == (k, k)
    assert [model.shapes[h] for h in ("h1", "h2", "h3")] == [(k, ONE)] * 3
    assert model.shape_reasons["V"][0] == 11


def test_two_heads() -> None:
    model = Model.parse(TWO_HEADS)
    assert model.data == ("X", "Y1", "Y2")
    assert model.shapes["w"] == (n1, ONE) and model.shapes["V"] == (n2, n1)
    assert model.shapes["d"] == (n2, ONE) and model.shapes["c"] == (ONE, ONE)


def test_logistic_regression_l2() -> None:
    model = Model.parse(LOGISTIC_L2)
    assert model.parameters == ("w", "b") and model.data == ("X", "Y")
    assert model.shapes["w"] == (n, ONE) and model.shapes["b"] == (ONE, ONE)
    assert model.equations[0].constant and model.shapes["lam"] == (ONE, ONE)


def test_softmax_regression() -> None:
    model = Model.parse(SOFTMAX_REGRESSION)
    assert model.shapes["W"] == (k, n) and model.shapes["b"] == (k, ONE)


@pytest.mark.parametrize(
    ("text", "parameters", "shapes"),
    [
        (QUADRATIC, ("x", "A"), {"x": (n, ONE), "A": (n, n)}),
        ("x : n x 1\ny : n x 1\nJ = (y ⊙ v)^T x\ndata:", ("y", "v", "x"), {"v": (n, ONE)}),
        ("A : k x n\nx : n x 1\nJ = norm1(A x - y)\ndata:", ("A", "x", "y"), {"y": (k, ONE)}),
        ("A : k x n\ny : k x 1\nJ = norm2(A x - y)^2\ndata: y", ("A", "x"), {"x": (n, ONE)}),
        ("X : m x n\ny : m x 1\nJ = sum(log(exp(-y ⊙ (X w)) + 1))\ndata: X, y", ("w",), {}),
        ("X : n x k\nA : k x k\nJ = tr(A X^T B X C)\ndata:", ("A", "X", "B", "C"), {"A": (k, k)}),
        ("X : n x n\nJ = log(det(inv(X)))\ndata:", ("X",), {"X": (n, n)}),
        ("X : n x n\nJ = logdet(X) + tr(inv(X))\ndata:", ("X",), {}),
        ("x : n x 1\nJ = sum(rowsum(x x^T))\ndata:", ("x",), {}),
    ],
)
def test_scalar_examples(text: str, parameters: tuple[str, ...], shapes: dict) -> None:
    model = Model.parse(text)
    assert model.parameters == parameters and model.shapes[model.cost] == (ONE, ONE)
    for name, shape in shapes.items():
        assert model.shapes[name] == shape


def test_tr_of_product_infers_from_transposes() -> None:
    model = Model.parse("X : n x k\nA : k x k\nJ = tr(A X^T B X C)\ndata:")
    assert model.shapes["B"] == (n, n) and model.shapes["C"] == (k, k)


def test_default_data_names_and_declared_intermediate() -> None:
    model = Model.parse("x : n x 1\nz : k x 1\nz = W x\nJ = mse(z, y)")
    assert model.data == ("x", "y") and model.parameters == ("W",)
    assert model.shapes["y"] == (k, ONE) and "z" not in model.shape_reasons


def test_times_sign_and_integer_dimensions() -> None:
    model = Model.parse("x : 3 × 1\nW : 2x3\nJ = sum(W x)")
    assert model.shapes["W"] == (2, 3) and model.shapes["x"] == (3, ONE)


def test_custom_activation_by_define() -> None:
    model = Model.parse(
        "x : n x 1\nW : k x n\nJ = sum(swish(W x))", define={"swish": "z*sigmoid(z)"}
    )
    assert model.parameters == ("W",)


def test_data_leaf_gets_m_and_parameter_gets_one() -> None:
    model = Model.parse("X : n x m\nJ = sum(P ⊙ X + Q)\ndata: X")
    assert model.shapes["P"] == (n, ONE) and model.shapes["Q"] == (n, ONE)
    model = Model.parse("X : n x m\nW : n x n\nJ = sum(D ⊙ (W X))\ndata: X, D")
    assert model.shapes["D"] == (n, m)


def test_from_file_text_toml_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.model").write_text(AUTOENCODER, encoding="utf-8")
    toml = (
        'equations = """\nx : n x 1\nW : k x n\nJ = sum(swish(W x))\n"""\n[define]\nswish = "z"\n'
    )
    (tmp_path / "b.toml").write_text(toml, encoding="utf-8")
    payload = {"equations": LOGISTIC_L2}
    (tmp_path / "c.json").write_text(json.dumps(payload), encoding="utf-8")
    assert Model.from_file(tmp_path / "a.model").parameters == ("W", "b", "c")
    assert Model.from_file(tmp_path / "b.toml").parameters == ("W",)
    assert Model.from_file(tmp_path / "c.json").shapes["w"] == (n, ONE)
    (tmp_path / "d.json").write_text('{"equations": 3}', encoding="utf-8")
    with pytest.raises(SpecError, match="equations"):
        Model.from_file(tmp_path / "d.json")
    with pytest.raises(SpecError, match="not found"):
        Model.from_file(tmp_path / "missing.model")


def test_model_functions_are_not_shapecheck_functions() -> None:
    # the model language's own functions are unknown to shapecheck's parser: outputs unchanged
    assert not isinstance(parse("tr(x)"), Call)
    assert isinstance(parse("tr(x)", models=True), Call)
    tree = parse("bce(a, y)", models=True)
    assert isinstance(tree, Call) and tree.func == "bce" and len(tree.args) == 2


def test_model_is_public_and_derive_reads_model_files(tmp_path: Path) -> None:
    import symbackprop as sb

    assert "Model" in sb.__all__ and sb.Model is Model
    text = "x : n x 1\nA : n x n\nJ = 0.5 x^T A x\ndata:\n"
    (tmp_path / "q.model").write_text(text, encoding="utf-8")
    (tmp_path / "q.toml").write_text(f'equations = """\n{text}"""\n', encoding="utf-8")
    (tmp_path / "q.json").write_text(json.dumps({"equations": text}), encoding="utf-8")
    for name in ("q.model", "q.toml", "q.json"):
        d = sb.derive(tmp_path / name)
        assert set(d.gradients) == {"x", "A"}, name
        assert sb.derive(str(tmp_path / name)).gradients == d.gradients


def test_model_targets_and_wrt() -> None:
    model = Model.parse(
        "X : n x m\nY1 : 1 x m\nY2 : k x m\nW : k x n\n"
        "J = bce(sigmoid(w^T X), Y1) + ce(softmax(W X), Y2)\ndata: X, Y1, Y2\n"
    )
    assert model.targets == {"Y1": "bce", "Y2": "ce"}
    model.check_wrt("W")
    model.check_wrt(None)
    for wrt, what in (
        ("X", "is data"),
        ("J", "defined by an equation"),
        ("V", "no name of the model"),
    ):
        with pytest.raises(SpecError, match=what):
            model.check_wrt(wrt)


def test_model_code_never_evaluates_text() -> None:
    root = Path(__file__).resolve().parents[1] / "symbackprop" / "model"
    for path in root.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for word in ("eval(", "exec(", "sympify(", "parse_expr(", "__import__"):
            assert word not in source, (path.name, word)


@pytest.mark.parametrize(
    ("spec", "options"),
    [
        ("4-3-2-1", {}),
        ("n-3:relu-10:softmax", {"loss": "ce", "l2": 0.01}),
        ("2-h:tanh-1:identity", {"loss": "mse", "l2": 1e-5}),
        ("3-2:swish-1", {"define": {"swish": "z*sigmoid(z)"}}),
    ],
)
def test_network_equations_parse_back(spec: str, options: dict) -> None:
    import symbackprop as sb

    network = sb.Network.parse(spec, **options)
    model = Model.parse(network.equations, define=dict(network.define))
    derivation = sb.derive(network, batch=True)
    expected = [f"{kind}{layer}" for layer in range(1, network.depth + 1) for kind in "Wb"]
    assert model.parameters == tuple(expected) and model.data == ("X", "Y") and model.batch
    for name in (*expected, "X", "Y"):
        assert model.shapes[name] == derivation.shapes[name], name
    concrete = {f"n{i}": w for i, w in enumerate(network.widths) if isinstance(w, int)}
    assert model.sizes == concrete and model.cost == "J"


def test_long_models_parse_quickly() -> None:
    import time

    steps = ["x : n x 1", "h0 = x"]
    # at the limit of 1,000 equations (h0 to h998 and J)
    steps += [f"h{i} = tanh(W h{i - 1} + U x + b)" for i in range(1, 999)]
    start = time.process_time()  # CPU time: a loaded machine cannot fail it, a blow-up can
    model = Model.parse("\n".join([*steps, "J = sum(h998)"]))
    assert time.process_time() - start < 2.0
    assert model.parameters == ("W", "U", "b") and model.shapes["W"] == (n, n)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_model_alone_knows_the_activations() -> None:
    """The function table is filled by the activation records: importing the model package
    alone (a fresh interpreter) must be enough to read relu and sigmoid."""
    import subprocess
    import sys

    code = (
        "from symbackprop.model import Model\n"
        "m = Model.parse('X : 4 x m\\nY : 1 x m\\nW : 3 x 4\\nv : 1 x 3\\n"
        "a = relu(W X)\\nJ = bce(sigmoid(v a), Y)')\n"
        "print(m.parameters)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "W" in done.stdout and "v" in done.stdout


def test_a_byte_order_mark_is_read_as_by_the_file_reader() -> None:
    text = "x : n x 1\nA : n x n\nJ = 0.5 x^T A x\ndata:\n"
    assert Model.parse("\ufeff" + text).parameters == Model.parse(text).parameters


def test_a_toml_or_json_model_names_the_line_a_user_can_open(tmp_path: Path) -> None:
    """hostile50b #7: an error on the third equation of a TOML file said "line 3", which in
    the file is ``equations = \"\"\"``; in a JSON file (one line) "line 3" was no line at
    all. A TOML file's lines are the file's; a JSON file's are said to be the equations'."""
    toml = tmp_path / "typo.toml"
    toml.write_text('# my model\n\nequations = """\nw : 1 x n\nx : n x 1\nJ = sigmod(w x)\n"""\n')
    with pytest.raises(SpecError, match=r"^model file '.*typo\.toml': line 6: unknown function"):
        Model.from_file(toml)
    data = tmp_path / "typo.json"
    data.write_text('{"equations": "w : 1 x n\\nx : n x 1\\nJ = sigmod(w x)\\n"}\n')
    with pytest.raises(SpecError, match=r"typo\.json', in 'equations': line 3: unknown function"):
        Model.from_file(data)
    right = tmp_path / "right.toml"
    right.write_text('# a model\n\nequations = """\nw : 1 x n\nx : n x 1\nJ = sum(w x)\n"""\n')
    model = Model.from_file(right)
    assert model.text == "w : 1 x n\nx : n x 1\nJ = sum(w x)\n"  # the equations' own text
    assert model.shape_reasons["J"][0] == 6  # shapes cite the file's line
