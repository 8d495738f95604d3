"""lecturer43 #1: where shapes alone let two arrangements fit (W h and W^T h for a square W),
every printer's "shape analysis" underbraced the first that fit, W dJ/d(W h2) under the
result W^T dJ/d(W h2), in the rnn_3 and quadratic examples. It shows the one kept."""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


@pytest.mark.parametrize(
    "name", ["rnn_3", "quadratic", "trace", "residual_block", "norm2_squared", "logdet_inv"]
)
def test_the_underbraced_arrangement_is_the_step_result(name: str) -> None:
    derivation = sb.derive(sb.Model.from_file(MODELS / f"{name}.model"))
    ambiguous = 0
    for step in derivation.steps:
        fitting = [c for c in step.candidates if c.fits and c.equal is None]
        if any(c.expr == step.expr for c in fitting):
            assert step.chosen is not None and step.chosen.expr == step.expr, step.number
            ambiguous += len(fitting) > 1
    assert ambiguous, "no step where two arrangements fit: the test tests nothing"


def test_the_rnn_step_shows_w_transposed_in_every_format() -> None:
    derivation = sb.derive(sb.Model.from_file(MODELS / "rnn_3.model"))
    (step,) = [s for s in derivation.steps if s.target == "dJ/dh2"]
    assert str(step.chosen.expr).startswith("W.T*")
    markdown = sb.to_markdown(derivation)
    (line,) = [
        text
        for text in markdown.splitlines()
        if text.startswith("- shape analysis:") and r"\partial (W \, h_{2})}}" in text
    ]
    assert r"\underbrace{W^{\top}}" in line, line
    latex = sb.to_latex(derivation)
    assert (
        r"\underbrace{W}_{n_{1} \times n_{1}} \, \underbrace{\frac{\partial J}{\partial (W"
        not in latex
    )
