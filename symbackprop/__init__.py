"""symbackprop: derive backpropagation symbolically, for dense networks and for any model
written as forward equations.

The public names are exported lazily (PEP 562): ``import symbackprop`` is cheap and imports
neither SymPy nor NumPy; they are loaded on first use of a name that needs them.

>>> import symbackprop as sb
>>> net = sb.Network.parse("4-3-2-1")            # doctest: +SKIP
>>> d = sb.derive(net)                            # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from symbackprop import notebook as _notebook
from symbackprop._version import __version__

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from symbackprop.check.finite_diff import gradcheck
    from symbackprop.core.derivation import Derivation, Step
    from symbackprop.entry import (
        cache_plan,
        check_exact,
        check_formula,
        codegen,
        compile,
        derive,
        to_html,
    )
    from symbackprop.errors import FormulaError, SpecError, SymbackpropError
    from symbackprop.model import Model
    from symbackprop.render import to_json, to_latex, to_markdown, to_text
    from symbackprop.spec import Layer, Network

# public name -> module that defines it. The entry points (derive, codegen, compile,
# cache_plan, check_formula, check_exact) come from symbackprop.entry, which accepts a Network,
# a compact spec string, a spec file, a Model, a model file or a Derivation for each of them
# (one normalising function, symbackprop.model.source.as_source).
_LAZY: dict[str, str] = {
    "Network": "symbackprop.spec",
    "Model": "symbackprop.model",
    "Layer": "symbackprop.spec",
    "SpecError": "symbackprop.errors",
    "FormulaError": "symbackprop.errors",
    "SymbackpropError": "symbackprop.errors",
    "derive": "symbackprop.entry",
    "Derivation": "symbackprop.core.derivation",
    "Step": "symbackprop.core.derivation",
    "codegen": "symbackprop.entry",
    "cache_plan": "symbackprop.entry",
    "compile": "symbackprop.entry",
    "check_formula": "symbackprop.entry",
    "check_exact": "symbackprop.entry",
    "gradcheck": "symbackprop.check.finite_diff",
    "to_text": "symbackprop.render",
    "to_html": "symbackprop.entry",
    "to_latex": "symbackprop.render",
    "to_markdown": "symbackprop.render",
    "to_json": "symbackprop.render",
}

__all__ = [
    "Derivation",
    "FormulaError",
    "Layer",
    "Model",
    "Network",
    "SpecError",
    "Step",
    "SymbackpropError",
    "__version__",
    "check_exact",
    "check_formula",
    "cache_plan",
    "codegen",
    "compile",
    "derive",
    "gradcheck",
    "to_html",
    "to_json",
    "to_latex",
    "to_markdown",
    "to_text",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'symbackprop' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # cache: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    """The public names, the module's own dunders and its submodules loaded so far: not the
    names its code imports for itself (``Any``, ``TYPE_CHECKING``, ``annotations``:
    hostile38c #13)."""
    own = globals()
    dunders = {name for name in own if name.startswith("__")}
    submodules = {
        name
        for name, value in own.items()
        if isinstance(value, type(importlib)) and value.__name__ == f"{__name__}.{name}"
    }
    return sorted(set(__all__) | dunders | submodules)


# In a running IPython (Jupyter), show a Derivation as Markdown; a no-op anywhere else.
_notebook.register()
