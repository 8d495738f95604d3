"""Scalar cancellations between a loss and the activation or softmax below it, in a model.

A loss's dJ/dA reaches the element-wise rule as scalar algebra (:class:`LossForm`); multiplied
by g' on scalar symbols it may cancel (bce after sigmoid: ((1 - y)/(1 - a) - y/a) a(1 - a) =
a - y), which is smaller and stays finite where the activation saturates. When the value is
read in several places its adjoint is a sum of contributions (bce(p, Y) + mse(p, Y)): the rule
distributes g' (or softmax's Jacobian-vector product, linear in G) over that sum, so each
loss term still cancels on its own instead of dL/da being formed first ((1 - Y) / (1 - p) is
infinite where p rounds to 1); log's 1/a the same way (log(S) beside S ⊙ S: 1/S is infinite
where a softmax entry rounds to 0). Every equality is verified (:func:`verify_chain`; a sum term
by term, :func:`verify_termwise`), none is hard-coded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy import HadamardProduct, MatrixSymbol, OneMatrix

from symbackprop.core import canonical
from symbackprop.core.algebra import (
    bounded_simplify,
    cancelled_product,
    pole_cancelled,
    verify_chain,
    verify_termwise,
)
from symbackprop.core.candidates import Operand
from symbackprop.core.lift import is_liftable, lift
from symbackprop.core.model_graph import ElementFunction
from symbackprop.core.rules.base import Adjoint, Context, shape_of
from symbackprop.core.rules.model_base import FunctionForm, LossForm, grad, shown_math
from symbackprop.core.segments import Math, Rel, Segment, Text, notation
from symbackprop.records import scalars

#: a matrix expression, the scalar equality chain it comes from, and how that chain is shown
Cancelled = tuple[Any, tuple[Any, ...], tuple[Segment, ...]]


@dataclass(frozen=True)
class Distributed:
    """The factor distributed over a sum of contributions: the matrix result, its verified
    scalar chain and how that is shown, the reason's words, and the cached values read."""

    expr: Any
    chain: tuple[Any, ...]
    shown: tuple[Segment, ...]
    said: tuple[Segment, ...]
    uses: tuple[str, ...]
    #: ``expr`` before a stated assumption (Step.general), ``None`` where none was used
    general: Any = None


def cancel(
    ctx: Context, fn: ElementFunction, z: MatrixSymbol, a: MatrixSymbol, up: Adjoint
) -> Cancelled | None:
    """A loss's dL/da times an activation's g', simplified by SymPy on scalar symbols and
    lifted back (bce after sigmoid: a - y), when that makes it smaller; else ``None``.
    The cancellation is derived and its equality verified, never hard-coded."""
    act = fn.activation
    loss = up.scalar
    if act is not None and isinstance(loss, FunctionForm):
        return _cancel_function(ctx, act, z, a, loss)
    if act is None or not isinstance(loss, LossForm):
        return None
    simpler = cancelled_product(loss.dl, act)
    if simpler is None:
        return None
    chain, shown = _times_derivative(ctx, loss.dl, act, simpler)
    mapping = {scalars.a: a, scalars.z: z, scalars.y: loss.target}
    expr = loss.coeff * lift(simpler, mapping, shape_of(z))
    return expr, chain, shown


def _cancel_function(
    ctx: Context, act: Any, z: MatrixSymbol, a: MatrixSymbol, form: FunctionForm
) -> Cancelled | None:
    """log's 1/a times the activation's g', simplified on scalars (sigmoid: 1 - a), times
    the adjoint above the log entry by entry; ``None`` when it does not simplify."""
    simpler = pole_cancelled(form.dl, act)
    if simpler is None:
        return None
    chain, shown = _times_derivative(ctx, form.dl, act, simpler)
    lifted = lift(simpler, {scalars.a: a, scalars.z: z}, shape_of(z))
    return HadamardProduct(form.upstream, lifted), chain, shown


