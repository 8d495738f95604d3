"""Layout of generated Python source, shared by every Python backend.

Lines stay within :data:`LINE` characters; comments wrap; a long conjunction or tuple is laid
out the way ``ruff format`` lays it out, so generated modules pass ``ruff format --check``.
"""

from __future__ import annotations

import textwrap

LINE = 99
INDENT = "    "


def comment(text: str, indent: str = INDENT) -> list[str]:
    """A ``#`` comment wrapped to the line limit."""
    return [
        f"{indent}# {part}"
        for part in textwrap.wrap(text, LINE - len(indent) - 2, break_on_hyphens=False)
    ]


def line(code: str, note: str = "") -> list[str]:
    """One indented statement with its comment; the comment moves above when too long."""
    if not note:
        return [INDENT + code]
    inline = f"{INDENT}{code}  # {note}"
    if len(inline) <= LINE:
        return [inline]
    return comment(note) + [INDENT + code]


def fitted(code: str, note: str = "") -> list[str]:
    """:func:`line`, and a statement too long for one line laid out as ``ruff format`` lays
    it out (:func:`split`), its comment after the closing parenthesis when it fits there."""
    out = line(code, note)
    if len(out[-1]) <= LINE:
        return out
    rows = split(code)
    if note and len(last := f"{rows[-1]}  # {note}") <= LINE:
        return rows[:-1] + [last]
    return (comment(note) if note else []) + rows


def tuple_assignment(target: str, items: list[str], indent: str = INDENT) -> list[str]:
    """``target = (a, b)`` on one line where it fits in :data:`LINE` characters, else one item
    per line with a trailing comma, as ``ruff format`` writes a tuple (:func:`split` leaves a
    bare tuple alone)."""
    inner = ", ".join(items) + ("," if len(items) == 1 else "")
    one = f"{indent}{target} = ({inner})"
    if len(one) <= LINE:
        return [one]
    return [f"{indent}{target} = (", *(f"{indent}{INDENT}{item}," for item in items), f"{indent})"]


def split(code: str) -> list[str]:
    """``target = value`` (or ``target op= value``) over several lines, as ``ruff format``
    writes a statement too long for one: in parentheses with one operand per line, split at
    the loosest operators outside brackets (``+ -``, else ``* / @``); a call with its
    arguments on the next line (one per line if still too long). Unchanged otherwise."""
    target, op, value = code.partition("= ")
    inner = INDENT * 2
    # a bare call (no operator outside its brackets) is opened at its own parenthesis, as
    # ruff does, never wrapped in another pair
    operators = any(len(_top_level(value, ops)) > 1 for ops in LEVELS)
    # the whole value on the row below where it fits there, as ruff writes it (a long name
    # made the operands one a row where ruff joins them: hostile49a #1)
    body = _operands(value, inner, fit=True) if operators else []
    if body and (len(body) > 1 or len(body[0]) <= LINE):
        return [f"{INDENT}{target}{op}(", *body, f"{INDENT})"]
    opening = value.find("(")
    if opening > 0 and value.endswith(")") and _closes_at_end(value, opening):
        args = value[opening + 1 : -1]
        head = f"{INDENT}{target}{op}{value[:opening]}("
        if len(inner + args) <= LINE:
            return [head, inner + args, f"{INDENT})"]
        return [head, *(f"{inner}{a.strip()}," for a in _top_level(args, (", ",))), f"{INDENT})"]
    return [INDENT + code]


#: the binary operators a long expression is split at, loosest first
LEVELS = ((" + ", " - "), (" * ", " / ", " @ "))


