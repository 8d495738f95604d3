"""The forward graph: SymPy matrix symbols and the expressions that define them.

Dimensions are pairwise-distinct positive integer symbols (n0, n1, ..., nL, and m for a batch)
so that shape analysis can tell W from W^T even when a layer is square; the concrete widths
live beside them in :attr:`ForwardGraph.sizes` for display and code generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import MatrixSymbol, OneMatrix

from symbackprop.records.activations import ACTIVATIONS, Activation, custom_activation
from symbackprop.records.losses import Loss
from symbackprop.records.nodes import activation_of

if TYPE_CHECKING:
    from symbackprop.spec import Network

Shape = tuple[Any, Any]


def dim(name: str) -> sp.Symbol:
    """A dimension symbol: a positive integer, as DESIGN.md fixes for ``n0``, ``n1``, ``m``."""
    return sp.Symbol(name, integer=True, positive=True)


def resolve_activations(network: Network) -> dict[str, Activation]:
    """Every activation the network can name: the built-ins plus its ``define`` entries."""
    known = dict(ACTIVATIONS)
    for name, formula in network.define:
        known[name] = custom_activation(name, formula)
    return known


@dataclass
class ForwardGraph:
    """Forward propagation of ``network`` as SymPy matrix expressions.

    ``symbols`` maps a name (``W1``, ``b1``, ``z1``/``Z1``, ``a1``/``A1``, ``x``/``X``,
    ``y``/``Y``) to its ``MatrixSymbol``; ``forward`` maps ``z1``, ``a1``, ... to the expression
    defining it (``W1*x + b1``, ``Act('sigmoid', z1)``; in batch form ``b1`` is broadcast as
    ``b1 * 1_m^T``). ``dims[l]`` is the width symbol of layer l (layer 0 is the input).
    """

    network: Network
    batch: bool
    dims: tuple[sp.Symbol, ...]
    m: sp.Expr
    activations: tuple[Activation, ...]
    loss: Loss
    symbols: dict[str, MatrixSymbol] = field(default_factory=dict)
    forward: dict[str, sp.Basic] = field(default_factory=dict)
    sizes: dict[sp.Symbol, int] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        return len(self.dims) - 1

    def z(self, layer: int) -> MatrixSymbol:
        """z[l] (single) or Z[l] (batch), shape n_l x m."""
        return self.symbols[("Z" if self.batch else "z") + str(layer)]

    def a(self, layer: int) -> MatrixSymbol:
        """a[l] (single) or A[l] (batch); a[0] is the input x / X."""
        if layer == 0:
            return self.x
        return self.symbols[("A" if self.batch else "a") + str(layer)]

    def W(self, layer: int) -> MatrixSymbol:
        return self.symbols[f"W{layer}"]

    def b(self, layer: int) -> MatrixSymbol:
        return self.symbols[f"b{layer}"]

    @property
    def x(self) -> MatrixSymbol:
        return self.symbols["X" if self.batch else "x"]

    @property
    def y(self) -> MatrixSymbol:
        return self.symbols["Y" if self.batch else "y"]

    @property
    def shapes(self) -> dict[str, Shape]:
        return {name: tuple(sym.shape) for name, sym in self.symbols.items()}

    def activation(self, layer: int) -> Activation:
        return self.activations[layer - 1]


def build_graph(network: Network, *, batch: bool = False) -> ForwardGraph:
    """Build the forward graph of ``network`` (single example, or a batch of m columns)."""
    known = resolve_activations(network)
    dims: list[sp.Symbol] = []
    sizes: dict[sp.Symbol, int] = {}
    for index, width in enumerate(network.widths):
        symbol = dim(width if isinstance(width, str) else f"n{index}")
        dims.append(symbol)
        if isinstance(width, int):
            sizes[symbol] = width
    m: sp.Expr = dim("m") if batch else sp.Integer(1)
    graph = ForwardGraph(
        network=network,
        batch=batch,
        dims=tuple(dims),
        m=m,
        activations=tuple(known[layer.activation] for layer in network.layers),
        loss=network.loss_record,  # a SpecError when no loss fits (spec.py)
        sizes=sizes,
    )
    sym = graph.symbols
    sym["X" if batch else "x"] = MatrixSymbol("X" if batch else "x", dims[0], m)
    for layer in range(1, len(dims)):
        rows, cols = dims[layer], dims[layer - 1]
        sym[f"W{layer}"] = MatrixSymbol(f"W{layer}", rows, cols)
        sym[f"b{layer}"] = MatrixSymbol(f"b{layer}", rows, 1)
        zname, aname = ("Z", "A") if batch else ("z", "a")
        sym[f"{zname}{layer}"] = MatrixSymbol(f"{zname}{layer}", rows, m)
        sym[f"{aname}{layer}"] = MatrixSymbol(f"{aname}{layer}", rows, m)
    sym["Y" if batch else "y"] = MatrixSymbol("Y" if batch else "y", dims[-1], m)
    for layer in range(1, len(dims)):
        bias: sp.Basic = graph.b(layer)
        if batch:
            bias = graph.b(layer) * OneMatrix(1, m)
        graph.forward[graph.z(layer).name] = graph.W(layer) * graph.a(layer - 1) + bias
        graph.forward[graph.a(layer).name] = activation_of(graph.activation(layer), graph.z(layer))
    return graph
