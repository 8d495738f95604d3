"""JSON output for other tools: network, the sizes shown, shapes, steps, deltas and gradients.

Every expression is given as LaTeX and as plain text. Keys appear in a fixed order (dicts are
built in order and dumped with ``sort_keys=False``), so the same spec gives the same bytes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from symbackprop._version import __version__
from symbackprop.core.collector import without_cyclic_gc
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.core.textprint import text
from symbackprop.render import model_json
from symbackprop.render.argument import require_derivation
from symbackprop.render.latex import LatexDocument
from symbackprop.render.names import concrete, shape_text
from symbackprop.render.shown_sizes import shown_sizes
from symbackprop.render.text import cost_text
from symbackprop.render.view import View

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation


def _shape(shape: tuple[Any, Any], sizes: dict[str, int]) -> dict[str, Any]:
    known = concrete(shape, sizes)
    return {
        "symbolic": [str(shape[0]), str(shape[1])],
        "text": shape_text(shape),
        "concrete": list(known) if known else None,
    }


@without_cyclic_gc  # as every printer: thousands of strings for a deep network
def to_data(
    d: Derivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The derivation as plain JSON-able data (see the module docstring); a model's:
    :mod:`symbackprop.render.model_json`."""
    require_derivation(d, "to_json", expanded=expanded)
    if isinstance(d, ModelDerivation):
        return model_json.to_data(d, wrt=wrt, expanded=expanded, sizes=sizes)
    view = View(d, wrt=wrt, expanded=expanded, extra_sizes=shown_sizes(sizes, d))
    doc = LatexDocument(view)

    def expr(e: Any) -> dict[str, str]:
        return {"latex": doc.math(e), "text": text(e)}

    steps = []
    for step in view.steps:
        steps.append(
            {
                "number": step.number,  # as every format prints it (a --wrt view skips some)
                "target": step.target,
                "rule": step.rule,
                "layer": step.layer,
                "shape": _shape(step.shape, view.sizes),
                "expression": expr(step.expr),
                "reason": step.reason,
                "candidates": [
                    {
                        "text": cand.text,
                        "latex": doc.candidate(cand),
                        "op": "matmul" if cand.op == "@" else "hadamard",
                        "shape": shape_text(cand.shape) if cand.shape else None,
                        "fits": cand.fits,
                        "equal_to": cand.equal,
                        "note": cand.note,
                    }
                    for cand in step.candidates
                ],
                "uses": list(step.uses),
                "algebra": step.algebra_text,
                "stores": step.stores,
            }
        )
    data: dict[str, Any] = {
        "symbackprop": __version__,
        "network": {"spec": d.network.compact, **d.network.to_dict()},
        "batch": d.batch,
        "wrt": wrt,
        # the sizes the concrete shapes are at: the spec's widths and the caller's sizes= (a
        # named width's value was recorded nowhere: hostile33c #4)
        "sizes": dict(view.sizes),
        "shapes": {name: _shape(d.shapes[name], view.sizes) for name in view.table_names()},
        "forward": {name: expr(e) for name, e in d.forward.items()},
        # the cost equation, as the other formats print it (its right side is no SymPy
        # expression: the loss is a record's formula, summed or averaged)
        "cost": {
            "text": cost_text(d),
            "latex": " = ".join(doc.cost_equations()[-1]),
            "loss": d.graph.loss.description,
        },
        "assumptions": list(d.assumptions),
        "steps": steps,
        "deltas": {str(layer): expr(d.deltas[layer]) for layer in view.delta_layers},
        "gradients": {
            name: {**expr(d.gradients[name]), "shape": _shape(d.shapes[name], view.sizes)}
            for name in view.parameters
        },
    }
    if expanded:
        data["expanded"] = {name: expr(e) for name, e in view.expanded_gradients().items()}
        data["expanded_note"] = view.expanded_note
    return data


def to_json(
    d: Derivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
) -> str:
    """:func:`to_data` as indented JSON text (UTF-8 characters kept, keys in a fixed order)."""
    data = to_data(d, wrt=wrt, expanded=expanded, sizes=sizes)
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
