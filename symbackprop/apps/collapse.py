"""Identity activations collapse a network into one affine map (the lecture's argument).

With g(z) = z in every layer, the forward pass of ``n-3-2-1`` is::

    y_hat = a[3] = z[3] = W[3] a[2] + b[3] = W[3] (W[2] a[1] + b[2]) + b[3] = ...
          = (W[3] W[2] W[1]) x + (W[3] W[2] b[1] + W[3] b[2] + b[3])

so the network is the single affine map W' x + b' however deep it is. :func:`collapse` builds
W' and b' for any depth with the recurrence W' <- W[l] W', b' <- W[l] b' + b[l] over the forward
graph's generic-dimension matrix symbols, records the substitution steps for printing, and
:meth:`Collapse.verify` checks the result against the network's own forward definitions, both
symbolically and at random rational matrices. The loss plays no part.
"""

from __future__ import annotations

import dataclasses
import os
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import MatAdd, MatMul
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from symbackprop.check.exact import Evaluator, Table
from symbackprop.core.graph import ForwardGraph, build_graph
from symbackprop.errors import SpecError
from symbackprop.records.nodes import Elementwise
from symbackprop.spec import as_network

#: the deepest network :func:`collapse` accepts: the printed proof (one line per substitution,
#: each as long as the network is deep, and b' with one product per layer) grows with the
#: square of the depth, and its nested steps with the depth of Python's recursion
MAX_COLLAPSE_DEPTH = 100
#: the largest size a named width may be given for the rational spot checks (exact fractions:
#: their digits grow with every product; the symbolic proof holds at every size)
MAX_CHECK_SIZE = 8

if TYPE_CHECKING:
    from symbackprop.spec import Network

__all__ = ["Collapse", "CollapseCheck", "collapse"]

_NAME_PARTS = {"W": "W", "b": "b", "a": "a", "z": "z"}


# -- printers: CS229 names (W[1] in text, W^{[1]} in LaTeX), products by juxtaposition ------


def _split(name: str) -> tuple[str, str] | None:
    """``"W12" -> ("W", "12")`` for the layer-indexed names, else ``None``."""
    head, digits = name[:1], name[1:]
    if head in _NAME_PARTS and digits.isdigit():
        return head, digits
    return None


class _TextPrinter(StrPrinter):
    """``W[3] (W[2] a[1] + b[2]) + b[3]``: the lecture's board notation in plain text."""

    def _print_MatrixSymbol(self, expr: Any) -> str:
        parts = _split(str(expr.name))
        return f"{parts[0]}[{parts[1]}]" if parts else str(expr.name)

    def _print_MatMul(self, expr: Any) -> str:
        out = []
        for arg in expr.args:
            text = self._print(arg)
            out.append(f"({text})" if isinstance(arg, MatAdd) else text)
        return " ".join(out)

    def _print_MatAdd(self, expr: Any) -> str:
        return " + ".join(self._print(arg) for arg in _ordered(expr))


class _LatexPrinter(LatexPrinter):
    """``W^{[3]} \\left(W^{[2]} a^{[1]} + b^{[2]}\\right) + b^{[3]}``."""

    def __init__(self) -> None:
        super().__init__({"mul_symbol": None})

    def _print_MatrixSymbol(self, expr: Any) -> str:
        parts = _split(str(expr.name))
        return f"{parts[0]}^{{[{parts[1]}]}}" if parts else str(expr.name)

    def _print_MatMul(self, expr: Any) -> str:
        out = []
        for arg in expr.args:
            text = self._print(arg)
            out.append(rf"\left({text}\right)" if isinstance(arg, MatAdd) else text)
        return " ".join(out)

    def _print_MatAdd(self, expr: Any) -> str:
        return " + ".join(self._print(arg) for arg in _ordered(expr))


