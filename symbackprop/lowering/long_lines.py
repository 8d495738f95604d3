"""The last pass over a generated module: every line still over :data:`LINE` columns broken
the way ``ruff format`` breaks it.

The emitters lay out what they know to be long (:mod:`.python_text`), but a model's own names
can make any line long: eight data names made ``DATA = (...)`` 107 columns and the cache check
114, and 32-character names (the parser's limit) pushed the signatures of ``forward`` and
``loss_and_grads`` past 99 (hostile49a #1). This pass breaks such a line at its last bracket
pair outside any other (ruff's right-hand split): the content on the line below if it fits
there (a call, a signature), else one item a line with a trailing comma (always so for a
tuple, list or dict display); an item still too long is broken the same way, and a string
literal too long alone is continued as adjacent literals. A trailing comment too long moves
above its line and a long comment wraps. Lines inside a multi-line string are left as they
are, and if the result does not parse as Python the module is returned unchanged.
"""

from __future__ import annotations

import ast
import io
import textwrap
import tokenize
from collections.abc import Iterator

from symbackprop.lowering.python_text import INDENT, LINE, comment

_OPENING = {"(": ")", "[": "]", "{": "}"}


def shorter_lines(source: str) -> str:
    """``source`` (a generated module) with each line over :data:`LINE` columns broken as
    ``ruff format`` breaks it (module docstring); unchanged where nothing is too long."""
    rows = source.split("\n")
    if all(len(row) <= LINE for row in rows):
        return source
    inside = _inside_strings(source)
    continued = _inside_brackets(source)
    out: list[str] = []
    for number, row in enumerate(rows, start=1):
        if len(row) > LINE and number not in inside:
            out += _broken_row(row, statement=number not in continued)
        else:
            out.append(row)
    text = "\n".join(out)
    try:
        ast.parse(text)  # parsed only, never run: is it still Python?
    except SyntaxError:  # a layout this pass does not know: the module as it was
        return source
    return text


def _inside_strings(source: str) -> set[int]:
    """The numbers of the lines a multi-line string token continues on (a docstring's)."""
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING and token.end[0] > token.start[0]:
            lines.update(range(token.start[0] + 1, token.end[0] + 1))
    return lines


def _inside_brackets(source: str) -> set[int]:
    """The numbers of the lines that start inside an open bracket (an argument of a call
    written one a line): no statement of their own."""
    lines: set[int] = set()
    depth, seen = 0, 0
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.start[0] > seen:
            seen = token.start[0]
            if depth > 0:
                lines.add(seen)
        if token.type == tokenize.OP and token.string in _OPENING:
            depth += 1
        elif token.type == tokenize.OP and token.string in _OPENING.values():
            depth -= 1
    return lines


