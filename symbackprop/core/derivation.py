"""The derivation engine: reverse accumulation with shape analysis at every step.

For each node, from the loss back to layer 1, the engine knows the upstream gradient G and the
local factor F, asks the rule kind for its candidate arrangements
(:mod:`symbackprop.core.candidates`) and keeps the one whose shape equals the target's over
generic dimensions. Every step records the target, the expression, its shape, the rule, the
candidates and the reason in words. Scalar algebra inside element-wise products is done by
SymPy and lifted back (:mod:`symbackprop.core.lift`), so BCE with a sigmoid output *derives* a - y.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import HadamardProduct, MatrixSymbol, OneMatrix

from symbackprop.core.candidates import (
    Candidate,
    Operand,
    bilinear_candidates,
    elementwise_candidates,
    select,
    show_shape,
)
from symbackprop.core.graph import ForwardGraph, Shape, build_graph
from symbackprop.core.lift import hadamard_factors, is_liftable, lift
from symbackprop.errors import SpecError
from symbackprop.records import scalars
from symbackprop.records.activations import Activation
from symbackprop.records.nodes import derivative_of
from symbackprop.records.scalars import scalar_text

if TYPE_CHECKING:
    from symbackprop.spec import Network

#: the L2 weight-decay coefficient as it appears in formulas; its value is ``network.l2``
LAMBDA = sp.Symbol("lambda", positive=True)

#: the deepest network whose fully expanded gradients (:attr:`Derivation.expanded`) are built
EXPANDED_MAX_DEPTH = 300

#: scalar algebra is handed to ``sp.simplify`` only up to this many operations (``count_ops``)
SIMPLIFY_MAX_OPS = 40
#: ... and only when every integer exponent is at most this in absolute value: simplify
#: expands and factors powers, so ``(1 + z)^999`` would take hours with very few operations
SIMPLIFY_MAX_EXPONENT = 12
#: ... and only with numbers of at most this many digits
SIMPLIFY_MAX_DIGITS = 12


def is_small_scalar(expr: sp.Basic) -> bool:
    """True when ``expr`` is small enough for ``sp.simplify`` and exact evaluation.

    The measure is structural (operation count, exponents, number sizes), so it costs time
    linear in the expression; everything the built-in activations and losses produce is far
    below it, so their cancellations (BCE with sigmoid, CE with softmax) are still derived.
    """
    if sp.count_ops(expr) > SIMPLIFY_MAX_OPS:
        return False
    for node in sp.preorder_traversal(expr):
        if (
            isinstance(node, sp.Pow)
            and node.exp.is_Number
            and abs(node.exp) > SIMPLIFY_MAX_EXPONENT
        ):
            return False
        if (
            isinstance(node, sp.Rational)
            and max(len(str(abs(node.p))), len(str(node.q))) > SIMPLIFY_MAX_DIGITS
        ):
            return False
    return True


def lifts_derivative(act: Activation) -> bool:
    """True when g' is written out in the derivation (rational in the cache, and small).

    Otherwise the derivation shows the opaque factor ``g'(z)`` (:class:`ActPrime`) and the
    exact check treats g' as an uninterpreted function, like softplus'.
    """
    return act.derivative_is_rational and is_small_scalar(act.cached_derivative)


def evaluates_exactly(act: Activation) -> bool:
    """True when the exact check evaluates g itself in rationals (rational and small)."""
    return act.is_rational and act.formula is not None and is_small_scalar(act.formula)


def bounded_simplify(expr: sp.Expr) -> sp.Expr:
    """``factor_terms(simplify(expr))`` when :func:`is_small_scalar`, else ``expr`` unchanged.

    Leaving an expression as it is is always correct (it is the same function); it only
    means that a cancellation is not shown. Nothing in the engine calls ``simplify`` without
    this bound, so no formula can make a derivation hang.
    """
    if not is_small_scalar(expr):
        return expr
    return sp.factor_terms(sp.simplify(expr))


@dataclass(frozen=True)
class Step:
    """One step of the derivation.

    ``target`` is what the step computes (``"dJ/dW2"``), ``expr`` its matrix expression (in
    terms of earlier deltas), ``shape`` the symbolic shape, ``rule`` the rule kind (``loss``,
    ``elementwise``, ``softmax``, ``assumption``, ``bilinear``, ``bias``), ``candidates`` the
    arrangements that were considered and ``reason`` why the survivor is the only one that fits.
    ``uses`` lists the forward values read from the cache; ``algebra`` shows the scalar
    simplification done inside an element-wise product; ``stores`` names the delta the result
    is kept under, when it is one. ``number`` is the step's 1-based position in
    ``Derivation.steps``, the number every printer shows (also when ``--wrt`` leaves steps out).
    """

    target: str
    expr: Any
    shape: Shape
    rule: str
    candidates: tuple[Candidate, ...]
    reason: str
    layer: int
    uses: tuple[str, ...] = ()
    algebra: str | None = None
    stores: str | None = None
    number: int = 0
    wrt: Any = None
    delta: Any = None
    assumption: str | None = None

    @property
    def algebra_text(self) -> str | None:
        """The scalar algebra inside an element-wise product, as one line of plain text."""
        return self.algebra

    @property
    def chosen(self) -> Candidate | None:
        """The surviving candidate (``None`` for steps with a single possible form)."""
        fitting = [c for c in self.candidates if c.fits and c.equal is None]
        return fitting[0] if fitting else None


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


def derive(network: Network, *, batch: bool = False) -> Derivation:
    """Derive dJ/dW[l] and dJ/db[l] for every layer of ``network``.

    Single-example form by default (x is n0 x 1, as in the lecture); ``batch=True`` gives the
    form over m examples in columns (X is n0 x m, the cost is the mean over the columns).
    """
    return _Engine(build_graph(network, batch=batch)).run()


class _Engine:
    """Reverse accumulation over one forward graph; :meth:`run` returns the derivation."""

    def __init__(self, graph: ForwardGraph) -> None:
        self.g = graph
        self.d = Derivation(graph.network, graph.batch, graph)
        self.batch = graph.batch
        self.m = graph.m

    # -- names ---------------------------------------------------------------------------
    def _grad(self, name: str) -> str:
        return f"dJ/d{name}"

    def _shape(self, layer: int) -> Shape:
        return (self.g.dims[layer], self.m)

    # -- the run -------------------------------------------------------------------------
    def run(self) -> Derivation:
        depth = self.g.depth
        delta = self._output_delta()
        for layer in range(depth, 0, -1):
            self._parameter_steps(layer)
            if layer > 1:
                upstream = self._back_through_weights(layer)
                delta = self._hidden_delta(layer - 1, upstream)
        del delta
        return self.d

    def _add(self, step: Step) -> None:
        """Append ``step`` with its printed number."""
        self.d.steps.append(dataclasses.replace(step, number=len(self.d.steps) + 1))

    def _delta_symbol(self, layer: int) -> MatrixSymbol:
        return MatrixSymbol(f"delta{layer}", self.g.dims[layer], self.m)

    def _store_delta(self, layer: int, expr: Any) -> MatrixSymbol:
        symbol = self._delta_symbol(layer)
        self.d.deltas[layer] = expr
        self.d.delta_symbols[layer] = symbol
        return symbol

    # -- the loss and the output layer ---------------------------------------------------
    def _output_delta(self) -> MatrixSymbol:
        g, depth = self.g, self.g.depth
        loss, act = g.loss, g.activation(depth)
        a_l, z_l, y = g.a(depth), g.z(depth), g.y
        shape = self._shape(depth)
        coeff = 1 / self.m
        dl = loss.derivative
        mapping = {scalars.a: a_l, scalars.y: y, scalars.z: z_l}
        upstream = lift(dl, mapping, shape)
        if self.batch:
            upstream = coeff * upstream
        cost = (
            f"J = (1/m) sum over the m columns of L(A{depth}, Y)"
            if self.batch
            else f"J = L(a{depth}, y)"
        )
        self._add(
            Step(
                target=self._grad(a_l.name),
                expr=upstream,
                shape=shape,
                rule="loss",
                candidates=(),
                reason=(
                    f"{cost}, {loss.description}, a sum over the output units of "
                    f"{sp.sstr(loss.formula)}; each unit's term depends on its own entry only, so "
                    f"dJ/d{a_l.name} is taken entry by entry: dL/da = {sp.sstr(dl)}"
                    + ("; the mean over the batch contributes 1/m" if self.batch else "")
                    + f". It has the shape of {a_l.name}, {show_shape(shape)}."
                ),
                layer=depth,
                uses=(a_l.name, y.name),
                wrt=a_l,
            )
        )
        if act.elementwise:
            expr, algebra, candidates, uses = self._elementwise(
                depth, Operand(self._grad(a_l.name), upstream, shape), dl, coeff_outside=True
            )
            rule = "elementwise"
            reason = self._elementwise_reason(depth, candidates, algebra)
        else:
            expr, algebra, candidates, uses = self._softmax(depth, upstream, dl)
            rule = "softmax"
            reason = (
                f"{a_l.name} = softmax({z_l.name}) mixes the units of each example: per column, "
                f"with g the column of dJ/d{a_l.name} ({g.dims[depth]} x 1) and a the column of "
                f"{a_l.name}, the Jacobian S = da/dz = diag(a) - a a^T is "
                f"{g.dims[depth]} x {g.dims[depth]}; S^T g fits, and S g is the same vector "
                "because S is symmetric, giving a ⊙ (g - 1 (a^T g))"
            )
            if algebra:
                reason += "; the scalar algebra then cancels, using the assumption above"
        self._add(
            Step(
                target=self._grad(z_l.name),
                expr=expr,
                shape=shape,
                rule=rule,
                candidates=tuple(candidates),
                reason=reason,
                layer=depth,
                uses=uses,
                algebra=algebra,
                stores=f"delta{depth}",
                wrt=z_l,
                delta=self._delta_symbol(depth),
            )
        )
        return self._store_delta(depth, expr)

    def _softmax(
        self, layer: int, upstream: Any, dl: sp.Expr
    ) -> tuple[Any, str | None, list[Candidate], tuple[str, ...]]:
        g = self.g
        n = g.dims[layer]
        a_l, y = g.a(layer), g.y
        # g: one column of dJ/da; S = da/dz: the softmax Jacobian of that column (not J, the cost)
        col = Operand("g", MatrixSymbol("g", n, 1), (n, 1))
        jac = Operand("S", MatrixSymbol("S", n, n), (n, n))
        candidates = bilinear_candidates(col, jac, (n, 1))
        # S is symmetric, so S g and S^T g are one arrangement: S^T g is the survivor and S g an
        # equal form of it (not a rejected one).
        candidates = [
            c
            if not (c.fits and c.text == "S g")
            else dataclasses.replace(
                c, equal="S^T g", note="equal to S^T g, because S is symmetric (S = S^T)"
            )
            for c in candidates
        ]
        select(candidates, self._grad(g.z(layer).name))
        shape = self._shape(layer)
        a, y_s, s = scalars.a, scalars.y, scalars.s
        weighted = bounded_simplify(a * dl)  # a_k g_k, per unit
        loss = g.loss
        coeff = 1 / self.m if self.batch else sp.Integer(1)
        if weighted.free_symbols <= {y_s} and bounded_simplify(weighted.diff(y_s, 2)) == 0:
            # sum_j a_j g_j = (d weighted / dy) * sum_j y_j when weighted is linear in y
            column_sum = weighted.diff(y_s) * s + weighted.subs(y_s, 0)
            raw = weighted - a * column_sum
            algebra_parts = [f"a ⊙ (g - sum_j a_j g_j) = {sp.sstr(raw)} with s = sum_k y_k"]
            with_s = raw
            if loss.assumption:
                self.d.assumptions.append(loss.assumption)
                self._add(
                    Step(
                        target="s = 1^T " + y.name,
                        expr=OneMatrix(1, self.m),
                        shape=(sp.Integer(1), self.m),
                        rule="assumption",
                        candidates=(),
                        reason=f"assumption stated by the {loss.name} loss: {loss.assumption}",
                        layer=layer,
                        uses=(y.name,),
                        assumption=loss.assumption,
                    )
                )
                raw = raw.subs(s, 1)
            final = bounded_simplify(raw)
            if s not in final.free_symbols and is_liftable(final):
                if s in with_s.free_symbols:
                    algebra_parts.append(f"; s = 1 by the stated assumption, so {sp.sstr(with_s)}")
                algebra_parts.append(f" = {sp.sstr(final)}")
                lifted = lift(final, {a: a_l, y_s: y}, shape)
                expr = coeff * lifted if self.batch else lifted
                return expr, "".join(algebra_parts), candidates, (a_l.name, y.name)
        ones_col = OneMatrix(n, 1)
        inner = HadamardProduct(a_l, upstream)
        expr = HadamardProduct(a_l, upstream - ones_col * (ones_col.T * inner))
        return expr, None, candidates, (a_l.name, y.name)

    # -- element-wise activations ------------------------------------------------------
    def _derivative_factor(self, layer: int) -> tuple[sp.Expr, Any, tuple[str, ...]]:
        """g'(z) as a scalar (``None`` when opaque) and as a matrix, plus the cache it reads."""
        act = self.g.activation(layer)
        z_l, a_l = self.g.z(layer), self.g.a(layer)
        if not lifts_derivative(act):
            return sp.Symbol("gprime", real=True), derivative_of(act, z_l), (z_l.name,)
        d = act.cached_derivative
        uses = tuple(
            name
            for name, present in (
                (a_l.name, act.derivative_uses_a),
                (z_l.name, act.derivative_uses_z),
            )
            if present
        )
        mapping = {scalars.a: a_l, scalars.z: z_l}
        matrix = lift(d, mapping, self._shape(layer))
        return d, matrix, uses

    def _elementwise(
        self, layer: int, upstream: Operand, dl: sp.Expr | None, *, coeff_outside: bool = False
    ) -> tuple[Any, str | None, list[Candidate], tuple[str, ...]]:
        act = self.g.activation(layer)
        z_l, a_l = self.g.z(layer), self.g.a(layer)
        shape = self._shape(layer)
        d_scalar, d_matrix, uses = self._derivative_factor(layer)
        factor = Operand(f"{act.name}'({z_l.name})", d_matrix, shape)
        candidates = elementwise_candidates(upstream, factor, shape)
        select(candidates, self._grad(z_l.name))
        if act.is_identity:
            return upstream.expr, None, candidates, ()
        mapping = {scalars.a: a_l, scalars.z: z_l, scalars.y: self.g.y}
        if dl is not None and lifts_derivative(act):
            product = dl * d_scalar
            simpler = bounded_simplify(product)
            if is_liftable(simpler) and sp.count_ops(simpler) < sp.count_ops(product):
                algebra = f"({sp.sstr(dl)}) * ({sp.sstr(d_scalar)}) = {sp.sstr(simpler)}"
                lifted = lift(simpler, mapping, shape)
                expr = (1 / self.m) * lifted if self.batch and coeff_outside else lifted
                return expr, algebra, candidates, tuple(sorted(set(uses) | {self.g.y.name}))
        if dl is not None:
            parts = [lift(f, mapping, shape) for f in hadamard_factors(dl)]
            upstream_expr: Any = parts[0] if len(parts) == 1 else HadamardProduct(*parts)
            if self.batch and coeff_outside:
                upstream_expr = (1 / self.m) * upstream_expr
        else:
            upstream_expr = upstream.expr
        if lifts_derivative(act):
            factors = [lift(f, mapping, shape) for f in hadamard_factors(d_scalar)]
        else:
            factors = [d_matrix]
        return HadamardProduct(upstream_expr, *factors), None, candidates, uses

    def _elementwise_reason(
        self, layer: int, candidates: list[Candidate], algebra: str | None
    ) -> str:
        act: Activation = self.g.activation(layer)
        z_l, a_l = self.g.z(layer), self.g.a(layer)
        shape = show_shape(self._shape(layer))
        rejected = next(c for c in candidates if c.op == "@" and c.shape is None)
        text = (
            f"{a_l.name} = {act.name}({z_l.name}) acts entry by entry, so each entry of "
            f"dJ/d{z_l.name} is the upstream entry times {act.name}' at that entry; both factors "
            f"are {shape}, the target is {shape}, and their matrix product is "
            f"{rejected.note.replace(': ', ' (', 1)}), so only the element-wise product fits"
        )
        if act.is_identity:
            text += f"; {act.name}' = 1, so the upstream gradient passes through unchanged"
        elif lifts_derivative(act):
            text += f"; {act.name}'(z) = {scalar_text(act.cached_derivative)}"
            if act.derivative_uses_a:
                text += f", read from the cached {a_l.name}"
        else:
            text += f"; {act.name}'(z) = {scalar_text(act.derivative)}, from the cached {z_l.name}"
        if algebra:
            text += f". Scalar algebra inside ⊙: {algebra}"
        return text

    # -- parameters and the way back -----------------------------------------------------
    def _parameter_steps(self, layer: int) -> None:
        g = self.g
        delta = self.d.delta_symbols[layer]
        shape = self._shape(layer)
        d_op = Operand(f"delta{layer}", delta, shape)
        prev = g.a(layer - 1)
        w, b = g.W(layer), g.b(layer)
        w_shape = tuple(w.shape)
        candidates = bilinear_candidates(
            d_op, Operand(prev.name, prev, tuple(prev.shape)), w_shape
        )
        chosen = select(candidates, self._grad(w.name))
        expr = chosen.expr
        reason = (
            f"{g.z(layer).name} = {w.name} {prev.name} + ...; dJ/d{w.name} must have the shape "
            f"of {w.name}, {show_shape(w_shape)}. delta{layer} is {show_shape(shape)} and "
            f"{prev.name} is {show_shape(tuple(prev.shape))}; of the {len(candidates)} "
            f"arrangements only {chosen.text} is {show_shape(w_shape)}"
        )
        if self.batch:
            reason += " (the product sums over the m examples)"
        if self.d.network.l2:
            expr = expr + (LAMBDA / self.m) * w
            penalty, added = (
                ("(lambda/2m)", "(lambda/m)") if self.batch else ("(lambda/2)", "lambda")
            )
            reason += (
                f"; the L2 penalty {penalty} sum_l ||W_l||_F^2 adds {added} {w.name}, "
                f"{show_shape(w_shape)} like {w.name}"
            )
        self._gradient(
            w.name,
            expr,
            dict(
                shape=w_shape,
                rule="bilinear",
                candidates=tuple(candidates),
                reason=reason,
                layer=layer,
                uses=(prev.name,),
            ),
        )
        b_shape = tuple(b.shape)
        if self.batch:
            ones = Operand("1_m^T", OneMatrix(1, self.m), (sp.Integer(1), self.m))
            candidates = bilinear_candidates(d_op, ones, b_shape)
            chosen = select(candidates, self._grad(b.name))
            self._gradient(
                b.name,
                chosen.expr,
                dict(
                    shape=b_shape,
                    rule="bias",
                    candidates=tuple(candidates),
                    reason=(
                        f"{b.name} is broadcast over the batch as {b.name} 1_m^T; "
                        f"dJ/d{b.name} must be {show_shape(b_shape)} and only {chosen.text} "
                        f"is: the sum of delta{layer} over its m columns"
                    ),
                    layer=layer,
                ),
            )
        else:
            # single example: z = W a + b adds b directly, so no arrangement is proposed
            self._gradient(
                b.name,
                delta,
                dict(
                    shape=b_shape,
                    rule="bias",
                    candidates=(),
                    reason=(
                        f"{g.z(layer).name} = ... + {b.name} adds {b.name} directly, so "
                        f"dJ/d{b.name} = delta{layer}, {show_shape(b_shape)} like {b.name}; "
                        "a single example needs no sum over columns"
                    ),
                    layer=layer,
                ),
            )

    def _gradient(self, name: str, expr: Any, step: dict[str, Any]) -> None:
        """Record dJ/d``name`` = ``expr`` as a gradient and as the step that derived it."""
        self.d.gradients[name] = expr
        self._add(Step(target=self._grad(name), expr=expr, wrt=self.g.symbols[name], **step))

    def _back_through_weights(self, layer: int) -> Operand:
        g = self.g
        delta = self.d.delta_symbols[layer]
        w, prev = g.W(layer), g.a(layer - 1)
        target = self._shape(layer - 1)
        candidates = bilinear_candidates(
            Operand(f"delta{layer}", delta, self._shape(layer)),
            Operand(w.name, w, tuple(w.shape)),
            target,
        )
        chosen = select(candidates, self._grad(prev.name))
        self._add(
            Step(
                target=self._grad(prev.name),
                expr=chosen.expr,
                shape=target,
                rule="bilinear",
                candidates=tuple(candidates),
                reason=(
                    f"{g.z(layer).name} = {w.name} {prev.name} + ...; dJ/d{prev.name} must have "
                    f"the shape of {prev.name}, {show_shape(target)}. {w.name} is "
                    f"{show_shape(tuple(w.shape))} and delta{layer} is "
                    f"{show_shape(self._shape(layer))}; only {chosen.text} is "
                    f"{show_shape(target)}. "
                    f"delta{layer} is reused from the step before, not recomputed"
                ),
                layer=layer - 1,
                wrt=prev,
            )
        )
        return Operand(chosen.text, chosen.expr, target)

    def _hidden_delta(self, layer: int, upstream: Operand) -> MatrixSymbol:
        z_l = self.g.z(layer)
        expr, algebra, candidates, uses = self._elementwise(layer, upstream, None)
        self._add(
            Step(
                target=self._grad(z_l.name),
                expr=expr,
                shape=self._shape(layer),
                rule="elementwise",
                candidates=tuple(candidates),
                reason=self._elementwise_reason(layer, candidates, algebra),
                layer=layer,
                uses=uses,
                algebra=algebra,
                stores=f"delta{layer}",
                wrt=z_l,
                delta=self._delta_symbol(layer),
            )
        )
        return self._store_delta(layer, expr)
