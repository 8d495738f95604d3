"""The Derivation record and :func:`derive`, which fills it by running the engine.

``derive`` builds the forward graph of a network (:mod:`symbackprop.core.graph`) and walks it
backwards (:mod:`symbackprop.core.engine`), one rule per node kind
(:mod:`symbackprop.core.rules`). The result is a plain record: the stages that consume it
are free functions of their own stage (``sb.check_exact``, ``sb.cache_plan``, ``sb.to_text``,
...), and nothing here imports them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import MatrixSymbol

from symbackprop.core import engine
from symbackprop.core.algebra import bounded_simplify as bounded_simplify
from symbackprop.core.algebra import evaluates_exactly as evaluates_exactly
from symbackprop.core.algebra import is_small_scalar as is_small_scalar
from symbackprop.core.algebra import lifts_derivative as lifts_derivative
from symbackprop.core.collector import without_cyclic_gc
from symbackprop.core.graph import LAMBDA as LAMBDA
from symbackprop.core.graph import ForwardGraph, Shape, build_graph
from symbackprop.core.names import Name
from symbackprop.core.pickling import restored, state_as_written
from symbackprop.core.steps import Rule as Rule
from symbackprop.core.steps import Step as Step
from symbackprop.errors import SpecError

if TYPE_CHECKING:
    from symbackprop.spec import Network

#: the deepest network whose fully expanded gradients (:attr:`Derivation.expanded`) are built
EXPANDED_MAX_DEPTH = 300


@dataclass
class Derivation:
    """The result of :func:`derive`: steps, deltas and gradients of every parameter.

    A plain record: the stages that consume it are free functions of their own stage
    (``sb.check_exact(d)``, ``sb.cache_plan(d)``, ``sb.to_text(d)``, ``sb.to_latex(d)``,
    ``sb.to_markdown(d)``, ``sb.to_json(d)``), and a notebook shows it through the display
    the package facade registers with IPython (:mod:`symbackprop.notebook`).

    ``gradients`` maps ``"W1"``, ``"b1"``, ... to dJ/dW1, dJ/db1, ... in compact form, in terms
    of ``delta`` symbols whose definitions are in ``deltas`` (l -> dJ/dz[l]). ``expanded`` has
    every delta substituted (the lecture's board formula).
    """

    network: Network
    batch: bool
    graph: ForwardGraph
    steps: list[Step] = field(default_factory=list)
    gradients: dict[str, Any] = field(default_factory=dict)
    deltas: dict[int, Any] = field(default_factory=dict)
    delta_symbols: dict[int, MatrixSymbol] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)

    @property
    def symbols(self) -> dict[str, MatrixSymbol]:
        """Name -> MatrixSymbol for W, b, z/Z, a/A, x/X, y/Y and the deltas (do not mutate)."""
        return self._tables()[0]

    def _tables(self) -> tuple[dict[str, MatrixSymbol], dict[str, Shape]]:
        # Built once per state of the derivation: printers look names up once per row, and
        # rebuilding these per lookup made every renderer quadratic in the depth.
        key = (len(self.graph.symbols), len(self.delta_symbols))
        cached = self.__dict__.get("_tables_cache")
        if cached is None or cached[0] != key:
            symbols = dict(self.graph.symbols)
            symbols.update({sym.name: sym for sym in self.delta_symbols.values()})
            shapes = {name: tuple(sym.shape) for name, sym in symbols.items()}
            cached = (key, symbols, shapes)
            self.__dict__["_tables_cache"] = cached
        return cached[1], cached[2]

    @property
    def names(self) -> dict[str, Name]:
        """Every symbol's and dimension's name as parts (``"W2"`` -> ``Name("W", 2)``)."""
        return self.graph.names

    @property
    def forward(self) -> dict[str, Any]:
        """Name -> defining expression (``z1`` -> ``W1*x + b1``, ``a1`` -> ``sigmoid(z1)``)."""
        return dict(self.graph.forward)

    @property
    def shapes(self) -> dict[str, Shape]:
        """Name -> symbolic shape, e.g. ``"W2"`` -> ``(n2, n1)`` (do not mutate)."""
        return self._tables()[1]

    @property
    def sizes(self) -> dict[sp.Symbol, int]:
        """Dimension symbol -> concrete int, where the spec gives one."""
        return dict(self.graph.sizes)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # its expressions as built, not evaluated again by SymPy's own unpickling
        return restored, (type(self), state_as_written(self))

    @property
    def depth(self) -> int:
        return self.graph.depth

    @property
    def l2(self) -> float:
        return float(self.network.l2)

    @functools.cached_property
    def expanded_deltas(self) -> dict[int, Any]:
        """Every delta with the later deltas substituted (built iteratively, not recursively).

        Refused (:class:`SpecError`) above :data:`EXPANDED_MAX_DEPTH` layers: the result nests
        a few levels per layer, and SymPy walks it recursively.
        """
        if self.depth > EXPANDED_MAX_DEPTH:
            raise SpecError(
                f"expanded gradients: {self.depth} layers; at most {EXPANDED_MAX_DEPTH} (each "
                "nests a few levels per layer, and SymPy walks expressions recursively); use "
                "the delta recursion (.deltas, .gradients)"
            )
        out: dict[int, Any] = {}
        for layer in range(self.depth, 0, -1):
            expr = self.deltas[layer]
            if layer < self.depth:
                expr = expr.xreplace({self.delta_symbols[layer + 1]: out[layer + 1]})
            out[layer] = expr
        return out

    @functools.cached_property
    def expanded(self) -> dict[str, Any]:
        """The gradients with every delta substituted: the lecture's board formulas."""
        full = self.expanded_deltas
        return {
            name: expr.xreplace({self.delta_symbols[int(name[1:])]: full[int(name[1:])]})
            for name, expr in self.gradients.items()
        }

    def __repr__(self) -> str:
        form = "batch" if self.batch else "single example"
        return f"<Derivation of {self.network} ({form}): {len(self.steps)} steps>"


@without_cyclic_gc
def derive(network: Network, *, batch: bool = False) -> Derivation:
    """Derive dJ/dW[l] and dJ/db[l] for every layer of ``network``.

    Single-example form by default (x is n0 x 1, as in the lecture); ``batch=True`` gives the
    form over m examples in columns (X is n0 x m, the cost is the mean over the columns).
    """
    graph = build_graph(network, batch=batch)
    result = engine.run(graph)
    return Derivation(
        network=network,
        batch=batch,
        graph=graph,
        steps=result.steps,
        gradients=result.gradients,
        deltas=result.deltas,
        delta_symbols=result.delta_symbols,
        assumptions=result.assumptions,
    )
