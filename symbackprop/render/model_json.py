"""JSON of a model's derivation, for other tools. A stable structure, keys in this order:

- ``symbackprop``: the version; ``model``: ``text`` (as written), ``parameters``, ``data``,
  ``cost``, ``sizes``; ``batch``; ``wrt``;
- ``equations``: a list of ``{name, line, text, latex}`` (the equations as written);
- ``shapes``: name -> ``{symbolic, text, concrete, inferred_from}``, ``inferred_from`` being
  ``{line, equation}`` for an inferred shape and ``null`` for a declared one;
- ``assumptions``; ``steps``: each ``{target, rule, shape, expression, reason, candidates,
  uses, algebra, stores}`` as in a network's JSON (names shown as the printers show them: an
  internal value by what it stands for, :mod:`symbackprop.render.model_names`);
- ``adjoints``: the adjoints kept under a symbol, ``{symbol, expression}`` in step order;
- ``gradients``: parameter -> ``{latex, text, shape}``; with ``expanded``, ``expanded``
  (parameter -> ``{latex, text}``, only those printed) and ``expanded_note``.

Every expression is given as LaTeX and as plain text.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from symbackprop._version import __version__
from symbackprop.formula.ast import to_text as formula_text
from symbackprop.render.formula_latex import formula_latex
from symbackprop.render.model_latex import ModelLatex
from symbackprop.render.model_names import name_latex
from symbackprop.render.model_view import ModelView
from symbackprop.render.names import concrete, shape_text
from symbackprop.render.shown_sizes import shown_sizes

if TYPE_CHECKING:
    from symbackprop.core.model_derivation import ModelDerivation


def _shape(shape: tuple[Any, Any], sizes: dict[str, int]) -> dict[str, Any]:
    known = concrete(shape, sizes)
    return {
        "symbolic": [str(shape[0]), str(shape[1])],
        "text": shape_text(shape),
        "concrete": list(known) if known else None,
    }


def to_data(
    d: ModelDerivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A model's derivation as plain JSON-able data (see the module docstring)."""
    view = ModelView(d, wrt=wrt, expanded=expanded, extra_sizes=shown_sizes(sizes, d))
    doc = ModelLatex(view)
    model, names = view.model, view.names

    def expr(e: Any) -> dict[str, str]:
        return {"latex": doc.whole(e), "text": view.whole(e)}

    steps = []
    for step in view.steps:
        steps.append(
            {
                "number": step.number,  # as every format prints it (a --wrt view skips some)
                "target": view.target(step),
                "rule": step.rule,
                "shape": _shape(step.shape, view.sizes),
                "expression": expr(step.expr),
                "reason": view.reason(step),
                "candidates": [
                    {
                        "text": view.candidate_text(cand),
                        "latex": doc.candidate(cand),
                        "op": "matmul" if cand.op == "@" else "hadamard",
                        "shape": shape_text(cand.shape) if cand.shape else None,
                        "fits": cand.fits,
                        "equal": cand.equal is not None,
                        "note": view.prose(cand.notes),
                    }
                    for cand in step.candidates
                ],
                "uses": [names.bare_text(name) for name in step.uses],
                "algebra": view.prose(step.algebra_segments) if step.algebra_segments else None,
                "stores": step.stores,
            }
        )
    shapes = {}
    for name in view.table_names():
        reason = model.shape_reasons.get(name)
        shapes[name] = {
            **_shape(model.shapes[name], view.sizes),
            "inferred_from": None
            if reason is None
            else {"line": reason[0], "equation": " ".join(reason[1].split())},
        }
    data: dict[str, Any] = {
        "symbackprop": __version__,
        # the keys of a model file (``equations``, ``define``) first, so that this block
        # reads back as one; the rest only repeats what the equations make
        "model": {
            "equations": model.text,
            "define": dict(model.define),
            "parameters": list(model.parameters),
            "data": list(model.data),
            "cost": model.cost,
            "sizes": dict(model.sizes),
        },
        "batch": d.batch,
        "wrt": wrt,
        "equations": [
            {
                "name": eq.name,
                "line": eq.line,
                "text": formula_text(eq.expr),
                "latex": formula_latex(eq.expr, name_latex),
            }
            for eq in model.equations
        ],
        # the sizes the concrete shapes are at: the model's sizes: line and the caller's
        # sizes=, which wins (--size n0=7 beside sizes: n0 = 4; hostile33c #4)
        "sizes": dict(view.sizes),
        "shapes": shapes,
        "assumptions": list(d.assumptions),
        "steps": steps,
        "adjoints": [
            {"symbol": step.stores, "expression": expr(step.expr)} for step in view.stored
        ],
        "gradients": {
            name: {**expr(d.gradients[name]), "shape": _shape(model.shapes[name], view.sizes)}
            for name in view.parameters
        },
    }
    if expanded:
        data["expanded"] = {name: expr(e) for name, e in view.expanded_gradients().items()}
        data["expanded_note"] = view.expanded_note
    return data


def to_json(
    d: ModelDerivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
) -> str:
    """:func:`to_data` as indented JSON text."""
    data = to_data(d, wrt=wrt, expanded=expanded, sizes=sizes)
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