def _times_derivative(
    ctx: Context, dl: Any, act: Any, simpler: Any
) -> tuple[tuple[Any, ...], tuple[Segment, ...]]:
    """The verified chain ``dl * g' = simpler`` (on scalar symbols) and how it is shown: the
    product alone where it prints as its simpler form does (``(1/(2*sqrt(a))) 1{a > 0}``
    twice would be no algebra)."""
    derivative = act.cached_derivative
    chain = (sp.Mul(dl, derivative, evaluate=False), simpler)
    verify_chain(chain)
    product, result = shown_math(ctx, chain[0]), shown_math(ctx, simpler)
    if product.text == result.text:
        return chain, (result,)
    return chain, (product, Rel(), result)


def distribute_function(
    ctx: Context,
    fn: ElementFunction,
    z: MatrixSymbol,
    a: MatrixSymbol,
    up: Adjoint,
    factor: Operand,
) -> Distributed | None:
    """dJ/dZ = (G_1 + G_2 + ...) ⊙ g'(Z) = G_1 ⊙ g'(Z) + G_2 ⊙ g'(Z) + ... when ``up`` is a
    sum of contributions and at least one of them is a loss that cancels with g'; the terms
    that do not cancel keep one ⊙ g'(Z) together. ``None`` otherwise.

    The chain, on scalars, is the upstream entry times g' = the sum of each term's product,
    cancelled where it cancels: a contribution's entry is its coefficient c_k times its
    loss's dL/da (``u_k`` for one that is not a loss). Each term is checked on its own."""
    cancels = [cancel(ctx, fn, z, a, part) for part in up.parts]
    if len(up.parts) < 2 or all(c is None for c in cancels):
        return None
    assert fn.activation is not None
    derivative = fn.activation.cached_derivative
    ys = _target_symbols(up.parts)
    entries, terms = [], []
    for k, (part, done) in enumerate(zip(up.parts, cancels, strict=True), 1):
        weight, entry = _entry(part, k, ys)
        times = sp.Mul(entry, derivative, evaluate=False)
        result = times if done is None else _in(done[1][-1], k, ys)
        if done is not None and isinstance(part.scalar, FunctionForm):  # u_k (1/a) g'
            result = sp.Mul(sp.Symbol(f"u{k}", real=True), result, evaluate=False)
        entries.append(_weighted(weight, entry))
        terms.append((sp.Mul(weight, entry, derivative), _weighted(weight, result)))
    # (sum_k e_k) g' = sum_k e_k g' is the distributive law; each term's = is checked
    verify_termwise(terms)
    chain = (
        sp.Mul(sp.Add(*entries, evaluate=False), derivative, evaluate=False),
        sp.Add(*(term[1] for term in terms), evaluate=False),
    )
    kept = [part.expr for part, done in zip(up.parts, cancels, strict=True) if done is None]
    matrices = [done[0] for done in cancels if done is not None]
    if kept:
        matrices.append(HadamardProduct(_sum(kept), factor.expr))
    shown = (shown_math(ctx, chain[0]), Rel(), shown_math(ctx, chain[1]))
    said = (
        *_opening(ctx, up, "⊙ distributes over a sum"),
        Text("the derivative multiplies each on its own, and "),
        *_cancelling(ctx, up.parts, cancels, "derivative "),
        Text(" times it simplifies on scalars: "),
        *shown,
        *_placeholders_said(ctx, up.parts, ys),
        Text(", lifted back entry by entry"),
        *_kept_said(kept),
    )
    return Distributed(_sum(matrices), chain, shown, said, _targets_used(up.parts))


