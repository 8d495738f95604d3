"""A model plan's settled backward expressions, and its reads of the cache, are proved.

The plan prints ``(1/200) 1_4`` for ``((1/200) I)[0, 0] 1_4`` and ``2 w`` for ``w + w``; every
such rewrite is proved by SymPy (:mod:`symbackprop.lowering.settle_check`, explicit matrices
at small sizes, exactly) before a statement is written, and a wrong one is refused as our bug
(an InternalError naming the step; exit 3 in the CLI). The same proof covers the plan's reads
of the forward pass's cache (``1 - h3^2`` for ``1 - tanh(t8)^2``, relu's ``1{a1 > 0}`` for
``1{z1 > 0}``, a cached determinant), each cached value standing for its definition.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner
from sympy import (
    Determinant,
    HadamardProduct,
    Inverse,
    MatAdd,
    MatMul,
    MatrixSymbol,
    OneMatrix,
    Transpose,
)

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.errors import InternalError
from symbackprop.lowering import model_plan
from symbackprop.lowering.settle_check import prove_settled
from symbackprop.model import Model
from symbackprop.records.activations import ACTIVATIONS, custom_activation
from symbackprop.records.nodes import Elementwise, T, activation_of
from symbackprop.records.scalars import a, z

sys.path.insert(0, str(Path(__file__).parent))
from test_model_derive import DEFINE, MODELS  # noqa: E402

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted((ROOT / "examples" / "models").glob("*.model"))

n, k, m = (sp.Symbol(s, integer=True, positive=True) for s in ("n", "k", "m"))
W = MatrixSymbol("W", k, n)
G = MatrixSymbol("G", k, m)
#: dJ/dw = w + w, the reproducer of equal terms left apart
SQUARES = "w : 3 x 1\nJ = sum(w ⊙ w)\ndata:\n"


# -- the proof on hand-made pairs ----------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            HadamardProduct(MatMul(sp.Rational(1, 200), OneMatrix(k, n)), W),
            sp.Rational(1, 200) * W,
        ),
        (MatMul(G, OneMatrix(m, 1)) + MatMul(G, OneMatrix(m, 1)), 2 * MatMul(G, OneMatrix(m, 1))),
        (MatMul(OneMatrix(k, m), OneMatrix(m, 1)), MatMul(m, OneMatrix(k, 1))),
        (
            HadamardProduct(OneMatrix(k, m), Elementwise(sp.Lambda(T, sp.sign(T)), G)),
            Elementwise(sp.Lambda(T, sp.sign(T)), G),
        ),
        (
            MatMul(sp.Identity(1), MatrixSymbol("s", 1, 1))[0, 0] * W,
            MatrixSymbol("s", 1, 1)[0, 0] * W,
        ),
    ],
)
def test_equal_forms_are_proved(before: Any, after: Any) -> None:
    prove_settled(before, after, "step 1")


@pytest.mark.parametrize(
    ("after", "why"),
    [
        (MatMul(k, OneMatrix(k, 1)), "a dimension written for another"),
        (MatMul(m + 1, OneMatrix(k, 1)), "a count off by one"),
        (OneMatrix(k, 1), "a count dropped"),
        (MatMul(3, OneMatrix(k, 1)), "a number that is m's size at the first setting only"),
    ],
)
def test_wrong_forms_are_refused(after: Any, why: str) -> None:
    with pytest.raises(InternalError, match=r"step 7 \(dJ/db\)"):
        prove_settled(MatMul(OneMatrix(k, m), OneMatrix(m, 1)), after, "step 7 (dJ/db)")


def test_inverses_and_determinants_stay_opaque() -> None:
    """X^{-T} and det X are fresh symbols per argument: proved without expanding them."""
    X = MatrixSymbol("X", n, n)
    inv_t = Transpose(Inverse(X))
    prove_settled(HadamardProduct(OneMatrix(n, n), inv_t), inv_t, "step 3")
    twice = MatMul(Determinant(X), OneMatrix(n, 1)) + MatMul(Determinant(X), OneMatrix(n, 1))
    prove_settled(twice, MatMul(2 * Determinant(X), OneMatrix(n, 1)), "step 3")
    with pytest.raises(InternalError, match="step 3"):
        prove_settled(HadamardProduct(OneMatrix(n, n), inv_t), Inverse(X), "step 3")


def test_a_large_concrete_size_is_proved_at_small_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    """W : 300 x 300 declared in numbers: each proof wrote out 90,000 entries (the module of
    J = norm2(W) took 47 s). A size over LARGEST_WRITTEN is a symbol at small sizes; a rewrite
    that reads the number itself is written out at its own size and decided there."""
    from symbackprop.lowering import settle_check

    sizes: list[int] = []
    original = settle_check._equal_at

    def recorded(before: Any, after: Any, at: dict[Any, int]) -> bool | None:
        sizes.extend(at.values())
        sizes.extend(int(d) for e in (before, after) for d in e.shape if d.is_Integer)
        return original(before, after, at)

    monkeypatch.setattr(settle_check, "_equal_at", recorded)
    sb.compile(Model.parse("W : 300 x 300\nJ = norm2(W)\ndata:"))
    assert sizes and max(sizes) <= settle_check.LARGEST_WRITTEN, sorted(set(sizes))
    ones = OneMatrix(30, 1)
    total = MatMul(OneMatrix(1, 30), ones)[0, 0]  # the sum of 30 ones: 30, the size as a number
    prove_settled(MatMul(total, ones), MatMul(30, ones), "step 4")
    with pytest.raises(InternalError, match="step 4"):
        prove_settled(MatMul(total, ones), MatMul(31, ones), "step 4")


def test_a_dropped_term_and_a_wrong_shape_are_refused() -> None:
    with pytest.raises(InternalError, match="does not confirm"):
        prove_settled(MatAdd(W, W), W, "step 2")
    with pytest.raises(InternalError, match="shape"):
        prove_settled(MatMul(OneMatrix(k, m), OneMatrix(m, 1)), OneMatrix(k, m), "step 2")


# -- the plan proves what it settles, and refuses a wrong settle ------------------------------


def _settled_pairs(
    monkeypatch: pytest.MonkeyPatch, reused: list[Any] | None = None
) -> tuple[list[Any], list[Any]]:
    """Spies on the plan: (every pair _settle changed, every pair the plan proved); every
    pair _reuse changed is added to ``reused``."""
    changed: list[Any] = []
    proved: list[Any] = []
    settle, reuse, prove = model_plan._settle, model_plan._reuse, model_plan.prove_settled

    def spy_settle(expr: Any) -> Any:
        out = settle(expr)
        if out != expr:
            changed.append((expr, out))
        return out

    def spy_reuse(expr: Any, *args: Any) -> Any:
        out = reuse(expr, *args)
        if out != expr and reused is not None:
            reused.append((expr, out))
        return out

    def spy_prove(before: Any, after: Any, where: str, **reads: Any) -> None:
        prove(before, after, where, **reads)
        proved.append((before, after))

    monkeypatch.setattr(model_plan, "_settle", spy_settle)
    monkeypatch.setattr(model_plan, "_reuse", spy_reuse)
    monkeypatch.setattr(model_plan, "prove_settled", spy_prove)
    return changed, proved


def test_equal_terms_are_combined_and_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    changed, proved = _settled_pairs(monkeypatch)
    model = Model.parse(SQUARES)
    code = sb.codegen(model)
    assert "dw = 2.0 * w" in code and "w + w" not in code
    assert changed and set(changed) <= set(proved)
    w = np.array([[1.0], [-2.0], [0.5]])
    _, grads = sb.compile(model).loss_and_grads({"w": w})
    np.testing.assert_array_equal(grads["w"], 2 * w)


def test_a_wrong_settle_is_refused_naming_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    settle = model_plan._settle
    monkeypatch.setattr(model_plan, "_settle", lambda expr: settle(expr) * 3)
    with pytest.raises(InternalError, match=r"step \d+ \(dJ/d\w+\): SymPy does not confirm"):
        sb.codegen(Model.parse(SQUARES))


def test_a_wrong_settle_exits_3_in_the_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a settled form three times the derivation's (the derivation writes w ⊙ w's two equal
    # paths as one counted term since session 28, so there is no sum to drop a term from)
    settle = model_plan._settle
    monkeypatch.setattr(model_plan, "_settle", lambda expr: settle(expr) * 3)
    path = tmp_path / "squares.model"
    path.write_text(SQUARES, encoding="utf-8")
    result = CliRunner().invoke(main, ["codegen", str(path)])
    assert result.exit_code == 3, result.output
    assert "internal error" in result.output and "SymPy does not confirm" in result.output


def _every_model() -> list[Any]:
    keys = [pytest.param(("file", p), id=p.stem) for p in EXAMPLES]
    keys += [pytest.param(("test", key), id=key) for key in ("kitchen_sink", "edge_cases")]
    return keys


@pytest.mark.slow
@pytest.mark.parametrize("which", _every_model())
def test_every_settled_expression_and_read_of_the_cache_of_every_model_is_proved(
    which: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    kind, key = which
    if kind == "file":
        model, sizes = Model.from_file(key), None
    else:
        text, all_sizes = MODELS[key]
        model = Model.parse(text, define=DEFINE)
        sizes = {d: v for d, v in all_sizes.items() if d != "m"}
    derivation = sb.derive(model)
    reused: list[Any] = []
    changed, proved = _settled_pairs(monkeypatch, reused)
    model_plan.build_model_plan(derivation, sizes)
    assert set(changed) <= set(proved)
    assert set(reused) <= set(proved)


# -- reading the cache: the forward pass's values in place of recomputing them ---------------

Z = MatrixSymbol("Z", k, m)
H = MatrixSymbol("H", k, m)
Z2 = MatrixSymbol("Z2", k, m)
H2 = MatrixSymbol("H2", k, m)
A = MatrixSymbol("A", k, m)
#: the cached values of the hand-made pairs -> their definitions
CACHE = {
    H: Elementwise(sp.tanh, Z),
    H2: Elementwise(sp.tanh, Z2),
    A: activation_of(ACTIVATIONS["relu"], Z),
}
RELU_PRIME = Elementwise(sp.Lambda(T, sp.Piecewise((1, T > 0), (0, True))), Z)
#: one value of each kind the plan reads: tanh, relu, leaky_relu and sigmoid outputs, det(W)
READS_EVERY_KIND = """W : 3 x 3
x : 3 x 1
h = tanh(W x)
a = relu(W h)
l = leaky_relu(W a)
s = sigmoid(W l)
J = sum(s) + log(det(W))
data: x
"""


def _tanh_prime(of: Any, derivative_in_h: bool = False) -> Any:
    body = 1 - T**2 if derivative_in_h else 1 - sp.tanh(T) ** 2
    return HadamardProduct(G, Elementwise(sp.Lambda(T, body), of))


def test_reads_of_the_cache_are_proved() -> None:
    """1 - tanh(z)^2 read as 1 - h^2, 1{z > 0} as relu's 1{a > 0}, det X as a cached d."""
    prove_settled(_tanh_prime(Z), _tanh_prime(H, True), "step 8 (dJ/dZ)", reads=CACHE)
    in_a = Elementwise(sp.Lambda(T, sp.Piecewise((1, T > 0), (0, True))), A)
    prove_settled(HadamardProduct(G, RELU_PRIME), HadamardProduct(G, in_a), "step 2", reads=CACHE)
    X = MatrixSymbol("X", n, n)
    d = MatrixSymbol("d", 1, 1)
    cached_det = {d: MatMul(Determinant(X), sp.Identity(1))}
    before = MatMul(Determinant(X), Transpose(Inverse(X)))
    prove_settled(before, MatMul(d[0, 0], Transpose(Inverse(X))), "step 3", reads=cached_det)


