"""A message's text in generated code: one literal where it fits, adjacent ones past 99 columns.

The JAX modules' expected-dtype text held a hard-coded ``"\\n            "`` so that it broke
inside the f-string of the generated code at 12 spaces (a second read of session 37);
:func:`continued_literal` now lays any such text out.
"""

from __future__ import annotations

import ast

import pytest

from symbackprop.lowering.python_text import LINE, continued_literal

WORDS = "a floating-point array of at most 64 bits, with an infinity (not float8_e4m3fn: exp"


@pytest.mark.parametrize("indent", [4, 12, 40])
@pytest.mark.parametrize("text", ["float16", WORDS, f"{WORDS} {WORDS} {WORDS}"])
def test_the_literals_fit_and_join_to_the_text(indent: int, text: str) -> None:
    code = continued_literal('f"X has dtype {dtype}; expected ', text, " " * indent)
    rows = code.splitlines()
    assert all(len(row) <= LINE for row in rows), rows
    assert all(row.startswith(" " * indent) for row in rows)
    joined = ast.literal_eval("(" + "\n".join(rows[1:]) + ")") if rows[1:] else ""
    first = rows[0].strip()
    assert first.startswith('f"X has dtype {dtype}; expected ') and first.endswith('"')
    assert first[len('f"X has dtype {dtype}; expected ') : -1] + joined == text + " "


def test_text_that_would_break_the_literal_is_refused() -> None:
    for text in ('a "quoted" word', "a {brace}", "a back\\slash"):
        with pytest.raises(ValueError, match="not plain text"):
            continued_literal('"', text, "    ")
