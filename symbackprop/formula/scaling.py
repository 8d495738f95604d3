"""Where a 1 x 1 value multiplies a matrix like a number: one rule for the model language
(:mod:`symbackprop.model.shapes`, :mod:`symbackprop.core.model_graph`) and for gradient
formulas (:mod:`symbackprop.apps.shapecheck.typing_`).

In a product (side by side, ``@``, ``*``, ``⊙``) and in ``/``, a 1 x 1 value (``s : 1 x 1``,
``s^T``, ``x^T y``) meets a matrix of any shape as its one entry: ``s X`` is ``s[0, 0] X``. In
``+`` and ``-`` only a number broadcasts; a 1 x 1 matrix is not repeated. Where the shapes also
fit as a matrix product (1 x 1 times 1 x c), both readings give the same value.
"""

from __future__ import annotations

#: the operators in which a 1 x 1 value multiplies (or divides) like a number
SCALING_OPERATORS = frozenset({"juxt", "@", "*", "⊙", "/"})