@pytest.mark.parametrize(
    ("before", "after", "reads", "named"),
    [
        pytest.param(
            _tanh_prime(Z), _tanh_prime(H2, True), CACHE, "H2 = tanh(Z2)", id="another-value"
        ),
        pytest.param(
            HadamardProduct(G, RELU_PRIME),
            HadamardProduct(G, Elementwise(sp.Lambda(T, sp.Piecewise((1, T >= 0), (0, True))), A)),
            CACHE,
            "A = relu(Z)",
            id="indicator-wrong-at-0",
        ),
        pytest.param(
            _tanh_prime(Z), _tanh_prime(Z2, True), CACHE, "Z2 (not a cached value)", id="uncached"
        ),
        pytest.param(
            MatMul(m, OneMatrix(k, 1)),
            MatMul(MatrixSymbol("c", 1, 1)[0, 0], OneMatrix(k, 1)),
            {MatrixSymbol("c", 1, 1): MatMul(3, sp.Identity(1))},
            "c = 3 I",
            id="m-at-one-size-only",
        ),
    ],
)
def test_wrong_reads_of_the_cache_are_refused(
    before: Any, after: Any, reads: Any, named: str
) -> None:
    """A value mapped to another's, an indicator that differs at 0 (1{relu(z) >= 0} is 1
    everywhere), a value the cache does not hold, and a cached 3 for m (m's size at the first
    setting only) are refused, naming the step and the value read."""
    message = rf"step 8 \(dJ/dZ\): SymPy does not confirm .* which reads {re.escape(named)} "
    with pytest.raises(InternalError, match=message):
        prove_settled(before, after, "step 8 (dJ/dZ)", reads=reads)


