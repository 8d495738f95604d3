"""The softmax + cross-entropy assumption in a generated module: each column of a target sums
to 1 (one-hot or a probability vector).

Under it the derivation's dJ/dZ is (A - Y) / m (DESIGN.md; ``records/losses.py`` states it);
before it, the softmax step's algebra gives (A ⊙ s - Y) / m with s the column sums of Y,
exact for any Y. A target whose column does not sum to 1 (a zero column for a padded
example, counts, weights) would give a cost of one function and gradients of another under
the assumed form. The NumPy module keeps the derivation's form and checks the assumption on
entry to ``backward`` (:data:`SUMS_HELPER`: one reduction over Y and two over its m column
sums), says so in its docstrings and lists the targets in ``SUMS_TO_ONE`` (read by
``sb.gradcheck``). Torch and JAX cannot check it (a value check would synchronise a GPU, and
cannot raise under ``jax.jit``), so their modules compute the form before the assumption
(:func:`any_target`): one column sum of Y more, and the gradients of the returned cost for
every target. Where a model's softmax step holds more than the ce's term
(:func:`single_difference`: ``ce(S, Y) + mse(S, Y)``), the step's expression does not say
which term is the ce's, so such a module keeps the assumed form, unchecked, lists the targets
in ``SUMS_TO_ONE`` and says so (:data:`UNCHECKED`).

The lowering rewrites the derivation's expression here, the one place it does: the derivation
records the step's form before the assumption only as its algebra text. Carrying that form on
the step itself (and the ce's term apart from the others) would let every backend read it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sympy import HadamardProduct, MatAdd, MatMul, MatrixSymbol

from symbackprop.lowering.python_text import LINE, comment, line

__all__ = [
    "SUMS_HELPER",
    "any_target",
    "column_sums_lines",
    "constant_line",
    "function_note",
    "module_note",
    "single_difference",
    "sums_name",
    "UNCHECKED",
]

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


def sums_name(target: str, taken: Collection[str] = ()) -> str:
    """The code name of the column sums of ``target`` (``Y_sums``), with ``_`` added until it
    is none of ``taken`` (a model's own names: a value of its own called ``Y_sums``)."""
    name = f"{target}_sums"
    while name in taken:
        name += "_"
    return name


def _target_of(term: Any, targets: Collection[str]) -> Any:
    """Y for a term ``-Y`` with Y a matrix named in ``targets``, else None."""
    if isinstance(term, MatMul) and len(term.args) == 2 and term.args[0] == -1:
        y = term.args[1]
        if isinstance(y, MatrixSymbol) and y.name in targets:
            return y
    return None


def _difference(node: Any, targets: Collection[str]) -> tuple[Any, Any] | None:
    """``(S, Y)`` for ``S - Y`` (S a matrix symbol, Y a target), else None."""
    if isinstance(node, MatAdd) and len(node.args) == 2:
        for s, minus_y in (node.args, node.args[::-1]):
            y = _target_of(minus_y, targets)
            if y is not None and isinstance(s, MatrixSymbol) and s != y:
                return s, y
    return None


def single_difference(expr: Any, targets: Collection[str]) -> bool:
    """Whether ``expr`` is ``c (S - Y)`` with c numbers or 1 x 1 values: the softmax step of a
    cross-entropy alone. Where other terms read S - Y too (an mse of the same S and Y beside
    the ce), only the ce's term would take the column sums, and the step's expression does
    not say which term is the ce's (review22): such a module keeps the derivation's form."""
    if _difference(expr, targets) is not None:
        return True
    if not isinstance(expr, MatMul):
        return False
    matrices = [a for a in expr.args if getattr(a, "is_Matrix", False)]
    differences = [a for a in matrices if _difference(a, targets) is not None]
    return len(differences) == 1 and all(
        a.shape == (1, 1) for a in matrices if a is not differences[0]
    )


def any_target(
    expr: Any, targets: Sequence[str], names: Mapping[str, str] | None = None
) -> tuple[Any, tuple[str, ...]]:
    """``expr``, a :func:`single_difference` ``c (S - Y)``, as ``c (S ⊙ Y_sums - Y)``, and the
    targets it rewrote (``names``: each target's sums' code name, :func:`sums_name` else).

    ``Y_sums`` stands for the column sums of Y, 1 x m at run time (broadcast over the rows by
    ``*``); it is declared with Y's shape so that the element-wise product types. Where each
    column of Y sums to 1 the two forms are equal (the derivation's assumption); for any other
    Y only this one is the gradient of the cost.
    """
    if not single_difference(expr, targets):
        return expr, ()
    node = (
        expr
        if isinstance(expr, MatAdd)
        else next(a for a in expr.args if _difference(a, targets) is not None)
    )
    found = _difference(node, targets)
    assert found is not None
    s, y = found
    name = (names or {}).get(y.name) or sums_name(y.name)
    rewritten = MatAdd(HadamardProduct(s, MatrixSymbol(name, *y.shape)), -y)
    return expr.xreplace({node: rewritten}), (y.name,)


#: why a torch or JAX module keeps the derivation's assumed form and cannot check it, where
#: its softmax step is not the ce's alone (NumPy checks it)
UNCHECKED = {
    "torch": "a check of the values would wait for the device",
    "jax": "a check of the values cannot raise under jax.jit",
}


def module_note(names: Sequence[str], how: str | None) -> list[str]:
    """The module docstring's paragraph (a blank line first), or nothing. ``how``: ``None``,
    the module keeps the assumed form and checks the sums (NumPy); ``"any"``, it computes
    the form that holds for any target (torch, JAX); else why it keeps the assumed form
    unchecked (:data:`UNCHECKED`)."""
    if not names:
        return []
    which = _listed(names)
    if how == "any":
        text = (
            f"Softmax with cross-entropy: backward computes dJ/dZ = (softmax(Z) ⊙ s - "
            f"{names[0]}) / m with s the column sums of {which}, the gradient of the "
            "returned cost for any target: a zero column (a padded example) adds nothing, and "
            "where each column sums to 1 (one-hot or a probability vector) it is the "
            f"derivation's (softmax(Z) - {names[0]}) / m."
        )
        return ["", text]
    text = (
        f"Softmax with cross-entropy: backward uses dJ/dZ = (softmax(Z) - {names[0]}) / m, "
        f"which holds only when each column of {which} sums to 1 (one-hot or a probability "
        "vector); a column that does not (a zero column for a padded example) would give "
        "the gradients of another cost than the one returned. "
    )
    if how is None:
        text += "The backward function checks it: a ValueError names the first such column."
    else:
        text += f"Not checked here ({how}); sb.gradcheck checks it."
    return ["", text]


def function_note(names: Sequence[str], how: str | None) -> list[str]:
    """The sentence in ``backward``'s and ``loss_and_grads``' docstrings (after a blank
    docstring line), indented, or nothing (nothing either where any target is right)."""
    if not names or how == "any":
        return []
    text = f"Each column of {_listed(names)} must sum to 1 (softmax with cross-entropy); "
    text += (
        "a ValueError names a column that does not."
        if how is None
        else "not checked here: another target gives the gradients of another cost."
    )
    indent = "    "
    return [
        "",
        *textwrap.wrap(text, LINE - len(indent), initial_indent=indent, subsequent_indent=indent),
    ]


def column_sums_lines(
    targets: tuple[str, ...], spell: Callable[[str], str], names: Mapping[str, str], columns: str
) -> list[str]:
    """``Y_sums = <spell(Y): Y's column sums>`` for each target (``names``: the sums' code
    names; ``columns``: Y's columns, ``m`` or 1), under a comment saying why the code keeps
    them where the derivation assumed them 1."""
    if not targets:
        return []
    out = comment(
        "the code keeps s, the column sums of the target: the gradient of the returned cost "
        "for any target (no check of the sums here), equal to the above where they are 1"
    )
    for y in targets:
        out += line(f"{names[y]} = {spell(y)}", f"(1, {columns}): the column sums of {y}")
    return out
