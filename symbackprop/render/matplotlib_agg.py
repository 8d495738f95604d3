"""matplotlib on its Agg backend (files only: no window, no display), whatever the
environment asks for.

``import matplotlib`` reads ``MPLBACKEND`` at once and raises ValueError for a name it does not
know (``MPLBACKEND=foo``): ``draw -o net.png`` and ``gradients --plot`` exited 3 ("internal
error") on that environment mistake (hostile50b #3). The error is the user's to fix, in one
line.
"""

from __future__ import annotations

import os
from types import ModuleType

from symbackprop.errors import SymbackpropError


def agg_matplotlib() -> ModuleType:
    """The ``matplotlib`` module, set to the Agg backend. ImportError where it is not
    installed (each caller says how to install it); a :class:`SymbackpropError` where the
    environment's ``MPLBACKEND`` names no backend matplotlib knows."""
    try:
        import matplotlib
    except ValueError as exc:  # raised by matplotlib's own rcParams check of MPLBACKEND
        wanted = os.environ.get("MPLBACKEND", "")
        raise SymbackpropError(
            f"matplotlib does not start: the environment variable MPLBACKEND={wanted!r} is "
            f"no backend it knows ({str(exc).split(';')[0]}); unset it (symbackprop draws "
            "files with Agg whatever it names) or set a valid one"
        ) from None
    matplotlib.use("Agg")  # files only: never open a window or need a display
    return matplotlib


__all__ = ["agg_matplotlib"]