def test_every_read_of_the_cache_is_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    reused: list[Any] = []
    _, proved = _settled_pairs(monkeypatch, reused)
    code = sb.codegen(Model.parse(READS_EVERY_KIND))
    assert len(reused) == 4 and set(reused) <= set(proved)
    assert "1.0 - h**2" in code and "a > 0" in code and "l > 0" in code
    # det(W) inv(W)^T is computed as adj(W)^T (defined at a singular W too), not from the
    # cached det(W): the proof reads the adjugate as that product
    assert "dt6[0, 0] * _adjugate_t(W)" in code and "np.linalg.inv" not in code


def test_a_wrong_read_of_the_cache_is_refused_naming_the_step_and_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """_reuse handed tanh's output h where relu's a belongs (a's function list says h)."""
    functions = model_plan._functions_by_arg

    def swapped(graph: Any, rename: Any) -> Any:
        out = functions(graph, rename)
        h = next(v for pairs in out.values() for fn, v in pairs if v.name == "h")
        return {
            arg: [(fn, h if v.name == "a" else v) for fn, v in pairs] for arg, pairs in out.items()
        }

    monkeypatch.setattr(model_plan, "_functions_by_arg", swapped)
    with pytest.raises(
        InternalError, match=r"step \d+ \(dJ/d\(W h\)\): .* which reads h = tanh\(t1\)"
    ):
        sb.codegen(Model.parse(READS_EVERY_KIND))


