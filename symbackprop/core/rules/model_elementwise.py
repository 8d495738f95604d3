"""The rules of a model's element-wise nodes: A ⊙ B (a column broadcast over the m columns
sums back over them), f(A) entry by entry (G ⊙ f'(A)) and softmax of each column."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import HadamardProduct, MatrixSymbol, OneMatrix

from symbackprop.core.candidates import Operand, choose, elementwise_candidates
from symbackprop.core.graph import Node
from symbackprop.core.model_graph import Broadcast, ElementFunction, ModelGraph
from symbackprop.core.placeholder import ARGUMENT_NAME
from symbackprop.core.rules.base import Adjoint, Context, Contribution, shape_of
from symbackprop.core.rules.model_base import (
    FunctionForm,
    LossForm,
    active,
    arg_text,
    decision,
    grad,
    grad_text,
    head,
    shown_math,
    target,
    text_of,
)
from symbackprop.core.rules.model_cancel import (
    assumed_target,
    cancel,
    cancel_log_softmax,
    cancel_softmax,
    distribute_function,
    distribute_softmax,
    softmax_for_any_target,
    sums_kept,
)
from symbackprop.core.segments import (
    Prime,
    Rel,
    Segment,
    Text,
    notation,
    words_with_m,
)
from symbackprop.core.steps import Rule
from symbackprop.records.nodes import T as _T
from symbackprop.records.nodes import entrywise

#: how the variable of an element-wise derivative is shown
_SHOWN = sp.Symbol(ARGUMENT_NAME, real=True)

_ENTRYWISE_WHY = (
    "entry (i, j) of the result depends on entry (i, j) of the argument only, so the chain "
    "rule multiplies entry by entry"
)


def _spread(ctx: Context, symbol: MatrixSymbol, broadcast: bool, cols: Any) -> Operand:
    """The operand as the product reads it: a broadcast column as ``b 1_m^T``."""
    if not broadcast:
        return Operand(text_of(ctx, symbol), symbol, shape_of(symbol))
    spread = symbol * OneMatrix(1, cols)
    return Operand(f"{text_of(ctx, symbol)} 1_m^T", spread, (symbol.shape[0], cols))


def hadamard_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = A ⊙ B: dJ/dA = G ⊙ B (summed over the m columns when A is a broadcast column)."""
    record: Broadcast = node.record
    left, right = node.args
    assert isinstance(left, MatrixSymbol) and isinstance(right, MatrixSymbol)
    out = up.value
    cols = out.shape[1]
    shown = head(ctx, out, node.expr, f"{text_of(ctx, left)} ⊙ {text_of(ctx, right)}")
    pairs = (
        (left, right, record.broadcast[1], record.broadcast[0]),
        (right, left, record.broadcast[0], record.broadcast[1]),
    )
    result = []
    for to, other, other_spread, own_spread in pairs:
        if not active(ctx, to):
            continue
        factor = _spread(ctx, other, other_spread, cols)
        g = up.operand
        if own_spread:
            product = HadamardProduct(up.expr, factor.expr)
            expr = product * OneMatrix(cols, 1)
            segments = (
                *shown,
                shown_math(ctx, to),
                *words_with_m(" is broadcast over the m columns, so "),
                grad(ctx, to),
                Rel(),
                shown_math(ctx, expr, f"({up.label} ⊙ {text_of(ctx, factor)}) 1_m"),
                *words_with_m(": the entry-wise product summed over the m columns, "),
                *target(ctx, to, up),
            )
            result.append(Contribution(to, expr, Rule.BROADCAST, "(G ⊙ B) 1_m", segments))
            continue
        candidates = elementwise_candidates(g, factor, shape_of(to))
        chosen, others = choose(candidates, grad_text(ctx, to), ("⊙", g, factor))
        segments = (
            *shown,
            *target(ctx, to, up),
            *decision(chosen, others, candidates, _ENTRYWISE_WHY),
        )
        result.append(
            Contribution(
                to,
                chosen.expr,
                Rule.ELEMENTWISE,
                chosen.text,
                segments,
                candidates=tuple(candidates),
                uses=(other.name,),
            )
        )
    return result


def _power_name(fn: ElementFunction) -> tuple[str, str]:
    """A power's name, which the graph spells by its exponent (``^1/2``), in text and LaTeX:
    ``(·)^3``, ``(·)^-1``, ``(·)^(1/2)`` (a fraction bracketed: ``^`` binds before ``/``) and
    ``(\\cdot)^{1/2}``; the reason and the derivative's name use the same."""
    exponent = fn.name[1:]  # as the graph spells it: 3, -1, 1/2, 0.3
    shown = f"({exponent})" if "/" in exponent else exponent
    return f"({ARGUMENT_NAME})^{shown}", rf"(\cdot)^{{{exponent}}}"


