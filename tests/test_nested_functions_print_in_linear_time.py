"""exp nested 20 deep took 40 s and 1.6 GB to print (``latex``, ``derive --format html`` and
``derive --expanded``; 25 deep did not finish in a minute): the text printer printed each
element-wise function's argument twice, once as itself and once as a call's argument, so the
work doubled at every level (hostile30). Counted in printer calls, not seconds."""

from __future__ import annotations

from typing import Any

import pytest

import symbackprop as sb
from symbackprop.render.model_print import ModelTextPrinter


def _model(depth: int, function: str) -> sb.Model:
    inner = "w"
    for _ in range(depth):
        inner = f"{function}({inner})"
    return sb.Model.parse(f"x : n x 1\nw : n x 1\nsizes: n = 3\nJ = sum({inner} ⊙ x)\ndata: x\n")


def _calls(monkeypatch: pytest.MonkeyPatch, depth: int, function: str) -> int:
    count = 0
    original = ModelTextPrinter._print_ElementwiseApplyFunction

    def counted(self: Any, expr: Any) -> str:
        nonlocal count
        count += 1
        return original(self, expr)

    monkeypatch.setattr(ModelTextPrinter, "_print_ElementwiseApplyFunction", counted)
    sb.to_text(sb.derive(_model(depth, function)), expanded=True)
    return count


@pytest.mark.parametrize("function", ["exp", "sqrt"])
def test_printing_a_nested_function_grows_linearly_with_its_depth(
    monkeypatch: pytest.MonkeyPatch, function: str
) -> None:
    shallow, deep = _calls(monkeypatch, 6, function), _calls(monkeypatch, 12, function)
    # linear: twice the depth, a few times the calls (each level's steps print it again);
    # doubling per level made it 2^6 = 64 times as many
    assert deep < 6 * shallow, (shallow, deep)
