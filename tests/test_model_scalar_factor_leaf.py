"""Hostile round 11, finding 6: a leaf used only as a scalar factor of the cost (``J = q sum(X)``)
got "the cost 'J' must be 1 x 1, found ? x ?". The cost being 1 x 1 decides such a leaf, as
``J = q + sum(X)`` already decided q by the sum."""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.model import Model

HEAD = "X : n0 x m\nW : n1 x n0\nsizes: n0 = 2, n1 = 2\n"


@pytest.mark.parametrize(
    ("cost", "leaf"),
    [
        ("q sum(W X ⊙ W X)", "q"),
        ("q ⊙ sum(W X)", "q"),
        ("0 x10 sum(W X ⊙ W X)", "x10"),  # 0 times a leaf x10: listed as a 1 x 1 parameter
        ("q + sum(W X)", "q"),
    ],
)
def test_a_scalar_factor_of_the_cost_is_1_by_1(cost: str, leaf: str) -> None:
    model = Model.parse(f"{HEAD}J = {cost}\ndata: X\n")
    assert tuple(model.shapes[leaf]) == (1, 1)
    assert leaf in model.parameters


@pytest.mark.slow
def test_the_scalar_factors_gradient_is_exact() -> None:
    model = Model.parse(f"{HEAD}J = q sum(W X ⊙ W X)\ndata: X\n")
    assert sb.check_exact(model).ok


@pytest.mark.parametrize(
    ("text", "declaration"),
    [
        ("x : n x 1\nsizes: n = 3\ndata: x\nJ = w^T x\n", "'w : n x 1'"),
        ("x : n x 1\nsizes: n = 3\ndata: x\nJ = W x\n", "'W : 1 x n'"),
    ],
)
def test_a_cost_of_one_unknown_side_names_the_declaration_that_makes_it_a_number(
    text: str, declaration: str
) -> None:
    """hostile41a #4: ``J = w^T x`` is still refused (``J = W x`` more likely lacks a sum than
    means a row W), but the message names the leaf and its declaration, not only "? x 1"."""
    with pytest.raises(sb.SpecError, match="found \\? x 1; declare " + declaration):
        Model.parse(text)
    leaf, shape = declaration.strip("'").split(" : ")
    declared = Model.parse(text.replace("sizes:", f"{leaf} : {shape}\nsizes:"))
    assert tuple(declared.shapes["J"]) == (1, 1)


def test_no_declaration_is_offered_where_none_makes_the_cost_a_number() -> None:
    """``J = W X``: ? x m whatever W is."""
    with pytest.raises(sb.SpecError) as info:
        Model.parse("X : n x m\nsizes: n = 3\ndata: X\nJ = W X\n")
    assert "found ? x m" in str(info.value) and "declare" not in str(info.value)
