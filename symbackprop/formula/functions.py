"""SymPy functions that SymPy lacks and symbackprop needs: the logistic ``sigmoid``.

Keeping sigmoid as an undefined-looking function (rather than ``1/(1 + exp(-z))``) makes
derivatives read like the lecture -- sigmoid'(z) = sigmoid(z)(1 - sigmoid(z)) -- and lets the
activation records rewrite them in terms of the cached activation ``a``.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.core.function import ArgumentIndexError


class sigmoid(sympy.Function):  # noqa: N801 - named like SymPy's own functions (exp, tanh)
    """The logistic function 1 / (1 + e^-x)."""

    @classmethod
    def eval(cls, x: sympy.Expr) -> sympy.Expr | None:
        # Only the one value that stays rational; everything else remains sigmoid(x).
        if x.is_zero:
            return sympy.Rational(1, 2)
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x: sympy.Expr, **kwargs: Any) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-x))

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        # SymPy's default looks for an mpmath function of the same name; there is none.
        return (1 / (1 + sympy.exp(-self.args[0])))._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_extended_real else None

    def _latex(self, printer: Any, exp: Any = None) -> str:
        arg = printer._print(self.args[0])
        power = f"^{{{exp}}}" if exp is not None else ""
        return rf"\sigma{power}\left({arg}\right)"
