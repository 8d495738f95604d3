"""The names generated code uses, in one place: CS229's W1, b1, Z1, A1, X, Y, dZ1, dW1, L2.

The batch forward graph already names its symbols the CS229 way (``W1``, ``Z1``, ``A1``, ``X``,
``Y``); what the derivation names otherwise, its deltas (``delta2``) and the weight-decay
coefficient (``lambda``), is renamed here by :func:`code_symbols`, a SymPy ``xreplace`` map
built from the derivation's own symbols, never by matching text. The plan and every emitter
take their names from this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from symbackprop.core.derivation import LAMBDA

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation

#: the data arrays after ``params``, in the order the module's functions take them
DATA: tuple[str, ...] = ("X", "Y")
#: the weight-decay coefficient lambda, a module constant
L2 = "L2"
#: the batch size: a dimension in plan shapes, a local variable in generated code
BATCH = "m"


def delta(layer: int) -> str:
    """dJ/dZ[l] in code: ``dZ2``."""
    return f"dZ{layer}"


def gradient(parameter: str) -> str:
    """dJ/d(parameter) in code: ``W2`` -> ``dW2``."""
    return f"d{parameter}"


def code_symbols(derivation: Derivation) -> dict[Any, Any]:
    """``xreplace`` map from the derivation's own symbols to code-name symbols.

    ``delta2`` (n2 x m) -> the MatrixSymbol ``dZ2`` of the same shape; ``lambda`` -> ``L2``.
    Every other symbol of the batch graph already has its code name.
    """
    out: dict[Any, Any] = {
        symbol: sp.MatrixSymbol(delta(layer), *symbol.shape)
        for layer, symbol in derivation.delta_symbols.items()
    }
    out[LAMBDA] = sp.Symbol(L2, positive=True)
    return out
