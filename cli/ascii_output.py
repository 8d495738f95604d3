"""The formula language's ASCII spellings for a terminal whose encoding lacks a character.

Printed to a stream that cannot encode ⊙ or ✓ (``PYTHONIOENCODING=ascii``; a file redirected
on a Windows code page), each such character is written as the formula language writes it in
ASCII (``*`` for ⊙, ``<=`` for ≤, ``lambda`` for λ) or as a word (``ok`` for ✓, ``no`` for ✗),
so that a formula copied from the output reads back; any other character becomes its escape
(``\\u2192``), never '?', which reads like a missing operator (hostile tester 23), and never
an exception.
"""

from __future__ import annotations

import codecs

#: the name the streams' ``errors=`` takes (:func:`register`)
HANDLER = "symbackprop-ascii"

#: character -> its ASCII spelling; the operators are the formula language's own
SPELLINGS = {
    "\u2299": "*",  # ⊙ the element-wise product
    "\u2218": "*",  # ∘
    "\u00d7": "*",  # ×
    "\u00b7": ".",  # · a function's placeholder: sigmoid(·)
    "\u2264": "<=",  # ≤
    "\u2265": ">=",  # ≥
    "\u2260": "!=",  # ≠
    "\u03bb": "lambda",  # λ the L2 coefficient, as the parser reads it back
    "\u2211": "sum",  # ∑
    "\u03a3": "sum",  # Σ
    "\u2192": "->",  # →
    "\u2190": "<-",  # ←
    "\u2713": "ok",  # ✓
    "\u2717": "no",  # ✗
    "\u2014": "--",  # —
    "\u2013": "-",  # –
    "\u2026": "...",  # …
    "\u2202": "d",  # ∂ of ∂J/∂W
}


def _spelled(error: UnicodeError) -> tuple[str, int]:
    """The replacement of the characters ``error`` could not encode: each one's spelling,
    or its ``\\uXXXX`` escape."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    out = "".join(SPELLINGS.get(char, _escape(char)) for char in text)
    return out, error.end


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def register() -> str:
    """Register the handler (once per process; registering again replaces it) and return
    its name for ``stream.reconfigure(errors=...)``."""
    codecs.register_error(HANDLER, _spelled)
    return HANDLER


def shown(char: str) -> str:
    """``char`` where stdout's encoding has it, else its spelling: for text rich lays out
    itself (a panel measures ✓ as one column; ``ok`` written for it after the layout pushed
    the panel's right edge out by one)."""
    import sys

    try:
        char.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return SPELLINGS.get(char, _escape(char))
    return char


def echo(text: str, *, err: bool = False, nl: bool = True, markup: bool = False) -> None:
    """Write ``text`` (and a newline) to stdout, or stderr, through the stream itself, and
    flush: its errors handler then spells what the encoding lacks (:func:`register`), where
    ``click.echo`` rewraps a stream it finds ASCII-encoded as UTF-8 and writes bytes such a
    terminal shows as mojibake (hostile51b #6). ``markup`` (HTML): such a character as its
    character reference instead, ``&#x3b4;``, which the page shows as δ (review51 #8)."""
    import sys

    stream = sys.stderr if err else sys.stdout
    text += "\n" if nl else ""
    if markup:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        text = text.encode(encoding, "xmlcharrefreplace").decode(encoding)
    stream.write(text)
    stream.flush()
