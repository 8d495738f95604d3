"""The forward graph: a DAG of typed nodes over SymPy matrix symbols.

Every named value (``z1``, ``a1``, ...) is defined by a :class:`Node` of one :class:`Kind`
(matrix product, sum, broadcast of a column over the batch, element-wise activation, softmax
over columns) whose arguments are symbols or further nodes; the cost is a loss node plus, with
weight decay, a penalty node. The engine walks this DAG backwards, one rule per kind
(:mod:`symbackprop.core.rules`, one module per family of kinds); ``forward`` holds the same
definitions as SymPy expressions. A dense network is one such graph, built here from the spec.

Dimensions are pairwise-distinct positive integer symbols (n0, n1, ..., nL, and m for a batch)
so that shape analysis can tell W from W^T even when a layer is square; the concrete widths
live beside them in :attr:`ForwardGraph.sizes` for display and code generation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Union

import sympy as sp
from sympy import MatrixSymbol, OneMatrix

from symbackprop.core import canonical
from symbackprop.core.names import Name, layered
from symbackprop.errors import SpecError, SymbackpropError
from symbackprop.records.activations import ACTIVATIONS, Activation, custom_activation
from symbackprop.records.losses import Loss
from symbackprop.records.nodes import activation_of

if TYPE_CHECKING:
    from symbackprop.spec import Network

Shape = tuple[Any, Any]

#: the L2 weight-decay coefficient as it appears in formulas; its value is ``network.l2``
LAMBDA = sp.Symbol("lambda", positive=True)


class Kind(enum.StrEnum):
    """The node kinds of the forward graph; each has one rule in the engine."""

    PRODUCT = "product"  # A B
    SUM = "sum"  # A + B + ...
    BROADCAST = "broadcast"  # a column repeated over the m columns: b 1_m^T
    ELEMENTWISE = "elementwise"  # g(Z) entry by entry (record: the Activation)
    SOFTMAX = "softmax"  # softmax of each column (record: the Activation)
    LOSS = "loss"  # the per-example loss summed over the output units (record: the Loss)
    PENALTY = "penalty"  # (lambda/2m) sum_l ||W_l||_F^2 over its arguments
    # the kinds of a model's graph (core.model_graph); each argument is a named value
    SEED = "seed"  # the cost J itself: dJ/dJ = 1
    MATMUL = "matmul"  # A B, any two matrices
    LINEAR = "linear"  # c1 A1 + c2 A2 + ... + c 1 (a column broadcast over the m columns)
    SCALE = "scale"  # s A, s a 1 x 1 value
    HADAMARD = "hadamard"  # A ⊙ B (a column broadcast over the m columns)
    FUNCTION = "function"  # f(A) entry by entry (record: the ElementFunction)
    TRANSPOSE = "transpose"  # A^T
    COLUMN_SOFTMAX = "column_softmax"  # softmax of each column of any value
    TOTAL = "total"  # sum(A): all entries, 1 x 1
    ROWSUM = "rowsum"  # rowsum(A) = A 1: each row over the columns
    MODEL_LOSS = "model_loss"  # a loss of any two values (record: the Loss)
    TRACE = "trace"  # tr(A), A square
    DET = "det"  # det(A)
    LOGDET = "logdet"  # log det(A)
    LOGSUMEXP = "logsumexp"  # log(sum(exp(A))): every entry, 1 x 1 (a hand-written one)
    INVERSE = "inverse"  # inv(A)


Arg = Union["Node", MatrixSymbol]


@dataclass(frozen=True)
class Node:
    """One operation of the forward graph: its kind, its arguments and, for an activation or
    a loss, its record. ``expr`` is the SymPy expression it stands for (``None`` for the cost's
    loss and penalty, which are scalars described by their records)."""

    kind: Kind
    args: tuple[Arg, ...]
    expr: Any = None
    record: Any = None


@dataclass(frozen=True)
class Cost:
    """J: the loss node (the mean over the m columns in batch form) plus the penalty node."""

    loss: Node
    penalty: Node | None

    @property
    def nodes(self) -> tuple[Node, ...]:
        return (self.loss,) if self.penalty is None else (self.loss, self.penalty)


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
    #: name -> the node defining it, in the order of the forward pass
    nodes: dict[str, Node] = field(default_factory=dict)
    #: name -> the delta symbol its adjoint is kept under (the lecture's delta: the z values)
    deltas: dict[str, MatrixSymbol] = field(default_factory=dict)
    #: name -> the layer it belongs to (W2, b2, z2, a2: 2; x: 0)
    layers: dict[str, int] = field(default_factory=dict)
    cost: Cost | None = None
    #: the leaves that are data (no gradient): x and y (X and Y in batch form)
    data: tuple[str, ...] = ()
    #: every symbol's and dimension's name as parts (``"W2"`` -> ``Name("W", 2)``)
    names: dict[str, Name] = field(default_factory=dict)
    #: whether a step whose value has several contributions opens by saying they are summed
    #: (a model's graph; a network's steps keep their form)
    announce_sums: ClassVar[bool] = False

    def value_text(self, name: str) -> str:
        """A value as a step's plain text names it (a model shows an internal value by the
        formula it stands for; a network's names are all its own)."""
        return name

    def argument_text(self, name: str) -> str:
        """A value as a function's argument in a step's plain text."""
        return name

    def target_text(self, name: str) -> str:
        """What dJ/d(...) is taken of in a step's plain text."""
        return name

    def symbol_text(self, name: str) -> str:
        """Any symbol's name (a value or an adjoint kept under a symbol) in plain text."""
        return name

    def _add(self, name: Name, rows: Any, cols: Any) -> MatrixSymbol:
        """A new matrix symbol named ``name``, its parts recorded in :attr:`names`."""
        symbol = MatrixSymbol(name.text, rows, cols)
        self.symbols[name.text] = symbol
        self.names[name.text] = name
        return symbol

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


