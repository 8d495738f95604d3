"""--define refuses every name the formula language defines; a reason's derivative is written
in a placeholder no model name can be (hostile6 items 11 and 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.errors import SpecError
from symbackprop.formula import FUNCTIONS
from symbackprop.spec import build_customs


@pytest.mark.parametrize("name", sorted(FUNCTIONS.names(models=True)))
def test_define_refuses_a_built_in_name(name: str) -> None:
    with pytest.raises(SpecError, match=repr(name) + " is a built-in"):
        build_customs(((name, "z*2"),))


def test_define_accepts_a_new_name() -> None:
    assert set(build_customs((("sq", "z^2"),))) == {"sq"}


def test_a_derivative_in_a_reason_does_not_read_as_a_model_value(tmp_path: Path) -> None:
    path = tmp_path / "t.model"
    path.write_text(
        "x : n x 1\nW : n x n\nsizes: n = 2\nt = W x\nJ = sum(tanh(t + 1))\ndata: x\n",
        encoding="utf-8",
    )
    d = sb.derive(str(path))
    text = sb.to_text(d)
    assert "derivative 1 - tanh(·)^2" in text and "tanh(t)" not in text
    latex = sb.to_latex(d)
    assert r"\tanh^{2}{(\cdot )}" in latex and r"(\cdot) )" not in latex
