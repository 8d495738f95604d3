"""The element-wise product of explicit SymPy matrices, entry by entry with SymPy's ``*``.

``Matrix.multiply_elementwise`` skips a zero entry: ``[0] ⊙ [zoo]`` comes out ``[0]`` where
``0 * zoo`` is ``nan``. A formula with ``relu(z3) ⊙ relu(z3)^-1`` has no value where an entry
of z3 is <= 0, and an evaluator that read it as 0 there called it wrong with a false
counterexample ("your formula gives 0"; hostile33b #3). Every explicit evaluation multiplies
entries here, so that an entry without a value stays one.
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp

from symbackprop.errors import InternalError


def entrywise_product(*factors: Any) -> sp.ImmutableMatrix:
    """``A ⊙ B ⊙ ...`` of explicit matrices, all r x c, as an r x c matrix; an entry with no
    value (``nan``, ``zoo``) in any factor gives ``nan`` or ``zoo`` there, never 0."""
    if not factors:
        raise InternalError("entrywise_product needs at least one factor")
    shape = factors[0].shape
    for factor in factors[1:]:
        if factor.shape != shape:
            raise InternalError(f"entrywise_product of {shape} and {factor.shape}")
    rows, cols = shape
    entries = [
        functools.reduce(lambda a, b: a * b, (factor[i] for factor in factors))
        for i in range(rows * cols)
    ]
    return sp.ImmutableMatrix(rows, cols, entries)