def _ordered(expr: MatAdd) -> list[Any]:
    """Terms in the lecture's order: longest product first, the bare bias last.

    SymPy's canonical MatAdd order is alphabetical (``b3 + W3*b2 + ...``); the board reads
    ``W3 W2 b1 + W3 b2 + b3``, which is also the order of the recurrence.
    """

    def key(term: Any) -> tuple[int, tuple[str, ...]]:
        # names only: printing every nested term to sort it made deep collapses cubic
        factors = term.args if isinstance(term, MatMul) else (term,)
        return (-len(factors), tuple(getattr(f, "name", "~") for f in factors))

    return sorted(expr.args, key=key)


def text(expr: Any) -> str:
    """Plain-text form of a matrix expression in CS229 names."""
    return _TextPrinter().doprint(expr)


def latex(expr: Any) -> str:
    """LaTeX form of a matrix expression in CS229 names."""
    return _LatexPrinter().doprint(expr)


# -- the collapse ----------------------------------------------------------------------------


@dataclass
class CollapseCheck:
    """Result of :meth:`Collapse.verify`: symbolic equality and rational spot checks."""

    symbolic: bool
    trials: int
    rational_ok: int
    sizes: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.symbolic and self.rational_ok == self.trials

    def __bool__(self) -> bool:
        return self.ok


@dataclass
class Collapse:
    """A network with identity activations written as one affine map ``W' x + b'``.

    ``weight`` is W' = W[L] ... W[1] (n_L x n_0) and ``bias`` is b' (n_L x 1), both SymPy
    matrix expressions over the forward graph's symbols (generic dimensions n0, n1, ...).
    ``composed`` is the network's output with every a[l] substituted by its definition, and
    ``steps`` the substitutions one layer at a time (``y_hat = W[3] a[2] + b[3] = ...``).
    """

    network: Network
    graph: ForwardGraph
    weight: sp.MatrixExpr
    bias: sp.MatrixExpr
    composed: sp.MatrixExpr
    steps: list[sp.MatrixExpr]

    @property
    def depth(self) -> int:
        return self.graph.depth

    # -- checks ------------------------------------------------------------------------------

    def verify(
        self, *, trials: int = 3, seed: int = 0, sizes: Mapping[str, int] | None = None
    ) -> CollapseCheck:
        """Check ``W' x + b'`` against the composed forward pass.

        Symbolically: both sides are expanded (products distributed over sums) and compared
        as SymPy expressions. Numerically: at small concrete sizes (named widths take their
        value in ``sizes``, else 2; widths given as numbers are capped at 3) with random
        rational W[l], b[l] and x, the forward pass is evaluated layer by layer from the
        graph's own definitions and compared exactly. A size in ``sizes`` above
        :data:`MAX_CHECK_SIZE` is checked at MAX_CHECK_SIZE, as a width given as a number is at 3
        (``--size k=9`` was refused where 3-9-1 passed: hostile44a #4; the sizes checked are
        in the result); below 1 it raises a :class:`SpecError`. Names that are no width are
        left to the caller (the CLI refuses them).
        """
        given = dict(sizes or {})
        for name, size in given.items():
            if name in self.network.widths and size < 1:
                raise SpecError(f"size {name}={size}: a width must be a positive integer")
        given = {name: min(size, MAX_CHECK_SIZE) for name, size in given.items()}
        collapsed = self.weight * self.graph.x + self.bias
        # distributing MatMul over MatAdd turns both sides into sums of products of the same
        # symbols: equal as multisets of products (what sp.expand then == decides, without
        # SymPy's re-canonicalisation at every level, which was cubic in the depth)
        symbolic = _same_sum(collapsed, self.composed)
        widths = self.network.widths
        small = [min(w, 3) if isinstance(w, int) else given.get(w, 2) for w in widths]
        rng = random.Random(seed)
        passed = 0
        for _ in range(trials):
            env = _random_point(self.graph, small, rng)
            if _evaluator(self.graph, env)(collapsed) == _forward(self.graph, env):
                passed += 1
        named = {str(d): s for d, s in zip(self.graph.dims, small, strict=True)}
        return CollapseCheck(bool(symbolic), trials, passed, named)

    # -- output ------------------------------------------------------------------------------

    def text(self) -> str:
        """The proof in plain text: the forward pass substituted step by step, W' and b'."""
        lines = [f"Network {self.network.compact}: every activation is the identity, g(z) = z."]
        lines.append("So a[l] = z[l] = W[l] a[l-1] + b[l], and substituting layer by layer:")
        lines.append("")
        lines.append(f"  y_hat = a[{self.depth}] = z[{self.depth}]")
        for expr in self.steps:
            lines.append(f"        = {text(expr)}")
        lines.append("")
        lines.append(f"  W' = {text(self.weight)}")
        lines.append(f"  b' = {text(self.bias)}")
        lines.append("")
        lines.append(
            "so y_hat = W' x + b': one affine map (linear regression), whatever the depth."
        )
        return "\n".join(lines)

    def rich(self) -> Any:
        """A rich renderable (a table of the substitution steps, then W' and b')."""
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("", justify="right")
        table.add_column("forward pass with g(z) = z")
        table.add_row("y_hat =", f"a[{self.depth}] = z[{self.depth}]")
        for expr in self.steps:
            table.add_row("=", text(expr))
        result = Table(show_header=False, box=None, pad_edge=False)
        result.add_row(Text("W' =", style="bold"), text(self.weight))
        result.add_row(Text("b' =", style="bold"), text(self.bias))
        title = Text(
            f"{self.network.compact}: identity activations collapse to W' x + b'", style="bold"
        )
        return Group(title, table, Text(""), result)

    def latex(self) -> str:
        """The proof as a LaTeX ``align*`` snippet (W^{[l]} notation)."""
        rows = [rf"\hat{{y}} &= a^{{[{self.depth}]}} = z^{{[{self.depth}]}} \\"]
        rows += [rf"&= {latex(expr)} \\" for expr in self.steps]
        rows.append(rf"W' &= {latex(self.weight)} \\")
        rows.append(rf"b' &= {latex(self.bias)}")
        return "\\begin{align*}\n" + "\n".join(rows) + "\n\\end{align*}\n"


