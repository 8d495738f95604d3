"""The scalar placeholders shared by activation and loss records and the engine.

Records are written in these scalar symbols; the engine lifts scalar results back to matrices
by mapping ``z -> Z[l]``, ``a -> A[l]``, ``y -> Y`` and ``u -> upstream gradient``.
"""

from __future__ import annotations

import sympy as sp

z = sp.Symbol("z", real=True)
a = sp.Symbol("a", real=True)
y = sp.Symbol("y", real=True)
u = sp.Symbol("u", real=True)
#: the sum of the targets over one example (one column of Y); the softmax rule needs it
s = sp.Symbol("s", real=True)

__all__ = ["a", "s", "u", "y", "z"]
