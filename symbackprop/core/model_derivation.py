"""``derive_model``: the Derivation of a :class:`~symbackprop.model.Model`.

The model's graph (:mod:`symbackprop.core.model_graph`) goes through the same engine as a
network's. The record is a :class:`~symbackprop.core.derivation.Derivation` whose ``gradients``
are keyed by parameter name and whose ``adjoints`` map each of the model's names that depends
on a parameter to dJ/d(name). Both are compact: every value's adjoint is kept under a symbol
``dJ/d<name>`` (``adjoint_symbols``; internal values ``_tN`` too) that later steps reuse, as the
lecture reuses delta. ``expanded`` substitutes them, and the internal values' definitions,
while an expression stays under :data:`EXPANDED_MAX_NODES` nodes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any

from sympy import ZeroMatrix

from symbackprop.core import engine
from symbackprop.core.collector import without_cyclic_gc
from symbackprop.core.derivation import Derivation
from symbackprop.core.model_graph import ModelGraph, build_model_graph
from symbackprop.core.rules.model_base import unit_entries
from symbackprop.core.substitute import at_most_nodes, substituted_within
from symbackprop.model import Model

#: an expanded adjoint keeps the symbols of the adjoints it reads beyond this many nodes
EXPANDED_MAX_NODES = 2_000


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

    @property
    def adjoint_symbols(self) -> dict[str, Any]:
        """Value name -> the symbol its adjoint is kept under (``dJ/dh2``)."""
        return dict(self.graph.deltas)

    @functools.cached_property
    def expanded_adjoints(self) -> dict[str, Any]:
        """``adjoints`` with the adjoint symbols and internal values substituted, each only
        while the result stays under :data:`EXPANDED_MAX_NODES` nodes (else the symbol stays)."""
        inside = internal_definitions(self.graph)
        full: dict[Any, Any] = {}
        out = {}
        for step in self.steps:
            if step.wrt is None:
                continue
            # built only where SymPy can size it (hostile27 #3), else as derived
            written = substituted_within(step.expr, full)
            expr = step.expr if written is None else unit_entries(written)
            if step.delta is not None:
                small = at_most_nodes(expr, EXPANDED_MAX_NODES)
                full[step.delta] = expr if small else step.delta
            if not step.wrt.name.startswith("_"):
                inlined = substituted_within(expr, inside)
                out[step.wrt.name] = expr if inlined is None else inlined
        return out

    @functools.cached_property
    def expanded(self) -> dict[str, Any]:
        """The gradients with every adjoint symbol substituted (while small; see above)."""
        assert self.model is not None
        full = self.expanded_adjoints
        return {name: full.get(name, self.gradients[name]) for name in self.model.parameters}

    def __repr__(self) -> str:
        assert self.model is not None
        form = "batch" if self.batch else "single example"
        names = ", ".join(self.model.parameters)
        return f"<Derivation of a model in {names} ({form}): {len(self.steps)} steps>"


@without_cyclic_gc
def derive_model(model: Model) -> ModelDerivation:
    """Derive dJ/d(parameter) for every parameter of ``model`` (its form set by its data)."""
    graph: ModelGraph = build_model_graph(model)
    result = engine.run(graph)
    adjoints = {
        step.wrt.name: step.expr
        for step in result.steps
        if step.wrt is not None and not step.wrt.name.startswith("_")
    }
    gradients = {
        name: adjoints.get(name, ZeroMatrix(*model.shapes[name])) for name in model.parameters
    }
    d = ModelDerivation(
        batch=model.batch,
        graph=graph,
        steps=result.steps,
        gradients=gradients,
        deltas=result.deltas,
        assumptions=result.assumptions,
        delta_symbols=result.delta_symbols,
        model=model,
        adjoints=adjoints,
    )
    # each step knows its derivation, where its internal values are named (a step shown alone)
    d.steps = [replace(step, derivation=d) for step in d.steps]
    return d


def internal_definitions(graph: ModelGraph) -> dict[Any, Any]:
    """Each internal value ``_tN`` -> its definition in the model's own names."""
    out: dict[Any, Any] = {}
    for name, expr in graph.forward.items():
        if name.startswith("_"):
            out[graph.symbols[name]] = expr.xreplace(out)  # earlier ones already in out
    return out
