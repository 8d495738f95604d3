"""hostile11's small items (18): human words where SymPy's or Python's showed through."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck.check import _text


def test_a_note_names_an_element_wise_inverse_in_words_not_sympys_class() -> None:
    zero_inverse = sp.HadamardPower(sp.ZeroMatrix(3, 2), -1)
    assert _text(zero_inverse) == "1 / (0)"
    report = sb.check_formula("4-3-2-1", "W2", "delta2 a1^T ⊙ (W2 - W2)/(W2 - W2)")
    assert not report.ok
    assert not any("Hadamard" in note for note in report.notes), report.notes


def test_a_model_modules_data_shape_error_writes_the_shape_as_the_docs_do() -> None:
    model = sb.Model.parse("W : 2 x n\nX : n x m\nsizes: n = 4\nJ = sum(W X)\ndata: X\n")
    module = sb.compile(model)
    params = module.init_params(seed=0)
    with pytest.raises(ValueError, match=r"^X has shape \(3, 3\), expected \(4, m\)$"):
        module.forward(params, np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"X must be a 2-D array of shape \(4, m\), got \(4,\)"):
        module.forward(params, np.ones(4))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "W : 2 x 3\nX : 3 x m\nJ = sum(W X)\ndata: X\n",
            r"line 1: 'W' is declared here and is also the name of a custom activation",
        ),
        (
            "X : 3 x m\nU = W X\nJ = sum(U ⊙ U)\ndata: X\n",
            r"line 2: 'W' is used as a value but is the name of a custom activation",
        ),
    ],
)
def test_a_define_that_clashes_with_a_models_name_says_so(text: str, message: str) -> None:
    with pytest.raises(sb.SpecError, match=message):
        sb.Model.parse(text, define={"W": "z"})
    # no clash: the name is only a function; the model's value is V
    renamed = text.replace("W", "V")
    if "V :" not in renamed:
        renamed = "V : 2 x 3\n" + renamed
    assert sb.Model.parse(renamed, define={"W": "z"}).parameters == ("V",)


def test_a_written_out_one_by_one_base_is_shown_in_the_formula_language() -> None:
    """review15 LOW: the 1 x 1 base of 1{sum(W ⊙ W) + 0.001 sum(W) > 0.5} is SymPy's explicit
    matrix of its entries; an exit-2 message named it as Matrix([[W[0, 0]**2 + ...]])."""
    w = sp.MatrixSymbol("W", 2, 3)
    entries = [w[i, j] ** 2 + w[i, j] / 1000 for i in range(2) for j in range(3)]
    base = sp.ImmutableMatrix([[sp.Add(*entries)]])
    assert _text(base) == "sum(W^2) + 0.001 sum(W)"
    # no such sum: its entry as it stands, not SymPy's Matrix([[...]])
    assert _text(sp.ImmutableMatrix([[w[0, 0] * w[1, 1]]])) == "W[0, 0]*W[1, 1]"
