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
