"""A model's Step.target and Step.reason (the plain-text views of a step) name values as the
user wrote them, never by the graph's internal names _tN (hostile7 12c)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.model import Model
from symbackprop.render.model_view import ModelView

MODELS = Path(__file__).parent.parent / "examples" / "models"
INTERNAL = re.compile(r"(?<![A-Za-z0-9])_t[0-9]")


@pytest.mark.parametrize("name", sorted(path.stem for path in MODELS.glob("*.model")))
def test_no_step_text_names_an_internal_value(name: str) -> None:
    derivation = sb.derive(Model.from_file(MODELS / f"{name}.model"))
    view = ModelView(derivation)
    for step in derivation.steps:
        texts = (step.target, step.reason, step.algebra_text or "")
        assert not any(INTERNAL.search(text) for text in texts), texts
        # the record says what the printed derivation says
        assert step.target == view.target(step)


def test_rnn_steps_read_as_printed() -> None:
    steps = sb.derive(Model.from_file(MODELS / "rnn_3.model")).steps
    by_target = {step.target: step for step in steps}
    assert "dJ/d(v^T h3 + c)" in by_target and "dJ/d(v^T)" in by_target
    assert by_target["dJ/dv"].reason == (
        "v^T = v^T; entry (i, j) of v is entry (j, i) of v^T, so dJ/dv = (dJ/d(v^T))^T"
    )
    assert by_target["dJ/d(W h2 + U X3 + b)"].reason.startswith(
        "h3 = tanh(W h2 + U X3 + b); tanh acts entry by entry"
    )


def test_a_sum_coefficient_is_bracketed_in_the_reason() -> None:
    # it read "dJ/d(sum(W x)) = 1 + exp(2) 1": exp(2) alone times the adjoint
    model = Model.parse("x : 3 x 1\nW : 2 x 3\ndata: x\nJ = sum(W x) * (1 + exp(2))\n")
    by_target = {step.target: step for step in sb.derive(model).steps}
    reason = by_target["dJ/d(sum(W x))"].reason
    # times the seed dJ/dJ = 1 it is the number alone (hostile51b #5: "0.3 1" read as 0.31)
    assert "so dJ/d(sum(W x)) = 1 + exp(2), of the shape" in reason, reason


def test_the_number_e_prints_as_exp_1_which_the_language_reads() -> None:
    """hostile15 5i: text printed SymPy's ``E`` ("W enters with coefficient 3*E/2"), which the
    model language refuses as a constant it does not know; LaTeX already printed e."""
    model = Model.parse(
        "X : 3 x m\nW : 2 x 3\ndata: X\nJ = sum(2 W X * 3 / 4 * exp(400) / exp(399))\n"
    )
    derivation = sb.derive(model)
    (step,) = [step for step in derivation.steps if step.target == "dJ/dW"]
    assert "coefficient 3*exp(1)/2," in step.reason, step.reason
    assert not re.search(r"\bE\b", sb.to_text(derivation))
    # the bracketed coefficient as printed, pasted into a model, gives the same gradient
    again = Model.parse("X : 3 x m\nW : 2 x 3\ndata: X\nJ = sum((3/2) exp(1) W X)\n")
    assert "= (3/2) exp(1) W;" in step.reason
    assert sb.derive(again).expanded["W"] == derivation.expanded["W"]
