"""``derive_model``: the Derivation of a :class:`~symbackprop.model.Model`.

The model's graph (:mod:`symbackprop.core.model_graph`) goes through the same engine as a
network's. The record is a :class:`~symbackprop.core.derivation.Derivation` whose ``gradients``
are keyed by parameter name and whose ``adjoints`` map each of the model's names that depends
on a parameter to dJ/d(name). Adjoints are written out in full (no delta symbols yet), so
``expanded`` is ``gradients`` itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from sympy import ZeroMatrix

from symbackprop.core import engine
from symbackprop.core.derivation import Derivation
from symbackprop.core.model_graph import ModelGraph, build_model_graph
from symbackprop.model import Model


@dataclass
class ModelDerivation(Derivation):
    """A model's derivation: ``model``, ``gradients`` (parameter -> dJ/dparameter) and
    ``adjoints`` (name -> dJ/dname for the parameters and every equation J depends on)."""

    network: Any = None
    batch: bool = False
    graph: Any = None
    model: Model | None = None
    adjoints: dict[str, Any] = field(default_factory=dict)

    @property
    def l2(self) -> float:
        return 0.0

    @functools.cached_property
    def expanded(self) -> dict[str, Any]:
        """The gradients: a model's adjoints are already written out in full."""
        return dict(self.gradients)

    def __repr__(self) -> str:
        assert self.model is not None
        form = "batch" if self.batch else "single example"
        names = ", ".join(self.model.parameters)
        return f"<Derivation of a model in {names} ({form}): {len(self.steps)} steps>"


def derive_model(model: Model) -> ModelDerivation:
    """Derive dJ/d(parameter) for every parameter of ``model`` (its form set by its data)."""
    graph: ModelGraph = build_model_graph(model)
    result = engine.run(graph)
    inside = _internal_definitions(graph)
    adjoints = {
        step.wrt.name: _in_model_names(step.expr, inside)
        for step in result.steps
        if step.wrt is not None and not step.wrt.name.startswith("_")
    }
    gradients = {
        name: adjoints.get(name, ZeroMatrix(*model.shapes[name])) for name in model.parameters
    }
    return ModelDerivation(
        batch=model.batch,
        graph=graph,
        steps=result.steps,
        gradients=gradients,
        model=model,
        adjoints=adjoints,
    )


def _internal_definitions(graph: ModelGraph) -> dict[Any, Any]:
    """Each internal value ``_tN`` -> its definition in the model's own names."""
    out: dict[Any, Any] = {}
    for name, expr in graph.forward.items():
        if name.startswith("_"):
            out[graph.symbols[name]] = expr.xreplace(out)  # earlier ones already in out
    return out


def _in_model_names(expr: Any, inside: dict[Any, Any]) -> Any:
    """``expr`` with the internal values written out, so that it reads in the model's names."""
    return expr.xreplace(inside)
