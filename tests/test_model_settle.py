"""A model plan's settled backward expressions are proved equal to the derivation's steps.

The plan prints ``(1/200) 1_4`` for ``((1/200) I)[0, 0] 1_4`` and ``2 w`` for ``w + w``; every
such rewrite is proved by SymPy (:mod:`symbackprop.lowering.settle_check`, explicit matrices
at small sizes, exactly) before a statement is written, and a wrong one is refused as our bug
(an InternalError naming the step; exit 3 in the CLI).
"""

from __future__ import annotations

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
from symbackprop.records.nodes import Elementwise, T

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


def test_a_dropped_term_and_a_wrong_shape_are_refused() -> None:
    with pytest.raises(InternalError, match="does not confirm"):
        prove_settled(MatAdd(W, W), W, "step 2")
    with pytest.raises(InternalError, match="shape"):
        prove_settled(MatMul(OneMatrix(k, m), OneMatrix(m, 1)), OneMatrix(k, m), "step 2")


# -- the plan proves what it settles, and refuses a wrong settle ------------------------------


def _settled_pairs(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    """Spies on the plan: (every pair _settle changed, every pair the plan proved)."""
    changed: list[Any] = []
    proved: list[Any] = []
    settle, prove = model_plan._settle, model_plan.prove_settled

    def spy_settle(expr: Any) -> Any:
        out = settle(expr)
        if out != expr:
            changed.append((expr, out))
        return out

    def spy_prove(before: Any, after: Any, where: str) -> None:
        prove(before, after, where)
        proved.append((before, after))

    monkeypatch.setattr(model_plan, "_settle", spy_settle)
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
    # 2 w + w: a term dropped from the sum the derivation wrote
    monkeypatch.setattr(
        model_plan, "_settle", lambda expr: expr.args[0] if isinstance(expr, MatAdd) else expr
    )
    path = tmp_path / "squares.model"
    path.write_text(SQUARES, encoding="utf-8")
    result = CliRunner().invoke(main, ["codegen", str(path)])
    assert result.exit_code == 3, result.output
    assert "internal error" in result.output and "dJ/dw" in result.output


def _every_model() -> list[Any]:
    keys = [pytest.param(("file", p), id=p.stem) for p in EXAMPLES]
    keys += [pytest.param(("test", key), id=key) for key in ("kitchen_sink", "edge_cases")]
    return keys


@pytest.mark.slow
@pytest.mark.parametrize("which", _every_model())
def test_every_settled_expression_of_every_model_is_proved(
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
    changed, proved = _settled_pairs(monkeypatch)
    model_plan.build_model_plan(derivation, sizes)
    assert set(changed) <= set(proved)
