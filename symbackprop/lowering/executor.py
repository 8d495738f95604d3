"""Load generated gradient code in memory: ``symbackprop.compile``.

Only text produced by :func:`symbackprop.codegen` is executed here (built from validated
identifiers and numbers, never from user text), into a fresh module namespace. The source is
registered with :mod:`linecache`, so tracebacks through the generated code show its lines.
"""

from __future__ import annotations

import builtins
import copy
import copyreg
import hashlib
import importlib.util
import linecache
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from symbackprop.errors import SymbackpropError
from symbackprop.lowering.emit import EMITTERS, MODEL_EMITTERS, check_backend, model_derivation
from symbackprop.lowering.inputs import batch_derivation
from symbackprop.lowering.model_plan import build_model_plan
from symbackprop.lowering.plan import build_plan
from symbackprop.model import Model

if TYPE_CHECKING:
    import numpy as np

    from symbackprop.core.derivation import Derivation
    from symbackprop.spec import Network


class GradientModule:
    """A generated module loaded in memory.

    Attributes: ``SHAPES``, ``DATA``, ``L2``, ``init_params``, ``forward``, ``backward``,
    ``loss_and_grads`` (the module contract of DESIGN.md), ``source`` (the generated text),
    ``module`` (the module object; its other names, such as a torch module's ``Net``, are
    attributes too), ``network`` and ``kinked``: the cached values (keys such as ``"A1"``)
    whose sign flips where an activation with a kink (relu, leaky_relu; a model's abs too)
    switches branch: the pre-activation, or the activation when g' reads it instead (relu:
    a > 0 exactly where z > 0), which :func:`symbackprop.gradcheck` watches for finite steps
    that cross a kink;
    ``kink_formulas``: for a network's kinked values, each one's activation formula g(z) and
    whether the value is a = g(z) (else z), from which the check finds where the kinks lie
    (``relu(z - 1)``: at z = 1, not 0); a value not in it has its kink at 0.
    """

    #: parameter -> (rows, cols); "m" where a model's parameter is declared with a column or
    #: row per example (``H : k x m``), whose size ``init_params(m=...)`` is given
    SHAPES: dict[str, tuple[int | str, int | str]]
    DATA: tuple[str, ...]
    L2: float
    init_params: Callable[..., dict[str, np.ndarray]]
    forward: Callable[..., tuple[np.ndarray, dict[str, np.ndarray]]]
    backward: Callable[..., dict[str, np.ndarray]]
    loss_and_grads: Callable[..., tuple[float, dict[str, np.ndarray]]]

    def __init__(
        self,
        source: str,
        module: types.ModuleType,
        network: Any,
        kinked: tuple[str, ...],
        kink_formulas: Mapping[str, tuple[Any, bool]] | None = None,
    ) -> None:
        self.source = source
        self.module = module
        self.network = network
        self.kinked = kinked
        self.kink_formulas = dict(kink_formulas or {})
        names = ("SHAPES", "DATA", "init_params", "forward", "backward", "loss_and_grads")
        for name in names:
            setattr(self, name, getattr(module, name))
        self.L2 = getattr(module, "L2", 0.0)  # a model writes its regulariser in its equations
        self._picklable_torch_classes()

    def _picklable_torch_classes(self) -> None:
        """A torch module's ``Net`` (a model's ``Model``) and ``Parameters`` pickle as this
        module (its source) and their tensors, as the module itself does: their classes live
        in no importable module, and ``pickle.dumps(net)`` or ``torch.save(net, f)`` failed
        with "import of module 'symbackprop_generated_...' failed" (hostile45a #4). A module
        written to a file and imported pickles its classes by name, as any module does; a
        subclass of them defined elsewhere pickles by its own name; ``copy.deepcopy`` copies
        as it does any object (its class, its flags), not through the source (review45 #1:
        a deep copy was of a class loaded again, and lost requires_grad=False)."""
        gradient_module = self
        own = {name: getattr(self.module, name, None) for name in ("Net", "Model", "Parameters")}

        def reduce(value: Any) -> tuple[Any, ...]:
            cls = type(value)
            if own.get(cls.__name__) is not cls:  # a subclass defined in the caller's module
                newobj = getattr(copyreg, "__newobj__")  # noqa: B009 - untyped in typeshed
                return newobj, (cls,), value.__getstate__()
            # its whole state (parameters with their dtypes and flags, buffers, submodules,
            # attributes), as any object pickles: rebuilt from the state_dict, a registered
            # buffer failed to load and an attribute was lost (review45b #5)
            return _rebuilt, (gradient_module, cls.__name__), value.__getstate__()

        for cls in own.values():
            if isinstance(cls, type) and hasattr(cls, "state_dict"):  # a torch nn.Module
                setattr(cls, "__reduce__", reduce)  # noqa: B010 - a class of no static type
                setattr(cls, "__deepcopy__", _deep_copy)  # noqa: B010

    def __setattr__(self, name: str, value: Any) -> None:
        """The constants the generated functions read from their own module (``L2``,
        ``SHAPES``, ``DATA``) are fixed: setting ``mod.L2 = 0`` here changed nothing the
        functions compute, silently (hostile41c #9). Everything else is set as usual (a test
        wraps ``loss_and_grads``)."""
        if name in _READ_BY_THE_CODE and name in self.__dict__:
            how = "generate it again with what you want"
            if name == "L2":
                how += (
                    " (sb.compile(sb.Network.parse(spec, l2=0.01)))"
                    if hasattr(self.network, "compact")
                    else " (a model writes its penalty in its equations)"
                )
            raise AttributeError(
                f"{name} is fixed when the module is generated (its functions read the "
                f"module's own {name}): {how}"
            )
        super().__setattr__(name, value)

    def __getattr__(self, name: str) -> Any:
        """Every other name of the module (a torch module's ``Net`` and ``cost``, say)."""
        if name.startswith("__") or name == "module":  # no recursion before __init__ ran
            raise AttributeError(name)
        try:
            return getattr(self.module, name)
        except AttributeError:
            raise AttributeError(f"the generated module has no {name!r}") from None

    def __reduce__(self) -> tuple[Callable[..., GradientModule], tuple[Any, ...]]:
        """Pickled as its source, loaded again on unpickling (a module object cannot be
        pickled): a GradientModule goes to ``multiprocessing`` workers and ``joblib`` as any
        value does (hostile41c #7). Its functions alone (``m.loss_and_grads``) still cannot,
        as no importable module defines them."""
        return _reloaded, (self.source, self.network, self.kinked, self.kink_formulas)

    def __repr__(self) -> str:
        # a model's record printed its whole text, 2,233 characters for rnn_3 (hostile36a #9)
        network = self.network
        if hasattr(network, "compact"):
            return f"<GradientModule for {network.compact}>"
        names = ", ".join(self.SHAPES)
        return f"<GradientModule for a model in {names}>"