def changed_activations(graph: ForwardGraph) -> list[str]:
    """The names of ``graph``'s activations whose record this process no longer knows by that
    name: unregistered, or registered again with another formula (a derivation unpickled in
    another process, or made before a notebook cell re-registered it). Regenerating code or
    checks from such a derivation's network would use another function, or fail."""
    try:
        known = resolve_activations(graph.network)  # define= ones from their text, again
    except SymbackpropError:  # a define= formula naming an activation unregistered since
        known = dict(ACTIVATIONS)
    return sorted({r.name for r in graph.activations if known.get(r.name) != r})


def build_graph(network: Network, *, batch: bool = False) -> ForwardGraph:
    """Build the forward graph of ``network`` (single example, or a batch of m columns)."""
    known = resolve_activations(network)
    unknown = sorted({layer.activation for layer in network.layers} - set(known))
    if unknown:  # a network unpickled where its activation was never registered (review36)
        raise SpecError(
            f"activation {unknown[0]!r} is not registered in this process: register its record "
            "(symbackprop.records.activations.register) before deriving this network"
        )
    dims: list[sp.Symbol] = []
    dim_names: dict[str, Name] = {}
    sizes: dict[sp.Symbol, int] = {}
    for index, width in enumerate(network.widths):
        name = Name(width) if isinstance(width, str) else layered("n", index)
        symbol = dim(name.text)
        dims.append(symbol)
        dim_names[name.text] = name
        if isinstance(width, int):
            sizes[symbol] = width
    m: sp.Expr = dim("m") if batch else sp.Integer(1)
    dim_names["m"] = Name("m")
    graph = ForwardGraph(
        network=network,
        batch=batch,
        dims=tuple(dims),
        m=m,
        activations=tuple(known[layer.activation] for layer in network.layers),
        loss=network.loss_record,  # a SpecError when no loss fits (spec.py)
        sizes=sizes,
    )
    graph.names.update(dim_names)
    zname, aname = ("Z", "A") if batch else ("z", "a")
    graph._add(Name("X" if batch else "x"), dims[0], m)
    for layer in range(1, len(dims)):
        rows, cols = dims[layer], dims[layer - 1]
        graph._add(layered("W", layer), rows, cols)
        graph._add(layered("b", layer), rows, 1)
        graph._add(layered(zname, layer), rows, m)
        graph._add(layered(aname, layer), rows, m)
    graph._add(Name("Y" if batch else "y"), dims[-1], m)
    graph.data = (graph.x.name, graph.y.name)
    graph.layers[graph.x.name] = 0
    graph.layers[graph.y.name] = graph.depth
    for layer in range(1, len(dims)):
        w, b, z, a = graph.W(layer), graph.b(layer), graph.z(layer), graph.a(layer)
        for symbol in (w, b, z, a):
            graph.layers[symbol.name] = layer
        product = Node(
            Kind.PRODUCT, (w, graph.a(layer - 1)), canonical.product(w, graph.a(layer - 1))
        )
        bias: Arg = b
        if batch:  # Z = W A + b 1_m^T: the column b is repeated over the m columns
            bias = Node(Kind.BROADCAST, (b,), canonical.product(b, OneMatrix(1, m)))
        bias_expr = bias.expr if isinstance(bias, Node) else bias
        graph.nodes[z.name] = Node(
            Kind.SUM, (product, bias), canonical.total(product.expr, bias_expr)
        )
        delta = layered("delta", layer)
        graph.deltas[z.name] = MatrixSymbol(delta.text, rows_of(z), m)
        graph.names[delta.text] = delta
        act = graph.activation(layer)
        kind = Kind.ELEMENTWISE if act.elementwise else Kind.SOFTMAX
        graph.nodes[a.name] = Node(kind, (z,), activation_of(act, z), act)
    for value, node in graph.nodes.items():
        graph.forward[value] = node.expr
    loss = Node(Kind.LOSS, (graph.a(graph.depth), graph.y), record=graph.loss)
    penalty = None
    if network.l2:
        penalty = Node(Kind.PENALTY, tuple(graph.W(layer) for layer in range(1, len(dims))))
    graph.cost = Cost(loss, penalty)
    return graph


def rows_of(symbol: MatrixSymbol) -> Any:
    """The row dimension of ``symbol``."""
    return symbol.shape[0]
