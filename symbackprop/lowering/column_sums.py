"""The softmax + cross-entropy assumption in a generated module: each column of a target sums
to 1 (one-hot or a probability vector).

Under it the derivation's dJ/dZ is (A - Y) / m (DESIGN.md; ``records/losses.py`` states it).
A target whose column does not sum to 1 (a zero column for a padded example, counts,
weights) gives a cost of one function and gradients of another, so every module that relies
on it says so: the constant ``SUMS_TO_ONE`` (the data arrays concerned, read by
``sb.gradcheck``), a paragraph of its docstring and a sentence in the docstrings of
``backward`` and ``loss_and_grads``. The NumPy module also checks it on entry to
``backward`` (:data:`SUMS_HELPER`: one reduction over Y and two over its m column sums); torch
and JAX state it only, since a value check there would synchronise a GPU or cannot raise under
``jax.jit``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from symbackprop.lowering.python_text import LINE

__all__ = ["SUMS_HELPER", "UNCHECKED", "constant_line", "function_note", "module_note"]

#: the NumPy module's check, called once per backward with each such target
SUMS_HELPER = '''
#: (dtype, rows) -> (a row of ones, 1, the tolerance of a column sum), see _sums_to_one
_SUM_CHECK = {}


def _sums_to_one(Y, name):
    """Raise a one-line ValueError naming ``name`` and its first column whose sum is not 1.

    Softmax with cross-entropy gives dJ/dZ = (softmax(Z) - Y) / m only when each column of Y
    sums to 1 (one-hot or a probability vector); any other Y (a zero column for a padded
    example) would give the gradients of another cost than the one returned. A sum may be off
    1 by sqrt(eps) of Y's dtype, float32's at least (3.5e-4; 0.031 in float16: targets often
    come from float32 probabilities), plus the rounding of the sum. Three calls when every
    column passes: the column sums as one product with a row of ones, their offsets from 1,
    and the offsets' sum of squares, which bounds each offset (the ufunc reductions that name
    the column cost 20K instructions more on a small Y, callgrind). A NaN passes, to propagate
    as any NaN does.
    """
    ones, one, tol = _SUM_CHECK.get((Y.dtype, Y.shape[0])) or _sum_check(Y.dtype, Y.shape[0])
    off = ones.dot(Y)  # (m,): the column sums
    off -= one  # (m,): their offsets from 1 (a 0-d array of Y's dtype: a cheaper operand)
    if off.dot(off) <= tol * tol:  # every offset is within tol
        return
    sums = off + one
    if sums.min() < 1.0 - tol or sums.max() > 1.0 + tol:
        bad = int(np.flatnonzero((sums < 1.0 - tol) | (sums > 1.0 + tol))[0])
        raise ValueError(
            f"column {bad} of {name} sums to {float(sums[bad]):.9g}, not 1: softmax with "
            f"cross-entropy has dJ/dZ = (softmax(Z) - {name}) / m only when each column of "
            f"{name} sums to 1 (one-hot or a probability vector); drop that column or divide it "
            "by its sum"
        )


def _sum_check(dtype, rows):
    """A row of ``rows`` ones and 1 (0-d) of ``dtype``, and the tolerance of a column sum:
    sqrt(eps) of ``dtype`` (float32's at least) plus ``rows`` roundings of a sum."""
    eps = float(np.finfo(dtype).eps)
    tol = max(eps, 2.0**-23) ** 0.5 + rows * eps
    made = _SUM_CHECK[dtype, rows] = (np.ones(rows, dtype), np.array(1.0, dtype), tol)
    return made
'''


def constant_line(names: Sequence[str]) -> list[str]:
    """``SUMS_TO_ONE = ("Y",)`` with its comment, or nothing when no target relies on it."""
    if not names:
        return []
    items = ", ".join(f'"{n}"' for n in names) + ("," if len(names) == 1 else "")
    return [f"SUMS_TO_ONE = ({items})  # data whose every column must sum to 1 (softmax + ce)"]


def _listed(names: Sequence[str]) -> str:
    return " and ".join(names)


#: why a backend's module does not check the sums (NumPy's does: ``None``)
UNCHECKED = {
    "torch": "a check of the values would wait for the device",
    "jax": "a check of the values cannot raise under jax.jit",
}


def module_note(names: Sequence[str], unchecked: str | None) -> list[str]:
    """The module docstring's paragraph (a blank line first), or nothing; ``unchecked`` says
    why the module does not check it (``None``: it does)."""
    if not names:
        return []
    which = _listed(names)
    text = (
        f"Softmax with cross-entropy: backward uses dJ/dZ = (softmax(Z) - {names[0]}) / m, which "
        "holds "
        f"only when each column of {which} sums to 1 (one-hot or a probability vector); "
        "a column that does not (a zero column for a padded example) would give the gradients "
        "of another cost than the one returned. "
    )
    if unchecked is None:
        text += "The backward function checks it: a ValueError names the first such column."
    else:
        text += f"Not checked here ({unchecked}); sb.gradcheck checks it."
    return ["", text]


def function_note(names: Sequence[str], unchecked: str | None) -> list[str]:
    """The sentence in ``backward``'s and ``loss_and_grads``' docstrings (after a blank
    docstring line), indented, or nothing."""
    if not names:
        return []
    text = f"Each column of {_listed(names)} must sum to 1 (softmax with cross-entropy); "
    text += (
        "a ValueError names a column that does not."
        if unchecked is None
        else "not checked here: another target gives the gradients of another cost."
    )
    indent = "    "
    return [
        "",
        *textwrap.wrap(text, LINE - len(indent), initial_indent=indent, subsequent_indent=indent),
    ]
