"""How much memory a numeric command needs, estimated before anything is allocated.

For a network of widths n0, n1, ..., nL, m examples and 8-byte floats, with
P = sum_l n_l (n_(l-1) + 1) parameters and A = sum_(l>=1) n_l activations per example::

    bytes = 8 * ( 2 P                     parameters and their gradients
                + m (n0 + nL)             X and Y
                + 2 m A                   the forward cache: Z[l] and A[l] for every layer
                + 3 m max_l n_l           backward workspace: dZ, dA and one temporary
                + 6 P  [finite differences only: perturbed and saved copies, random
                        directions and the checker's temporaries; measured on check
                        2000-2000-1] )

The estimate is what the generated module holds at its peak plus the checker's copies; NumPy
and Python themselves add a constant on top. Above the budget (``DEFAULT_BUDGET_GIB`` unless
the command's ``--memory GIB`` says otherwise) the command is refused with one line that says
how much it would need, instead of being killed or raising ``MemoryError`` half way through.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from symbackprop.errors import SpecError

#: the memory a command may use unless its ``--memory GIB`` option raises it
DEFAULT_BUDGET_GIB = 4.0
#: the deepest network ``check`` accepts. Finite differences perturb every parameter array
#: (2 per layer) and rerun the whole forward pass (one step per layer) for each perturbation,
#: so the time grows with the square of the depth: about 7 s of CPU at depth 100 with width 3,
#: about 30 s at 200. ``derive``, ``shapes``, ``codegen`` and the renderers are linear.
MAX_CHECK_DEPTH = 100
_GIB = 1024**3


class MemoryBudgetError(SpecError):
    """A command would need more memory than its budget (exit 2, one line)."""


def estimate_bytes(
    widths: Sequence[int], m: int, *, finite_differences: bool = False, itemsize: int = 8
) -> int:
    """Bytes a forward and backward pass over ``m`` examples needs (see the module docstring)."""
    widths = [int(w) for w in widths]
    params = sum(widths[i] * (widths[i - 1] + 1) for i in range(1, len(widths)))
    units = sum(widths[1:])
    floats = 2 * params + m * (widths[0] + widths[-1]) + 2 * m * units + 3 * m * max(widths)
    if finite_differences:
        floats += 6 * params
    return floats * itemsize


def gib(n_bytes: float) -> str:
    """``5368709120`` -> ``'5.0 GiB'``; small amounts in MiB, KiB or bytes (never "0.0")."""
    if n_bytes >= _GIB / 10:
        return f"{n_bytes / _GIB:.1f} GiB"
    if n_bytes >= 1024**2 / 10:
        return f"{n_bytes / 1024**2:.1f} MiB"
    if n_bytes >= 1024 / 10:
        return f"{n_bytes / 1024:.1f} KiB"
    return f"{n_bytes:.0f} bytes"


def refusal(what: str, need: float, budget_gib: float) -> MemoryBudgetError:
    """The one-line error for ``what`` needing ``need`` bytes over a ``budget_gib`` budget."""
    return MemoryBudgetError(
        f"{what} would need about {gib(need)} of memory, more than the budget of "
        f"{budget_gib:g} GiB; raise it with --memory GIB (for example --memory "
        f"{max(1, int(-(-need // _GIB)) + 1)}) or use smaller sizes"
    )


def check_depth(depth: int) -> None:
    """Refuse a ``check`` of a network deeper than :data:`MAX_CHECK_DEPTH` (one line, exit 2)."""
    if depth > MAX_CHECK_DEPTH:
        raise SpecError(
            f"check: {depth} layers; at most {MAX_CHECK_DEPTH} (finite differences rerun the "
            "whole network for every perturbed parameter array, so the time grows with the "
            "square of the depth); derive, shapes and codegen take deeper networks"
        )


def check_budget(
    what: str,
    widths: Sequence[int],
    m: int,
    *,
    budget_gib: float = DEFAULT_BUDGET_GIB,
    finite_differences: bool = False,
) -> int:
    """Raise :class:`MemoryBudgetError` when the estimate is over the budget; else return it."""
    if not budget_gib > 0:
        raise SpecError(f"memory budget {budget_gib!r} GiB: expected a positive number")
    need = estimate_bytes(widths, m, finite_differences=finite_differences)
    if need > budget_gib * _GIB:
        raise refusal(what, need, budget_gib)
    return need


#: the most multiply-adds one ``gradients`` run may take (about 10 s with NumPy on 2 cores);
#: ``gradients --width 4096 --m 10000`` needs 2e12 and ran for minutes within its option ranges
MAX_MULTIPLY_ADDS = 2e11


def estimate_multiply_adds(widths: Sequence[int], m: int, *, passes: float = 1) -> float:
    """Multiply-adds of ``passes`` forward-and-backward passes: 3 m sum_l n_l n_(l-1) each
    (one product forward, two backward: dW and the next delta)."""
    widths = [int(w) for w in widths]
    per_pass = 3 * m * sum(widths[i] * widths[i - 1] for i in range(1, len(widths)))
    return float(per_pass) * passes


def parameter_count(widths: Sequence[int]) -> int:
    """The entries of every W (n_l x n_(l-1)) and b (n_l x 1) of a network of ``widths``."""
    sizes = [int(w) for w in widths]
    return sum(sizes[i] * (sizes[i - 1] + 1) for i in range(1, len(sizes)))


#: the work a parameter costs a pass whatever m is (drawing it at initialization, reading it
#: in the products), in multiply-adds: about 45 ns measured at m = 1 on the development
#: machine, where 2e11 multiply-adds take about 10 s (hostile tester 23: 100 seeds of a
#: 50-layer width-1024 network at m = 1 counted 1.6e10 and ran 4 minutes)
PER_PARAMETER = 1000.0


#: the work a layer costs a pass whatever its width (the module's Python and NumPy calls for
#: it, its norms), in multiply-adds: about 50 us a layer measured on the development machine
#: (``gradients --depth 500 --width 1 --m 1 --seeds 100`` took 4.9 s an init, which the
#: products and parameters counted at 1e8: hostile44a #2)
PER_LAYER = 1e6


#: the work each entry of a parameter costs each random direction of the finite differences'
#: directional mode, in multiply-adds: drawing and normalising the direction, the two stepped
#: copies of the array and their passes through the cost (about 150 ns an entry measured on
#: the development machine: ``check 4000-4000-1`` 21 s and 7000-7000-1 61 s, with m = 3, whose
#: products the estimate counted at 1e10 and 3e10: hostile42c #1)
PER_DIRECTION_ENTRY = 3000.0


def check_work(
    what: str,
    widths: Sequence[int],
    m: int,
    *,
    passes: float = 1,
    drawn: bool = False,
    advice: str = "use a smaller --m, --width, --depth or --seeds",
    timing: str = " (about 10 s)",
) -> float:
    """Refuse (one line, exit 2) a run over :data:`MAX_MULTIPLY_ADDS`; else return the count.
    ``drawn``: each pass also draws every parameter afresh, and its cost that does not grow
    with m counts too (:data:`PER_PARAMETER`), as does each layer's (:data:`PER_LAYER`);
    ``advice``: what the message tells to change; ``timing``: what the limit takes, as
    measured for the caller's kind of run."""
    need = estimate_multiply_adds(widths, m, passes=passes)
    if drawn:
        need += PER_PARAMETER * parameter_count(widths) * passes
        need += PER_LAYER * (len(widths) - 1) * passes
    return refuse_work(what, need, advice=advice, timing=timing)


def refuse_work(what: str, need: float, *, advice: str, timing: str = " (about 10 s)") -> float:
    """Refuse (one line, exit 2) ``need`` multiply-adds over :data:`MAX_MULTIPLY_ADDS`, saying
    ``advice`` (what to change) and ``timing`` (what the limit takes); else return ``need``."""
    if need > MAX_MULTIPLY_ADDS:
        raise SpecError(
            f"{what} would take about {need:.1e} multiply-adds, more than the "
            f"{MAX_MULTIPLY_ADDS:.0e}{timing} one run may take; {advice}"
        )
    return need


@contextlib.contextmanager
def no_memory_error(what: str) -> Iterator[None]:
    """Turn a ``MemoryError`` inside the block into the one-line :class:`MemoryBudgetError`.

    The estimate guards the budget; this guards the machine having less free memory than it.
    """
    try:
        yield
    except MemoryError:
        raise MemoryBudgetError(
            f"{what}: ran out of memory; free some memory or use smaller sizes"
        ) from None
