"""symbackprop: derive backpropagation for fully connected networks symbolically.

The public names are exported lazily (PEP 562): ``import symbackprop`` is cheap and imports
neither SymPy nor NumPy; they are loaded on first use of a name that needs them.

>>> import symbackprop as sb
>>> net = sb.Network.parse("4-3-2-1")            # doctest: +SKIP
>>> d = sb.derive(net)                            # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from symbackprop._version import __version__

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from symbackprop.derivation import Derivation, Step, derive
    from symbackprop.errors import FormulaError, SpecError, SymbackpropError
    from symbackprop.executor import compile
    from symbackprop.finite_diff import gradcheck
    from symbackprop.formula.check import check_formula
    from symbackprop.lowering import cache_plan, codegen
    from symbackprop.spec import Layer, Network

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "Network": "symbackprop.spec",
    "Layer": "symbackprop.spec",
    "SpecError": "symbackprop.errors",
    "FormulaError": "symbackprop.errors",
    "SymbackpropError": "symbackprop.errors",
    "derive": "symbackprop.derivation",
    "Derivation": "symbackprop.derivation",
    "Step": "symbackprop.derivation",
    "codegen": "symbackprop.lowering",
    "cache_plan": "symbackprop.lowering",
    "compile": "symbackprop.executor",
    "gradcheck": "symbackprop.finite_diff",
    "check_formula": "symbackprop.formula.check",
}

__all__ = [
    "Derivation",
    "FormulaError",
    "Layer",
    "Network",
    "SpecError",
    "Step",
    "SymbackpropError",
    "__version__",
    "check_formula",
    "cache_plan",
    "codegen",
    "compile",
    "derive",
    "gradcheck",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'symbackprop' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # cache: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