def _tokens(code: str) -> list[tokenize.TokenInfo] | None:
    """The tokens of one line of code (None where it is no complete line on its own)."""
    try:
        return [
            t
            for t in tokenize.generate_tokens(io.StringIO(code).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
        ]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None


def _broken_row(row: str, *, statement: bool = True) -> list[str]:
    """One physical line too long, as several (``statement``: not inside a bracket)."""
    indent = row[: len(row) - len(row.lstrip())]
    tokens = _tokens(row.strip())
    if tokens is None:
        return [row]
    note = next((t for t in tokens if t.type == tokenize.COMMENT), None)
    code = row.strip() if note is None else row.strip()[: note.start[1]].rstrip()
    above = [] if note is None else comment(note.string.lstrip("#").strip(), indent)
    if not code:
        return above
    if note is not None and len(f"{indent}{code}  {note.string}") <= LINE:
        return [f"{indent}{code}  {note.string}"]
    return above + _broken(code, indent, statement=statement)


def _broken(code: str, indent: str, *, statement: bool = True) -> list[str]:
    """``code`` (one line's code, no indent) at ``indent``, broken where it is too long;
    ``statement``: a whole statement (an assignment or return may be parenthesized), not an
    item inside brackets (``out=_buffer(...),`` is a keyword argument, no assignment)."""
    if len(indent + code) <= LINE:
        return [indent + code]
    tokens = _tokens(code)
    if tokens is None:
        return [indent + code]
    strings = [t.type for t in tokens] in ([tokenize.STRING], [tokenize.STRING, tokenize.OP])
    if strings and (len(tokens) == 1 or tokens[1].string == ","):
        return _continued(code, indent)
    pairs = _outer_pairs(tokens)
    if not pairs and not statement:
        return [indent + code]
    if statement and (not pairs or _conditional(tokens) or _tuple_assigned(tokens)):
        # ruff parenthesizes a conditional expression or a tuple whole, split at its if and
        # else or one item a line
        return _parenthesized(code, tokens, indent)
    # the last pair whose line before it and line after it fit, else the last (ruff's
    # right-hand split: (Y + 0 * S).sum(axis=0) of long names splits at its first pair)
    fitting = [
        (start, end, literal)
        for start, end, literal in pairs
        if len(indent + code[: start + 1]) <= LINE and len(indent + code[end:]) <= LINE
    ]
    start, end, literal = (fitting or pairs)[-1]
    head, body, tail = code[: start + 1], code[start + 1 : end], code[end:]
    items = _items(body)
    inner = indent + INDENT
    one = inner + body.strip()
    # a comma after the last item (ruff's magic trailing comma) keeps one item a line
    magic = body.rstrip().endswith(",")
    if not magic and not (literal and len(items) > 1) and len(one) <= LINE:
        return [indent + head, one, indent + tail]
    if len(items) == 1 and not magic:
        # a sole argument too long for its line (a long message): broken in place, hugged
        return [indent + head, *_broken(items[0], inner, statement=False), indent + tail]
    rows = [indent + head]
    for item in items:
        rows += _broken(item + ",", inner, statement=False)
    return [*rows, indent + tail]


#: the binary operators a parenthesized right-hand side is split at, loosest first
_LOOSEST = (("+", "-"), ("*", "@", "/", "//", "%"))
_ASSIGNING = frozenset({"=", "+=", "-=", "*=", "/=", "@=", "//=", "%=", "**="})


def _parenthesized(code: str, tokens: list[tokenize.TokenInfo], indent: str) -> list[str]:
    """An assignment or return whose right-hand side has no bracket pair to break at
    (``dW2 = dZ2 @ A1.T`` of 32-character names: hostile50a #3), as ruff format writes it:
    the right-hand side in parentheses on the line below, split before its loosest binary
    operators where it is still too long; any other code as it is."""
    at = _assigned_at(tokens)
    if tokens[0].string == "return":
        head, rest = "return", code[tokens[0].end[1] :]
    elif at is not None and at + 1 < len(tokens):
        head, rest = code[: tokens[at].end[1]], code[tokens[at].end[1] :]
    else:
        return [indent + code]
    rhs, inner = rest.strip(), indent + INDENT
    if _tuple_assigned(tokens) and tokens[0].string != "return":
        # one item a line with a trailing comma, as ruff format writes a tuple it splits
        return [f"{indent}{head} (", *(f"{inner}{item}," for item in _items(rhs)), indent + ")"]
    if len(inner + rhs) <= LINE:
        return [f"{indent}{head} (", inner + rhs, indent + ")"]
    parts = _split_at_operators(rhs)
    if len(parts) < 2:
        return [indent + code]
    return [f"{indent}{head} (", *(inner + part for part in parts), indent + ")"]


def _at_top(tokens: list[tokenize.TokenInfo]) -> Iterator[tuple[int, tokenize.TokenInfo]]:
    """(index, token) of each token outside every bracket pair, the brackets left out."""
    depth = 0
    for k, token in enumerate(tokens):
        if token.type == tokenize.OP and token.string in _OPENING:
            depth += 1
        elif token.type == tokenize.OP and token.string in _OPENING.values():
            depth -= 1
        elif depth == 0:
            yield k, token


def _assigned_at(tokens: list[tokenize.TokenInfo]) -> int | None:
    """The index of the first assignment operator outside brackets, or None."""
    return next(
        (k for k, t in _at_top(tokens) if t.type == tokenize.OP and t.string in _ASSIGNING), None
    )


def _tuple_assigned(tokens: list[tokenize.TokenInfo]) -> bool:
    """Whether the line assigns a tuple written without brackets (``_a, _y = A, B``)."""
    at = _assigned_at(tokens)
    return at is not None and any(
        k > at and t.type == tokenize.OP and t.string == "," for k, t in _at_top(tokens)
    )


def _conditional(tokens: list[tokenize.TokenInfo]) -> bool:
    """Whether the tokens of a line hold ``a if c else b`` outside any bracket."""
    return any(t.type == tokenize.NAME and t.string == "if" for _, t in _at_top(tokens))


def _split_at_operators(expr: str) -> list[str]:
    """``expr`` cut before each of its loosest binary operators outside brackets (the
    operator starts the next part; a conditional expression's ``if`` and ``else`` first), or
    ``[expr]`` where it has none."""
    tokens = _tokens(expr)
    if tokens is None:
        return [expr]
    for operators in (("if", "else"), *_LOOSEST):
        cuts = [
            token.start[1]
            for k, token in _at_top(tokens)
            if token.string in operators
            and (
                token.type == tokenize.NAME  # if, else
                or k > 0  # binary after a name, a number or a bracket, not a sign
                and (
                    tokens[k - 1].type in (tokenize.NAME, tokenize.NUMBER)
                    or tokens[k - 1].string in ")]}"
                )
            )
        ]
        if cuts:
            bounds = [0, *cuts, len(expr)]
            return [expr[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]
    return [expr]


def _last_outer_pair(tokens: list[tokenize.TokenInfo]) -> tuple[int, int, bool] | None:
    """The columns of the last bracket pair outside any other with something inside, and
    whether it is a display (a tuple, list or dict written out, not a call or a subscript)."""
    pairs = _outer_pairs(tokens)
    return pairs[-1] if pairs else None


def _outer_pairs(tokens: list[tokenize.TokenInfo]) -> list[tuple[int, int, bool]]:
    """Every bracket pair outside any other with something inside, in order (see
    :func:`_last_outer_pair`)."""
    depth, found, opened, before = 0, [], 0, None
    for k, token in enumerate(tokens):
        if token.type != tokenize.OP:
            continue
        if token.string in _OPENING:
            if depth == 0:
                opened, before = token.start[1], tokens[k - 1] if k else None
            depth += 1
        elif token.string in _OPENING.values():
            depth -= 1
            if depth == 0 and token.start[1] > opened + 1:
                called = before is not None and (
                    before.type in (tokenize.NAME, tokenize.STRING)
                    and before.string not in ("in", "return", "and", "or", "not", "yield")
                    or before.string in (")", "]", "}")
                )
                found.append((opened, token.start[1], not called))
    return found


def _items(body: str) -> list[str]:
    """``body`` cut at its commas outside brackets (and outside strings)."""
    tokens = _tokens(body.strip())
    if tokens is None:
        return [body.strip()]
    text = body.strip()
    parts, start = [], 0
    for _, token in _at_top(tokens):
        if token.type == tokenize.OP and token.string == ",":
            parts.append(text[start : token.start[1]].strip())
            start = token.end[1]
    last = text[start:].strip()
    return [*parts, last] if last else parts


def _continued(code: str, indent: str) -> list[str]:
    """A plain string literal too long for its line (with a trailing comma or not), as
    adjacent literals that each fit, cut after spaces; any other literal as it is."""
    tokens = _tokens(code.rstrip(","))
    literal = tokens[0].string if tokens else ""
    quote = literal[:1]
    if quote not in ("'", '"') or literal[:3] in ('"""', "'''") or "\\" in literal:
        return [indent + code]
    text, comma = literal[1:-1], "," if code.endswith(",") else ""
    width = LINE - len(indent) - 2 - len(comma)
    parts = textwrap.wrap(text, width, drop_whitespace=False, break_on_hyphens=False)
    if len(parts) < 2 or "".join(parts) != text:
        return [indent + code]
    rows = [f"{indent}{quote}{part}{quote}" for part in parts]
    rows[-1] += comma
    return rows
