"""A derivation pickled as it was built.

SymPy pickles an expression as its class and arguments and rebuilds it by calling the class,
which evaluates: a product the derivation kept as written, ``(a*(1 - a))*((1 - y)/(1 - a) -
y/a)`` in a step's scalar algebra, came back flattened, and the printed step changed after a
round trip (review36 #3). Here sums, products and powers are rebuilt unevaluated, exactly as
they were; every other object pickles as usual.
"""

from __future__ import annotations

import copyreg
import io
import pickle
from typing import Any

import sympy as sp

#: the classes SymPy would evaluate when rebuilding them from their arguments
_AS_WRITTEN = (sp.Add, sp.Mul, sp.Pow)


def _unevaluated(cls: type, args: tuple[Any, ...]) -> Any:
    return cls(*args, evaluate=False)


def _reduce_as_written(expr: Any) -> tuple[Any, ...]:
    return _unevaluated, (type(expr), expr.args)


#: the persistent id of the object whose attributes are pickled, met again inside them (a
#: model's derivation is referred to by what it holds)
_ROOT = "the derivation"


def state_as_written(obj: Any) -> bytes:
    """The attributes of ``obj`` (its fields and what it computed and cached) pickled with
    every sum, product and power rebuilt as written; ``obj`` itself, where its attributes
    refer to it, by reference."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    table = copyreg.dispatch_table.copy()
    table.update(dict.fromkeys(_AS_WRITTEN, _reduce_as_written))
    pickler.dispatch_table = table
    pickler.persistent_id = lambda value: _ROOT if value is obj else None  # type: ignore[method-assign]
    pickler.dump(dict(obj.__dict__))
    return buffer.getvalue()


def restored(cls: type, state: bytes) -> Any:
    """An instance of ``cls`` with the attributes :func:`state_as_written` pickled."""
    obj: Any = object.__new__(cls)
    unpickler = pickle.Unpickler(io.BytesIO(state))
    unpickler.persistent_load = lambda pid: obj  # type: ignore[method-assign]
    obj.__dict__.update(unpickler.load())
    return obj
