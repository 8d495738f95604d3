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


def split(code: str) -> list[str]:
    """``target = value`` (or ``target op= value``) over several lines, as ``ruff format``
    writes a statement too long for one: in parentheses with one operand per line, split at
    the loosest operators outside brackets (``+ -``, else ``* / @``); a call with its
    arguments on the next line (one per line if still too long). Unchanged otherwise."""
    target, op, value = code.partition("= ")
    inner = INDENT * 2
    for operators in ((" + ", " - "), (" * ", " / ", " @ ")):
        parts = _top_level(value, operators)
        if len(parts) > 1:
            body = [f"{inner}{parts[0]}", *(f"{inner}{p.lstrip()}" for p in parts[1:])]
            return [f"{INDENT}{target}{op}(", *body, f"{INDENT})"]
    opening = value.find("(")
    if opening > 0 and value.endswith(")") and _closes_at_end(value, opening):
        args = value[opening + 1 : -1]
        head = f"{INDENT}{target}{op}{value[:opening]}("
        if len(inner + args) <= LINE:
            return [head, inner + args, f"{INDENT})"]
        return [head, *(f"{inner}{a.strip()}," for a in _top_level(args, (", ",))), f"{INDENT})"]
    return [INDENT + code]


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
