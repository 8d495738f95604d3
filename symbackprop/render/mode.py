"""How a derivation says its form (one example, or a batch of m), shared by both views."""

from __future__ import annotations

from symbackprop.core.segments import Segment, plain


class ModeText:
    """The plain text of a view's :attr:`mode` segments. A view (network or model) defines
    ``mode``; the terminal printers read ``mode_text``, the others print the segments."""

    @property
    def mode(self) -> tuple[Segment, ...]:
        """The form in words, with m as mathematics (each view says its own)."""
        raise NotImplementedError

    @property
    def mode_text(self) -> str:
        """:attr:`mode` as plain text, for the terminal: ``batch of m examples (columns)``."""
        return plain(self.mode)