# -- a custom activation read from the cache (hostile10 #4) --------------------------------
#: a model whose backward pass reads sg' from the cached s = sg(W X)
CUSTOM_READ = "X : n x m\nW : k x n\nsizes: n = 3, k = 2\nJ = sum(sg(W X)) / m\n"


def _custom_read(formula: str, in_a: Any = None) -> tuple[Any, Any, dict[Any, Any]]:
    """dJ/dZ as the step writes it (sg'(Z) in z) and as the plan reads the cached S = sg(Z)
    (the record's g' in a, or ``in_a``)."""
    sg = custom_activation("sg", formula)
    S = MatrixSymbol("S", k, m)
    body = sg.cached_derivative if in_a is None else in_a
    before = HadamardProduct(G, Elementwise(sp.Lambda(T, sg.derivative.xreplace({z: T})), Z))
    after = HadamardProduct(G, Elementwise(sp.Lambda(T, body.xreplace({a: T})), S))
    return before, after, {S: activation_of(sg, Z)}


@pytest.mark.parametrize(
    "formula",
    [
        "sigmoid(z)",
        pytest.param("1/(1+exp(-z))", marks=pytest.mark.slow),  # 0.2 s: parsed, made stable
        "tanh(z)",
        "sigmoid(2*z)",
    ],
)
def test_a_custom_activation_read_from_the_cache_is_proved_by_its_formula(formula: str) -> None:
    """sg' = sg (1 - sg) read from S = sg(Z) holds because sg is sigmoid: the proof knows a
    custom by its formula (it was an InternalError, exit 3, in codegen and check)."""
    before, after, reads = _custom_read(formula)
    assert isinstance(after.args[1].body, sp.Add | sp.Mul)  # read in a, not in z
    prove_settled(before, after, "step 4 (dJ/dZ)", reads=reads)


def test_a_wrong_read_of_a_custom_activation_is_refused_and_printed_bracketed() -> None:
    """sg = sigmoid(2 z) has sg' = 2 sg (1 - sg); sg (1 - sg) is refused, and the message
    brackets an element-wise body that is a sum (it printed ``1/m*1 - t2**2``)."""
    before, after, reads = _custom_read("sigmoid(2*z)", in_a=1 - a**2)
    with pytest.raises(InternalError, match=r"confirm that G ⊙ \(1 - S\^2\), which reads S ="):
        prove_settled(before, after, "step 4 (dJ/dZ)", reads=reads)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
@pytest.mark.parametrize(
    "formula", ["1/(1+exp(-z))", "tanh(z)", "sigmoid(2*z)", "exp(z)/(2+exp(z))"]
)
def test_a_model_reading_a_custom_activation_generates_code(formula: str, backend: str) -> None:
    code = sb.codegen(Model.parse(CUSTOM_READ, define={"sg": formula}), backend=backend)
    assert "def loss_and_grads" in code