def _operands(value: str, indent: str, level: int = 0, *, fit: bool = False) -> list[str]:
    """``value`` one operand per row at the loosest operators outside brackets (each row after
    the first starting with its operator); a row still too long split the same way at the
    next operators (``a * b * c + d``: ``a``, ``* b``, ``* c``, ``+ d``), and a parenthesized
    operand still too long opened over the rows below its parenthesis."""
    if (fit or level > 0) and len(indent + value) <= LINE:
        return [indent + value]
    for depth in range(level, len(LEVELS)):
        parts = _top_level(value, LEVELS[depth])
        if len(parts) == 1:
            continue
        rows = []
        for part in parts:
            text = part.lstrip()  # after the first, it starts with its operator ("+ ", "* ")
            fits = len(indent + text) <= LINE
            rows += [indent + text] if fits else _operands(text, indent, depth + 1)
        return rows
    opening = value.find("(")
    closing = _closing(value, opening) if opening >= 0 else None
    if len(indent + value) > LINE and closing is not None:
        # a call or parenthesized operand still too long: its content on the rows below
        inside = value[opening + 1 : closing]
        body = _operands(
            inside, indent + INDENT, 1 if len(indent + INDENT + inside) <= LINE else 0
        )
        if len(body) == 1 and len(body[0]) > LINE:
            body = [indent + INDENT + a.strip() + "," for a in _top_level(inside, (", ",))]
        tail = value[closing + 1 :]
        if tail.startswith(" ") and tail.strip()[:2] in ("**", "* ", "/ ", "@ ", "+ ", "- "):
            return [indent + value[: opening + 1], *body, indent + ")", indent + tail.strip()]
        return [indent + value[: opening + 1], *body, indent + value[closing:]]
    return [indent + value]


def _closing(text: str, opening: int) -> int | None:
    """The index of the parenthesis closing the one at ``opening``."""
    depth = 0
    for i in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return None


def _top_level(text: str, operators: tuple[str, ...]) -> list[str]:
    """``text`` cut before each of ``operators`` outside brackets (the operator starts the
    next part; a ``", "`` separator is dropped)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and i > 0:
            hit = next((o for o in operators if text.startswith(o, i)), None)
            if hit is not None:
                parts.append(text[start:i])
                start = i + (len(hit) if hit == ", " else 1)
                i += len(hit)
                continue
        i += 1
    return [*parts, text[start:]]


def _closes_at_end(text: str, opening: int) -> bool:
    depth = 0
    for i in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i == len(text) - 1
    return False


def conjunction(target: str, parts: list[str], indent: str, *, joiner: str = " and ") -> list[str]:
    """``target = a and b and ...`` (or a tuple with ``joiner=", "``) within the line limit,
    laid out the way ``ruff format`` lays out a long expression: one part per line."""
    tuple_ = joiner == ", "
    body = joiner.join(parts) + ("," if tuple_ and len(parts) == 1 else "")
    one = f"{indent}{target} = ({body})" if tuple_ else f"{indent}{target} = {body}"
    if len(one) <= LINE:
        return [one]
    inner = indent + INDENT
    if tuple_:
        return [f"{indent}{target} = (", *(f"{inner}{p}," for p in parts), f"{indent})"]
    lines = [f"{indent}{target} = (", f"{inner}{parts[0]}"]
    lines += [f"{inner}and {p}" for p in parts[1:]]
    return [*lines, f"{indent})"]


def docstring(paragraphs: list[str]) -> list[str]:
    """A module docstring: each paragraph wrapped to the line limit, blank lines kept."""
    wrapped: list[str] = []
    for text in paragraphs:
        wrapped += textwrap.wrap(text, LINE, break_on_hyphens=False) if text else [""]
    return wrapped


def continued_literal(opening: str, text: str, indent: str) -> str:
    """``opening`` (the start of a string literal: ``f"X has dtype {dtype}; expected ``), then
    the plain ``text`` word by word, each word followed by a space, closed and continued in
    adjacent literals at ``indent`` where a line would pass :data:`LINE` columns: lines of a
    message in generated code, without a newline at the end. ``text`` holds no quote, brace
    or backslash (it may sit in an f-string)."""
    if any(mark in text for mark in '"{}\\'):
        raise ValueError(f"not plain text: {text!r}")
    rows: list[str] = []
    current, empty = f"{indent}{opening}", True
    for word in text.split():
        if len(current) + len(word) + 2 > LINE and not empty:
            rows.append(current + '"')
            current = f'{indent}"'
        current += f"{word} "
        empty = False
    return "\n".join([*rows, current + '"'])