def cancel_softmax(
    ctx: Context, z: MatrixSymbol, s: MatrixSymbol, up: Adjoint
) -> Cancelled | None:
    """softmax under a loss whose a_k dL/da_k is linear in y (ce: -y): each column gives
    a ⊙ (g - sum_j a_j g_j) = a (sum_k y_k) - y. Where the target is a data leaf that is
    a - y under the loss's stated assumption (each column of y sums to 1), stated as a step;
    any other target (``2 Y``, ``Y / 2``: columns that cannot sum to 1 when Y's do) keeps the
    sum, lifted as ``1 1^T y`` (every row of a column holds its column sum). ``None`` when the
    loss states no such assumption or its a dL/da is not linear in y."""
    form = up.scalar
    if not isinstance(form, LossForm):
        return None
    raw = _softmax_raw(form)
    if raw is None:
        return None
    a, y, total = scalars.a, scalars.y, scalars.s
    target = form.target
    if not assumed_target(ctx, target):
        return _cancel_softmax_kept(ctx, z, s, form, raw)
    final = bounded_simplify(raw.subs(total, 1))
    if total in final.free_symbols or not is_liftable(final):
        return None
    if _cancel_softmax_kept(ctx, z, s, form, raw) is None:
        return None  # no form for any target beside it (softmax_for_any_target)
    ctx.state_assumption(form.loss, target, z)
    chain = (raw, final)
    verify_chain(chain, {total: sp.Integer(1)})
    shown = (
        shown_math(ctx, raw),
        Text(" with "),
        notation("s = sum_i y_i", r"s = \sum_{i} y_{i}"),
        Text("; "),
        notation("s = 1", "s = 1"),
        Text(" by the stated assumption, so "),
        shown_math(ctx, raw),
        Rel(),
        shown_math(ctx, final),
    )
    expr = form.coeff * lift(final, {a: s, y: target}, shape_of(z))
    return expr, chain, shown


def softmax_for_any_target(ctx: Context, z: MatrixSymbol, s: MatrixSymbol, up: Adjoint) -> Any:
    """dJ/dz of :func:`cancel_softmax` before the loss's stated assumption, for any target:
    the column sum kept (``(S ⊙ 1 1^T Y - Y) / m`` for ce, Step.general), or ``None`` where
    that step assumes nothing (another target keeps its sum already, or no cancellation)."""
    form = up.scalar
    if not isinstance(form, LossForm) or not assumed_target(ctx, form.target):
        return None
    raw = _softmax_raw(form)
    kept = None if raw is None else _cancel_softmax_kept(ctx, z, s, form, raw)
    return None if kept is None else kept[0]


def _softmax_raw(form: LossForm) -> Any:
    """a (g - sum_j a_j g_j) per unit with the column sum s of the target kept, for a loss
    whose a dL/da is linear in y and that states an assumption; ``None`` otherwise."""
    if form.loss is None or not form.loss.assumption:
        return None
    a, y, total = scalars.a, scalars.y, scalars.s
    weighted = bounded_simplify(a * form.dl)
    if not weighted.free_symbols <= {y} or bounded_simplify(weighted.diff(y, 2)) != 0:
        return None
    return weighted - a * (weighted.diff(y) * total + weighted.subs(y, 0))


def cancel_log_softmax(
    ctx: Context, z: MatrixSymbol, s: MatrixSymbol, up: Adjoint
) -> Cancelled | None:
    """log over softmax: log's adjoint G ⊙ (1/a) through each column's Jacobian-vector
    product a ⊙ (g - (a^T g) 1). With g = u/a entry by entry (u an entry of G), a g = u, so
    a^T g is the column sum v of u and the product is u - a v: ``G - S ⊙ (1 1^T G)``, with
    no 1/a left (log's pole, infinite where a softmax entry rounds to 0). ``None`` when the
    adjoint is not log's or its a dl/da is not a constant."""
    form = up.scalar
    if not isinstance(form, FunctionForm):
        return None
    a = scalars.a
    # u: an entry of G; v: its column's sum (s is softmax's own name in this step's text)
    u, total = scalars.u, _V
    unit = bounded_simplify(a * form.dl)
    if unit.free_symbols:
        return None
    entry = (sp.Mul(a, u * form.dl, evaluate=False), unit * u)
    verify_chain(entry)  # a g = u: each entry of a ⊙ g, and summed over a column, a^T g = v
    raw = sp.Add(sp.Mul(a, u * form.dl, evaluate=False), -a * unit * total, evaluate=False)
    final = unit * u - unit * a * total
    chain = (raw, final)
    verify_chain(chain)
    rows = z.shape[0]
    upstream = form.upstream
    shown = (
        shown_math(ctx, raw),
        Text(" with "),
        notation("v = sum_i u_i", r"v = \sum_{i} u_{i}"),
        Text(" ("),
        shown_math(ctx, u),
        Text(" an entry of "),
        shown_math(ctx, upstream),
        Text("), so "),
        shown_math(ctx, raw),
        Rel(),
        shown_math(ctx, final),
    )
    expr = lift(final, {a: s, u: upstream, total: OneMatrix(rows, rows) * upstream}, shape_of(z))
    return expr, chain, shown


