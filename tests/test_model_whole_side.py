"""A whole side of an equation needs no brackets: a model's gradient that is one internal value
alone (``dJ/dx`` of ``J = (y ⊙ v)^T x``) reads ``dJ/dx = y ⊙ v``, in the step, the adjoints and
the gradients, in text, LaTeX, Markdown, JSON and MathML; inside a product or a reason the value
keeps its brackets, where they group it."""

from __future__ import annotations

import json
from pathlib import Path

import symbackprop as sb
from symbackprop.render.html_parts import ModelParts

DOT = Path(__file__).parent.parent / "examples" / "models" / "dot.model"


def test_a_lone_internal_value_prints_without_brackets_everywhere() -> None:
    d = sb.derive(DOT)
    text = sb.to_text(d)
    assert " 2. dJ/dx = y ⊙ v\n" in text and "  dJ/dx = y ⊙ v " in text
    assert "J = (y ⊙ v)^T x;" in text  # a reason keeps them: the value is transposed
    tex = sb.to_latex(d, standalone=False)
    assert r"\frac{\partial J}{\partial x} &= y \odot v" in tex
    markdown = sb.to_markdown(d)
    assert r"$\frac{\partial J}{\partial x} = y \odot v$" in markdown
    assert r"\frac{\partial J}{\partial x} &= (y" not in markdown
    data = json.loads(sb.to_json(d))
    assert data["gradients"]["x"]["text"] == "y ⊙ v"
    assert data["gradients"]["x"]["latex"] == r"y \odot v"
    assert data["steps"][1]["expression"] == {"latex": r"y \odot v", "text": "y ⊙ v"}
    _, (_, x_row) = ModelParts(d).gradient_rows()  # v, then x
    assert x_row == "<mi>y</mi><mo>⊙</mo><mi>v</mi>"


def test_an_expanded_gradient_printed_as_the_compact_one_is_not_repeated() -> None:
    d = sb.derive(DOT)
    assert "Expanded" not in sb.to_text(d, expanded=True).split("dJ/dv =")[-1].split("dJ/dx")[0]
    assert r"\frac{\partial J}{\partial x} &= y \odot v" in sb.to_latex(d, standalone=False)
    assert sb.to_latex(d, standalone=False).count(r"\partial x} &=") == 1
