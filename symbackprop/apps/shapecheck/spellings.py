"""A formula's spellings of the stock activations through exp, folded into the activations.

The exact comparison reads each function as a table of random rationals (one table per
function), so ``1/(1 + exp(-z1))`` and the derivation's ``sigmoid(z1)`` are unrelated values
there, the comparison differs for that reason alone, and the verdict falls to the numeric one,
which sees only 35 digits: a formula off by a factor 1 + 1e-58 passed (hostile12 #14).
:func:`fold` rewrites such a spelling into the activation's own node before the comparison,
so both sides read the same table. Every rewrite is an identity, proved on SymPy objects:

* a sub-expression element-wise in one matrix ``U`` (entries, sums, products, powers of
  ``exp(k U)`` for small integers k, and the ones matrix) is a rational function R(s) of
  s = exp(t) entry by entry (``exp(-(W x))`` is exp(-t) applied to the product ``W x``); it
  becomes ``g(U)`` for a stock activation g whose formula is the
  same rational function of s (sigmoid: s/(1 + s), tanh: (s^2 - 1)/(s^2 + 1)), ``cancel``
  deciding the equality of the two rational functions;
* else, where R(s) is a polynomial in sigmoid(t) = s/(1 + s) (``exp(-u)/(1 + exp(-u))`` is
  1 - sigmoid(u); ``exp(-u)/(1 + exp(-u))^2`` is sigmoid(u)(1 - sigmoid(u))), that polynomial
  of ``sigmoid(U)``;
* ``log(R(s))`` with R(s) = 1 + s becomes ``softplus(U)``;
* ``tanh(k t)`` (k t an integer multiple of t/2) is read as (s^(2k) - 1)/(s^(2k) + 1), so
  ``(1 + tanh(z1/2))/2`` becomes ``sigmoid(z1)``.

Anything else is left as written (a verdict of the numeric check, as before).
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp
from sympy import (
    HadamardPower,
    HadamardProduct,
    Identity,
    MatAdd,
    MatMul,
    OneMatrix,
    ZeroMatrix,
)

from symbackprop.records.activations import ACTIVATIONS, Activation
from symbackprop.records.activations import on_change as on_activations_change
from symbackprop.records.nodes import Elementwise, T, activation_of
from symbackprop.records.scalars import z

#: the largest |k| of an exp(k t) read as s^k (a larger power is left as written)
_MAX_POWER = 8
#: the largest degree of a polynomial in sigmoid(t) that is folded
_MAX_DEGREE = 4
_S = sp.Dummy("s", positive=True)
_SIGMA = sp.Dummy("sigma", positive=True)


def fold(expr: Any, applied: frozenset[str] | None = None) -> Any:
    """``expr`` (a typed formula, any shape) with spellings of the stock activations through
    exp replaced by the activations (see the module docstring); every rewrite is exact.
    ``applied``: the activations the derivation itself applies (None: every stock one); a
    spelling is folded only into one of them, so that a model written in exps (p =
    1/(1 + exp(-u))) is compared in its own functions, one table on both sides."""
    if getattr(expr, "__hash__", None) is None:  # a mutable matrix
        return _fold(expr, applied)
    return _fold_once(expr, applied)


@functools.lru_cache(maxsize=4096)  # a repair folds the same factors for every candidate
def _fold_once(expr: Any, applied: frozenset[str] | None) -> Any:
    return _fold(expr, applied)


def _fold(expr: Any, applied: frozenset[str] | None) -> Any:
    if not getattr(expr, "is_Matrix", False) or not expr.args:
        return _fold_args(expr, applied)
    found = _element_wise(expr)
    if found is not None:
        base, body = found
        if base is not None and body.has(sp.exp, sp.tanh):
            folded = _as_activation(body, base, applied)
            if folded is not None:
                return folded
    if isinstance(expr, HadamardProduct) and found is None:
        return _fold_factors(expr, applied)
    if isinstance(expr, HadamardProduct):
        beside = _fold_beside_named(expr, applied)
        if beside is not None:
            return beside
    return _fold_args(expr, applied)


def _fold_beside_named(product: HadamardProduct, applied: frozenset[str] | None) -> Any:
    """``tanh(t) ⊙ (exp(2t) - 1) ⊙ (exp(2t) + 1)^-1`` as ``tanh(t) ⊙ tanh(t)``: a product in
    one matrix that is no one activation, whose spelled-out factors beside the activations it
    already applies are one; None where they are not."""
    named = [f for f in product.args if isinstance(f, Elementwise)]
    spelled = [f for f in product.args if not isinstance(f, Elementwise)]
    if not named or not spelled:
        return None
    rest = HadamardProduct(*spelled) if len(spelled) > 1 else spelled[0]
    folded = fold(rest, applied)
    return None if folded == rest else HadamardProduct(*named, folded)


def _fold_factors(product: HadamardProduct, applied: frozenset[str] | None) -> Any:
    """``product`` with its factors element-wise in one matrix folded together:
    ``v ⊙ exp(-z1) ⊙ (1 + exp(-z1))^-2`` is ``v ⊙ sigmoid(z1) ⊙ (1 - sigmoid(z1))``."""
    groups: dict[Any, list[Any]] = {}
    for factor in product.args:
        found = _element_wise(factor)
        base = None if found is None else found[0]
        groups.setdefault(base if base is not None else factor, []).append(factor)
    if len(groups) == 1 and len(product.args) > 1:
        # one group that is the whole product (a factor that is no element-wise function of
        # one matrix, repeated: (W1 x + 2 b1) ⊙ (W1 x + 2 b1)): folding it as a group would
        # come back here (hostile16 #5: RecursionError); its factors are folded one by one
        return _fold_args(product, applied)
    factors: list[Any] = []
    for members in groups.values():
        together = HadamardProduct(*members) if len(members) > 1 else members[0]
        folded = fold(together, applied)
        factors.extend(folded.args if isinstance(folded, HadamardProduct) else [folded])
    return HadamardProduct(*factors) if len(factors) > 1 else factors[0]


def _fold_args(expr: Any, applied: frozenset[str] | None) -> Any:
    if not isinstance(expr, sp.Basic) or not expr.args or isinstance(expr, sp.Lambda):
        return expr
    args = [fold(arg, applied) for arg in expr.args]
    if all(new is old for new, old in zip(args, expr.args, strict=True)):
        return expr
    return expr.func(*args)


def _element_wise(node: Any) -> tuple[Any, sp.Expr] | None:
    """(U, body): ``node`` is body(t) applied entry by entry to the matrix U (None: no matrix,
    a constant); None where ``node`` is not element-wise in one matrix."""
    if isinstance(node, OneMatrix) or (isinstance(node, Identity) and node.shape == (1, 1)):
        return None, sp.Integer(1)  # 1 + exp(-(w x)) at 1 x 1 adds the 1 x 1 identity
    if isinstance(node, Elementwise):
        # f applied to an element-wise g(U) is f(g(t)) applied to U
        base, inner = _element_wise(node.arg) or (node.arg, T)
        try:
            return base, node.body.xreplace({node.variable: inner})
        except TypeError:  # a piece's condition on a value with none: log(0) > 0
            # (1{log(1{z1 > 0}) > 0}: SymPy's Piecewise compares zoo, hostile47b #2): not
            # folded, the formula's own check says where it has no value
            return None
    if isinstance(node, (MatAdd, HadamardProduct)):
        parts = [_element_wise(arg) for arg in node.args]
        if any(part is None for part in parts):
            return None
        bases = {base for base, _ in parts if base is not None}  # type: ignore[misc]
        if len(bases) > 1:
            return _scaled_sum(node, parts)  # type: ignore[arg-type]
        combine = sp.Add if isinstance(node, MatAdd) else sp.Mul
        body = combine(*(body for _, body in parts))  # type: ignore[misc]
        return next(iter(bases), None), body
    if isinstance(node, HadamardPower):
        inner = _element_wise(node.args[0])
        exponent = node.args[1]
        if inner is None or not exponent.is_Rational:
            return None
        return inner[0], inner[1] ** exponent
    if isinstance(node, MatMul):
        numbers = [a for a in node.args if not getattr(a, "is_Matrix", False)]
        matrices = [a for a in node.args if getattr(a, "is_Matrix", False)]
        if not all(n.is_Rational for n in numbers):
            return None
        if len(matrices) > 1:  # -(w x): -t applied to w x, as the derivation's sigmoid(w x)
            return MatMul(*matrices), sp.Mul(*numbers) * T
        inner = _element_wise(matrices[0])
        return None if inner is None else (inner[0], sp.Mul(*numbers) * inner[1])
    return node, T  # a matrix of its own: the identity of itself


def _scaled_sum(node: Any, parts: list[tuple[Any, sp.Expr]]) -> tuple[Any, sp.Expr] | None:
    """-(w^T X + c) as -t applied to w^T X + c: a sum of one number k times matrices is k t
    applied to their sum; None for anything else."""
    if not isinstance(node, MatAdd):
        return None
    scales = {body / T for _, body in parts}
    if len(scales) != 1 or any(base is None for base, _ in parts):
        return None
    (k,) = scales
    if not k.is_Rational:
        return None
    return MatAdd(*(base for base, _ in parts)), k * T


def _in_s(body: sp.Expr) -> sp.Expr | None:
    """``body`` with each exp(k t) written s^k (k a small integer), or None where t remains;
    tanh(u) first written (exp(2 u) - 1)/(exp(2 u) + 1), an identity: (1 + tanh(t/2))/2, the
    other common spelling of sigmoid(t), is then s/(1 + s)."""
    if _nested(body):
        return None
    body = _tanh_as_exp(body)

    def power(e: Any) -> Any:
        k, rest = e.args[0].as_coeff_Mul()
        if rest == T and k.is_Integer and abs(k) <= _MAX_POWER:
            return _S**k
        return e

    written = body.replace(lambda e: isinstance(e, sp.exp), power)
    return None if written.has(T) else written


def _nested(body: sp.Expr) -> bool:
    """Whether an exp or tanh of ``body`` has an argument other than a number times t: no
    power of s writes it, and writing each tanh of a nest as exps doubled the expression per
    level (tanh 14 deep: 20 s; 20 deep ran for minutes: hostile46a #2)."""
    return any(
        f.args[0].as_coeff_Mul()[1] != T for f in body.atoms(sp.exp, sp.tanh) if f.args[0] != 0
    )


def _tanh_as_exp(body: sp.Expr) -> sp.Expr:
    """``body`` with each tanh(u) written (exp(2 u) - 1)/(exp(2 u) + 1), an identity."""
    return body.replace(
        lambda e: isinstance(e, sp.tanh),
        lambda e: (sp.exp(2 * e.args[0]) - 1) / (sp.exp(2 * e.args[0]) + 1),
    )


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether two functions of s are equal: rational functions by ``cancel``, logs by their
    arguments."""
    if isinstance(a, sp.log) and isinstance(b, sp.log):
        a, b = a.args[0], b.args[0]
    elif isinstance(a, sp.log) or isinstance(b, sp.log):
        return False
    if not (a.is_rational_function(_S) and b.is_rational_function(_S)):
        return False
    return bool(sp.cancel(a - b) == 0)


@functools.cache
def _candidates() -> list[tuple[Activation, sp.Expr]]:
    """The stock element-wise activations with their formula as a function of s."""
    out = []
    for act in ACTIVATIONS.values():
        if not act.elementwise or act.formula is None:
            continue
        written = _in_s(act.formula.xreplace({z: T}).rewrite(sp.exp))
        if written is not None:
            out.append((act, written))
    return out


on_activations_change(_candidates.cache_clear)  # the registered ones too (review36 #1)


def _as_activation(body: sp.Expr, base: Any, applied: frozenset[str] | None) -> Any:
    """g(base) (or a polynomial in sigmoid(base)) equal to ``body`` entry by entry, else None;
    failing that, g(k base) for k the common factor of body's exponents: ``1/(1 + exp(-2 t))``
    is sigmoid(2 t), the derivation's node where a model writes ``sigmoid(2 w^T X)`` (hostile15
    #6: a temperature or a scaled logit was left to the 35-digit numeric check)."""
    folded = _as_activation_of(body, base, applied)
    scale = _exponent_scale(body)
    if folded is not None or scale in (None, 1, -1):
        return folded
    # t = t' / scale: each exp(k t) becomes exp((k / scale) t'), an integer power of exp(t')
    return _as_activation_of(body.xreplace({T: T / scale}), scale * base, applied)


def _exponent_scale(body: sp.Expr) -> sp.Rational | None:
    """The largest positive rational k with every exp(c t) in ``body`` (tanh(c t) read as its
    exp form) a whole multiple of exp(k t); None where an exponent is not a rational times t."""
    if _nested(body):
        return None
    scales = []
    for e in _tanh_as_exp(body).atoms(sp.exp):
        k, rest = e.args[0].as_coeff_Mul()
        if rest != T or not k.is_Rational or k == 0:
            return None
        scales.append(abs(k))
    return sp.gcd_list(scales) if scales else None


def _as_activation_of(body: sp.Expr, base: Any, applied: frozenset[str] | None) -> Any:
    """g(base) (or a polynomial in sigmoid(base)) equal to ``body`` entry by entry, else None."""
    written = _in_s(body)
    if written is None:
        return None
    for act, form in _candidates():  # the records' forms, computed once
        if (applied is None or act.name in applied) and _same(written, form):
            return activation_of(act, base)
    if not written.is_rational_function(_S) or (applied is not None and "sigmoid" not in applied):
        return None
    # s = sigma / (1 - sigma) where sigma = sigmoid(t) = s / (1 + s)
    in_sigma = sp.cancel(written.xreplace({_S: _SIGMA / (1 - _SIGMA)}))
    if not in_sigma.is_polynomial(_SIGMA):
        return None
    poly = sp.Poly(in_sigma, _SIGMA)
    if poly.is_zero:
        return ZeroMatrix(*base.shape)
    if poly.degree() > _MAX_DEGREE or not all(c.is_Rational for c in poly.coeffs()):
        return None
    sigma = activation_of(ACTIVATIONS["sigmoid"], base)
    ones = OneMatrix(*base.shape)
    terms = []
    for (degree,), coeff in poly.terms():
        power = ones if degree == 0 else sigma if degree == 1 else HadamardPower(sigma, degree)
        terms.append(power if coeff == 1 else coeff * power)
    return terms[0] if len(terms) == 1 else MatAdd(*terms)