def assumed_target(ctx: Context, target: MatrixSymbol) -> bool:
    """Whether the loss's stated assumption covers ``target``: it is one of the model's data
    leaves (the data a user supplies as targets, and the exact check draws as such), not a
    value computed from them."""
    model = getattr(ctx.graph, "model", None)
    return model is not None and target.name in model.data


def _cancel_softmax_kept(
    ctx: Context, z: MatrixSymbol, s: MatrixSymbol, form: LossForm, raw: Any
) -> Cancelled | None:
    """a (sum_k y_k) - y with the column sum kept, for a target the assumption does not
    cover; the sum is lifted as ``1 1^T y`` (n x n ones times the n x m target)."""
    a, y, total = scalars.a, scalars.y, scalars.s
    final = bounded_simplify(raw)
    if not is_liftable(final):
        return None
    chain = (raw, final)
    verify_chain(chain)
    target = form.target
    rows = z.shape[0]
    sums = OneMatrix(rows, rows) * target
    # short, as an algebra line; the reason says why s stays (softmax_rule, distribute_softmax)
    shown = (
        shown_math(ctx, final),
        Text(" with "),
        notation("s = sum_i y_i", r"s = \sum_{i} y_{i}"),
    )
    expr = form.coeff * lift(final, {a: s, y: target, total: sums}, shape_of(z))
    return expr, chain, shown


def distribute_softmax(
    ctx: Context, z: MatrixSymbol, s: MatrixSymbol, up: Adjoint
) -> Distributed | None:
    """dJ/dZ = S ⊙ (G - 1 1^T (S ⊙ G)) is linear in G: applied to each contribution of a sum
    on its own when at least one of them is a loss that cancels with softmax (ce: S - Y) or
    log's (G - S ⊙ (1 1^T G), no 1/S); the others keep one product together. ``None``
    otherwise."""
    cancels = [
        cancel_softmax(ctx, z, s, part) or cancel_log_softmax(ctx, z, s, part) for part in up.parts
    ]
    if len(up.parts) < 2 or all(c is None for c in cancels):
        return None
    done = [c for c in cancels if c is not None]
    placeholders: tuple[Segment, ...] = ()
    if len(done) == 1:
        chain, shown = done[0][1], done[0][2]
    else:  # several: their weighted sum, each with its own target (every column sums to 1)
        ys = _target_symbols(up.parts)
        sums = {k: sp.Symbol(f"s{y.name[1:]}", real=True) for k, y in ys.items()}  # y2: s2
        pairs, assume = [], {}
        for k, (part, c) in enumerate(zip(up.parts, cancels, strict=True), 1):
            if c is None:
                continue
            weight, _ = _entry(part, k, ys)
            own = {scalars.y: ys[k], scalars.s: sums[k]}
            if isinstance(part.scalar, FunctionForm):  # log's: u_k and its column sum v_k
                own = {scalars.u: sp.Symbol(f"u{k}", real=True), _V: _sum_of_u(k)}
            pairs.append(tuple(_weighted(weight, e.xreplace(own)) for e in (c[1][0], c[1][-1])))
            if isinstance(part.scalar, LossForm) and scalars.s not in c[1][-1].free_symbols:
                # a data leaf's: the assumption holds
                assume[sums[k]] = sp.Integer(1)
        verify_termwise(pairs, assume)
        chain = tuple(sp.Add(*(pair[i] for pair in pairs), evaluate=False) for i in (0, 1))
        losses = sum(
            isinstance(part.scalar, LossForm)
            for part, c in zip(up.parts, cancels, strict=True)
            if c is not None
        )
        why: tuple[Segment, ...] = ()
        if losses and len(assume) == losses:
            why = (
                Text(" with each "),
                notation("s_k = 1", "s_k = 1"),
                Text(" by the stated assumption"),
            )
        elif losses:  # a target that is not a data leaf keeps its column sum (1 1^T y_k)
            why = (
                Text(" with each "),
                notation("s_k = sum_j (y_k)_j", r"s_k = \sum_{j} (y_k)_{j}"),
                Text(", 1 for a data leaf" if assume else ""),
            )
        if losses < len(pairs):  # log's: the column sum of its upstream entries
            why = (
                *why,
                Text(" and" if why else " with"),
                Text(" each "),
                notation("v_k = sum_j (u_k)_j", r"v_k = \sum_{j} (u_k)_{j}"),
            )
        why = (*why, Text(", so it is "))
        shown = (shown_math(ctx, chain[0]), *why, shown_math(ctx, chain[1]))
        placeholders = _placeholders_said(
            ctx, up.parts, ys, {k for k, c in enumerate(cancels, 1) if c}
        )
    kept = [part.expr for part, c in zip(up.parts, cancels, strict=True) if c is None]
    terms = [c[0] for c in done]
    # each cancelled term before its loss's stated assumption (None: it assumed nothing)
    anys = [
        softmax_for_any_target(ctx, z, s, part)
        for part, c in zip(up.parts, cancels, strict=True)
        if c is not None
    ]
    if kept:
        rest = _sum(kept)
        rows = z.shape[0]
        terms.append(HadamardProduct(s, rest - OneMatrix(rows, rows) * HadamardProduct(s, rest)))
    general = None
    if any(g is not None for g in anys):
        cancelled = [c if g is None else g for c, g in zip(terms, anys, strict=False)]
        general = _sum([*cancelled, *terms[len(anys) :]])  # the kept product, as it is
    said = (
        *_opening(ctx, up, "this product is linear in it"),
        Text("it is taken of each on its own, and with "),
        *_cancelling(ctx, up.parts, cancels),
        Text(" it simplifies on scalars: "),
        *shown,
        *placeholders,
        Text(", lifted back entry by entry"),
        *_sums_kept(ctx, up.parts),
        *_kept_said(kept),
    )
    return Distributed(_sum(terms), chain, shown, said, _targets_used(up.parts), general)


