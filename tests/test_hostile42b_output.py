"""What the printed derivations said that was short of the truth (hostile42b, 2026-12-06)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.model import Model
from symbackprop.render.indices import to_index_text

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


def _model(name: str) -> Model:
    return Model.from_file(MODELS / f"{name}.model")


def test_a_formula_that_is_a_number_is_called_a_number() -> None:
    """#5: "the formula is number, but dJ/db3 must be n3 x 1"."""
    report = sb.check_formula("4-3-2-1", "b3", "sum(a3 - y)")
    assert report.exit_code == 1
    assert "the formula is a number, but dJ/db3" in str(report.error)


def test_the_batch_mean_beside_the_scalar_algebra_is_said() -> None:
    """#2: dJ/dZ3 = (1/m)(A3 - Y) beside the algebra '... = a - y' left the 1/m unexplained,
    in a network (batch) and in a model."""
    d = sb.derive("n-3-2-1", batch=True)
    step = next(s for s in d.steps if s.algebra)
    assert "1/m stays a factor of every entry" in step.reason
    single = sb.derive("n-3-2-1", batch=False)
    assert not any("1/m" in s.reason for s in single.steps if s.algebra)
    model = sb.derive(_model("residual_mlp"))
    reasons = [s.reason for s in model.steps if s.algebra]
    assert any("times the loss's factor 1/m" in r for r in reasons), reasons


def test_a_det_step_lists_the_cached_argument_it_inverts() -> None:
    """#6: dJ/d(inv(X)) = det(inv(X)) g inv(inv(X)^T) read inv(X) from the cache and listed
    det(inv(X)) alone; a logdet of a product lists the product (a parameter is not listed)."""
    d = sb.derive(_model("logdet_inv"))
    text = sb.to_text(d)
    assert "reuses from the forward cache: det(inv(X)), inv(X)" in text
    square = Model.parse("A : n x n\nsizes: n = 3\ndata:\nJ = logdet(A^T A) + det(A)\n")
    shown = sb.to_text(sb.derive(square))
    assert "reuses from the forward cache: A^T A\n" in shown
    assert "reuses from the forward cache: det(A)\n" in shown  # A itself is a parameter


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_the_index_view_of_a_loss_says_the_penalty_does_not_depend_on_it() -> None:
    """#7: with --l2 the bracket differentiated is the loss part of J alone."""
    network = sb.Network.parse("4-3:relu-3:softmax", loss="ce", l2=0.5)
    d = sb.derive(network, batch=True)
    text = to_index_text(d)
    assert "(its L2 penalty does not depend on A2)" in text
    plain = to_index_text(sb.derive(sb.Network.parse("4-3:relu-3:softmax", loss="ce"), batch=True))
    assert "penalty" not in plain


def test_a_long_left_side_in_a_model_snippet_has_a_row_of_its_own() -> None:
    """#1: two_heads' dJ/dce(softmax(V H + d), Y2) set every right side of the snippet beside
    it, breaking them at a third of the line (dJ/dH = w dJ/d(w^T H) + V^T / dJ/d(V H))."""
    tex = sb.to_latex(sb.derive(_model("two_heads")), standalone=False)
    rows = re.split(r" \\\\\*?\n", tex.split("\\begin{align}\n")[1])
    ce = next(i for i, row in enumerate(rows) if r"\operatorname{ce}" in row)
    assert rows[ce].startswith("&") and rows[ce + 1].startswith("&= 1")
    dh = next(row for row in rows if row.startswith(r"\frac{\partial J}{\partial H} &="))
    assert dh.endswith(r"\frac{\partial J}{\partial (V \, H)} \notag"), dh


def test_shapes_json_gives_null_for_a_size_it_does_not_know() -> None:
    """#3: ``shapes --format json`` wrote "size": "" where derive's JSON writes null."""
    import json

    from click.testing import CliRunner

    from symbackprop.cli.main import main

    done = CliRunner().invoke(main, ["shapes", "n-3-1", "--batch", "--format", "json"])
    table = json.loads(done.stdout)
    assert table["X"] == {"shape": "n x m", "size": None}
    assert table["b1"] == {"shape": "n1 x 1", "size": "3 x 1"}
