"""The public entry points, as ``import symbackprop as sb`` exports them.

Each takes what a user naturally has in hand: a :class:`~symbackprop.spec.Network`, a compact
spec string (``sb.derive("4-3-2-1")``), a spec file path (``"net.toml"``), a
:class:`~symbackprop.model.Model` or a model file (``"net.model"``) or, where it makes sense,
a :class:`~symbackprop.core.derivation.Derivation`; one function,
:func:`symbackprop.model.source.as_source`, turns the paths and specs into a Network or a
Model for all of them.
The stage functions they call (``symbackprop.core.derivation.derive``, ``symbackprop.lowering.emit.
codegen``, ...) keep their narrower, typed signatures.

This is the facade stage: it may import every stage below it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from symbackprop.core import derivation as _derivation
from symbackprop.core.derivation import Derivation
from symbackprop.core.graph import changed_activations
from symbackprop.core.model_derivation import derive_model
from symbackprop.core.model_graph import ModelGraph
from symbackprop.errors import SpecError
from symbackprop.model import Model
from symbackprop.model.source import as_source, refuse_other_types
from symbackprop.records.activations import on_change as on_activations_change
from symbackprop.spec import Network, width_size_problem

# The facade loads the later stages (lowering, check, apps) in the function that first needs
# them: ``symbackprop derive`` then never imports the code generator or shapecheck, which is
# about a tenth of a second of its start-up.

if TYPE_CHECKING:
    from symbackprop.apps.shapecheck.check import FormulaReport
    from symbackprop.check.exact import ExactCheck
    from symbackprop.lowering.executor import GradientModule
    from symbackprop.lowering.plan import CacheEntry

__all__ = [
    "cache_plan",
    "check_exact",
    "check_formula",
    "codegen",
    "compile",
    "derive",
    "to_html",
]

#: what the entry points accept for a network or a model (a compact spec or a file's path)
NetworkLike = Network | Model | str | os.PathLike[str]
#: ... and, where a derivation will do, a derivation
SourceLike = Derivation | NetworkLike


def _source(source: SourceLike) -> Derivation | Network | Model:
    """A Derivation or a Model as it is; a Network, compact spec, spec file or model file
    through :func:`~symbackprop.model.source.as_source`."""
    if isinstance(source, Model):
        return source
    if isinstance(source, Derivation):
        graph = source.graph
        changed = [] if isinstance(graph, ModelGraph) else changed_activations(graph)
        if changed:  # its network would now name another function (review36 #4)
            raise SpecError(
                f"this derivation was made with an activation {changed[0]!r} this process does "
                "not know as it was (not registered here, or registered again with another "
                "formula): register that record, or derive the network again"
            )
        return source
    refuse_other_types(source, derivation=True)
    _not_model_text(source)
    return as_source(source)


def _not_model_text(source: object) -> None:
    """A model's text passed where a spec or a path goes is not read as a compact spec (whose
    error would echo it with ``\n`` escapes): one line saying what to call instead."""
    text = isinstance(source, str) and ("\n" in source or "=" in source)
    if text and not os.path.exists(str(source)):
        raise SpecError("this looks like model text: use sb.Model.parse(text)")


def _flag(value: object, argument: str) -> None:
    """``value`` must be a bool or None (``batch="yes"`` is no flag)."""
    if value is not None and not isinstance(value, bool):
        raise SpecError(f"{argument} must be True, False or None, got {value!r}")


def _sizes(found: object, sizes: object, *, batch_allowed: bool) -> None:
    """``sizes`` must map dimension names to ints; for a model, names of its own dimensions
    (``m``, the batch size set by the data at run time, only where ``batch_allowed``)."""
    if sizes is None:
        return
    if not isinstance(sizes, Mapping):
        raise SpecError(
            f"sizes must be a mapping of dimension names to ints, e.g. {{'n': 3}}, "
            f"got {type(sizes).__name__}"
        )
    for name in sizes:  # a SymPy Symbol was told "no dimension n0 (its dimensions: ..., n0)"
        if not isinstance(name, str):
            raise SpecError(
                f"sizes: a size is keyed by a dimension's name as a string ({str(name)!r}), "
                f"not a {type(name).__name__}"
            )
    model = getattr(found, "model", None) if isinstance(found, Derivation) else found
    if not isinstance(model, Model):
        if not batch_allowed:  # the checks name each layer's n_l themselves, and say why
            _network_sizes(found, sizes)
        return
    known = model.dimensions
    for name in sizes:
        if name == "m" and "m" in known and not batch_allowed:
            raise SpecError(
                "sizes: m is the batch size, set by the data at run time; give the others"
            )
        if name not in known:
            dims = ", ".join(sorted(known)) or "none"
            raise SpecError(f"sizes: no dimension {name!r} in this model (its dimensions: {dims})")


def _network_sizes(found: object, sizes: Mapping[str, object]) -> None:
    """The ``sizes`` of a network's generated code name its named widths, not m: a typo, or a
    number for a width given in the spec (``{"n0": 5}`` for 4-3-1), was ignored silently where
    the command line refuses it (hostile34b #8)."""
    network = found.network if isinstance(found, Derivation) else found
    if not isinstance(network, Network):
        return
    for name in sizes:
        if name == "m":
            raise SpecError(
                "sizes: m does not apply: the generated module takes any batch size (m is "
                "the data's column count at run time)"
            )
        problem = width_size_problem(network, name)
        if problem:
            raise SpecError(f"sizes: {problem}")


def _derived(source: SourceLike) -> Derivation:
    """The derivation of ``source`` (a network's in single-example form)."""
    found = _source(source)
    if isinstance(found, Derivation):
        return found
    if isinstance(found, Model):
        return derive_model(found)
    return _derivation.derive(found)


#: the refusal of ``batch=`` for a model or its derivation, in every entry point
MODEL_BATCH = (
    "batch= is for networks: a model's form is set by its equations (batch when a data leaf "
    "has m columns)"
)


def _same_form(d: Derivation, batch: bool | None) -> None:
    """A ``batch`` given beside a Derivation must be its form, which decides (it was ignored,
    silently: hostile35c #5, hostile36a #3)."""
    if batch is not None and _is_model(d):
        raise SpecError(MODEL_BATCH)
    if batch is not None and batch != d.batch:
        form = "batch" if d.batch else "single-example"
        raise SpecError(
            f"batch={batch}, but this is a {form} derivation, whose form decides: derive the "
            f"network with batch={batch}, or leave batch= out"
        )


def _is_model(found: Derivation | Network | Model) -> bool:
    return isinstance(found, Model) or isinstance(getattr(found, "graph", None), ModelGraph)


def derive(network: NetworkLike, *, batch: bool | None = None) -> Derivation:
    """Derive dJ/dW[l] and dJ/db[l] for every layer of ``network``, or dJ/d(parameter) for
    every parameter of a :class:`~symbackprop.model.Model`.

    ``network``: a Network, a compact spec (``"4-3-2-1"``), a spec file, a Model or a model
    file (``.model``, or TOML/JSON with ``equations``). Single-example form
    by default (x is n0 x 1, as in the lecture); ``batch=True`` gives the form over m examples
    in columns (X is n0 x m, the cost is the mean over the columns). A model's form is set by
    its equations, so ``batch=`` is refused for it; its derivation has ``.gradients`` keyed by
    parameter and ``.adjoints`` (name -> dJ/d(name)).
    """
    _flag(batch, "batch")
    _not_model_text(network)
    found = as_source(network)
    if isinstance(found, Model):
        if batch is not None:
            raise SpecError(MODEL_BATCH)
        return derive_model(found)
    return _derivation.derive(found, batch=bool(batch))


def codegen(
    source: SourceLike, *, sizes: Mapping[str, int] | None = None, backend: str = "numpy"
) -> str:
    """The gradient module for ``source`` as source text (always the batch form).

    ``source``: a Derivation, a Network, a compact spec, a spec file or a
    :class:`~symbackprop.model.Model` (or its derivation; every dimension but ``m`` needs a
    value, from its ``sizes:`` line or ``sizes``). Named widths need
    ``sizes``, e.g. ``codegen("n-3-1", sizes={"n": 4})``. ``backend``: ``"numpy"`` (default),
    ``"torch"`` (PyTorch tensors, with a ``torch.autograd.Function`` and an ``nn.Module``) or
    ``"jax"`` (pure functions and a ``jax.custom_vjp`` cost); the text needs neither framework
    installed. Any other backend is a SpecError. The same input gives byte-identical text.
    """
    from symbackprop.lowering import emit

    found = _source(source)
    _sizes(found, sizes, batch_allowed=False)
    _backend(backend)
    return emit.codegen(found, sizes=sizes, backend=backend)


def _backend(backend: object) -> None:
    """``backend`` must be a string (["numpy"] failed as 'unhashable type: list'); which ones
    exist, the lowering says."""
    if not isinstance(backend, str):
        raise SpecError(
            f"backend must be a string, 'numpy', 'torch' or 'jax', got {type(backend).__name__}"
        )


def to_html(
    source: SourceLike | Model,
    *,
    sizes: Mapping[str, int] | None = None,
    batch: bool | None = None,
    caller: str = "python",
) -> str:
    """The derivation as one self-contained web page, with the generated NumPy code.

    ``source``: a Derivation or anything :func:`derive` takes. Where no code can be generated
    (a named width without ``sizes``) the page says why instead of showing code. ``caller``:
    ``"python"`` (default) or ``"cli"``, who reads the page; its advice (how to give a missing
    size, how to check the code) is spelled as that reader runs it.
    """
    from symbackprop.errors import SizeMissing, SymbackpropError
    from symbackprop.render.html import CHECK_ADVICE
    from symbackprop.render.html import to_html as page

    if caller not in CHECK_ADVICE:  # before any work
        raise ValueError(f"caller {caller!r}: expected one of {', '.join(CHECK_ADVICE)}")
    _flag(batch, "batch")
    if isinstance(source, Derivation):
        _same_form(source, batch)
    else:
        refuse_other_types(source, derivation=True)
    d = source if isinstance(source, Derivation) else derive(source, batch=batch)
    code, note = None, None
    try:
        # the module takes m from its data: a --size m=... is for the page's shapes only
        code = codegen(d, sizes={k: v for k, v in (sizes or {}).items() if k != "m"})
    except SizeMissing as exc:
        note = f"No code generated: {exc.spelled(caller)}"
    except SymbackpropError as exc:
        note = f"No code generated: {exc}"
    return page(d, code=code, code_note=note, sizes=dict(sizes or {}), caller=caller)


def compile(  # noqa: A001 - the public name DESIGN.md fixes (sb.compile)
    source: SourceLike, *, sizes: Mapping[str, int] | None = None, backend: str = "numpy"
) -> GradientModule:
    """Generate the batch gradient module for ``source`` and load it in memory.

    ``source`` and ``backend`` as for :func:`codegen`. Returns a
    :class:`~symbackprop.lowering.executor.GradientModule` (its functions as attributes,
    ``.source``).
    """
    from symbackprop.lowering import executor

    _backend(backend)
    found = _source(source)
    # as codegen does: a model's {"n_1": 16} for n1 was ignored here (hostile41c #3)
    _sizes(found, sizes, batch_allowed=False)
    return executor.compile(found, sizes=sizes, backend=backend)


def cache_plan(
    source: SourceLike, sizes: Mapping[str, int] | None = None, *, itemsize: int = 8
) -> list[CacheEntry]:
    """What the generated ``forward`` caches: name, shape (rows, "m"), bytes per example.

    ``source`` as for :func:`codegen`; ``itemsize`` 8 for float64, 4 for float32.
    """
    from symbackprop.lowering import emit

    if isinstance(itemsize, bool) or not isinstance(itemsize, int) or itemsize not in (2, 4, 8):
        # -8 gave bytes_per_example=-32 (hostile32)
        raise SpecError(f"itemsize must be 2, 4 or 8 (bytes of one entry), got {itemsize!r}")
    found = _source(source)
    _sizes(found, sizes, batch_allowed=False)  # "n" failed as a dict update sequence
    return emit.cache_plan(found, sizes, itemsize=itemsize)


def check_formula(
    network: SourceLike,
    wrt: str,
    formula: str,
    *,
    batch: bool | None = None,
    sizes: Mapping[str, int] | None = None,
) -> FormulaReport:
    """Check a hand-written ``formula`` as dJ/d``wrt``; see
    :class:`~symbackprop.apps.shapecheck.check.FormulaReport`.

    ``network``: a Network, a compact spec, a spec file, a Derivation (whose form then
    decides: a ``batch`` that disagrees with it is refused) or a Model (its own names; adjoints
    ``d<name>``). ``batch``: a network's single-example form (the default) or its batch form.
    ``sizes`` (``{"n": 784}``, and ``"m": 32`` with ``batch=True``) sets the concrete shapes
    the trace shows; the verdict
    holds at every size, so it is compared at small sizes whatever these are.
    """
    from symbackprop.apps.shapecheck import check

    _flag(batch, "batch")  # batch="no" checked the batch form (hostile32)
    found = _source(network)
    _sizes(found, sizes, batch_allowed=True)
    if _is_model(found):
        if batch is not None:  # refused as derive and to_html refuse it (review36 #8)
            raise SpecError(MODEL_BATCH)
        found = _derived(found) if not isinstance(found, Model) else _checked(found, False)
    elif isinstance(found, Network):
        found = _checked(found, bool(batch))
    else:
        assert not isinstance(found, Model)
        _same_form(found, batch)
    assert not isinstance(found, Model)
    return check.check_formula(found, wrt, formula, batch=found.batch, sizes=sizes)


#: (network or model, batch, its derivation) of the latest formula checks, newest last;
#: emptied when an activation is registered or unregistered (a network names it only)
_CHECKED: list[tuple[Network | Model, bool, Derivation]] = []
on_activations_change(_CHECKED.clear)
#: how many derivations :func:`_checked` keeps
_CHECKED_KEPT = 8


def _checked(source: Network | Model, batch: bool) -> Derivation:
    """The derivation a formula of ``source`` is checked against, derived once for equal
    sources: a notebook or a test suite checks many formulas of one network, and deriving it
    again each time was a tenth of a formula check (perf16). The derivation is only read."""
    for kept, kept_batch, derivation in _CHECKED:
        if kept_batch == batch and type(kept) is type(source) and kept == source:
            return derivation
    if isinstance(source, Model):
        derivation = derive_model(source)
    else:
        derivation = _derivation.derive(source, batch=batch)
    _CHECKED.append((source, batch, derivation))
    del _CHECKED[:-_CHECKED_KEPT]
    return derivation


#: the most trials (random points, each at its own small sizes) check_exact takes
MAX_TRIALS = 100


#: the largest size the exact check takes: it differentiates every entry symbolically (a
#: width of 10**6 ran for hours)
MAX_EXACT_SIZE = 32


def _exact_sizes(derivation: Derivation, sizes: Mapping[str, object] | None) -> None:
    """Each size an int from 1 to :data:`MAX_EXACT_SIZE`, of a dimension the derivation has
    (a network's n0, n1, ... and m in batch form): 0 compared nothing and passed, 2.5 was cut
    to 2, ``zz`` was ignored (hostile32)."""
    if not sizes:
        return
    if not isinstance(derivation.graph, ModelGraph):
        graph = derivation.graph
        # m too in single-example form: the command line's check passes the m of its finite
        # differences (a network in either form has a batch size to run at)
        known = [*(str(d) for d in graph.dims), "m"]
        for name in sizes:
            if name not in known:
                raise SpecError(
                    f"sizes: no dimension {name!r} in this network (its dimensions: "
                    f"{', '.join(known)})"
                )
    for name, value in sizes.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= MAX_EXACT_SIZE
        ):
            raise SpecError(
                f"sizes[{name!r}] must be an int from 1 to {MAX_EXACT_SIZE} (the exact check "
                f"differentiates every entry), got {value!r}"
            )


def check_exact(
    source: SourceLike,
    *,
    trials: int = 3,
    sizes: dict[str, int] | None = None,
    seed: int = 0,
) -> ExactCheck:
    """Compare every gradient entry with SymPy's scalar ``diff`` of the cost, exactly.

    ``source``: a Derivation, a Model (derived first), or a Network / compact spec / spec file
    (derived in single-example form first). Never raises on a mismatch: see ``.ok`` and
    ``.mismatches``.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise SpecError(f"seed must be an int, got {seed!r}")
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= MAX_TRIALS:
        # 0 trials compared nothing and came back "not ok", as if a gradient were wrong
        raise SpecError(f"trials must be an int from 1 to {MAX_TRIALS}, got {trials!r}")
    derivation = _derived(source)
    if isinstance(sizes, Mapping):  # a Derivation's own sizes are keyed by their symbols
        sizes = {str(name): value for name, value in sizes.items()}
    _sizes(derivation, sizes, batch_allowed=True)
    _exact_sizes(derivation, sizes)
    from symbackprop.check import exact

    return exact.check_exact(derivation, trials=trials, sizes=sizes, seed=seed)