def _cancelling(
    ctx: Context, parts: tuple[Adjoint, ...], cancels: list[Any], pole: str = "derivative "
) -> tuple[Segment, ...]:
    """What cancels in a sum of contributions: a loss's dL/da, a function's derivative with
    a pole (log's 1/a), or both."""
    forms = [part.scalar for part, c in zip(parts, cancels, strict=True) if c is not None]
    said: list[Segment] = []
    if any(isinstance(form, LossForm) for form in forms):
        said += [Text("a loss's "), notation("dL/da", r"\partial L / \partial a")]
    for form in dict.fromkeys(f for f in forms if isinstance(f, FunctionForm)):
        said += [Text(" and " if said else ""), *form.name, Text(f"'s {pole}")]
        said.append(shown_math(ctx, form.dl))
    return tuple(said)


def sums_kept(ctx: Context, target: MatrixSymbol) -> tuple[Segment, ...]:
    """Why a ce target's column sum s stays in a - y's place: the loss's assumption is made of
    the data a user supplies, and ``target`` is computed from it."""
    return (
        Text("; s stays, as the assumption that each column sums to 1 covers a data leaf and "),
        shown_math(ctx, target),
        Text(" is not one: it is "),
        shown_math(ctx, OneMatrix(target.shape[0], target.shape[0]) * target),
        Text(", each column's sum in every row"),
    )


def _sums_kept(ctx: Context, parts: tuple[Adjoint, ...]) -> tuple[Segment, ...]:
    """:func:`sums_kept` of each loss target a softmax's cancellation keeps the sum of."""
    out: list[Segment] = []
    for part in parts:
        form = part.scalar
        if not isinstance(form, LossForm) or form.loss is None or not form.loss.assumption:
            continue
        if not assumed_target(ctx, form.target) and not any(
            isinstance(seg, Math) and seg.expr == form.target for seg in out
        ):
            out += sums_kept(ctx, form.target)
    return tuple(out)


def _opening(ctx: Context, up: Adjoint, why: str) -> tuple[Segment, ...]:
    """``; dJ/dA is the sum of the n contributions of its readers and <why>, so ``."""
    return (
        Text("; "),
        grad(ctx, up.value),
        Text(f" is the sum of the {len(up.parts)} contributions of its readers and {why}, so "),
    )


