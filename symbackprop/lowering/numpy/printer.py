"""The NumPy printer: :class:`~symbackprop.lowering.array_printer.ArrayPrinter` in NumPy's names.

Products, transposes, broadcasting and parentheses print as every backend prints them
(``W3.T @ dZ3``, ``(A3 - Y) / m``, ``dZ1.sum(axis=1, keepdims=True)``); NumPy's own are the
``np.`` functions, the activations' ``numpy`` code, and the module's helpers ``sigmoid``,
``log_softmax``, ``logsumexp`` and ``softmax_of_all`` (stable for any z), whose use the
printer records in :attr:`helpers`.
"""

from __future__ import annotations

from typing import Any

from symbackprop.lowering.array_printer import ArrayPrinter
from symbackprop.records.activations import CODE_FUNCTIONS, Activation
from symbackprop.records.nodes import LogSoftmax

#: the scalar functions a custom activation may use (records.activations.CODE_FUNCTIONS, the one
#: list), each as np's function of the same name in lower case
_FUNCTIONS: dict[str, str] = {name: f"np.{name.lower()}" for name in sorted(CODE_FUNCTIONS)}
# the module's own stable helper (exp(-|z|) split by sign, from the sigmoid record)
_FUNCTIONS.update({"sigmoid": "sigmoid"})


class NumPyPrinter(ArrayPrinter):
    """Print matrix (and scalar) SymPy expressions as NumPy code in CS229 names."""

    printmethod = "_symbackprop_numpy"
    NAME = "NumPy"
    LIB = "np"
    RECORD = "numpy"
    FUNCTIONS = _FUNCTIONS
    WHERE = "np.where"
    FULL_LIKE = "np.full_like"
    ZEROS = "np.zeros"
    HALF = "{a}.dtype == np.float16"
    TO_FLOAT32 = "{a}.astype(np.float32)"
    TO_DTYPE = "{a}.astype({d}, copy=False)"

    def record_code(self, act: Activation) -> str | None:
        if act.numpy is not None and "sigmoid(" in act.numpy:
            self.helpers.add("sigmoid")
        return act.numpy

    def _print_LogSumExp(self, expr: Any) -> str:
        self.helpers.add("logsumexp")  # the model template's helper
        return f"logsumexp({self.code(expr.arg)})"

    def _print_Norm2(self, expr: Any) -> str:
        self.helpers.add("norm2")  # the model template's helper
        return f"norm2({self.code(expr.arg)})"

    def _print_SoftmaxOfAll(self, expr: Any) -> str:
        self.helpers.add("softmax_of_all")  # the model template's helper
        return f"softmax_of_all({self.code(expr.arg)})"

    def _print_LogSoftmax(self, expr: LogSoftmax) -> str:
        self.helpers.add("log_softmax")  # the model template's helper
        return f"log_softmax({self.code(expr.arg)})"