#: the module constants the generated functions read (a GradientModule's copies are fixed)
_READ_BY_THE_CODE = frozenset({"SHAPES", "DATA", "L2"})


def _reloaded(
    source: str, network: Any, kinked: tuple[str, ...], kink_formulas: Mapping[str, Any]
) -> GradientModule:
    """A pickled :class:`GradientModule` again: its source loaded in a fresh module."""
    return GradientModule(source, _load(source), network, kinked, kink_formulas)


def _rebuilt(module: GradientModule, name: str) -> Any:
    """A pickled torch ``Net``, ``Model`` or ``Parameters`` again, before its state is set:
    a bare instance of the class of that name in ``module`` (loaded again from its source)."""
    cls: Any = getattr(module, name)
    return cls.__new__(cls)


def _deep_copy(value: Any, memo: dict[int, Any]) -> Any:
    """The deep copy Python makes of an object that defines no ``__reduce__``: a new instance
    of its own class holding a deep copy of its state."""
    cls: Any = type(value)
    copied = cls.__new__(cls)
    memo[id(value)] = copied
    copied.__setstate__(copy.deepcopy(value.__getstate__(), memo))
    return copied


def load_source(source: str, name: str) -> types.ModuleType:
    """Execute generated ``source`` in a fresh module called ``name`` and return it."""
    filename = f"<symbackprop generated {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType(name)
    module.__file__ = filename
    exec(builtins.compile(source, filename, "exec"), module.__dict__)  # our own generated code
    return module


#: backend -> the package its module imports, and the extra that installs it
FRAMEWORKS = {
    "torch": ("torch", "pip install 'symbackprop[torch]' (torch==2.13.0, the CPU build)"),
    "jax": ("jax", "pip install 'symbackprop[jax]'"),
}


class MissingFramework(SymbackpropError, ImportError):
    """The framework of the chosen backend is not installed (codegen still works without it)."""


def _require_framework(backend: str) -> None:
    package, hint = FRAMEWORKS.get(backend, (None, ""))
    if package is not None and importlib.util.find_spec(package) is None:
        raise MissingFramework(
            f"backend {backend!r} loads a module that imports {package}, which is not "
            f"installed: {hint}; sb.codegen(..., backend={backend!r}) writes the text without it"
        )


def compile(  # noqa: A001 - the public name DESIGN.md fixes (sb.compile)
    source: Derivation | Network | Model,
    *,
    sizes: Mapping[str, int] | None = None,
    backend: str = "numpy",
) -> GradientModule:
    """Generate the batch gradient module for ``source`` and load it in memory.

    ``source`` is a Network, a Model or a Derivation of either (single-example derivations are
    re-derived over a batch); named widths need ``sizes``; ``backend`` as for
    :func:`~symbackprop.lowering.emit.codegen`. Returns a :class:`GradientModule`.
    """
    check_backend(backend)
    _require_framework(backend)
    model = model_derivation(source)
    if model is not None:
        # kinked: the values at a kink (of relu, abs, a custom activation), which the gradient
        # check watches, with the formulas that say where the kinks lie; the text is written
        # from the same plan (building it settles and proves every backward step: the larger
        # part of compiling a deep model, done once)
        plan = build_model_plan(model, sizes)
        text = MODEL_EMITTERS[backend](plan)
        return GradientModule(text, _load(text), plan.model, plan.kinked, plan.kink_formulas)
    assert not isinstance(source, Model)
    derivation = batch_derivation(source)
    network_plan = build_plan(derivation, sizes)
    text = EMITTERS[backend](network_plan)
    watched = network_plan.watched
    return GradientModule(text, _load(text), derivation.network, tuple(watched), watched)


def _load(text: str) -> types.ModuleType:
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return load_source(text, f"symbackprop_generated_{digest}")
