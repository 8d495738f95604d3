"""How the graph's names are made: a base and, for layer-indexed values, the layer.

The graph builds every name from its parts (``W`` and 2 give ``W2``; ``delta`` and 3 give
``delta3``; ``n`` and 1 give the dimension ``n1``) and keeps the parts beside it, so a printer
writes ``W^{[2]}`` or ``dZ2`` from the parts and never takes a name apart again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Name:
    """A symbol's name as parts: ``base`` (``"W"``, ``"delta"``, ``"x"``, ``"n"``, a width
    name) and ``index`` (the layer, or ``None`` for an unindexed name)."""

    base: str
    index: int | None = None

    @property
    def text(self) -> str:
        """The name itself: ``W2``, ``x``."""
        return self.base if self.index is None else f"{self.base}{self.index}"


def layered(base: str, index: int) -> Name:
    """The name of layer ``index``'s ``base`` (``layered("W", 2).text == "W2"``)."""
    return Name(base, index)
