"""Exceptions raised by symbackprop.

Every error that a user can cause is a subclass of :class:`SymbackpropError`, so a caller (and the
CLI, which maps them to exit code 2) can catch them in one place. Messages name the part at fault
and what was expected.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path


class SymbackpropError(Exception):
    """Base class of every error a user can cause (bad spec, bad formula, bad file)."""


class SpecError(SymbackpropError, ValueError):
    """An architecture spec (string, file or keyword) is invalid.

    The message names the offending part, for example ``layer 2 ('3:foo'): unknown activation
    'foo'; known: identity, leaky_relu, relu, sigmoid, softmax, softplus, tanh``.
    """


class SizeMissing(SpecError):
    """A dimension the numeric code needs has no value.

    ``name`` is the dimension. The message says how to give it in Python (``sizes=``);
    :meth:`spelled` says it as another caller gives it (``"cli"``: ``--size NAME=INT``), so a
    command line never tells its user to pass a Python dict.
    """

    #: caller -> how it gives a dimension its value
    SPELLINGS = {"python": "sizes={{{name!r}: <positive int>}}", "cli": "--size {name}=INT"}

    def __init__(
        self, subject: str, name: str, *, sizes_line: bool = False, more: tuple[str, ...] = ()
    ) -> None:
        self.subject = subject
        self.name = name
        #: every dimension without a value, ``name`` first: all of them are said at once (a
        #: model missing three took three runs to learn them: newcomer45 #3)
        self.names = (name, *more)
        self.sizes_line = sizes_line
        super().__init__(self.spelled("python"))

    def spelled(self, caller: str) -> str:
        """The message with the remedy as ``caller`` (a key of :data:`SPELLINGS`) writes it."""
        if caller == "python" and len(self.names) > 1:
            remedy = "sizes={" + ", ".join(f"{n!r}: <positive int>" for n in self.names) + "}"
        else:
            remedy = " ".join(self.SPELLINGS[caller].format(name=n) for n in self.names)
        several = len(self.names) > 1
        line = f"add {'them' if several else 'it'} to the model's sizes: line or "
        verb = "have" if several else "has"
        return f"{self.subject} {verb} no value: {line if self.sizes_line else ''}pass {remedy}"


class FormulaError(SymbackpropError, ValueError):
    """A user formula cannot be parsed or is over the safety limits.

    ``position`` is the 0-based character offset of the fault (or ``None``), and ``text`` the
    formula, so that :meth:`shown` can place a marker under it.
    """

    def __init__(self, message: str, text: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def shown(self, width: int = 80) -> tuple[str, int | None]:
        """The formula as one terminal line and the caret's column under the fault in it
        (None when the position is unknown). Whitespace is shown as a space (a tab would move
        the caret off its character) and other unprintable characters as ``?`` (the line can
        always be encoded); a formula longer than ``width`` is cut to a window around the
        fault, marked ``...``, ``width`` characters at most with the marks (at least 20: the
        window must show something)."""
        width = max(20, width)
        text = "".join(c if c.isprintable() else " " if c.isspace() else "?" for c in self.text)
        if self.position is None:
            return (text if len(text) <= width else text[: width - 3] + "..."), None
        position = min(self.position, len(text))
        if len(text) <= width:
            return text, position
        inner = width - 6  # room for a "..." at each end
        start = max(0, min(position - inner // 2, len(text) - inner))
        end = start + inner
        if start == 0:  # one mark only: its room is the window's
            end += 3
        elif end >= len(text):
            start -= 3
        prefix = "..." if start > 0 else ""
        suffix = "..." if end < len(text) else ""
        return prefix + text[start:end] + suffix, len(prefix) + position - start

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (at position {self.position + 1})"


class InternalError(RuntimeError):
    """A bug in symbackprop itself (for example no or several arrangements fit a step)."""


#: user text longer than this is shown cut in the middle (see :func:`quote_user_text`)
QUOTE_LIMIT = 60


def elide(text: str, limit: int) -> str:
    """``text`` itself, or, when longer than ``limit``, its first two thirds of ``limit`` and
    its end around a middle ``...`` (``limit`` characters in all, at least one at each end)."""
    if len(text) <= limit:
        return text
    head = max(1, (2 * limit) // 3)
    tail = max(1, limit - head - 3)
    return f"{text[:head]}...{text[-tail:]}"


def quote_user_text(text: object, limit: int = QUOTE_LIMIT, *, quotes: bool = True) -> str:
    """User text for a message: quoted (like ``repr``), on one line, at most about ``limit``
    characters; a longer text keeps its start and end around ``...`` and says its length.

    ``quote_user_text("abc")`` is ``'abc'``; a 900,000-character name becomes
    ``'aaaa...aaaa' (900,000 characters)``, so that no error message grows with the input.
    """
    raw = str(text)
    body = elide(raw, limit)
    shown = repr(body) if quotes else repr(body)[1:-1].replace("\\\\", "\\")
    if len(raw) > limit:
        shown += f" ({len(raw):,} characters)"
    return shown


def did_you_mean(value: object, known: Iterable[str]) -> str:
    """`` (did you mean 'W2'?)`` for the name in ``known`` closest to ``value``, or "".

    Case first: a name equal up to case wins (``w2`` -> ``W2``, which ``difflib`` alone
    ranks no closer than ``b2``); else the closest by ``difflib``, compared case-insensitively.
    """
    if not isinstance(value, str) or len(value) > QUOTE_LIMIT:
        return ""
    folded: dict[str, str] = {}
    for name in known:
        folded.setdefault(name.casefold(), name)
    close = folded.get(value.casefold())
    if close is None:
        found = difflib.get_close_matches(value.casefold(), list(folded), n=1)
        close = folded[found[0]] if found else None
    return f" (did you mean {close!r}?)" if close is not None and close != value else ""


def file_path(value: object, argument: str = "path") -> Path:
    """``value`` (a ``str`` or ``os.PathLike``) as a Path, else a :class:`SpecError` naming
    ``argument`` (``from_file(None)`` raised pathlib's TypeError, naming no argument:
    hostile38c #9)."""
    if isinstance(value, str | os.PathLike) and not isinstance(value, bytes):
        path = os.fspath(value)
        if isinstance(path, str) and "\x00" in path:
            # no file has one; the operating system's calls raise ValueError (hostile47b #6)
            shown = quote_user_text(path, 240)
            raise SpecError(f"{argument} {shown}: a file path cannot hold a NUL character")
        if isinstance(path, str):
            return Path(path)
    got = type(value).__name__
    raise SpecError(f"{argument} must be a str or os.PathLike file path, got {got}")


def wrt_name(value: object) -> str | None:
    """``value`` where it is None or a parameter's name (a string), else a :class:`SpecError`
    (``wrt=3`` said "'3' is not a parameter": hostile38c #10)."""
    if value is None or isinstance(value, str):
        return value
    raise SpecError(f"wrt must be a string (a parameter's name), got {type(value).__name__}")
