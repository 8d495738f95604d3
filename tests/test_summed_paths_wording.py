"""A step that adds the paths by which a value reaches J says what each path contributes.

newcomer27 #1: each path's own reason was pasted into the sum, and its conclusion claimed the
whole gradient: tied_autoencoder's dJ/dW = dJ/d(W X) X^T + dJ/d(W^T)^T said "..., so dJ/dW =
dJ/d(W^T)^T".
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.core.segments import Grad, Rel

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


@pytest.mark.parametrize(
    ("model", "wrt"),
    [
        ("tied_autoencoder", "W"),
        ("batch_norm", "Z"),
        ("quadratic", "x"),
        ("trace", "X"),
        ("logistic_l2", "w"),
    ],
)
def test_no_path_of_a_sum_claims_the_whole_gradient(model: str, wrt: str) -> None:
    derivation = sb.derive(sb.Model.parse((MODELS / f"{model}.model").read_text()))
    summed = [step for step in derivation.steps if "paths" in "".join(_plain(step.segments))]
    step = next(s for s in summed if s.wrt.name == wrt)
    pairs = zip(step.segments, step.segments[1:], strict=False)
    assert not any(isinstance(a, Grad) and a.symbol == step.wrt and b == Rel() for a, b in pairs)
    assert "path contributes" in "".join(_plain(step.segments))
    text = sb.to_text(derivation)
    assert f"so dJ/d{wrt} = dJ/d({wrt}^T)^T" not in text


def _plain(segments: tuple[object, ...]) -> list[str]:
    return [getattr(segment, "plain", "") for segment in segments]


def test_a_title_too_long_for_the_width_puts_its_parenthesis_on_a_line_of_its_own() -> None:
    """newcomer27 #12: '(cost J; batch of m' ended one line and 'examples (columns))' began
    the next."""
    from symbackprop.render.lines import Lines

    block = Lines()
    block.title(
        "Backpropagation for a model in W1, b1, W2, w, c", "cost J; batch of m examples (columns)"
    )
    assert block.plain(80).splitlines() == [
        "Backpropagation for a model in W1, b1, W2, w, c",
        "(cost J; batch of m examples (columns))",
    ]
    assert block.plain(100).splitlines() == [
        "Backpropagation for a model in W1, b1, W2, w, c  (cost J; batch of m examples (columns))"
    ]