def collapse(
    network: Network | str | os.PathLike[str],
    *,
    hidden: str | None = None,
    output: str | None = None,
    activation: str | None = None,
    loss: str | None = None,
    l2: float | None = None,
    define: Mapping[str, str] | None = None,
) -> Collapse:
    """Collapse ``network`` (every activation the identity) into ``W' x + b'``.

    ``network`` is what the CLI's ``collapse`` takes: a Network, a compact spec string or a
    spec file, with the same options (``collapse("4-3-2-1", activation="identity")``; see
    :func:`symbackprop.spec.as_network`). The loss plays no part: none need be chosen
    (``collapse(Network.parse("4-3-2-1", activation="identity"))`` works), and a chosen one is
    only validated. Raises :class:`SpecError` naming the first layer whose activation is not
    the identity.
    """
    network = as_network(
        network,
        hidden=hidden,
        output=output,
        activation=activation,
        loss=loss,
        l2=l2,
        define=define,
    )
    if network.loss is None:
        # the forward graph carries a loss record; nothing here reads it, any loss will do
        network = dataclasses.replace(network, loss="mse")
    records = network.activation_records
    for layer, (spec_layer, record) in enumerate(zip(network.layers, records, strict=True), 1):
        if not record.is_identity:
            raise SpecError(
                # by its formula as SymPy writes it: relu(z) - relu(-z), which is z, is not
                # recognised, so the message says what is known (hostile33 #4)
                f"layer {layer} ('{spec_layer}'): activation {record.name} is not written as "
                "the identity g(z) = z; collapse needs the identity in every layer "
                "(e.g. --activation identity, or --define NAME=z)"
            )
    if network.depth > MAX_COLLAPSE_DEPTH:
        raise SpecError(
            f"collapse: {network.depth} layers; at most {MAX_COLLAPSE_DEPTH} (the proof prints "
            f"every substitution step and b' has one product per layer: its size grows with "
            f"the square of the depth)"
        )
    graph = build_graph(network, batch=False)
    factors: list[Any] = [graph.W(1)]
    terms: list[list[Any]] = [[graph.b(1)]]  # b' as a sum of products, each a list of factors
    for layer in range(2, graph.depth + 1):
        # the recurrence: a[l] = W[l] (W' x + b') + b[l] = (W[l] W') x + (W[l] b' + b[l]),
        # kept as lists of factors: expanding the whole sum again at every layer was cubic
        factors.insert(0, graph.W(layer))
        terms = [[graph.W(layer), *term] for term in terms] + [[graph.b(layer)]]
    weight: sp.MatrixExpr = factors[0] if len(factors) == 1 else MatMul(*factors)
    products = [term[0] if len(term) == 1 else MatMul(*term) for term in terms]
    bias: sp.MatrixExpr = products[0] if len(products) == 1 else MatAdd(*products)
    composed, steps = _compose(graph)
    return Collapse(network, graph, weight, bias, composed, steps)


