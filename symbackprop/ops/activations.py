"""Activation records.

An activation is one :class:`Activation` record: its SymPy form in the scalar ``z``, its LaTeX
name and its NumPy forward code. The derivative is *derived* by SymPy from the SymPy form and,
where that is possible, rewritten in terms of the cached activation ``a`` (sigmoid' = a(1 - a),
tanh' = 1 - a^2). Adding an activation means adding one entry to :data:`ACTIVATIONS`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import sympy as sp

from symbackprop.formula.functions import sigmoid
from symbackprop.ops.scalars import a, z

#: leaky_relu slope for z <= 0 (DESIGN.md)
LEAKY_SLOPE = sp.Rational(1, 100)


@dataclass(frozen=True)
class Activation:
    """One activation function.

    ``formula`` is the scalar SymPy form in :data:`symbackprop.ops.scalars.z` (``None`` for
    softmax, which is not element-wise and has its own rule). ``numpy`` is the forward NumPy
    code with ``{z}`` standing for the pre-activation array; ``None`` means "print it from the
    formula". ``output_range`` is the open interval of outputs (used to draw exact-check values).
    """

    name: str
    latex: str
    formula: sp.Expr | None
    numpy: str | None = None
    elementwise: bool = True
    output_only: bool = False
    min_units: int = 1
    output_range: tuple[sp.Expr, sp.Expr] = (-sp.oo, sp.oo)
    description: str = ""
    custom_formula: str | None = field(default=None, compare=False)

    @functools.cached_property
    def derivative(self) -> sp.Expr:
        """g'(z) as derived by SymPy, in terms of z only (element-wise activations)."""
        if self.formula is None:
            raise TypeError(f"{self.name} is not element-wise; it has no scalar derivative")
        return _canonical(sp.diff(self.formula, z))

    @functools.cached_property
    def cached_derivative(self) -> sp.Expr:
        """g'(z) rewritten in the cached activation ``a`` where that removes ``z`` entirely.

        sigmoid gives ``a*(1 - a)`` and tanh ``1 - a**2``; relu keeps the indicator in ``z``.
        """
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
    """Put a derived derivative in the form a person would write.

    SymPy differentiates log(1 + e^z) to e^z / (e^z + 1); that is the logistic sigmoid, and
    naming it keeps the printed derivative short and the generated NumPy stable.
    """
    # simplify() on a long custom derivative can take minutes: only short ones are candidates
    if not expr.has(sp.exp) or sp.count_ops(expr) > _CANONICAL_MAX_OPS:
        return expr
    logistic = sp.exp(z) / (sp.exp(z) + 1)
    if sp.simplify(expr - logistic) == 0:
        return sigmoid(z)
    return expr


#: the largest derivative (in SymPy operations) that _canonical tries to recognise
_CANONICAL_MAX_OPS = 12


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
            output_range=(sp.Integer(0), sp.Integer(1)),
            description="logistic sigmoid 1 / (1 + e^-z), output in (0, 1)",
        ),
        Activation(
            "tanh",
            r"\tanh",
            sp.tanh(z),
            numpy="np.tanh({z})",
            output_range=(sp.Integer(-1), sp.Integer(1)),
            description="hyperbolic tangent, output in (-1, 1)",
        ),
        Activation(
            "relu",
            r"\operatorname{ReLU}",
            _relu(z),
            numpy="np.maximum({z}, 0.0)",
            output_range=(sp.Integer(0), sp.oo),
            description="max(0, z); relu'(0) = 0",
        ),
        Activation(
            "leaky_relu",
            r"\operatorname{LeakyReLU}",
            _leaky_relu(z),
            numpy="np.where({z} > 0, {z}, 0.01 * {z})",
            description="z for z > 0, else 0.01 z",
        ),
        Activation(
            "identity",
            r"\operatorname{id}",
            z,
            numpy="{z}",
            description="g(z) = z (a linear layer)",
        ),
        Activation(
            "softplus",
            r"\operatorname{softplus}",
            sp.log(1 + sp.exp(z)),
            numpy="np.logaddexp(0.0, {z})",
            output_range=(sp.Integer(0), sp.oo),
            description="log(1 + e^z), a smooth relu",
        ),
        Activation(
            "softmax",
            r"\operatorname{softmax}",
            None,
            elementwise=False,
            output_only=True,
            min_units=2,
            output_range=(sp.Integer(0), sp.Integer(1)),
            description="e^z_k / sum_j e^z_j over the units of one example (output only)",
        ),
    )
}


def custom_activation(name: str, formula: str) -> Activation:
    """Build an element-wise activation from a user formula in ``z``, e.g. ``z*sigmoid(z)``.

    The formula goes through symbackprop's whitelisting parser (never ``sympify``); SymPy then
    derives its derivative like any built-in one. Raises ``FormulaError`` for a formula that is
    not a function of z alone.
    """
    from symbackprop.formula import parse, to_scalar

    expr = to_scalar(parse(formula), variable="z")
    # to_scalar builds with its own real Symbol("z"); make it ours so records compare cleanly
    expr = expr.xreplace({sym: z for sym in expr.free_symbols if sym.name == "z"})
    return Activation(
        name,
        r"\operatorname{" + name.replace("_", r"\_") + "}",
        expr,
        numpy=None,
        description=f"custom: {formula}",
        custom_formula=formula,
    )