def _kept_said(kept: list[Any]) -> tuple[Segment, ...]:
    if not kept:
        return ()
    return (
        Text(
            "; the other contribution keeps the product"
            if len(kept) == 1
            else f"; the other {len(kept)} contributions keep one product together"
        ),
    )


def _target_symbols(parts: tuple[Adjoint, ...]) -> dict[int, sp.Symbol]:
    """The scalar placeholder of each loss contribution's target (k -> symbol): y when they
    share one, else y_1, y_2, ... one per distinct target, in order."""
    targets = list(dict.fromkeys(p.scalar.target for p in parts if isinstance(p.scalar, LossForm)))
    own = {t: sp.Symbol(f"y{i}", real=True) for i, t in enumerate(targets, 1)}
    return {
        k: own[p.scalar.target]
        if len(targets) > 1 and isinstance(p.scalar, LossForm)
        else scalars.y
        for k, p in enumerate(parts, 1)
    }


def _placeholders_said(
    ctx: Context,
    parts: tuple[Adjoint, ...],
    ys: dict[int, sp.Symbol],
    shown: set[int] | None = None,
) -> tuple[Segment, ...]:
    """What each c_k (a loss's coefficient), y_k (the losses read different targets) and u_k
    (a reader that is not a loss) in the chain stands for; only the contributions numbered in
    ``shown`` are in it when given."""
    named: list[tuple[sp.Symbol, str, Any]] = []
    for k, part in enumerate(parts, 1):
        if shown is not None and k not in shown:
            continue
        if isinstance(part.scalar, LossForm):
            if part.scalar.coeff != 1:
                named.append((sp.Symbol(f"c{k}", real=True), " = ", part.scalar.coeff))
            if ys[k] != scalars.y:
                named.append((ys[k], " is an entry of ", part.scalar.target))
        elif isinstance(part.scalar, FunctionForm):  # the adjoint above the function
            named.append((sp.Symbol(f"u{k}", real=True), " is an entry of ", part.scalar.upstream))
        else:
            named.append((sp.Symbol(f"u{k}", real=True), " is an entry of ", part.expr))
    named = list(dict.fromkeys(named))
    if not named:
        return ()
    out: list[Segment] = [Text(" (")]
    for index, (symbol, relation, source) in enumerate(named):
        out += [
            Text(", " if index else ""),
            shown_math(ctx, symbol),
            Text(relation),
            shown_math(ctx, source),
        ]
    return (*out, Text(")"))


#: the column sum of u in log-over-softmax's chain (s is softmax's own name in its step's text)
_V = sp.Symbol("v", real=True)


def _sum_of_u(k: int) -> sp.Symbol:
    """v_k, the column sum of u_k (log over softmax: the k-th contribution's upstream)."""
    return sp.Symbol(f"v{k}", real=True)


def _entry(part: Adjoint, k: int, ys: dict[int, sp.Symbol]) -> tuple[Any, Any]:
    """A contribution's entry as (coefficient, scalar): a loss's c_k (its coefficient, a
    short name in the chain) and dL/da, a function's 1 and u_k f'(a) (log's u_k/a, u_k an
    entry of the adjoint above it), else 1 and u_k."""
    if isinstance(part.scalar, LossForm):
        weight = 1 if part.scalar.coeff == 1 else sp.Symbol(f"c{k}", real=True)
        return weight, _in(part.scalar.dl, k, ys)
    if isinstance(part.scalar, FunctionForm):
        return sp.Integer(1), sp.Symbol(f"u{k}", real=True) * part.scalar.dl
    return sp.Integer(1), sp.Symbol(f"u{k}", real=True)


def _in(expr: Any, k: int, ys: dict[int, sp.Symbol]) -> Any:
    """``expr`` with y replaced by the placeholder of the k-th contribution's target."""
    return expr.xreplace({scalars.y: ys[k]})


def _weighted(weight: Any, expr: Any) -> Any:
    return expr if weight == 1 else sp.Mul(weight, expr, evaluate=False)


def _sum(terms: list[Any]) -> Any:
    return canonical.total(*terms) if len(terms) > 1 else terms[0]


def _targets_used(parts: tuple[Adjoint, ...]) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(p.scalar.target.name for p in parts if isinstance(p.scalar, LossForm))
    )