def _compose(graph: ForwardGraph) -> tuple[sp.MatrixExpr, list[sp.MatrixExpr]]:
    """The output from the graph's own definitions, substituting a[L-1], ..., a[1] in turn.

    Each a[l] is defined as ``identity(z[l])`` and each z[l] as ``W[l] a[l-1] + b[l]``;
    the last step distributes the products (the expanded form the lecture reads W', b' from).
    """
    depth = graph.depth

    def definition(layer: int) -> sp.MatrixExpr:
        act = graph.forward[graph.a(layer).name]
        assert isinstance(act, Elementwise) and act.arg == graph.z(layer)
        return graph.forward[graph.z(layer).name]  # identity: a[l] = z[l]

    expr = definition(depth)
    steps = [expr]
    for layer in range(depth - 1, 0, -1):
        expr = expr.xreplace({graph.a(layer): definition(layer)})
        steps.append(expr)
    expanded = _distribute(expr)
    if expanded != expr:
        steps.append(expanded)
    return expr, steps


def _distribute(expr: Any) -> Any:
    """``expr`` with every product distributed over the sums in it: a sum of products.

    Linear in the size of the result (SymPy's ``expand`` re-canonicalises at every level).
    """

    terms = [p[0] if len(p) == 1 else MatMul(*p) for p in _products(expr)]
    return terms[0] if len(terms) == 1 else MatAdd(*terms)


def _products(node: Any) -> list[list[Any]]:
    """The products (lists of factors) whose sum ``node`` is, products distributed over sums."""
    if isinstance(node, MatAdd):
        return [p for arg in node.args for p in _products(arg)]
    if isinstance(node, MatMul):
        out: list[list[Any]] = [[]]
        for arg in node.args:
            out = [left + right for left in out for right in _products(arg)]
        return out
    return [[node]]


def _same_sum(first: Any, second: Any) -> bool:
    """True when both are the same sum of products once products are distributed over sums."""
    return Counter(map(tuple, _products(first))) == Counter(map(tuple, _products(second)))


# -- rational evaluation ---------------------------------------------------------------------


def _random_point(graph: ForwardGraph, sizes: list[int], rng: random.Random) -> dict[str, Any]:
    def draw(rows: int, cols: int) -> sp.Matrix:
        return sp.Matrix(
            rows, cols, lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 7))
        )

    env: dict[str, Any] = {graph.x.name: draw(sizes[0], 1)}
    for layer in range(1, graph.depth + 1):
        env[f"W{layer}"] = draw(sizes[layer], sizes[layer - 1])
        env[f"b{layer}"] = draw(sizes[layer], 1)
    return env


def _forward(graph: ForwardGraph, env: dict[str, Any]) -> sp.Matrix:
    """The network's output layer by layer, from the graph's definitions of z[l] and a[l]."""
    evaluate = _evaluator(graph, env)
    for layer in range(1, graph.depth + 1):
        for name in (graph.z(layer).name, graph.a(layer).name):
            env[name] = evaluate(graph.forward[name])
    return env[graph.a(graph.depth).name]


def _evaluator(graph: ForwardGraph, env: dict[str, Any]) -> Evaluator:
    """The one evaluator (SymPy's own doit) at the point ``env``; identity is exact there."""
    acts = {act.name: act for act in graph.activations}
    return Evaluator(env, {}, Table(random.Random(0), acts))
