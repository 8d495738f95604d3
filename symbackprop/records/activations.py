r"""Activation records.

An activation is one :class:`Activation` record, and the record is all there is of it: its
SymPy form in the scalar ``z`` (and the SymPy function classes of g and g' made from it), its
name in the formula language, its LaTeX, its output range, whether it has a kink, and NumPy
forward code where a backend needs a special form (the sigmoid accurate on both tails). The
derivative is *derived* by SymPy from the SymPy form and, where that is possible, rewritten in
terms of the cached activation ``a`` (sigmoid' = a(1 - a), tanh' = 1 - a^2). Where substituting
the formula cannot remove z (a piecewise g), the record may state g' in ``a`` itself
(``derivative_in_a``: relu' = 1{a > 0}); SymPy checks it against g'(z) branch by branch when the
record is built, so a wrong one cannot be written.

Adding an activation means adding one entry to :data:`ACTIVATIONS`, or, at run time and from
outside the package, one call of :func:`register` (undone by :func:`unregister`)::

    from symbackprop.records.activations import Activation, register
    from symbackprop.records.scalars import z
    elu = sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True))
    register(Activation("elu", r"\operatorname{ELU}", elu, output_range=(-1, sp.oo)))

after which ``Network.parse("4-3:elu-1")``, derivations, LaTeX, generated code, the checks and
formulas such as ``elu'(z1)`` all know it. :func:`custom_activation` builds a record from
formula text (``define={"swish": "z*sigmoid(z)"}``), once per (name, formula).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symbackprop.errors import FormulaError
from symbackprop.formula import FUNCTIONS, Entry, WrittenPart, parse, scalar_parts
from symbackprop.formula.float_range import outside_float_range, shown_constant
from symbackprop.formula.functions import sigmoid
from symbackprop.records.nodes import activation_function, derivative_function
from symbackprop.records.scalars import a, z

#: leaky_relu slope for z <= 0 (DESIGN.md)
LEAKY_SLOPE = sp.Rational(1, 100)


#: the cached properties of a record that hold classes made at run time
_MADE_CLASSES = ("function", "derivative_function")


def _applied(formula: sp.Expr, arg: sp.Expr) -> sp.Expr:
    """The activation ``formula`` (in z) applied to ``arg``."""
    return formula.xreplace({z: arg})


@dataclass(frozen=True)
class Activation:
    """One activation function.

    ``formula`` is the scalar SymPy form in :data:`symbackprop.records.scalars.z` (``None`` for
    softmax, which is not element-wise and has its own rule). ``numpy`` is the forward NumPy
    code with ``{z}`` standing for the pre-activation array; ``None`` means "print it from the
    formula". ``torch`` and ``jax`` are the same for those backends (``torch.`` and ``jnp.``/
    ``jax.`` spellings; ``None``: printed from the formula). ``output_range`` is the open
    interval of outputs (used to draw exact-check values). ``derivative_in_a`` is g' written
    in the activation ``a`` alone, for a g whose derivative the substitution of the formula
    cannot rewrite (relu: 1{a > 0}); :func:`derivative_in_a_problem` proves it equal to g'(z)
    on every branch of g before the record exists. ``kink_as_frameworks``: at its kink the
    derivative ``derivative_in_a`` takes is the one PyTorch's and JAX's autograd take too (relu:
    0; jax.nn's leaky_relu takes 1 at 0 where torch takes the slope, so not it).
    """

    name: str
    latex: str
    formula: sp.Expr | None
    numpy: str | None = None
    torch: str | None = None
    jax: str | None = None
    elementwise: bool = True
    output_only: bool = False
    min_units: int = 1
    output_range: tuple[sp.Expr, sp.Expr] = (-sp.oo, sp.oo)
    description: str = ""
    custom_formula: str | None = field(default=None, compare=False)
    derivative_in_a: sp.Expr | None = None
    kink_as_frameworks: bool = False

    def __post_init__(self) -> None:
        if self.derivative_in_a is not None:
            problem = derivative_in_a_problem(self)
            if problem:
                raise ValueError(f"{self.name}: {problem}")

    @functools.cached_property
    def derivative(self) -> sp.Expr:
        """g'(z) as derived by SymPy, in terms of z only (element-wise activations)."""
        if self.formula is None:
            raise TypeError(f"{self.name} is not element-wise; it has no scalar derivative")
        return _canonical(sp.diff(self.formula, z))

    @functools.cached_property
    def cached_derivative(self) -> sp.Expr:
        """g'(z) rewritten in the cached activation ``a`` where that removes ``z`` entirely.

        sigmoid gives ``a*(1 - a)`` and tanh ``1 - a**2``; relu gives the record's verified
        ``derivative_in_a``, 1{a > 0}; an activation with neither keeps g' in ``z``.
        """
        if self.derivative_in_a is not None:
            return self.derivative_in_a
        d = self.derivative
        assert self.formula is not None
        if self.formula != z and self.formula.free_symbols == {z}:
            in_a = d.xreplace({self.formula: a})
            if z not in in_a.free_symbols:
                return in_a
        return d

    @property
    def derivative_uses_a(self) -> bool:
        """True when the backward pass reads the cached activation for g'."""
        return a in self.cached_derivative.free_symbols

    @property
    def derivative_uses_z(self) -> bool:
        """True when the backward pass reads the cached pre-activation for g'."""
        return z in self.cached_derivative.free_symbols

    @functools.cached_property
    def degree(self) -> int:
        """The degree of g as a polynomial in z (``z^3``: 3, ``z^2 + z``: 2), 1 where g is not
        one (sigmoid, a piecewise, z*sigmoid(z): the exact check reads a function's value from
        a table, and only a polynomial multiplies the digits of its argument's rationals)."""
        if self.formula is None or self.custom_formula is None:
            return 1
        try:
            return max(1, int(sp.Poly(self.formula, z).degree()))
        except sp.PolynomialError:  # a function of z, not a polynomial
            return 1

    @functools.cached_property
    def is_rational(self) -> bool:
        """True when the forward formula is piecewise rational in z (exact values exist)."""
        return self.formula is not None and is_rational_expr(self.formula)

    @functools.cached_property
    def derivative_is_rational(self) -> bool:
        """True when g' in cached form is piecewise rational in (z, a)."""
        return self.formula is not None and is_rational_expr(self.cached_derivative)

    @property
    def is_identity(self) -> bool:
        return self.formula == z

    @functools.cached_property
    def kinked(self) -> bool:
        """True when g' jumps somewhere (relu, leaky_relu, anything piecewise or with abs):
        finite differences must not straddle the kink."""
        return self.formula is not None and bool(self.formula.has(sp.Piecewise, sp.Abs, sp.Max))

    @functools.cached_property
    def function_entry(self) -> Entry:
        """The record's entry in the formula language's function table (its name there)."""
        formula = self.formula
        if formula is None:
            return Entry(self.name, None, activation=True)
        return Entry(
            self.name,
            functools.partial(_applied, formula),  # no lambda: a derivation pickles
            piecewise=bool(formula.has(sp.Piecewise, sp.Abs)),
            bounded=not self.is_rational,
            activation=True,
        )

    @functools.cached_property
    def function(self) -> type[sp.Function]:
        """The SymPy function class of g (``tanh``, ``sigmoid``, or one made from the record)."""
        return activation_function(self)

    def __getstate__(self) -> dict[str, Any]:
        # the function classes are made at run time and named by no module: an unpickled
        # record makes them again (records.nodes._rebuilt finds this process's own)
        return {k: v for k, v in self.__dict__.items() if k not in _MADE_CLASSES}

    @functools.cached_property
    def derivative_function(self) -> type[sp.Function]:
        """The SymPy function class of g', printed ``g'``; ``fdiff`` of :attr:`function`."""
        return derivative_function(self)


def is_rational_expr(expr: sp.Basic) -> bool:
    """True if ``expr`` is built only from numbers, symbols, +, *, integer powers, Piecewise."""
    if expr.is_Number or expr.is_Symbol or expr in (sp.true, sp.false):
        return True
    if isinstance(expr, sp.Pow):
        return expr.exp.is_Integer is True and is_rational_expr(expr.base)
    if isinstance(expr, (sp.Add, sp.Mul, sp.Piecewise, sp.core.relational.Relational)):
        return all(is_rational_expr(arg) for arg in expr.args)
    if isinstance(expr, sp.functions.elementary.piecewise.ExprCondPair):
        return all(is_rational_expr(arg) for arg in expr.args)
    return False


def _canonical(expr: sp.Expr) -> sp.Expr:
    """Put a derived derivative in the form a person would write, and generated code computes
    without overflow: :func:`stable_form` (every logistic ratio named as the sigmoid, a tanh
    ratio as tanh).

    SymPy differentiates log(1 + e^z) to e^z / (e^z + 1); that is the logistic sigmoid, and
    naming it keeps the printed derivative short and the generated code finite where e^z
    overflows (mish' at z = 1000 is 1, but e^z / (e^z + 1) is inf / inf there).
    """
    return stable_form(expr)


def stable_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` with the forms whose direct evaluation overflows although their value is
    finite rewritten into equal ones generated code computes finitely (every identity is
    proved by SymPy before its first use, :func:`_proved`):

    * a ratio of exponentials of one argument that is ``tanh`` or the sigmoid (``(e^u -
      e^-u)/(e^u + e^-u)``, ``1 - 2 e^(-2u)/(1 + e^(-2u))``, ``e^u/(e^u + e^-u)``):
      :func:`_tanh_form`;
    * ``log(sigmoid(u))`` is ``-log(1 + e^-u)`` and ``log(1 - sigmoid(u))`` is
      ``-log(1 + e^u)`` (minus softplus, which every backend prints as its ``logaddexp``);
    * ``log(e^A + e^B)`` is ``A + log(1 + e^(B - A))`` (log-cosh ``log(e^z + e^-z)``);
    * then :func:`logistic_form`: e^(ku) (1 + e^u)^-q as powers of the sigmoid.
    """
    return logistic_form(_log_forms(_tanh_form(expr)))


#: the pattern variables of the identities :func:`stable_form` uses
_U, _A, _B = sp.symbols("u A B", real=True)


@functools.lru_cache(maxsize=16)
def _proved(old: sp.Expr, new: sp.Expr) -> sp.Expr:
    """``new``, once SymPy has shown ``old = new`` for all real values of the pattern symbols:
    both sides are logarithms of positive functions (real), so they are equal where their
    exponentials are, which :func:`sympy.simplify` checks. Raises if it cannot."""
    difference = sp.exp(old.rewrite(sp.exp)) - sp.exp(new.rewrite(sp.exp))
    if sp.simplify(difference) != 0:
        raise ArithmeticError(f"{old} = {new} does not hold")
    return new


def _log_forms(expr: sp.Expr) -> sp.Expr:
    """Bottom up: the logarithms of :func:`stable_form` rewritten (each identity proved)."""
    if expr.is_Atom:
        return expr
    expr = expr.func(*(_log_forms(arg) for arg in expr.args))
    if not isinstance(expr, sp.log):
        return expr
    inner = expr.args[0]
    if isinstance(inner, sigmoid):
        rule = _proved(sp.log(sigmoid(_U)), -sp.log(1 + sp.exp(-_U)))
        return rule.xreplace({_U: inner.args[0]})
    complement = [s for s in inner.atoms(sigmoid) if inner == 1 - s]
    if complement:
        rule = _proved(sp.log(1 - sigmoid(_U)), -sp.log(1 + sp.exp(_U)))
        return rule.xreplace({_U: complement[0].args[0]})
    terms = sp.Add.make_args(inner)
    if len(terms) == 2 and all(isinstance(t, sp.exp) for t in terms):
        rule = _proved(sp.log(sp.exp(_A) + sp.exp(_B)), _A + sp.log(1 + sp.exp(_B - _A)))
        return rule.xreplace({_A: terms[0].args[0], _B: terms[1].args[0]})
    return expr


def _tanh_form(expr: sp.Expr) -> sp.Expr:
    """Top down: a sum, or the factors of a product, in which one argument u appears only
    inside exponentials e^(ku) (integer k) and that equals ``tanh(j u)``, ``-tanh(j u)`` or
    ``sigmoid(+-j u)`` (j = 1, 2) become that function (``z e^z / (e^z + e^-z)`` is ``z
    sigmoid(2z)``). The proof is SymPy's: with w = e^u (positive, one to one) both sides are
    rational functions of w, and their difference cancels to 0. A lone factor ``(1 +
    e^u)^-q`` is left to :func:`logistic_form`, which pairs it with its numerator."""
    if expr.is_Atom:
        return expr
    if isinstance(expr, sp.Add):
        found = _exponential_ratio(expr)
        if found is not None:
            return found
    if isinstance(expr, sp.Mul):
        pure = [f for f in expr.args if _exponential_ratio(f, check=False) is not None]
        if len(pure) > 1:
            found = _exponential_ratio(sp.Mul(*pure))
            if found is not None:
                rest = [_tanh_form(f) for f in expr.args if f not in pure]
                return sp.Mul(found, *rest)
    return expr.func(*(_tanh_form(arg) for arg in expr.args))


def _exponential_ratio(expr: sp.Expr, *, check: bool = True) -> sp.Expr | None:
    """The tanh or sigmoid ``expr`` equals (see :func:`_tanh_form`), else ``None``; with
    ``check=False``, any non-``None`` value when ``expr`` is a rational function of e^u."""
    exps = expr.atoms(sp.exp)
    bases = {e.args[0].as_coeff_Mul()[1] for e in exps}
    if len(bases) != 1 or not all(e.args[0].as_coeff_Mul()[0].is_Integer for e in exps):
        return None
    (u,) = bases
    w = sp.Dummy("w", positive=True)
    swapped = expr.xreplace({e: w ** int(e.args[0].as_coeff_Mul()[0]) for e in exps})
    if swapped.has(u) or not swapped.has(w) or swapped.atoms(sp.Function):
        return None
    if not check:
        return swapped
    ratio = sp.cancel(sp.together(swapped))
    for j in (1, 2):
        # tanh(ju) = (w^2j - 1) / (w^2j + 1), sigmoid(+-ju) = w^+-j / (w^+-j + 1)
        known = (
            (sp.tanh(j * u), (w ** (2 * j) - 1) / (w ** (2 * j) + 1)),
            (-sp.tanh(j * u), (1 - w ** (2 * j)) / (w ** (2 * j) + 1)),
            (sigmoid(j * u), w**j / (w**j + 1)),
            (sigmoid(-j * u), 1 / (w**j + 1)),
        )
        for stable, in_w in known:
            if sp.cancel(ratio - in_w) == 0:
                return stable
    return None


def logistic_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` with each product ``e^(k u) (1 + e^u)^-q`` (integers 0 <= k <= q, q > 0)
    written ``sigmoid(u)^k sigmoid(-u)^(q - k)``: the same function (SymPy checks each such
    rewrite, :func:`_logistic_identity`), with factors in [0, 1] in place of a ratio of two
    exponentials that overflow together. ``e^z / (1 + e^z)`` is ``sigmoid(z)``, ``1 / (1 +
    e^-z)`` is ``sigmoid(z)``, ``e^-z / (1 + e^-z)^2`` is ``sigmoid(-z) sigmoid(z)``."""
    if expr.is_Atom:
        return expr
    if not isinstance(expr, (sp.Mul, sp.Pow)):
        return expr.func(*(logistic_form(arg) for arg in expr.args))
    factors = list(sp.Mul.make_args(expr))
    out: list[sp.Expr] = []
    for factor in list(factors):
        if factor not in factors:
            continue  # taken as the numerator of an earlier ratio
        found = _logistic_denominator(factor)
        if found is None:
            continue
        u, q = found
        numerator = next(
            (f for f in factors if isinstance(f, sp.exp) and _multiple(f.args[0], u, q)), None
        )
        k = 0 if numerator is None else _multiple(numerator.args[0], u, q)
        _logistic_identity(int(k or 0), q)
        factors.remove(factor)
        if numerator is not None:
            factors.remove(numerator)
        u = logistic_form(u)
        out.append(sigmoid(u) ** int(k or 0) * sigmoid(-u) ** (q - int(k or 0)))
    if not out:
        return expr.func(*(logistic_form(arg) for arg in expr.args))
    rest = [f if f.is_Atom else f.func(*(logistic_form(a) for a in f.args)) for f in factors]
    return sp.Mul(*out, *rest)


def _logistic_denominator(factor: sp.Expr) -> tuple[sp.Expr, int] | None:
    """``(u, q)`` when ``factor`` is ``(1 + e^u)^-q`` with q a positive integer, else ``None``."""
    if not (isinstance(factor, sp.Pow) and factor.exp.is_Integer and factor.exp < 0):
        return None
    base = factor.base
    if not (isinstance(base, sp.Add) and len(base.args) == 2 and sp.S.One in base.args):
        return None
    other = base.args[0] if base.args[1] == 1 else base.args[1]
    if not isinstance(other, sp.exp):
        return None
    return other.args[0], int(-factor.exp)


def _multiple(v: sp.Expr, u: sp.Expr, q: int) -> int | None:
    """k when ``v`` is ``k u`` for an integer 1 <= k <= q, else ``None``."""
    ratio = sp.cancel(v / u)
    if ratio.is_Integer and 1 <= ratio <= q:
        return int(ratio)
    return None


@functools.lru_cache(maxsize=64)
def _logistic_identity(k: int, q: int) -> None:
    """SymPy's check of ``w^k / (1 + w)^q = (w / (1 + w))^k (1 / (1 + w))^(q - k)`` with
    ``w = e^u`` (sigmoid(u) = w / (1 + w), sigmoid(-u) = 1 / (1 + w)): raises if it fails."""
    w = sp.Symbol("w", positive=True)
    difference = w**k / (1 + w) ** q - (w / (1 + w)) ** k * (1 / (1 + w)) ** (q - k)
    if sp.cancel(difference) != 0:
        raise ArithmeticError(f"e^(k u) / (1 + e^u)^q is not logistic for k={k}, q={q}")


def derivative_in_a_problem(act: Activation) -> str | None:
    """Why ``act.derivative_in_a`` is not g'(z) with a = g(z), or ``None`` when SymPy proves it is.

    Case by case: on each branch of g (its Piecewise, in order; the whole line for a g without
    one) a is that branch's expression; there the difference between the a-form and g'(z),
    folded into one Piecewise, must simplify to 0 on every part of the branch's z-interval.
    """
    formula, in_a = act.formula, act.derivative_in_a
    assert in_a is not None
    if formula is None:
        return "a non-element-wise activation has no scalar derivative in a"
    if in_a.free_symbols - {a}:
        return f"derivative_in_a {sp.sstr(in_a)} must be written in a alone"
    branches = formula.args if isinstance(formula, sp.Piecewise) else ((formula, sp.true),)
    covered: sp.Set = sp.EmptySet
    for value, condition in branches:
        region = _interval(condition) - covered
        covered = covered | region
        difference = sp.piecewise_fold(in_a.xreplace({a: value}) - act.derivative)
        pieces = (
            difference.args if isinstance(difference, sp.Piecewise) else ((difference, sp.true),)
        )
        seen: sp.Set = sp.EmptySet
        for expr, piece in pieces:
            part = (region & _interval(piece)) - seen
            seen = seen | _interval(piece)
            if part is not sp.EmptySet and sp.simplify(expr) != 0:
                return (
                    f"derivative_in_a {sp.sstr(in_a)} differs from {act.name}'(z) = "
                    f"{sp.sstr(act.derivative)} for z in {part}"
                )
    return None


def _interval(condition: sp.Basic) -> sp.Set:
    """The real z where ``condition`` (a condition on z alone) holds."""
    if condition == sp.true:
        return sp.S.Reals
    return condition.as_set() & sp.S.Reals


def _relu(t: sp.Expr) -> sp.Expr:
    # A strict inequality makes relu'(0) = 0 by definition (SymPy's Heaviside(0) would be 1/2).
    return sp.Piecewise((t, t > 0), (0, True))


def _leaky_relu(t: sp.Expr) -> sp.Expr:
    return sp.Piecewise((t, t > 0), (LEAKY_SLOPE * t, True))


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation(
            "sigmoid",
            r"\sigma",
            sigmoid(z),
            # the generated module's helper: exp(-|z|) split by sign, full relative precision on
            # both tails, no overflow and no warning for any z in float32 and float64
            numpy="sigmoid({z})",
            torch="torch.sigmoid({z})",
            jax="jax.nn.sigmoid({z})",
            output_range=(sp.Integer(0), sp.Integer(1)),
            description="logistic sigmoid 1 / (1 + e^-z), output in (0, 1)",
        ),
        Activation(
            "tanh",
            r"\tanh",
            sp.tanh(z),
            numpy="np.tanh({z})",
            torch="torch.tanh({z})",
            jax="jnp.tanh({z})",
            output_range=(sp.Integer(-1), sp.Integer(1)),
            description="hyperbolic tangent, output in (-1, 1)",
        ),
        Activation(
            "relu",
            r"\operatorname{ReLU}",
            _relu(z),
            numpy="np.maximum({z}, 0.0)",
            torch="torch.relu({z})",
            jax="jax.nn.relu({z})",
            output_range=(sp.Integer(0), sp.oo),
            description="max(0, z); relu'(0) = 0",
            # a > 0 exactly where z > 0: the mask reads A, so Z need not be cached
            derivative_in_a=sp.Piecewise((1, a > 0), (0, True)),
            kink_as_frameworks=True,
        ),
        Activation(
            "leaky_relu",
            r"\operatorname{LeakyReLU}",
            _leaky_relu(z),
            numpy="np.where({z} > 0, {z}, 0.01 * {z})",
            torch="torch.where({z} > 0, {z}, 0.01 * {z})",
            jax="jnp.where({z} > 0, {z}, 0.01 * {z})",
            description="z for z > 0, else 0.01 z",
            # a = 0.01 z <= 0 for z <= 0, so a's sign picks the slope: Z need not be cached
            derivative_in_a=sp.Piecewise((1, a > 0), (LEAKY_SLOPE, True)),
        ),
        Activation(
            "identity",
            r"\operatorname{id}",
            z,
            numpy="{z}",
            torch="{z}",
            jax="{z}",
            description="g(z) = z (a linear layer)",
        ),
        Activation(
            "softplus",
            r"\operatorname{softplus}",
            sp.log(1 + sp.exp(z)),
            numpy="np.logaddexp(0.0, {z})",
            torch="torch.logaddexp(torch.zeros_like({z}), {z})",  # finite at z = 1e3
            jax="jnp.logaddexp(0.0, {z})",
            output_range=(sp.Integer(0), sp.oo),
            description="log(1 + e^z), a smooth relu",
        ),
        Activation(
            "softmax",
            r"\operatorname{softmax}",
            None,
            torch="torch.softmax({z}, dim=0)",  # each column; torch shifts by the max itself
            elementwise=False,
            output_only=True,
            min_units=2,
            output_range=(sp.Integer(0), sp.Integer(1)),
            description="e^z_k / sum_j e^z_j over the units of one example (output only)",
        ),
    )
}


for _builtin in ACTIVATIONS.values():
    FUNCTIONS.add(_builtin.function_entry)


#: what :func:`register` and :func:`unregister` call: the clear of each cache that holds what
#: an activation's record made, keyed by its name (a network, an expression with ``elu(z)``)
_ON_CHANGE: list[Callable[[], Any]] = []


def on_change(clear: Callable[[], Any]) -> Callable[[], Any]:
    """Call ``clear`` whenever :func:`register` or :func:`unregister` changes the activations
    (returns it): a cache keyed by a network or an expression knows an activation by its name
    only, and a notebook that unregisters ``elu`` and registers it again with another formula
    was answered from the first record (hostile36a #1)."""
    _ON_CHANGE.append(clear)
    return clear


def _changed() -> None:
    for clear in _ON_CHANGE:
        clear()


def register(activation: Activation) -> Activation:
    """Add ``activation`` to the built-in ones for the rest of the process (see the module
    docstring); returns it. Refuses a name already taken and, for an element-wise one, a
    formula generated code cannot compute (the rule of custom activations)."""
    if activation.name in ACTIVATIONS or activation.name in FUNCTIONS:
        raise ValueError(f"{activation.name!r} is already a function name; choose another")
    if not activation.name.isidentifier() or not activation.name.isascii():
        raise ValueError(f"{activation.name!r}: an activation name is an ASCII identifier")
    if activation.formula is not None:
        problem = custom_problem(activation)
        if problem:
            raise ValueError(f"{activation.name}: {problem}")
    ACTIVATIONS[activation.name] = activation
    FUNCTIONS.add(activation.function_entry)
    _changed()
    return activation


def unregister(name: str) -> None:
    """Remove an activation :func:`register` added (built-ins cannot be removed)."""
    if name in _BUILTIN_NAMES:
        raise ValueError(f"{name!r} is a built-in activation")
    if ACTIVATIONS.pop(name, None) is not None:
        FUNCTIONS.discard(name)
        _changed()


_BUILTIN_NAMES = frozenset(ACTIVATIONS)


def is_builtin(name: str) -> bool:
    """Whether ``name`` is one of symbackprop's own activations, not one :func:`register`
    added: a registered ELU's g and g' are related (g' = g + 1 for z <= 0) in a way no table
    of random values keeps, as a custom activation's are."""
    return name in _BUILTIN_NAMES


@functools.lru_cache(maxsize=256)
def custom_activation(name: str, formula: str) -> Activation:
    """Build an element-wise activation from a user formula in ``z``, e.g. ``z*sigmoid(z)``.

    The formula goes through symbackprop's whitelisting parser (never ``sympify``); SymPy then
    derives its derivative like any built-in one. Raises ``FormulaError`` for a formula that is
    not a function of z alone. Built once per (name, formula): every stage that asks gets the
    same record, parsed and differentiated once.
    """
    expr, written = scalar_parts(parse(formula), variable="z")
    # to_scalar builds with its own real Symbol("z"); make it ours so records compare cleanly
    ours = {sym: z for sym in expr.free_symbols if sym.name == "z"}
    expr = expr.xreplace(ours)
    parts = [(part.xreplace(ours), text) for part, text in written]
    # z / (1 + e^-z) is z sigmoid(z), log(sigmoid(z)) is -log(1 + e^-z): the same function,
    # and no overflow in the forward code (stable_form proves each rewrite)
    expr = stable_form(expr)
    activation = Activation(
        name,
        r"\operatorname{" + name.replace("_", r"\_") + "}",
        expr,
        numpy=None,
        description=f"custom: {formula}",
        custom_formula=formula,
    )
    problem = custom_problem(activation) or folded_problem(name, expr, parts)
    if problem:
        raise FormulaError(problem, formula)
    return activation


# a define= formula may call a registered activation (w = 2*q(z)): built again after a change
on_change(custom_activation.cache_clear)


# -- validation of custom activations ---------------------------------------------------------
#: the probe grid: [-10, 10] in steps of 1/20, 0 included exactly
PROBE_GRID = tuple(k / 20 for k in range(-200, 201))
#: scalar SymPy node kinds a custom activation (and its derivative) may contain: the one list
#: every backend's printer spells (each as its library's function of the name in lower case,
#: sigmoid as its own helper where it has one), so generated code never meets an unknown node
CODE_FUNCTIONS = frozenset(
    {"exp", "log", "tanh", "sinh", "cosh", "sin", "cos", "Abs", "sign", "sigmoid"}
)


class _Refused(Exception):
    """A node the probe (and the code printer) does not know."""


def custom_problem(activation: Activation) -> str | None:
    """Why a custom activation cannot be used, or ``None`` when it is fine.

    The rule: no non-real constants; only node kinds generated code can spell; and the function
    and its derivative are probed on a grid over [-10, 10] including 0 (:data:`PROBE_GRID`, in
    complex float arithmetic, so a bounded amount of work): any value that is not finite or not
    real there is refused, naming the point. So ``(-8)^(1/3)*z`` (a non-real constant),
    ``log(z)`` (log(0) at 0) and ``1/z`` (a pole at 0) are refused, with the reason.
    """
    import numpy as np

    formula = activation.formula
    assert formula is not None
    for node in sp.preorder_traversal(formula):
        if isinstance(node, sp.Expr) and node.is_number and node.is_extended_real is False:
            return (
                f"it has the constant {sp.sstr(node)}, which is not a real number (a root or "
                "the logarithm of a negative number)"
            )
    too_large = outside_float_range(formula)
    if too_large is not None:  # z*exp(-1000) would be 0.0 * z in every generated module
        return f"it has the constant {shown_constant(too_large)}, outside the float64 range"
    try:
        derivative = activation.derivative
    except Exception as exc:  # noqa: BLE001 - SymPy's failures are not part of its API
        return f"symbackprop cannot differentiate it ({type(exc).__name__})"
    grid = np.array(PROBE_GRID)
    order = np.argsort(np.abs(grid), kind="stable")  # report the point nearest 0
    name = activation.name
    for label, expr in ((f"{name}(z)", formula), (f"{name}'(z)", derivative)):
        pole = _polynomial_pole(expr)
        if pole is not None:
            return f"{label} is not finite at z = {pole} (a pole, or log(0))"
        try:
            values, nonreal = _evaluate(expr, grid)
        except _Refused as exc:
            return f"{label} contains {exc}, which generated code cannot compute"
        tolerance = 1e-9 * np.maximum(1.0, np.abs(values.real))
        bad_finite = ~(np.isfinite(values.real) & np.isfinite(values.imag))
        bad_real = nonreal | (np.abs(values.imag) > tolerance)
        for index in order:
            if not (bad_finite[index] or bad_real[index]):
                continue
            point = f"z = {grid[index]:g}"
            if bad_finite[index]:
                return f"{label} is not finite at {point} (a pole, log(0) or an overflow)"
            return f"{label} is not real at {point} (e.g. a root or log of a negative number)"
    return None


#: the highest degree of a polynomial whose real roots the pole check finds exactly
POLE_DEGREE = 12


def _polynomial_pole(expr: sp.Expr) -> str | None:
    """A real z (as text) where ``expr`` divides by a polynomial in z that is 0 there or takes
    the log of one: the probe grid's points step by 1/20, and 1/(z - 0.025) between two of them
    was accepted (hostile45b #6); None where there is none, or where a denominator or a log's
    argument is no polynomial of degree up to :data:`POLE_DEGREE`."""
    z = next(iter(expr.free_symbols), None)
    if z is None:
        return None
    parts = [sp.fraction(sp.together(expr))[1]]
    parts += [node.args[0] for node in sp.preorder_traversal(expr) if isinstance(node, sp.log)]
    for part in parts:
        try:
            poly = sp.Poly(part, z)
        except sp.PolynomialError:
            continue
        if not 0 < poly.degree() <= POLE_DEGREE:
            continue
        roots = poly.real_roots()
        if roots:
            return sp.sstr(sp.nsimplify(roots[0]) if roots[0].is_Rational else sp.N(roots[0], 6))
    return None


def softplus_argument(arg: sp.Expr) -> tuple[sp.Expr, int] | None:
    """``(u, sign)`` where ``log(arg)`` is ``sign`` times softplus: ``log(1 + e^u)`` (+1,
    which the code printers write ``logaddexp(0, u)``: they read this function) and
    ``log(sigmoid(u))`` (-1: minus softplus of -u, as :func:`stable_form` writes it); else
    None. The probe evaluates them as the code
    does: softplus(100 z) / 100 was refused for e^710 overflowing in the probe alone, where the
    code is finite (hostile44c #4), and exp(40 z) / (2 + exp(40 z)), whose code overflows, is
    still refused (review44 #2)."""
    if isinstance(arg, sp.Add) and len(arg.args) == 2 and sp.Integer(1) in arg.args:
        other = arg.args[0] if arg.args[1] == 1 else arg.args[1]
        if isinstance(other, sp.exp):
            return other.args[0], 1
    if type(arg).__name__ == "sigmoid" and len(arg.args) == 1:
        return -arg.args[0], -1
    return None


def _logaddexp0(u: Any, sign: int) -> Any:
    """``sign * log(1 + e^u)`` of complex128 values ``u``: NumPy's logaddexp on the real ones
    (finite for any finite u), the direct form where u is not real."""
    import numpy as np

    real = np.imag(u) == 0
    with np.errstate(all="ignore"):
        direct = np.log(1 + np.exp(u))
        stable = np.logaddexp(0.0, np.real(u)).astype(np.complex128)
    return sign * np.where(real, stable, direct)


def folded_problem(name: str, expr: sp.Expr, parts: list[WrittenPart]) -> str | None:
    """Why a part of the formula as written has no value at a point of :data:`PROBE_GRID`, or
    ``None``: one SymPy folded away (``0 * sqrt(-1 - z^2)``, ``sqrt(-1 - z^2) - sqrt(-1 -
    z^2)``, ``exp(log(z))``), or one an indicator multiplies by 0 there (``1{z > 0} sqrt(z +
    1e-3)``: 0 times a non-real number is 0 in complex arithmetic, so :func:`custom_problem`'s
    probe of the whole passed, and the generated code computed NaN, hostile32b). The formula
    as written has no value there either.

    A part is judged only where its arguments have finite real values, and an infinite value
    counts only for a log or a reciprocal (``exp(z^5)`` overflowing at z = 10 is no fault).
    """
    import numpy as np

    grid = np.array(PROBE_GRID)
    order = np.argsort(np.abs(grid), kind="stable")
    for part, text in parts:
        kept = expr.has(part)
        try:
            values, nonreal = _evaluate(part, grid)
            inputs = [_evaluate(arg, grid) for arg in part.args if not arg.is_number]
        except _Refused:
            continue  # a node kind the formula's own probe refuses if it reaches the code
        defined = np.ones(grid.shape, dtype=bool)
        for arg_values, arg_nonreal in inputs:
            defined &= np.isfinite(arg_values) & ~arg_nonreal & (np.abs(arg_values.imag) == 0)
        pole = isinstance(part, sp.log) or (
            isinstance(part, sp.Pow) and part.exp.is_negative is True
        )
        tolerance = 1e-9 * np.maximum(1.0, np.abs(values.real))
        infinite = ~np.isfinite(values) & pole  # 1/0 is nan + nan i in complex arithmetic
        unreal = nonreal | (np.abs(values.imag) > tolerance) | np.isnan(values)
        for index in order:
            if not defined[index] or not (unreal[index] or infinite[index]):
                continue
            why = "not finite (a pole or log(0))" if infinite[index] else "not real"
            tail = (
                "where a factor 0 beside it leaves the formula no number (the generated code "
                "computes the part at every z: write it with a value everywhere, as "
                "sqrt(relu(z)) for 1{z > 0} sqrt(z))"
                if kept
                else "though SymPy's simplified form of the formula drops that part"
            )
            point = f"z = {grid[index]:g}"
            return f"{name}(z) has no value at {point}: its part {text} is {why} there, {tail}"
    return None


def _evaluate(expr: sp.Basic, grid: Any) -> tuple[Any, Any]:
    """``expr`` at every point of ``grid`` in complex128, and where a comparison saw a non-real
    operand. Unknown node kinds raise :class:`_Refused`; shared subtrees are evaluated once."""
    import numpy as np

    memo: dict[sp.Basic, Any] = {}
    nonreal = np.zeros(grid.shape, dtype=bool)
    ones = np.ones(grid.shape, dtype=np.complex128)

    def real_part(value: Any) -> Any:
        nonlocal nonreal
        scale = np.maximum(1.0, np.abs(np.real(value)))
        nonreal = nonreal | (np.abs(np.imag(value)) > 1e-9 * scale)
        return np.real(value)

    def ev(node: sp.Basic) -> Any:
        if node in memo:
            return memo[node]
        value = compute(node)
        memo[node] = value
        return value

    def compute(node: sp.Basic) -> Any:
        if node == z:
            return grid.astype(np.complex128)
        if node.is_Number or node in (sp.pi, sp.E, sp.I):  # I: refused before, never printed
            try:
                return ones * complex(node.evalf(17))
            except (OverflowError, TypeError, ValueError):  # zoo, or past float64
                return ones * complex(np.nan, np.nan)
        if isinstance(node, sp.Add):
            out = ev(node.args[0])
            for arg in node.args[1:]:
                out = out + ev(arg)
            return out
        if isinstance(node, sp.Mul):
            out = ev(node.args[0])
            for arg in node.args[1:]:
                out = out * ev(arg)
            return out
        if isinstance(node, sp.Pow):
            base, exponent = node.args
            if exponent.is_Integer:
                return ev(base) ** int(exponent)
            return ev(base) ** ev(exponent)
        if isinstance(node, sp.log) and len(node.args) == 1:
            softplus = softplus_argument(node.args[0])
            if softplus is not None:  # as the code prints it: logaddexp, finite past e^710
                return _logaddexp0(ev(softplus[0]), softplus[1])
        if isinstance(node, sp.Function) and type(node).__name__ in CODE_FUNCTIONS:
            arg = ev(node.args[0]) if len(node.args) == 1 else None
            if arg is None:
                raise _Refused(type(node).__name__)
            name = type(node).__name__
            if name == "sigmoid":
                return 1 / (1 + np.exp(-arg))
            if name == "Abs":
                return np.abs(arg).astype(np.complex128)
            if name == "sign":
                return np.sign(real_part(arg)).astype(np.complex128)
            return getattr(np, name)(arg)
        if isinstance(node, (sp.Max, sp.Min)):
            parts = [real_part(ev(arg)) for arg in node.args]
            pick = np.maximum if isinstance(node, sp.Max) else np.minimum
            out = parts[0]
            for part in parts[1:]:
                out = pick(out, part)
            return out.astype(np.complex128)
        if isinstance(node, sp.Piecewise):
            out = np.full(grid.shape, complex(np.nan, np.nan))
            chosen = np.zeros(grid.shape, dtype=bool)
            for value, cond in node.args:
                take = ev_bool(cond) & ~chosen
                out = np.where(take, ev(value), out)
                chosen |= take
            return out
        raise _Refused(type(node).__name__)

    def ev_bool(cond: sp.Basic) -> Any:
        if cond == sp.true:
            return np.ones(grid.shape, dtype=bool)
        if cond == sp.false:
            return np.zeros(grid.shape, dtype=bool)
        if isinstance(cond, sp.core.relational.Relational) and cond.rel_op in _COMPARE:
            return _COMPARE[cond.rel_op](real_part(ev(cond.lhs)), real_part(ev(cond.rhs)))
        if isinstance(cond, sp.And):
            return np.logical_and.reduce([ev_bool(arg) for arg in cond.args])
        if isinstance(cond, sp.Or):
            return np.logical_or.reduce([ev_bool(arg) for arg in cond.args])
        if isinstance(cond, sp.Not):
            return ~ev_bool(cond.args[0])
        if isinstance(cond, sp.logic.boolalg.ITE):
            c, a_, b_ = (ev_bool(arg) for arg in cond.args)
            return np.where(c, a_, b_)
        raise _Refused(type(cond).__name__)

    with np.errstate(all="ignore"):
        values = ev(expr)
    return np.asarray(values, dtype=np.complex128), nonreal


_COMPARE: dict[str, Any] = {
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    "==": lambda x, y: x == y,
    "!=": lambda x, y: x != y,
}
