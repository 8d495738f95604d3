"""A block of styled lines that wraps each paragraph once (shared by the text renderers)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

Piece = tuple[str, str]  # (text, rich style name)


class Lines:
    """A block of lines laid out for the console's width when printed.

    Each item is a line of styled pieces that never wraps (a formula runs on rather than break
    mid-expression) or a paragraph wrapped to the width after a prefix, its continuation lines
    indented under the paragraph's start. Rich tables and paddings measured every cell again
    for every step, which made a deep derivation slow to print; this block wraps each
    paragraph once, so printing is linear in the number of lines.
    """

    def __init__(self) -> None:
        self.items: list[tuple[tuple[Piece, ...], Piece | None]] = []

    def line(self, *pieces: Piece) -> None:
        self.items.append((pieces, None))

    def para(self, text_: str, style: str = "", *prefix: Piece) -> None:
        self.items.append((prefix, (text_, style)))

    def heading(self, title: str) -> None:
        self.line()
        self.line((title, "bold underline"))

    def table(self, rows: list[tuple[Piece, ...]], *, indent: int, gap: int) -> None:
        """Rows of cells, each column as wide as its widest cell, ``gap`` spaces between."""
        if not rows:
            return
        widths = [max(cells(row[i][0]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            pieces: list[Piece] = [(" " * indent, "")]
            for i, (cell, style) in enumerate(row):
                last = i == len(row) - 1
                pieces.append((cell if last else pad(cell, widths[i] + gap), style))
            self.line(*pieces)

    def render_lines(self, width: int) -> Iterator[list[Piece]]:
        for prefix, para in self.items:
            if para is None:
                yield list(prefix)
                continue
            lead = sum(cells(text_) for text_, _ in prefix)
            body, style = para
            for i, chunk in enumerate(wrap(body, max(width - lead, 20))):
                first: list[Piece] = list(prefix) if i == 0 else [(" " * lead, "")]
                yield [*first, (chunk, style)]

    def plain(self, width: int) -> str:
        """The block as a console without colour prints it: each line's pieces, then a newline
        (what :func:`symbackprop.render.text.to_text` returns, without rich's per-piece work)."""
        return "".join(
            "".join(text_ for text_, _ in pieces) + "\n" for pieces in self.render_lines(width)
        )

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        if console.color_system is None:  # no styles to show: one segment a line
            for pieces in self.render_lines(options.max_width):
                yield Segment("".join(text_ for text_, _ in pieces))
                yield Segment.line()
            return
        styles: dict[str, Style | None] = {}
        for pieces in self.render_lines(options.max_width):
            for text_, name in pieces:
                if not text_:
                    continue
                if name not in styles:
                    styles[name] = console.get_style(name) if name else None
                yield Segment(text_, styles[name])
            yield Segment.line()


def cells(text_: str) -> int:
    """The width of ``text_`` in terminal cells (rich's count, skipped for printable ASCII,
    one cell a character)."""
    return len(text_) if text_.isascii() and text_.isprintable() else cell_len(text_)


def pad(cell: str, width: int) -> str:
    return cell + " " * max(width - cells(cell), 0)


def wrap(body: str, width: int) -> list[str]:
    """Greedy word wrap to ``width`` cells; a word longer than a line is folded."""
    if cells(body) <= width:
        return [body]
    return textwrap.wrap(body, width, break_on_hyphens=False) or [""]
