"""The softmax + cross-entropy assumption in a generated module: each column of a target sums
to 1 (one-hot or a probability vector).

Under it the derivation's dJ/dZ is (A - Y) / m (DESIGN.md; ``records/losses.py`` states it);
before it, the softmax step's algebra gives (A ⊙ s - Y) / m with s the column sums of Y,
exact for any Y, and the step carries that form too (``Step.general``, lifted as
``A ⊙ 1 1^T Y - Y``). A target whose column does not sum to 1 (a zero column for a padded
example, counts, weights) would give a cost of one function and gradients of another under
the assumed form. The NumPy module keeps the assumed form and checks the assumption on entry
to ``backward`` (:data:`SUMS_HELPER`: one reduction over Y and two over its m column sums),
says so in its docstrings and lists the targets in ``SUMS_TO_ONE`` (read by
``sb.gradcheck``). Torch and JAX cannot check it (a value check would synchronise a GPU, and
cannot raise under ``jax.jit``), so their modules write the step's form for any target
(:func:`named_sums`: one column sum of Y more, computed once under a name of its own): the
gradients of the returned cost for every target, whatever else the step holds (an mse of the
same S and Y beside the ce keeps its own form).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sympy import HadamardProduct, MatMul, MatrixSymbol, OneMatrix

from symbackprop.lowering.python_text import LINE, comment, line
from symbackprop.records.losses import SUMS_TO_ONE_TOLERANCE

__all__ = [
    "JAX_ORDERED",
    "SUMS_HELPER",
    "column_sums_lines",
    "constant_line",
    "function_note",
    "kept_sums_lines",
    "module_note",
    "named_sums",
    "sums_factor",
    "sums_name",
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
    tol = <TOLERANCE>
    made = _SUM_CHECK[dtype, rows] = (np.ones(rows, dtype), np.array(1.0, dtype), tol)
    return made
'''.replace("<TOLERANCE>", SUMS_TO_ONE_TOLERANCE)


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


def named_sums(
    expr: Any, targets: Collection[str], names: Mapping[str, str] | None = None
) -> tuple[Any, tuple[str, ...]]:
    """``expr`` (a step's form for any target, ``Step.general``) with each ``1 1^T Y`` of a
    target Y in ``targets`` (every row of a column holding its column sum) as one name,
    ``Y_sums`` (``names``: each target's sums' code name, :func:`sums_name` else), and the
    targets so named, in the order of ``targets``.

    ``Y_sums`` stands for the column sums of Y, 1 x m at run time (broadcast over the rows by
    ``*``); it is declared with Y's shape, as ``1 1^T Y`` is, so that the expression types.
    Only a name is given: the value is the same (:func:`column_sums_lines` computes it).
    """
    found: dict[str, Any] = {}
    for node in expr.atoms(MatMul):
        args = node.args
        if (
            len(args) == 2
            and isinstance(args[0], OneMatrix)
            and isinstance(args[1], MatrixSymbol)
            and args[1].name in targets
            and args[0].shape == (args[1].shape[0],) * 2
        ):
            found[args[1].name] = node
    if not found:
        return expr, ()
    named = {
        node: MatrixSymbol((names or {}).get(y) or sums_name(y), *node.shape)
        for y, node in found.items()
    }
    return expr.xreplace(named), tuple(y for y in targets if y in found)


def module_note(names: Sequence[str], for_any: bool) -> list[str]:
    """The module docstring's paragraph (a blank line first), or nothing. ``for_any``: the
    module writes the form for any target (torch, JAX); else it keeps the assumed form and
    checks the sums (NumPy)."""
    if not names:
        return []
    which = _listed(names)
    if for_any:
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
        "the gradients of another cost than the one returned. The backward function checks "
        "it: a ValueError names the first such column."
    )
    return ["", text]


def function_note(names: Sequence[str], for_any: bool) -> list[str]:
    """The sentence in ``backward``'s and ``loss_and_grads``' docstrings (after a blank
    docstring line), indented, or nothing (nothing either where any target is right)."""
    if not names or for_any:
        return []
    text = f"Each column of {_listed(names)} must sum to 1 (softmax with cross-entropy); "
    text += "a ValueError names a column that does not."
    indent = "    "
    return [
        "",
        *textwrap.wrap(text, LINE - len(indent), initial_indent=indent, subsequent_indent=indent),
    ]


#: JAX's column sums of ``{y}``, ordered after ``{after}``, the softmax output they multiply.
#: Adding ``0 * S`` (exactly 0: a softmax is finite, or NaN where ``S * Y_sums`` is NaN anyway)
#: gives the reduction an input from the softmax. Without it the sums are ready at the start,
#: and XLA's CPU runtime runs them beside the first product: on 784-256-256-10 relu/CE at
#: m = 256 (2 cores) that made each gradient after an idle pause 1.1-1.2x ``jax.jit(jax.grad)``
#: (``benchmarks/grad_speed.py``, session 24; with ``lax.optimization_barrier`` around S and
#: Y the compiled program still computed them second), and 1.02x with it.
JAX_ORDERED_SUMS = "({y} + 0 * {after}).sum(axis=0, keepdims=True)"

#: the sentence beside :data:`JAX_ORDERED_SUMS` in a generated module
JAX_ORDERED_WHY = (
    "+ 0 * {after} makes XLA compute them after the softmax, not beside the first product "
    "(ready at the start, they slowed a gradient after an idle pause by 10-20% on a CPU)"
)

#: JAX's spelling of the ordered sums and its reason, an emitter's ``ORDERED``
JAX_ORDERED = (JAX_ORDERED_SUMS, JAX_ORDERED_WHY)


def sums_factor(expr: Any, sums: str) -> MatrixSymbol | None:
    """The matrix that the column sums named ``sums`` multiply element-wise in ``expr`` (a
    step's form for any target after :func:`named_sums`): the softmax output S of
    ``S ⊙ Y_sums``; None where no product of the sums and one matrix symbol is found. Only a
    product holding the sums counts (review24: another product, ``R ⊙ |Z|``, was taken),
    and the products are read in a fixed order (a set's order varied between processes)."""
    for node in sorted(expr.atoms(HadamardProduct), key=str):
        if len(node.args) != 2 or not any(
            isinstance(a, MatrixSymbol) and a.name == sums for a in node.args
        ):
            continue
        (other,) = [a for a in node.args if not (isinstance(a, MatrixSymbol) and a.name == sums)]
        if isinstance(other, MatrixSymbol):
            return other
    return None


def column_sums_lines(
    targets: tuple[str, ...],
    spell: Callable[[str], str],
    names: Mapping[str, str],
    columns: str,
    why: str = "",
) -> list[str]:
    """``Y_sums = <spell(Y): Y's column sums>`` for each target (``names``: the sums' code
    names; ``columns``: Y's columns, ``m`` or 1), under a comment saying why the code keeps
    them where the derivation assumed them 1 (and ``why``, a backend's reason for its
    spelling, where given)."""
    if not targets:
        return []
    out = comment(
        "the code keeps s, the column sums of the target: the gradient of the returned cost "
        "for any target (no check of the sums here), equal to the above where they are 1"
        + (f"; {why}" if why else "")
    )
    for y in targets:
        out += line(f"{names[y]} = {spell(y)}", f"(1, {columns}): the column sums of {y}")
    return out


def kept_sums_lines(
    expr: Any,
    targets: tuple[str, ...],
    names: Mapping[str, str],
    columns: str,
    plain: Callable[[str], str],
    code: Callable[[Any], str],
    ordered: tuple[str, str] | None,
) -> list[str]:
    """The lines computing each target's column sums for ``expr`` (a step's form for any
    target, its sums named by :func:`named_sums`), networks' and models' alike: by ``plain``
    (target -> code), or, where ``ordered`` is given (JAX: :data:`JAX_ORDERED`, its
    ``{y}``/``{after}`` spelling and its reason) and the sums multiply one matrix (the
    softmax output, :func:`sums_factor`, printed by ``code``), after that matrix."""
    factors = {y: sums_factor(expr, names[y]) for y in targets}

    def spell(y: str) -> str:
        factor = factors[y]
        if ordered is None or factor is None:
            return plain(y)
        return ordered[0].format(y=y, after=code(factor))

    used = [code(f) for f in factors.values() if f is not None]
    why = ordered[1].format(after=" and ".join(used)) if ordered and used else ""
    return column_sums_lines(targets, spell, names, columns, why)
