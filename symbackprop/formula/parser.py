"""A whitelisting parser for gradient formulas and custom activations.

User text is never handed to ``eval``, ``exec``, ``compile``, ``sympify``, ``parse_expr`` or
Python's tokenizer: those execute code or accept far more than we want. Instead a hand-written
tokenizer accepts a fixed alphabet and a recursive-descent parser builds the small AST of
:mod:`symbackprop.formula.ast`. Anything else is a :class:`~symbackprop.errors.FormulaError`
with a position, so that the CLI can draw a caret under the fault.

Grammar (lowest precedence first; all binary levels are left-associative except ``^``)::

    formula   := expr EOF
    expr      := elem (("+" | "-") elem)*                      # sums
    elem      := matprod (("*" | "⊙" | ".*" | "/") matprod)*  # element-wise products
    matprod   := unary ("@" unary | <juxtaposition> power)*     # matrix products
    unary     := ("-" | "+") unary | power
    power     := postfix ("^" unary)?                  # right-assoc: a^b^c = a^(b^c)
    postfix   := primary (".T" | "^T" | "ᵀ")*
    primary   := NUMBER | NUMBER=1 "{" expr CMP expr "}"  # indicator 1{z1 > 0}
               | FUNC "(" expr ")" | FUNC "'" "(" expr ")" # call, derivative
               | NAME | "(" expr ")"
    CMP       := ">" | ">=" | "<" | "<="

So, tightest first: ``^T``/``.T``, ``^`` (element-wise power), the matrix product (``@`` or
juxtaposition), the element-wise ``*``/``⊙``/``/``, then ``+``/``-`` (DESIGN.md): students read
``sigmoid'(z2) ⊙ W3^T delta3`` with the matrix product first, and so does the parser.

Juxtaposition (implicit multiplication) applies when a term is followed directly by a name,
``(`` or an indicator: ``a2(1 - a2)``, ``(a3 - y) W3^T``, ``2 x``. A *known* function name
followed by ``(`` is a call instead; an unknown name followed by ``(`` is a variable times a
parenthesised expression, so ``exec(1)`` is just the product ``exec * 1``. ``λ`` is read as
the name ``lambda`` (the L2 coefficient, as derivations print it).
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from symbackprop.errors import FormulaError
from symbackprop.formula.ast import (
    Binary,
    Call,
    Deriv,
    Indicator,
    Name,
    Node,
    Num,
    Transpose,
    Unary,
    children,
)
from symbackprop.formula.table import FUNCTIONS

MAX_LEN = 2000
MAX_DEPTH = 100
MAX_DIGITS = 30

_DIGITS = frozenset("0123456789")
_IDENT_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_IDENT_CHARS = _IDENT_START | _DIGITS
_WHITESPACE = frozenset(" \t\r\n")
# Single-character operators, with the Unicode look-alikes students paste from lecture PDFs.
_OPERATORS = {
    "+": "+",
    "-": "-",
    "\u2212": "-",  # MINUS SIGN
    "*": "*",
    "\u00b7": "*",  # MIDDLE DOT
    "\u00d7": "*",  # MULTIPLICATION SIGN
    "/": "/",
    "@": "@",
    "^": "^",
    "\u2299": "⊙",  # CIRCLED DOT OPERATOR
    "\u2218": "⊙",  # RING OPERATOR (SymPy's \circ for the Hadamard product)
}
_BRACKETS = {"(": "lparen", ")": "rparen", "{": "lbrace", "}": "rbrace"}
_CLOSERS = {"(": ")", "{": "}"}
# Hints for characters people commonly try; everything not whitelisted is refused anyway.
_CHAR_HINTS = {
    '"': "strings are not allowed",
    "[": "square brackets are not allowed; use parentheses",
    "]": "square brackets are not allowed; use parentheses",
    "\\": "backslashes (LaTeX commands) are not allowed; write sigmoid, ⊙ or ^T",
    "=": "'=' is not allowed; write only the right-hand side of the formula",
    ";": "only one expression is allowed",
    ":": "only one expression is allowed",
    "!": "'!' is not an operator here",
    "`": "backticks are not allowed",
    "#": "comments are not allowed",
    "$": "'$' is not allowed; write the formula without LaTeX math delimiters",
    "\u03b4": "write delta for \u03b4 (delta3 for \u03b43)",
    "\u0394": "write delta for \u0394 (delta3 for \u03943)",
    "\u03c3": "write sigmoid for \u03c3",
    # the outer and Kronecker products are no operators here (newcomer45 #5)
    "\u2297": "\u2297 is no product here: u v^T is the outer product, \u2299 or * the "
    "element-wise one",
}
#: the hint for a '[' after '^': the lecture's layer superscript (hostile35c #5)
_LAYER_SUPERSCRIPT = (
    "the lecture's layer superscript is written after the name here: delta3 for delta^[3], "
    "W2 for W^[2], a1 for a^[1]"
)

#: NumPy's sums in the formula language (np.sum(M, axis=1), M.sum(axis=0): newcomer45 #5,
#: newcomer46 #5)
_NUMPY_SUMS = "; NumPy's sums are rowsum(M) (each row) and sum(M) (every entry)"
#: the hint for a name's '[3]': a layer index as a list index (newcomer46 #3: parentheses, the
#: hint for any '[', then read delta(3) as a call of an unknown name)
_LAYER_INDEX = (
    "square brackets are not allowed; a layer's index is written after the name: delta3 for "
    "delta[3], a2 for a[2]"
)

#: the hint for a name's '[0]' holding an entry's index (review47 #9: "use parentheses" made
#: delta2(0) of delta2[0], delta2 times 0)
_ENTRY_INDEX = (
    "square brackets are not allowed: a formula is of whole matrices, with no entry indexing "
    "(write the matrix the entries make)"
)


def _layer_index(text: str, i: int) -> bool:
    """Whether the '[' at ``i`` follows a name without digits of its own and holds a number:
    ``delta[3]``, ``W[2]``; not ``delta2[0]``, an entry (review46 #5)."""
    inside, closed, _ = text[i + 1 :].partition("]")
    before = text[:i]
    return (
        bool(closed)
        and inside.strip().isdigit()
        and before[-1:].isalpha()
        and before[-1:] in _IDENT_CHARS
    )


_PRIME_MESSAGE = (
    "a prime ' may follow only a function name, as in sigmoid'(z2) (strings are not allowed; "
    "for a transpose write W^T or W.T)"
)


def _show(ch: str) -> str:
    """A character as it should appear in a message: quoted if printable, else as U+XXXX."""
    if ch.isprintable() and ch != "'":
        return f"'{ch}'"
    if ch == "'":
        return '"\'"'
    return f"U+{ord(ch):04X}"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # num name op lparen rparen lbrace rbrace comma cmp transpose prime eof
    text: str  # normalised operator text, e.g. "⊙" for ".*"
    pos: int
    end: int
    value: Fraction | None = None


def _describe(tok: _Token) -> str:
    """A token for messages: "the end of the formula", "number '2'", "'+'", "name 'x'"."""
    if tok.kind == "eof":
        return "the end of the formula"
    if tok.kind == "num":
        return f"number '{tok.text}'"
    if tok.kind == "name":
        return f"name '{tok.text}'"
    if tok.kind == "prime":
        return '"\'"'
    return f"'{tok.text}'"


class _Tokenizer:
    """Turns text into tokens; refuses every character outside the whitelist."""

    def __init__(self, text: str, max_digits: int) -> None:
        self.text = text
        self.max_digits = max_digits

    def fail(self, message: str, pos: int) -> FormulaError:
        return FormulaError(message, self.text, pos)

    @staticmethod
    def python_literal(out: list[_Token], name: str, at: int) -> bool:
        """Whether ``name`` right after the number 0 makes a hex, octal or binary literal
        (``0x10``, ``0o7``, ``0b101``): it read as 0 times a new name x10, a cost identically 0
        that every check passed (hostile34b #9)."""
        if not out or out[-1].kind != "num" or out[-1].text != "0" or out[-1].end != at:
            return False
        digits = {"x": "0123456789abcdefABCDEF", "o": "01234567", "b": "01"}
        allowed = digits.get(name[:1].lower())
        return allowed is not None and len(name) > 1 and all(ch in allowed for ch in name[1:])

    def ones_column(self, number: _Token, suffix: str) -> FormulaError:
        """``1_m``, derive's column of ones, pasted back: the language writes no ones matrix
        (it said "missing operator before number '1'", hostile32)."""
        written = number.text + suffix
        return self.fail(
            f"'{written}' is how derive prints a column of ones; a formula writes none: "
            f"M {written} is rowsum(M) (each row summed), 1_k^T M {written} is sum(M)",
            number.pos,
        )

    def tokens(self) -> list[_Token]:
        text, n, i = self.text, len(self.text), 0
        out: list[_Token] = []
        while i < n:
            c = text[i]
            if c in _WHITESPACE:
                i += 1
            elif c in _DIGITS or (c == "." and i + 1 < n and text[i + 1] in _DIGITS):
                tok = self.number(i)
                out.append(tok)
                i = tok.end
            elif c in _IDENT_START:
                j = self.ident_end(i)
                if c == "_" and out and out[-1].kind == "num" and out[-1].end == i:
                    raise self.ones_column(out[-1], text[i:j])
                if self.python_literal(out, text[i:j], i):
                    written = out[-1].text + text[i:j]
                    raise self.fail(
                        f"'{written}' is a Python integer literal; a formula writes numbers in "
                        f"decimal (here it would be 0 times a name '{text[i:j]}')",
                        out[-1].pos,
                    )
                self.check_name(text[i:j], i)
                out.append(_Token("name", text[i:j], i, j))
                i = j
            elif c == ".":
                if text.startswith(".*", i):  # MATLAB's element-wise product
                    out.append(_Token("op", "⊙", i, i + 2))
                    i += 2
                    continue
                j = self.ident_end(i + 1)
                if text[i + 1 : j] == "T":
                    out.append(_Token("transpose", ".T", i, j))
                    i = j
                elif j > i + 1:
                    found = text[i:j] if j - i <= 30 else text[i : i + 30] + "..."
                    # np.sum(M, axis=1), M.sum(axis=0): NumPy's spellings (newcomer45 #5)
                    numpy = _NUMPY_SUMS if found in (".sum", ".mean") else ""
                    raise self.fail(f"only .T is allowed after a dot, found '{found}'{numpy}", i)
                else:
                    raise self.fail("only .T is allowed after a dot", i)
            elif c in _OPERATORS:
                out.append(_Token("op", _OPERATORS[c], i, i + 1))
                i += 1
            elif c in _BRACKETS:
                out.append(_Token(_BRACKETS[c], c, i, i + 1))
                i += 1
            elif c == ",":
                out.append(_Token("comma", c, i, i + 1))
                i += 1
            elif c in "<>":
                if text.startswith("=", i + 1):
                    out.append(_Token("cmp", c + "=", i, i + 2))
                    i += 2
                else:
                    out.append(_Token("cmp", c, i, i + 1))
                    i += 1
            elif c in "\u2265\u2264":  # ≥ ≤
                out.append(_Token("cmp", ">=" if c == "\u2265" else "<=", i, i + 1))
                i += 1
            elif c == "'":
                out.append(_Token("prime", c, i, i + 1))
                i += 1
            elif c == "\u03bb":  # GREEK SMALL LETTER LAMDA: the L2 coefficient lambda
                out.append(_Token("name", "lambda", i, i + 1))
                i += 1
            elif c == "\u1d40":  # MODIFIER LETTER CAPITAL T: Wᵀ
                out.append(_Token("transpose", c, i, i + 1))
                i += 1
            elif text.startswith(("==", "!="), i) or c == "\u2260":  # ≠
                # an equality has no region of its own (a set of measure zero): 1{z = 0} is
                # 0 almost everywhere; the comparisons are the four inequalities
                shown = _show(c) if c == "\u2260" else f"'{text[i : i + 2]}'"
                raise self.fail(
                    f"unexpected {shown}: a comparison inside 1{{...}} is one of >, >=, <, <= "
                    "(an equality holds on a set of measure zero)",
                    i,
                )
            else:
                hint = _CHAR_HINTS.get(c)
                if c == "=" and text[:i].rstrip().endswith(("axis", "keepdims")):
                    hint = f"no keyword arguments{_NUMPY_SUMS}"  # sum(M, axis=1)
                if c == "[" and text[:i].rstrip().endswith(("^", "^{")):  # delta^{[3]} too
                    hint = _LAYER_SUPERSCRIPT
                elif c == "[" and _layer_index(text, i):  # delta[3], as derive's examples print
                    hint = _LAYER_INDEX
                elif c == "[" and (
                    text[:i].rstrip()[-1:] in _IDENT_CHARS or text[i - 1 : i] in (")", "}")
                ):
                    # delta2[0], W2[0, 1], (a2 - y)[0]: an entry; after a space, (a3 - y)
                    # [a2^T] is brackets for grouping (review48 #7)
                    hint = _ENTRY_INDEX
                message = f"unexpected character {_show(c)}"
                raise self.fail(f"{message}: {hint}" if hint else message, i)
        out.append(_Token("eof", "", n, n))
        self.check_brackets(out)
        return out

    def ident_end(self, i: int) -> int:
        j = i
        while j < len(self.text) and self.text[j] in _IDENT_CHARS:
            j += 1
        return j

    def check_name(self, name: str, pos: int) -> None:
        # Dunder names are how sandbox escapes start (__class__, __import__); refuse them early.
        if "__" in name:
            raise self.fail(f"names containing '__' are not allowed, found '{name}'", pos)
        if keyword.iskeyword(name) and name != "lambda":  # lambda: the L2 coefficient
            raise self.fail(f"'{name}' is not allowed: Python keywords have no meaning here", pos)

    def digits(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in _DIGITS:
            i += 1
        return i

    def number(self, i: int) -> _Token:
        """An integer or decimal, optionally with an exponent, as an exact Fraction."""
        text = self.text
        j = self.digits(i)
        int_part = text[i:j]
        frac_part = ""
        if j < len(text) and text[j] == "." and j + 1 < len(text) and text[j + 1] in _DIGITS:
            k = self.digits(j + 1)
            frac_part = text[j + 1 : k]
            j = k
        exponent = 0
        if j < len(text) and text[j] in "eE":
            k = j + 1
            if k < len(text) and text[k] in "+-":
                k += 1
            if k < len(text) and text[k] in _DIGITS:
                end = self.digits(k)
                # Bound the exponent's length before int() so that nothing big is computed.
                if end - k > 4:
                    raise self.fail(f"exponent of '{text[i:end]}' is too large", i)
                exponent = int(text[j + 1 : end])
                j = end
        literal = text[i:j]
        n_digits = len(int_part) + len(frac_part)
        if n_digits > self.max_digits:
            raise self.fail(
                f"number has {n_digits} digits; at most {self.max_digits} are allowed", i
            )
        value = Fraction(int(int_part + frac_part or "0"), 10 ** len(frac_part))
        value *= Fraction(10) ** exponent
        limit = 10**self.max_digits
        if value.numerator >= limit or value.denominator >= limit:
            # numbers stay exact fractions (1e-300 is 1/10^300): the same digit limit as a
            # written-out integer, so its reason says what it is in those terms
            size = "small" if value.denominator >= limit else "large"
            raise self.fail(
                f"number '{literal}' is too {size} to keep exact (at most {self.max_digits} "
                f"digits above and below a fraction's bar; 1e-{self.max_digits - 1} and "
                f"1e{self.max_digits - 1} fit): rescale the formula",
                i,
            )
        return _Token("num", literal, i, j, value)

    def check_brackets(self, tokens: list[_Token]) -> None:
        """Report unbalanced brackets up front, pointing at the unmatched one."""
        stack: list[_Token] = []
        for tok in tokens:
            if tok.kind in ("lparen", "lbrace"):
                stack.append(tok)
            elif tok.kind in ("rparen", "rbrace"):
                if not stack:
                    raise self.fail(
                        f"unmatched '{tok.text}': no opening bracket before it", tok.pos
                    )
                opener = stack.pop()
                if _CLOSERS[opener.text] != tok.text:
                    raise self.fail(
                        f"'{tok.text}' does not match '{opener.text}' at position "
                        f"{opener.pos + 1}; expected '{_CLOSERS[opener.text]}'",
                        tok.pos,
                    )
        if stack:
            opener = stack[-1]
            raise self.fail(
                f"unclosed '{opener.text}': expected a matching '{_CLOSERS[opener.text]}'",
                opener.pos,
            )


class _Parser:
    """Recursive descent with an explicit depth counter (checked long before Python's limit)."""

    def __init__(
        self,
        text: str,
        tokens: list[_Token],
        max_depth: int,
        functions: dict[str, int],
        numpy: bool = False,
    ) -> None:
        self.text = text
        #: ``@`` at the level of ``*`` and ``/``, left to right, as Python reads it
        self.numpy = numpy
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.max_depth = max_depth
        self.functions = functions
        # Height of every node built so far, keyed by id (all of them end up in the tree, so
        # ids stay unique). Bounding the height keeps recursive consumers of the tree safe.
        self.heights: dict[int, int] = {}

    # -- helpers -------------------------------------------------------------------------------

    def fail(self, message: str, pos: int | None) -> FormulaError:
        return FormulaError(message, self.text, pos)

    def peek(self, k: int = 0) -> _Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def previous(self) -> _Token | None:
        return self.tokens[self.i - 1] if self.i > 0 else None

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise self.fail(f"formula is nested deeper than {self.max_depth} levels", pos)

    def make(self, node: Node) -> Node:
        height = 1 + max((self.heights[id(c)] for c in children(node)), default=0)
        if height > self.max_depth:
            # a flat sum of 101 terms is 100 levels deep to SymPy's recursive walks as well:
            # said, so that a long sum is not taken for brackets
            chain = isinstance(node, Binary) and isinstance(node.left, Binary)
            raise self.fail(
                f"formula is too deeply nested: its expression tree has more than "
                f"{self.max_depth} levels"
                + (" (each operator of a chain such as a + b + c adds one)" if chain else ""),
                node.pos,
            )
        self.heights[id(node)] = height
        return node

    def expect(self, kind: str, what: str) -> _Token:
        tok = self.peek()
        if tok.kind != kind:
            raise self.fail(f"expected {what}, found {_describe(tok)}", tok.pos)
        return self.advance()

    def starts_juxtaposition(self) -> bool:
        tok = self.peek()
        if tok.kind in ("name", "lparen"):
            return True
        return tok.kind == "num" and self.peek(1).kind == "lbrace"

    # -- grammar -------------------------------------------------------------------------------

    def formula(self) -> Node:
        if self.peek().kind == "eof":
            raise self.fail("empty formula: expected an expression such as 'a2 * (1 - a2)'", 0)
        node = self.expr()
        tok = self.peek()
        if tok.kind != "eof":
            raise self.unexpected(tok)
        return node

    def unexpected(self, tok: _Token) -> FormulaError:
        """The error for a token that cannot continue the expression."""
        if tok.kind == "comma":
            return self.fail("',' is allowed only between the arguments of a function", tok.pos)
        if tok.kind == "cmp":
            return self.fail(
                f"comparison '{tok.text}' is allowed only inside an indicator such as 1{{z > 0}}",
                tok.pos,
            )
        if tok.kind == "num":
            return self.fail(
                f"missing operator before {_describe(tok)}; write '*' or '@' between factors",
                tok.pos,
            )
        if tok.kind == "lbrace":
            return self.fail("'{' is allowed only in the indicator form 1{z > 0}", tok.pos)
        return self.fail(f"unexpected {_describe(tok)}", tok.pos)

    def expr(self) -> Node:
        self.enter(self.peek().pos)
        try:
            left = self.elem()
            while self.peek().kind == "op" and self.peek().text in "+-":
                op = self.advance()
                right = self.elem()
                left = self.make(Binary(op.text, left, right, op.pos, left.start, right.end))
            return left
        finally:
            self.depth -= 1

    def elem(self) -> Node:
        """Element-wise products and quotients: ``*``, ``⊙``, ``/``."""
        ops = ("*", "/", "⊙", "@") if self.numpy else ("*", "/", "⊙")
        left = self.matprod(self.unary())
        while self.peek().kind == "op" and self.peek().text in ops:
            tok = self.advance()
            right = self.matprod(self.unary())
            left = self.make(Binary(tok.text, left, right, tok.pos, left.start, right.end))
        return left

    def matprod(self, left: Node) -> Node:
        """Matrix products after a first factor ``left``: ``@`` and juxtaposition.

        The first factor is parsed by the caller, so that a parenthesised formula costs no more
        Python stack frames per level than before this level existed.
        """
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text == "@" and not self.numpy:
                self.advance()
                right = self.unary()
                left = self.make(Binary("@", left, right, tok.pos, left.start, right.end))
            elif self.starts_juxtaposition():
                right = self.power()
                left = self.make(Binary("juxt", left, right, tok.pos, left.start, right.end))
            elif tok.kind == "num":
                raise self.unexpected(tok)
            else:
                return left

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text in "+-":
            self.advance()
            self.enter(tok.pos)
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            return self.make(Unary(tok.text, operand, tok.pos, tok.pos, operand.end))
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        tok = self.peek()
        if tok.kind == "op" and tok.text == "^":
            self.advance()
            self.enter(tok.pos)
            try:
                exponent = self.unary()  # a unary exponent allows z^-1
            finally:
                self.depth -= 1
            return self.make(Binary("^", base, exponent, tok.pos, base.start, exponent.end))
        return base

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            tok = self.peek()
            if tok.kind == "transpose":
                self.advance()
                node = self.make(Transpose(node, tok.pos, node.start, tok.end))
            elif (
                tok.kind == "op"
                and tok.text == "^"
                and self.peek(1).kind == "name"
                and self.peek(1).text == "T"
            ):
                self.advance()
                t = self.advance()
                node = self.make(Transpose(node, tok.pos, node.start, t.end))
            elif tok.kind == "prime":
                raise self.fail(_PRIME_MESSAGE, tok.pos)
            else:
                return node

    def primary(self) -> Node:
        tok = self.peek()
        if tok.kind == "num":
            self.advance()
            if self.peek().kind == "lbrace":
                if tok.value != 1:
                    raise self.fail(
                        "'{' is allowed only in the indicator form 1{z > 0}", self.peek().pos
                    )
                return self.indicator(tok)
            assert tok.value is not None
            return self.make(Num(tok.value, tok.pos, tok.pos, tok.end))
        if tok.kind == "name":
            self.advance()
            if tok.text in self.functions:
                return self.call(tok)
            if self.peek().kind == "lparen" and self._arguments_follow():
                # max(z, 0) said "',' is allowed only between the arguments of a function":
                # the name is what is unknown (hostile39b #5); delta2 (a1, a1) reads as a call
                known = ", ".join(sorted(self.functions))
                raise self.fail(
                    f"'{tok.text}(...)' with arguments calls no known function; known: {known}",
                    tok.pos,
                )
            if self.peek().kind == "prime" and self.peek(1).kind == "lparen":
                known = ", ".join(sorted(self.functions))
                # the lecture's generic activation (newcomer45 #5)
                generic = (
                    "; the lecture's g is each layer's own activation: write it by name, as "
                    "in sigmoid'(z1)"
                    if tok.text == "g"
                    else ""
                )
                raise self.fail(f"unknown function '{tok.text}'{generic}; known: {known}", tok.pos)
            return self.make(Name(tok.text, tok.pos, tok.pos, tok.end))
        if tok.kind == "lparen":
            self.advance()
            if self.peek().kind == "rparen":
                raise self.fail("empty parentheses: expected an expression inside", tok.pos)
            inner = self.expr()
            closing = self.peek()
            if closing.kind != "rparen":
                if closing.kind in ("comma", "cmp", "num", "lbrace"):
                    raise self.unexpected(closing)
                raise self.fail(f"expected ')', found {_describe(closing)}", closing.pos)
            self.advance()
            if isinstance(inner, Binary):
                object.__setattr__(inner, "paren", True)  # the reading keeps it as written
            return inner
        raise self.missing_operand(tok)

    def _arguments_follow(self) -> bool:
        """Whether the parentheses that open at the next token hold a comma of their own: the
        arguments of a call (a name before them is then no value times a parenthesis)."""
        depth = 0
        for k in range(len(self.tokens) - self.i):
            kind = self.peek(k).kind
            if kind == "lparen":
                depth += 1
            elif kind == "rparen":
                depth -= 1
                if depth == 0:
                    return False
            elif kind == "comma" and depth == 1:
                return True
            elif kind == "eof":
                return False
        return False

    def missing_operand(self, tok: _Token) -> FormulaError:
        prev = self.previous()
        after = f" after {_describe(prev)}" if prev is not None else ""
        if tok.kind == "eof":
            return self.fail(f"expected an operand{after}, but the formula ends", tok.pos)
        if tok.kind == "transpose":
            return self.fail("'.T' must follow the expression it transposes", tok.pos)
        if tok.kind == "prime":
            return self.fail(_PRIME_MESSAGE, tok.pos)
        return self.fail(f"expected an operand{after}, found {_describe(tok)}", tok.pos)

    def call(self, name: _Token) -> Node:
        """``f(x)`` or ``f'(x)`` for a known function ``f`` (the name is already consumed)."""
        prime = self.peek().kind == "prime"
        if prime:
            self.advance()
        opener = self.peek()
        if opener.kind != "lparen":
            shown = name.text + ("'" if prime else "")
            raise self.fail(
                f"function '{shown}' needs an argument in parentheses, as in {shown}(z)",
                opener.pos if prime else name.pos,
            )
        self.advance()
        arity = 1 if prime else self.functions[name.text]
        if self.peek().kind == "rparen":
            raise self.fail(f"function '{name.text}' needs an argument", self.peek().pos)
        args = [self.expr()]
        while self.peek().kind == "comma" and len(args) < arity:
            self.advance()
            args.append(self.expr())
        if self.peek().kind == "comma" or len(args) < arity:
            plural = "argument" if arity == 1 else "arguments"
            # np.sum(M, axis=1), sum(M, 1): an axis NumPy's way (newcomer46 #5)
            numpy = _NUMPY_SUMS if name.text in ("sum", "mean", "rowsum") else ""
            raise self.fail(
                f"function '{name.text}' takes exactly {arity} {plural}{numpy}", self.peek().pos
            )
        closing = self.expect("rparen", f"')' to close the call of '{name.text}'")
        if prime:
            return self.make(Deriv(name.text, args[0], name.pos, name.pos, closing.end))
        return self.make(Call(name.text, tuple(args), name.pos, name.pos, closing.end))

    def indicator(self, one: _Token) -> Node:
        """``1{left cmp right}`` (the ``1`` is already consumed)."""
        brace = self.advance()
        if self.peek().kind == "rbrace":
            raise self.fail("empty indicator: expected a condition such as 1{z > 0}", brace.pos)
        left = self.expr()
        cmp = self.peek()
        if cmp.kind != "cmp":
            raise self.fail(
                f"expected a comparison (>, >=, <, <=) in the indicator, found {_describe(cmp)}",
                cmp.pos,
            )
        self.advance()
        right = self.expr()
        closing = self.expect("rbrace", "'}' to close the indicator")
        return self.make(Indicator(left, cmp.text, right, one.pos, one.pos, closing.end))


def parse(
    text: str,
    *,
    max_len: int = MAX_LEN,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    functions: Iterable[str] = (),
    models: bool = False,
    numpy: bool = False,
) -> Node:
    """Parse a formula into an AST, refusing anything outside the language.

    The function names are those of the table :data:`~symbackprop.formula.table.FUNCTIONS`
    (the language's own and every activation record's); ``functions`` adds one-argument names
    (e.g. a network's custom activations such as ``swish``), so that ``swish'(z2)`` parses as
    a derivative. ``models=True`` adds the model language's own functions (``tr``, ``inv``,
    the two-argument losses ``bce(a, y)``, ...; see :mod:`symbackprop.formula.table`). Raises
    :class:`~symbackprop.errors.FormulaError` -- and nothing else -- for any input that is not
    a well-formed formula within the limits (length, nesting depth, digits per number).
    ``numpy=True`` reads ``@`` as Python does, at the level of ``*`` and ``/``, left to right
    (the language's ``@`` is the matrix product, tighter than ``*``): for saying how NumPy
    would read a formula, never for its verdict.
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be a string, got {type(text).__name__}")
    if len(text) > max_len:
        raise FormulaError(
            f"formula is {len(text)} characters long; at most {max_len} are allowed",
            text,
            max_len,
        )
    known = {name: 1 for name in functions}
    for name in FUNCTIONS.names(models=models):
        entry = FUNCTIONS.get(name, models=models)
        known[name] = entry.arity if entry is not None else 1
    try:
        tokens = _Tokenizer(text, max_digits).tokens()
        return _Parser(text, tokens, max_depth, known, numpy).formula()
    except RecursionError:
        # Only reachable when a caller raises max_depth far above the default.
        raise FormulaError("formula is nested too deeply", text, None) from None


def format_error(err: FormulaError) -> str:
    """Three lines for a terminal: the formula, a caret under the fault, and the message
    (:meth:`FormulaError.shown`: whitespace as a space, so that the caret stays aligned; long
    formulas cut to a window around the fault). When the position is unknown the caret line is
    left out."""
    text, column = err.shown()
    if not text:
        return err.message
    if column is None:
        return f"{text}\n{err.message}"
    return f"{text}\n{' ' * column}^\n{err.message}"
