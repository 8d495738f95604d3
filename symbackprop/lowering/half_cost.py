"""A cost over float16 arrays is computed in float32 (every backend's modules).

float16's largest value is 65504: its sum of a loss over m = 1000 examples at 70 each is inf
where the mean (70) fits, and so is mse's d^2 at |d| = 300 (hostile39b). bfloat16 has
float32's range, and NumPy has none, torch and JAX sum it in float32 already: it is left as
it is. The cost's inputs (and a network's weights for its L2 term) are cast to
float32 for the cost alone, and its value is cast back to the arrays' dtype where the module
returns an array (a NumPy network's float keeps float32's digits); the gradients stay in that
dtype (they are means already).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from symbackprop.lowering.python_text import INDENT, comment

if TYPE_CHECKING:
    from symbackprop.lowering.array_printer import ArrayPrinter

NOTE = (
    "float16 arrays: the loss is computed in float32 (a float16 sum overflows past 65504 "
    "where the mean fits)"
)


def in_float32(printer: ArrayPrinter, sources: list[str], targets: list[str]) -> list[str]:
    """The lines that bind ``targets`` to the arrays ``sources`` (names, the loss's inputs,
    any shapes), cast to float32 where the first of them is float16. ``targets`` may be
    ``sources`` (a function's own locals, cast where they are)."""
    out = comment(NOTE)
    if targets != sources:
        out.append(f"{INDENT}{', '.join(targets)} = {', '.join(sources)}")
    casts = ", ".join(printer.TO_FLOAT32.format(a=name) for name in sources)
    return out + [
        f"{INDENT}if {printer.HALF.format(a=sources[0])}:",
        f"{INDENT * 2}{', '.join(targets)} = {casts}",
    ]


def cast_back(printer: ArrayPrinter, value: str, like: str) -> str:
    """The expression of ``value`` (a cost computed by :func:`in_float32`) cast back to the
    dtype of the array ``like`` where that is float16, else ``value`` itself: no call where
    nothing was cast (JAX with x64 off warned on astype(float64) of a NumPy float64 ``like``)."""
    cast = printer.TO_DTYPE.format(a=value, d=f"{like}.dtype")
    return f"{cast} if {printer.HALF.format(a=like)} else {value}"
