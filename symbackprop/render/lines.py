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
        self.items: list[tuple[tuple[Piece, ...], Piece | None] | _Table | _Title] = []

    def line(self, *pieces: Piece) -> None:
        self.items.append((pieces, None))

    def para(self, text_: str, style: str = "", *prefix: Piece) -> None:
        self.items.append((prefix, (text_, style)))

    def title(self, main: str, aside: str, style: str = "") -> None:
        """``main  (aside)`` on one line where it fits the width, else ``aside`` on a line of
        its own after ``main`` (a parenthesis broken across two lines read as two titles)."""
        self.items.append(_Title(main, aside, style))

    def heading(self, title: str) -> None:
        self.line()
        self.line((title, "bold underline"))

    def table(
        self, rows: list[tuple[Piece, ...]], *, indent: int, gap: int, wrap_last: bool = False
    ) -> None:
        """Rows of cells, each column as wide as its widest cell, ``gap`` spaces between; laid
        out for the width when printed (a row too wide for it wraps, :class:`_Table`; with
        ``wrap_last``, a table whose long cells are its last column's, such as a shape's
        origin, wraps those under that column and keeps every row aligned)."""
        if rows:
            self.items.append(_Table(rows, indent, gap, wrap_last))

    def render_lines(self, width: int) -> Iterator[list[Piece]]:
        for item in self.items:
            if isinstance(item, (_Table, _Title)):
                yield from item.render_lines(width)
                continue
            prefix, para = item
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


class _Title:
    """A title and its parenthesis (:meth:`Lines.title`)."""

    def __init__(self, main: str, aside: str, style: str) -> None:
        self.main, self.aside, self.style = main, aside, style

    def render_lines(self, width: int) -> Iterator[list[Piece]]:
        whole = f"{self.main}  ({self.aside})"
        parts = [whole] if cells(whole) <= width else [self.main, f"({self.aside})"]
        for part in parts:
            for chunk in wrap(part, max(width, 20)):
                yield [(chunk, self.style)]


class _Table:
    """Rows of cells in aligned columns. Rows that fit the width align as a table; a row that
    does not (a gradient summed over 30 unrolled steps runs to 900 characters) wraps its first
    cell at the top-level ``+``/``-`` of the formula, continuation lines indented, with the
    other cells after its last line (or on a line of their own), and takes no part in the
    column widths of the others."""

    #: continuation lines of a wrapped row start this much further in than the row
    HANG = 4

    #: the fewest cells the last column keeps when it wraps under itself (``wrap_last``)
    LAST_MIN = 20

    def __init__(
        self, rows: list[tuple[Piece, ...]], indent: int, gap: int, wrap_last: bool = False
    ) -> None:
        self.rows, self.indent, self.gap, self.wrap_last = rows, indent, gap, wrap_last

    def _widths(self, rows: list[tuple[Piece, ...]]) -> list[int]:
        return [max(cells(row[i][0]) for row in rows) for i in range(len(rows[0]))]

    def _span(self, widths: list[int]) -> int:
        return self.indent + sum(widths[:-1]) + self.gap * (len(widths) - 1) + widths[-1]

    def render_lines(self, width: int) -> Iterator[list[Piece]]:
        if self.wrap_last and len(self.rows[0]) > 1:
            lead = self._widths(self.rows)[:-1]
            start = self.indent + sum(lead) + self.gap * len(lead)
            if width - start >= self.LAST_MIN:
                yield from self._last_wrapped(lead, start, width)
                return
        aligned = list(self.rows)
        # the widest rows wrap, one at a time, until the others fit as a table
        while aligned and self._span(self._widths(aligned)) > width:
            aligned.remove(max(aligned, key=lambda row: self._span(self._widths([row]))))
        widths = self._widths(aligned) if aligned else []
        for row in self.rows:
            if any(row is kept for kept in aligned):
                pieces: list[Piece] = [(" " * self.indent, "")]
                for i, (cell, style) in enumerate(row):
                    last = i == len(row) - 1
                    pieces.append((cell if last else pad(cell, widths[i] + self.gap), style))
                yield pieces
            else:
                yield from self._wrapped(row, width)

    def _last_wrapped(self, lead: list[int], start: int, width: int) -> Iterator[list[Piece]]:
        """Every row aligned in columns ``lead`` wide, its last cell wrapped to the width with
        continuation lines starting under that cell (at ``start``)."""
        for row in self.rows:
            *first, (last, style) = row
            pieces: list[Piece] = [(" " * self.indent, "")]
            for (cell, cell_style), w in zip(first, lead, strict=True):
                pieces.append((pad(cell, w + self.gap), cell_style))
            chunks = wrap(last, width - start)
            yield [*pieces, (chunks[0], style)]
            for chunk in chunks[1:]:
                yield [(" " * start, ""), (chunk, style)]

    def _wrapped(self, row: tuple[Piece, ...], width: int) -> Iterator[list[Piece]]:
        (first, style), rest = row[0], row[1:]
        hang = self.indent + self.HANG
        chunks = wrap_formula(first, max(width - hang, 20))
        tail = [(" " * self.gap, ""), *_joined(rest, self.gap)] if rest else []
        tail_cells = sum(cells(text_) for text_, _ in tail)
        for i, chunk in enumerate(chunks):
            lead = self.indent if i == 0 else hang
            line: list[Piece] = [(" " * lead, ""), (chunk, style)]
            if i == len(chunks) - 1 and tail and lead + cells(chunk) + tail_cells <= width:
                yield [*line, *tail]
                return
            yield line
        if rest:
            yield [(" " * hang, ""), *_joined(rest, self.gap)]


def _joined(cells_: tuple[Piece, ...], gap: int) -> list[Piece]:
    """Cells one after another, ``gap`` spaces between."""
    out: list[Piece] = []
    for i, piece in enumerate(cells_):
        if i:
            out.append((" " * gap, ""))
        out.append(piece)
    return out


def wrap_formula(body: str, width: int) -> list[str]:
    """A formula in lines of at most ``width`` cells, broken before a ``+`` or ``-`` outside
    brackets (so a term stays whole); a term longer than a line is word-wrapped."""
    if cells(body) <= width:
        return [body]
    terms, depth, start = [], 0, 0
    for i, char in enumerate(body):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and i > start and body[i : i + 3] in (" + ", " - "):
            terms.append(body[start:i])
            start = i + 1
    terms.append(body[start:])
    lines: list[str] = []
    for term in terms:
        if lines and cells(lines[-1]) + 1 + cells(term) <= width:
            lines[-1] += " " + term
        else:
            lines += wrap(term, width)
    return lines


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
