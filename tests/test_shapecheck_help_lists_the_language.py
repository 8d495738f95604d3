"""``shapecheck --help`` names every function, activation and operator sign the formula
language reads: the help left out sin and cos, and the signs · and × that the parser reads as
the element-wise product (hostile29)."""

from __future__ import annotations

from cli.cmd_shapecheck import SHAPECHECK_EPILOG
from symbackprop.formula import parser
from symbackprop.formula.table import FUNCTIONS
from symbackprop.records.activations import ACTIVATIONS

_WORDS = {w.strip(".,;:()") for w in SHAPECHECK_EPILOG.replace("(", " ").split()}

#: the losses are the model language's costs, never part of a gradient formula
_LOSSES = {"bce", "ce", "mse"}


def test_every_function_and_activation_is_in_the_help() -> None:
    names = FUNCTIONS.names(models=True) - _LOSSES
    missing = sorted((names | set(ACTIVATIONS)) - _WORDS - {"sum", "rowsum"})
    assert not missing, f"shapecheck --help does not name {missing}"
    assert "sum(M)" in SHAPECHECK_EPILOG and "rowsum(M)" in SHAPECHECK_EPILOG


def test_every_sign_of_the_elementwise_product_is_in_the_help() -> None:
    signs = {sign for sign, op in parser._OPERATORS.items() if op in ("*", "⊙")}
    assert signs == {"*", "·", "×", "⊙", "∘"}
    line = next(x for x in SHAPECHECK_EPILOG.splitlines() if "for the element-wise one" in x)
    missing = sorted(sign for sign in signs if sign not in line)
    assert not missing, f"shapecheck --help does not show {missing} for the element-wise product"
