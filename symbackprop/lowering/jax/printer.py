"""The JAX printer: the NumPy printer's matrix layout with ``jnp.`` and ``jax.nn.`` spellings.

:class:`JaxPrinter` is an :class:`~symbackprop.lowering.array_printer.ArrayPrinter`, as the
NumPy printer is, so products, transposes, broadcasting and parentheses print exactly as there
(``W3.T @ dZ3``, ``(A3 - Y) / m``, ``dZ1.sum(axis=1, keepdims=True)``: ``jax.Array`` has the
same methods); only the functions change. Activations print from their record's ``jax`` field
(``jax.nn.sigmoid({z})``), custom ones from their formula, so ``z*sigmoid(z)`` becomes
``Z1 * jax.nn.sigmoid(Z1)``. ``jax.nn.sigmoid`` and ``jnp.logaddexp`` are stable: finite for
any z, as the NumPy module's own helpers are.
"""

from __future__ import annotations

from typing import Any

from symbackprop.lowering.array_printer import ArrayPrinter
from symbackprop.records.activations import CODE_FUNCTIONS

#: the scalar functions a custom activation may use (records.activations.CODE_FUNCTIONS, the one
#: list), each as jnp's function of the same name in lower case
_FUNCTIONS: dict[str, str] = {name: f"jnp.{name.lower()}" for name in sorted(CODE_FUNCTIONS)}
_FUNCTIONS.update({"sigmoid": "jax.nn.sigmoid"})


class JaxPrinter(ArrayPrinter):
    """Print matrix (and scalar) SymPy expressions as JAX code in CS229 names."""

    printmethod = "_symbackprop_jax"
    NAME = "JAX"
    LIB = "jnp"
    RECORD = "jax"
    FUNCTIONS = _FUNCTIONS
    WHERE = "jnp.where"
    FULL_LIKE = "jnp.full_like"
    ZEROS = "jnp.zeros"
    HALF = "{a}.dtype == jnp.float16"
    TO_FLOAT32 = "{a}.astype(jnp.float32)"
    TO_DTYPE = "{a}.astype({d})"

    def _print_Softmax(self, expr: Any) -> str:
        return f"jax.nn.softmax({self.code(expr.arg)}, axis=0)"

    def _print_LogSumExp(self, expr: Any) -> str:
        return f"jax.nn.logsumexp({self.code(expr.arg)}).reshape(1, 1)"

    def _print_Norm2(self, expr: Any) -> str:
        self.helpers.add("norm2")  # the model template's helper
        return f"norm2({self.code(expr.arg)})"

    def _print_SoftmaxOfAll(self, expr: Any) -> str:
        return f"jax.nn.softmax({self.code(expr.arg)}, axis=(0, 1))"

    def _print_LogSoftmax(self, expr: Any) -> str:
        self.helpers.add("log_softmax")  # the template's helper: log1p of the sum
        return f"log_softmax({self.code(expr.arg)})"