def _prime(fn: ElementFunction, arg: MatrixSymbol, shown: str) -> Prime:
    """The derivative of ``fn`` at ``arg`` (shown as ``shown``): ``sqrt'(h)``, and for a power
    ``(·)^(1/2)'(h)`` (:func:`_power_name`)."""
    if fn.name.startswith("^"):
        text, latex = _power_name(fn)
        return Prime(text, rf"\bigl({latex}\bigr)", arg, shown)
    latex = fn.activation.latex if fn.activation is not None else rf"\operatorname{{{fn.name}}}"
    return Prime(fn.name, latex, arg, shown)


def function_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = f(A) entry by entry: dJ/dA = G ⊙ f'(A) (f' = f for exp: the output itself)."""
    fn: ElementFunction = node.record
    (arg,) = node.args
    assert isinstance(arg, MatrixSymbol)
    if not active(ctx, arg):
        return []
    out = up.value
    shape = shape_of(arg)
    reuse = fn.derivative == fn.body  # exp: the cached output is its own derivative
    matrix = out if reuse else fn.apply_derivative(arg)
    prime = _prime(fn, arg, arg_text(ctx, arg))
    factor = Operand(
        text_of(ctx, out) if reuse else prime.plain, matrix, shape, None if reuse else prime
    )
    g = up.operand
    candidates = elementwise_candidates(g, factor, shape)
    chosen, others = choose(candidates, grad_text(ctx, arg), ("⊙", g, factor))
    cancelled = cancel(ctx, fn, arg, out, up)
    spread = distribute_function(ctx, fn, arg, out, up, factor) if cancelled is None else None
    expr, algebra, shown = cancelled if cancelled is not None else (chosen.expr, (), ())
    power = fn.name.startswith("^")  # a power, named by its exponent
    named = (notation(*_power_name(fn)),) if power else (Text(fn.name),)
    # f' written in the output (tanh's 1 - a^2): the value the code reads from the cache,
    # said beside the derivative the step shows in the argument (review23: "reuses h3" beside
    # 1 - tanh(W h2 + ...)^2 read as a recomputation)
    # f' as the code computes it (norm2's sqrt' is 0 where the sum of squares is 0)
    coded = fn.derivative if fn.code_derivative is None else fn.code_derivative
    in_out = None if reuse else fn.in_output(coded)
    # said where a product keeps f' (not where every term cancels it: sigmoid + bce alone)
    kept = cancelled is None and (spread is None or spread.expr.has(matrix))
    said = in_out if kept else None
    segments = (
        # a power's value printed (``sqrt(h)``): its name (``^1/2``) is no function's
        *head(ctx, out, node.expr, None if power else f"{fn.name}({arg_text(ctx, arg)})"),
        *named,
        Text(" acts"),
        Text(" entry by entry with derivative "),
        shown_math(ctx, fn.derivative.xreplace({_T: _SHOWN})),
        *(
            (
                Text(f" (= {fn.name} itself, so the cached "),
                shown_math(ctx, out),
                Text(" is reused)"),
            )
            if reuse
            else (
                Text(", which the code reads from the cached "),
                shown_math(ctx, out),
                Text(" as "),
                shown_math(ctx, entrywise(sp.Lambda(_T, said), out)),
                *(
                    ()
                    if coded is fn.derivative
                    else (
                        Text(", 0 where "),
                        shown_math(ctx, fn.derivative.xreplace({_T: _SHOWN})),
                        Text(" has no value"),
                    )
                ),
            )
            if said is not None
            else ()
        ),
        Text("; "),
        *target(ctx, arg, up),
        *decision(chosen, others, candidates, _ENTRYWISE_WHY),
    )
    # what the generated code reads: the cached output where f' is written in it (relu's
    # 1{a > 0}, tanh's 1 - a^2), else the argument; nothing when f' is a number (a step's 0)
    reads_output = reuse or in_out is not None
    reads_argument = fn.derivative.has(_T)
    uses = (out.name,) if reads_output else (arg.name,) if reads_argument else ()
    if cancelled is not None and isinstance(up.scalar, FunctionForm):
        segments = (
            *segments,
            Text("; the derivative "),
            shown_math(ctx, up.scalar.dl),
            Text(" of "),
            *up.scalar.name,
            Text(" times this one, simplified on scalars: "),
            *shown,
            Text(", lifted back entry by entry"),
        )
        uses = tuple(dict.fromkeys((*uses, out.name)))
    elif cancelled is not None:
        segments = (
            *segments,
            Text("; the loss's "),
            notation("dL/da", r"\partial L / \partial a"),
            Text(" times the derivative, simplified on scalars: "),
            *shown,
            Text(", lifted back entry by entry"),
            # the scalar line is per entry of dL/da: the mean's 1/m is said (hostile42b #2)
            *(
                (Text(", times the loss's factor "), shown_math(ctx, up.scalar.coeff))
                if isinstance(up.scalar, LossForm) and up.scalar.coeff != 1
                else ()
            ),
        )
        assert isinstance(up.scalar, LossForm)
        uses = tuple(dict.fromkeys((*uses, out.name, up.scalar.target.name)))
    if spread is not None:
        expr, algebra, shown = spread.expr, spread.chain, spread.shown
        segments = (*segments, *spread.said)
        uses = tuple(dict.fromkeys((*uses, out.name, *spread.uses)))
    # log of a sigmoid: log's 1/a goes down as scalar algebra, for the sigmoid to cancel
    dl = ctx.graph.outer_cancel(node) if isinstance(ctx.graph, ModelGraph) else None
    return [
        Contribution(
            arg,
            expr,
            Rule.ELEMENTWISE,
            chosen.text,
            segments,
            candidates=tuple(candidates),
            uses=uses,
            algebra=algebra,
            algebra_segments=shown,
            scalar=None if dl is None else FunctionForm(dl, up.expr, named),
        )
    ]


def softmax_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """S = softmax(Z) per column: dJ/dZ = S ⊙ (G - 1 1^T (S ⊙ G)), the Jacobian-vector
    product diag(a) - a a^T of each column a."""
    (z,) = node.args
    assert isinstance(z, MatrixSymbol)
    if not active(ctx, z):
        return []
    s = up.value
    rows = z.shape[0]
    weighted = HadamardProduct(s, up.expr)
    expr = HadamardProduct(s, up.expr - OneMatrix(rows, rows) * weighted)
    segments = (
        *head(ctx, s, node.expr, f"softmax({arg_text(ctx, z)})"),
        # a for the softmax's column, as the network's step and the scalar algebra below
        # write it (s there is the column sum of a target: hostile reader 22)
        # a as math: in the LaTeX and the page "with a for" read as the article (lecturer43)
        Text("with "),
        notation("a", "a"),
        Text(" for a column of "),
        shown_math(ctx, s),
        Text(", each column's Jacobian is "),
        notation("diag(a) - a a^T", r"\operatorname{diag}(a) - a a^{\top}"),
        Text(" (symmetric), so each column of "),
        grad(ctx, z),
        Text(" is "),
        notation("a ⊙ (g - (a^T g) 1)", r"a \odot (g - (a^{\top} g) \mathbf{1})"),
        Text(": "),
        shown_math(
            ctx, expr, f"{text_of(ctx, s)} ⊙ ({up.label} - 1 1^T ({text_of(ctx, s)} ⊙ {up.label}))"
        ),
        Text(", of the shape of "),
        shown_math(ctx, z),
    )
    cancelled = cancel_softmax(ctx, z, s, up)
    spread = distribute_softmax(ctx, z, s, up) if cancelled is None else None
    logged = cancel_log_softmax(ctx, z, s, up)
    algebra: tuple[Any, ...] = ()
    shown: tuple[Segment, ...] = ()
    uses: tuple[str, ...] = (s.name,)
    general = None  # the step before a loss's stated assumption, where it makes one
    if logged is not None:
        expr, algebra, shown = logged
        segments = (
            *segments,
            Text("; with the derivative "),
            shown_math(ctx, up.scalar.dl),  # type: ignore[union-attr]  # a FunctionForm
            Text(" of log above it, simplified on scalars: "),
            *shown,
            Text(", lifted back entry by entry"),
        )
    if spread is not None:
        expr, algebra, shown = spread.expr, spread.chain, spread.shown
        general = spread.general
        segments = (*segments, *spread.said)
        uses = tuple(dict.fromkeys((*uses, *spread.uses)))
    if cancelled is not None:
        expr, algebra, shown = cancelled
        general = softmax_for_any_target(ctx, z, s, up)
        assert isinstance(up.scalar, LossForm)  # only a loss cancels with softmax
        read = up.scalar.target
        kept: tuple[Segment, ...] = ()
        if not assumed_target(ctx, read):  # its column sums are read: 1 1^T y
            uses = (*uses, read.name)
            kept = sums_kept(ctx, read)
        segments = (
            *segments,
            Text("; with the loss's "),
            notation("dL/da", r"\partial L / \partial a"),
            Text(", simplified on scalars: "),
            *shown,
            Text(", lifted back entry by entry"),
            *kept,
        )
    return [
        Contribution(
            z,
            expr,
            Rule.SOFTMAX,
            "S ⊙ (G - 1 1^T (S ⊙ G))",
            segments,
            uses=uses,
            algebra=algebra,
            algebra_segments=shown,
            general=general,
        )
    ]
