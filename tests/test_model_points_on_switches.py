"""A model's point with a difference on a switch is drawn again, as a network's (review16 T3).

``(x ⊙ (1{x ⊙ x > 4} + 1{x ⊙ x < 4}))^T`` is x^T everywhere but at x_j = ±2, a set of measure
zero; random leaves are small fractions and often hit 2. The network path drew such a point
again (review15 N11); the model path took its difference as a counterexample and failed the
right formula. Both now go through one loop (:func:`redraw.first_difference`): a point with a
difference and a base on a switch is drawn again, reaches no region, and where every redraw
lies on a switch too its difference is the verdict (review16 T1: a false pass otherwise).
"""

from __future__ import annotations

from typing import Any

import pytest

import symbackprop as sb
from symbackprop.apps.shapecheck import redraw

MODEL = "x : 3 x 1\ny : 1 x 1\nW : 2 x 3\nv : 1 x 2\nh = relu(W x)\nJ = mse(v h, y)"
SPLIT = "(x ⊙ (1{{x ⊙ x > {c}}} + 1{{x ⊙ x < 4}}))^T"


class _Sides:
    """A stand-in for :class:`Sides`: which points lie on a switch, and which were seen."""

    def __init__(self, on: list[bool]) -> None:
        self.on = on
        self.seen: list[Any] = []

    def on_switch(self, evaluate: Any, *, exact: bool = False) -> bool:
        return self.on[evaluate]

    def see(self, evaluate: Any, *, inside: bool = True, exact: bool = False) -> None:
        self.seen.append(evaluate)


def _draws(rows: list[Any]) -> Any:
    points = iter(range(len(rows)))

    def draw() -> redraw.Drawn:
        k = next(points)
        return redraw.Drawn(k, rows[k])

    return draw


def test_a_difference_on_a_switch_is_drawn_again_and_counts_where_all_are() -> None:
    # the first point differs on a switch: drawn again; the next three are equal
    sides = _Sides([True, False, False, False])
    found = redraw.first_difference(_draws(["on", None, None, None]), 3, sides, exact=True)
    assert found is None and sides.seen == [1, 2, 3]  # the point on the switch reached nothing
    # a difference off the switches is the verdict at once
    sides = _Sides([False])
    assert redraw.first_difference(_draws(["off"]), 3, sides, exact=True) == "off"
    # every draw differs on a switch: the first difference is the verdict, not a pass
    sides = _Sides([True] * 6)
    found = redraw.first_difference(_draws([f"on{k}" for k in range(6)]), 3, sides, exact=True)
    assert found == "on0" and sides.seen == []


@pytest.mark.slow
@pytest.mark.parametrize(("threshold", "code"), [("4", 0), ("4.01", 1)])
def test_a_models_factor_with_a_switch_at_a_drawn_value(threshold: str, code: int) -> None:
    formula = f"((v^T (v h - y)) ⊙ 1{{W x > 0}}) {SPLIT.format(c=threshold)}"
    report = sb.check_formula(sb.Model.parse(MODEL), "W", formula)
    assert report.exit_code == code, str(report)
