"""Every printer shows an expression in plain form: no ``(w^T)^T``, no ``1 ⊙ M``.

The rewrite acts on the SymPy expression (``core/plain_form.py``), once, before text, LaTeX,
MathML or the formula language print it; each of its rules is checked by SymPy, and here the
results are compared with the originals entry by entry at concrete sizes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from sympy import HadamardProduct, Identity, MatrixSymbol, OneMatrix, Transpose

import symbackprop as sb
from symbackprop.core import plain_form
from symbackprop.core.plain_form import plain
from symbackprop.errors import InternalError
from symbackprop.render.formula import to_formula
from symbackprop.render.model_view import ModelView

NORM2 = "A : k x n\nx : n x 1\ny : k x 1\nsizes: k = 3, n = 2\nJ = norm2(A x - y)^2\ndata: y\n"

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"
n, m = sp.Symbol("n", integer=True, positive=True), sp.Symbol("m", integer=True, positive=True)
W, X = MatrixSymbol("W", n, n), MatrixSymbol("X", n, m)
w, b = MatrixSymbol("w", n, 1), MatrixSymbol("b", n, 1)
q = MatrixSymbol("q", 1, 1)


def _explicit(expr: sp.MatrixExpr) -> sp.Matrix:
    return expr.subs({n: 2, m: 3}).as_explicit()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Transpose(Transpose(HadamardProduct(W, W))), HadamardProduct(W, W)),
        (Transpose(Transpose(Transpose(Transpose(w)))), w),
        (HadamardProduct(OneMatrix(n, 1), w), w),
        (HadamardProduct(sp.Rational(1, 200) * OneMatrix(n, 1), w), sp.Rational(1, 200) * w),
        (HadamardProduct(Identity(1), q), q),
        (
            HadamardProduct(Transpose(Transpose(X)), X) + Transpose(Transpose(X)),
            HadamardProduct(X, X) + X,
        ),
    ],
)
def test_plain_rewrites_and_stays_equal(before: sp.MatrixExpr, after: sp.MatrixExpr) -> None:
    out = plain(before)
    assert out == after
    assert _explicit(out) == _explicit(before)


def test_a_rule_that_does_not_hold_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each rule is checked by SymPy on a generic instance: one that dropped a number with
    the ones (``(c 1) ⊙ M`` -> ``M``) is an internal error, never printed."""
    right = plain_form._apply

    def wrong(node: sp.Basic, transposes: dict[sp.Basic, sp.Basic]) -> sp.Basic | None:
        return node.args[-1] if isinstance(node, HadamardProduct) else right(node, transposes)

    monkeypatch.setattr(plain_form, "_apply", wrong)
    plain_form._check.cache_clear()
    plain_form._plain.cache_clear()
    with pytest.raises(InternalError, match="does not hold"):
        plain(HadamardProduct(3 * OneMatrix(n, 1), w))
    plain_form._check.cache_clear()
    plain_form._plain.cache_clear()


def test_what_has_nothing_to_rewrite_comes_back_as_itself() -> None:
    expr = HadamardProduct(W * X, X) + b * OneMatrix(1, m)
    assert plain(expr) is expr
    # only broadcast columns would remain: the ones give the columns, the product stays
    spread = HadamardProduct(OneMatrix(n, m), b * OneMatrix(1, m))
    assert plain(spread) is spread


def test_a_value_defined_as_a_transpose_transposed_again_is_its_argument() -> None:
    """dot.model: J = (y ⊙ v)^T x; dJ/dx = _t2^T with _t2 = (y ⊙ v)^T, shown by its source."""
    d = sb.derive(str(MODELS / "dot.model"))
    view = ModelView(d)  # type: ignore[arg-type]
    assert view.text(d.gradients["x"]) == "(y ⊙ v)"  # inside an expression
    assert view.whole(d.gradients["x"]) == "y ⊙ v"  # a whole side of an equation
    text, latex = sb.to_text(d), sb.to_latex(d)
    assert "dJ/dx = ((y ⊙ v)^T)^T" not in text and "dJ/dx = y ⊙ v" in text
    assert r"^{\top})^{\top}" not in latex and r"(x^{\top})^{\top}" not in latex
    assert to_formula(plain(Transpose(Transpose(w)))) == "w"


def test_the_seed_one_is_left_out_of_an_elementwise_product() -> None:
    """logdet_inv.model: dJ/d(det(inv(X))) was 1 ⊙ (1/det(inv(X)))."""
    d = sb.derive(str(MODELS / "logdet_inv.model"))
    text, markdown = sb.to_text(d), sb.to_markdown(d)
    assert "dJ/d(det(inv(X))) = 1/det(inv(X))" in text and "= 1 ⊙" not in text
    assert r"= 1 \odot" not in markdown


def test_an_entry_of_a_1x1_value_times_ones_is_not_taken_out_as_a_number() -> None:
    """norm2(A x - y)^2: sqrt(sum(...))[0, 0] 1 ⊙ ... stays a product; taken out as a number,
    SymPy wrote the entry as index sums (Sum(A[_i_1, _i_2] x[_i_2, 0], ...)) that the printed
    truth could not be pasted back from."""
    derivation = sb.derive(sb.Model.parse(NORM2))
    shown = plain(derivation.expanded["A"])
    assert not shown.atoms(sp.Sum) and "_i_" not in str(shown)
