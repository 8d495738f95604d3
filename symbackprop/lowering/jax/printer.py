"""The JAX printer: the NumPy printer's matrix layout with ``jnp.`` and ``jax.nn.`` spellings.

:class:`JaxPrinter` subclasses :class:`~symbackprop.lowering.numpy.printer.NumPyPrinter`, so
products, transposes, broadcasting and parentheses print exactly as there (``W3.T @ dZ3``,
``(A3 - Y) / m``, ``dZ1.sum(axis=1, keepdims=True)``: ``jax.Array`` has the same methods);
only the functions change. Activations print from their record's ``jax`` field
(``jax.nn.sigmoid({z})``), custom ones from their formula, so ``z*sigmoid(z)`` becomes
``Z1 * jax.nn.sigmoid(Z1)``. ``jax.nn.sigmoid`` and ``jnp.logaddexp`` are stable: finite for
any z, as the NumPy module's own helpers are.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from symbackprop.errors import InternalError
from symbackprop.lowering.numpy.printer import NumPyPrinter, float_literal
from symbackprop.records import scalars

#: scalar SymPy function -> JAX spelling
FUNCTIONS: dict[str, str] = {
    "exp": "jnp.exp",
    "log": "jnp.log",
    "tanh": "jnp.tanh",
    "sinh": "jnp.sinh",
    "cosh": "jnp.cosh",
    "sin": "jnp.sin",
    "cos": "jnp.cos",
    "Abs": "jnp.abs",
    "sign": "jnp.sign",
    "sigmoid": "jax.nn.sigmoid",
}


class JaxPrinter(NumPyPrinter):
    """Print matrix (and scalar) SymPy expressions as JAX code in CS229 names."""

    printmethod = "_symbackprop_jax"
    WHERE = "jnp.where"
    FULL_LIKE = "jnp.full_like"
    ZEROS = "jnp.zeros"

    def activation_code(self, name: str, z_code: str) -> str:
        """Forward code of activation ``name`` applied to the array named ``z_code``."""
        act = self.activations[name]
        if act.jax is not None:
            return act.jax.replace("{z}", z_code)
        if act.formula is None:
            raise InternalError(f"activation {name} has neither JAX code nor a formula")
        return self.scalar_code(act.formula, {scalars.z: z_code})

    def _print_Softmax(self, expr: Any) -> str:
        return f"jax.nn.softmax({self.code(expr.arg)}, axis=0)"

    def _print_LogSumExp(self, expr: Any) -> str:
        return f"jax.nn.logsumexp({self.code(expr.arg)}).reshape(1, 1)"

    def _print_SoftmaxOfAll(self, expr: Any) -> str:
        return f"jax.nn.softmax({self.code(expr.arg)}, axis=(0, 1))"

    def _print_LogSoftmax(self, expr: Any) -> str:
        return f"jax.nn.log_softmax({self.code(expr.arg)}, axis=0)"

    def _print_Identity(self, expr: Any) -> str:
        rows = int(expr.shape[0])
        return "1.0" if rows == 1 else f"jnp.eye({rows}{self.dtype_argument()})"

    def _print_Inverse(self, expr: Any) -> str:
        return f"jnp.linalg.inv({self.code(expr.arg)})"

    def _print_MatPow(self, expr: Any) -> str:
        base, exp = expr.args
        if exp == -1:
            return f"jnp.linalg.inv({self.code(base)})"
        return f"jnp.linalg.matrix_power({self.code(base)}, {int(exp)})"

    def _print_Determinant(self, expr: Any) -> str:
        return f"jnp.linalg.det({self.code(expr.arg)})"

    def _print_Trace(self, expr: Any) -> str:
        return f"jnp.trace({self.code(expr.arg)})"

    def _print_Pow(self, expr: sp.Pow) -> str:
        base, exp = expr.args
        if exp == sp.Rational(1, 2):
            return self.number_function("sqrt", (base,)) or f"jnp.sqrt({self.code(base)})"
        return super()._print_Pow(expr)  # type: ignore[no-any-return]

    def _print_log(self, expr: sp.log) -> str:
        # log(1 + e^x) is softplus: jnp.logaddexp(0, x) stays finite where e^x overflows
        arg = expr.args[0]
        if isinstance(arg, sp.Add) and len(arg.args) == 2 and sp.Integer(1) in arg.args:
            if self.of_batch_size(arg):  # a number: log(1 + exp(-m)) in Python's math
                return self._print_Function(expr)
            other = arg.args[0] if arg.args[1] == 1 else arg.args[1]
            if isinstance(other, sp.exp):
                return f"jnp.logaddexp(0.0, {self.code(other.args[0])})"
        return self._print_Function(expr)

    def _print_Function(self, expr: sp.Function) -> str:
        name = type(expr).__name__
        if expr.is_number and name == "sigmoid":
            return float_literal(sp.N(expr, 17))  # a number, such as sigmoid(3)
        number = self.number_function(name, expr.args)
        if number is not None:
            return number
        if name not in FUNCTIONS:
            raise InternalError(f"no JAX spelling for the function {name}")
        return f"{FUNCTIONS[name]}({', '.join(self.code(a) for a in expr.args)})"

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        return f"jnp.heaviside({self.code(expr.args[0])}, 0.0)"

    def _print_Max(self, expr: Any) -> str:
        return self._reduce("jnp.maximum", expr.args)

    def _print_Min(self, expr: Any) -> str:
        return self._reduce("jnp.minimum", expr.args)

    def _print_ITE(self, expr: Any) -> str:
        cond, then, otherwise = expr.args
        return f"jnp.where({self.code(cond)}, {self.code(then)}, {self.code(otherwise)})"

    def _print_Pi(self, expr: Any) -> str:
        return "jnp.pi"

    def _print_Exp1(self, expr: Any) -> str:
        return "jnp.e"

    def emptyPrinter(self, expr: Any) -> str:  # noqa: N802 - SymPy's hook name
        raise InternalError(f"the JAX printer cannot print {type(expr).__name__}: {expr}")
