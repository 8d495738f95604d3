"""The two rich consoles: results on stdout, progress and notes on stderr.

Built on first use (rich is not imported by ``symbackprop --help``). Neither forces a terminal:
output is plain when piped, and rich honours ``NO_COLOR``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


#: the narrowest width output is laid out at: COLUMNS=0 printed nothing and exited 0 (a
#: silent pass of `check`: hostile43a #5); a narrower terminal wraps the lines itself
MIN_WIDTH = 40


@functools.cache
def out() -> Console:
    from rich.console import Console

    return _at_least(Console(highlight=False))


@functools.cache
def err() -> Console:
    from rich.console import Console

    return _at_least(Console(stderr=True, highlight=False))


def _at_least(console: Console) -> Console:
    """``console``, laid out at :data:`MIN_WIDTH` columns where it reads fewer."""
    if console.width < MIN_WIDTH:
        console.width = MIN_WIDTH
    return console


#: a table is laid out at least this wide (a terminal narrower than that wraps its lines):
#: at 20 columns the check's table cut its names and verdicts to "…" (hostile43a #5)
TABLE_WIDTH = 80


def _print(console: Console, renderable: object) -> None:
    from rich.table import Table

    if not (isinstance(renderable, Table) and console.width < TABLE_WIDTH):
        console.print(renderable, crop=False)
        return
    width = console.width  # print(width=) never widens past the console's own
    console.width = TABLE_WIDTH
    try:
        console.print(renderable, crop=False)
    finally:
        console.width = width


def print_out(*renderables: object) -> None:
    """Print to stdout; when piped, without the trailing spaces rich pads lines with."""
    stdout = out()
    if stdout.is_terminal:
        for renderable in renderables:
            _print(stdout, renderable)
        return
    with stdout.capture() as captured:
        for renderable in renderables:
            _print(stdout, renderable)
    text = "\n".join(line.rstrip() for line in captured.get().split("\n"))
    stdout.file.write(text)
    stdout.file.flush()


def progress() -> Progress:
    """A transient spinner with the elapsed time on stderr, for anything that may run longer
    than a couple of seconds. It disappears when done, and shows nothing when stderr is not
    a terminal (so piped or captured output is unchanged)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    stderr = err()
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),  # descriptions may hold user text
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        # rich calls any stream a terminal under FORCE_COLOR or TTY_COMPATIBLE (CI sets
        # them): the spinner's frames and cursor codes went into a redirected stderr, and an
        # error was no longer one line (hostile50b #2); a real terminal only
        disable=not (stderr.is_terminal and _a_real_terminal(stderr.file)),
    )


def _a_real_terminal(stream: object) -> bool:
    """Whether ``stream`` is attached to a terminal, whatever the environment says."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # closed
        return False


@contextlib.contextmanager
def working(description: str) -> Iterator[None]:
    """A transient spinner saying what runs (see :func:`progress`); print results after it."""
    from symbackprop.errors import quote_user_text

    with progress() as bar:
        bar.add_task(quote_user_text(description, 80, quotes=False), total=None)
        yield
