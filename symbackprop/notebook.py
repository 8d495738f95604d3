"""Rich displays in Jupyter, registered by the package facade (not imported by any stage).

When IPython is running, :func:`register` tells its display formatters how to show a
:class:`~symbackprop.core.derivation.Derivation` (Markdown, with the mathematics in
``$...$``), a ``Step`` (Markdown, the terminal's notation in code spans), a ``Model``
(Markdown), and a ``Network``, ``GradCheck``, ``ExactCheck`` and ``FormulaReport`` (HTML
tables), by each class's module and name, so registering imports no SymPy and no printer until
such an object is actually displayed.
"""

from __future__ import annotations

import sys
from typing import Any

#: (module, class name, MIME type, "module:function" that renders it)
DISPLAYS: tuple[tuple[str, str, str, str], ...] = (
    (
        "symbackprop.core.derivation",
        "Derivation",
        "text/markdown",
        "symbackprop.render.markdown:to_markdown",
    ),
    ("symbackprop.core.steps", "Step", "text/markdown", "symbackprop.apps.displays:step_markdown"),
    (
        "symbackprop.model.model",
        "Model",
        "text/markdown",
        "symbackprop.apps.displays:model_markdown",
    ),
    ("symbackprop.spec", "Network", "text/html", "symbackprop.apps.displays:network_html"),
    (
        "symbackprop.check.finite_diff",
        "GradCheck",
        "text/html",
        "symbackprop.apps.displays:gradcheck_html",
    ),
    (
        "symbackprop.check.result",
        "ExactCheck",
        "text/html",
        "symbackprop.apps.displays:exact_check_html",
    ),
    (
        "symbackprop.apps.shapecheck.check",
        "FormulaReport",
        "text/html",
        "symbackprop.apps.displays:formula_report_html",
    ),
)


def _renderer(target: str) -> Any:
    module_name, function_name = target.split(":")

    def render(obj: Any) -> str:
        import importlib

        return getattr(importlib.import_module(module_name), function_name)(obj)  # type: ignore[no-any-return]

    return render


def register(shell: Any | None = None) -> bool:
    """Register the displays with ``shell`` (default: the running IPython); True if it did."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        get = getattr(ipython, "get_ipython", None) if ipython is not None else None
        shell = get() if get is not None else None
    if shell is None:
        return False
    formatters = shell.display_formatter.formatters
    for module, name, mime, target in DISPLAYS:
        formatter = formatters.get(mime)
        if formatter is not None:
            formatter.for_type_by_name(module, name, _renderer(target))
    return True
