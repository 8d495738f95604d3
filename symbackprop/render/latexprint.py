"""LaTeX printing of matrix expressions in CS229 notation.

``W^{[2]}``, ``a^{[1]\\top}``, ``\\odot`` (SymPy's own printer says ``\\circ``), ``1 - a^{[2]}``,
``\\delta^{[3]} \\mathbf{1}_{m}`` for a sum over the columns, ``\\mathbf{1}\\{z^{[2]} > 0\\}`` for
relu's derivative. A subclass of SymPy's ``LatexPrinter`` with one ``_print_<ClassName>`` per
node type.

Parentheses are emitted as markers and sized afterwards by nesting depth (``(``, ``\\bigl(``,
``\\Bigl(``, ...), never as ``\\left( ... \\right)``, so that a long formula can be broken
across lines anywhere a break marker sits at brace depth 0 (:func:`break_lines`). The
``\\left( ... \\right)`` pairs SymPy writes itself (scalar algebra: ``a \\left(1 - a\\right)``)
become "fit" markers: a pair typeset whole on one display line stays ``\\left( ... \\right)``; a
pair a display line break splits, and every pair inline (where TeX itself breaks the line, and
cannot inside ``\\left ... \\right``), gets a fixed size instead (:func:`finish_inline`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy import HadamardProduct, MatAdd
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from symbackprop.core.expr_structure import (
    BODY_VARIABLE,
    division_parts,
    entrywise_power,
    entrywise_product,
    is_atom,
    is_call,
    of_a_matrix,
    ones_kind,
    ordered_terms,
    product_factors,
    reads_as_sum,
    reads_the_matrix,
    with_coefficient,
)
from symbackprop.core.placeholder import ARGUMENT_NAME, BARE_NAME, marked
from symbackprop.core.plain_form import Transposes, plain
from symbackprop.core.textprint import ones_alone
from symbackprop.formula.decimals import decimal_text, latex_decimal
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.records.scalars import indicator_sum
from symbackprop.render.latex_scripts import attach, trailing_scripts
from symbackprop.render.names import Naming

OPEN, CLOSE, BREAK = "\x02", "\x03", "\x01"
#: the space between the factors of a matrix product, a place to break a line
PRODUCT = rf" \, {BREAK}"
#: inline formulas wider than this (see visual_width) may break between a product's factors
LONG_INLINE = 40
#: SymPy's own ``\left(`` and ``\right)``, sized once the line they end up on is known
FIT_OPEN, FIT_CLOSE = "\x04", "\x05"
_LEFT, _RIGHT = r"\left(", r"\right)"
_ARG_SYMBOL = BODY_VARIABLE
_ARG = BODY_VARIABLE.name
_SIZES = ("", r"\bigl", r"\Bigl", r"\biggl", r"\Biggl")
#: sums narrower than this (see visual_width) are kept on one line
SHORT_SUM = 16

#: a snippet's displays may break across pages: ``\allowdisplaybreaks`` in a group of its
#: own, so that a derivation longer than a page does not run off it (a network's snippet said
#: "needs amsmath" and a 7-layer one lost its last six equations below the page: lecturer46 #1)
#: and the notes it is pasted into keep their own setting
BREAKS_OPEN = r"\begingroup\allowdisplaybreaks"
BREAKS_CLOSE = r"\endgroup"


class MathLatexPrinter(LatexPrinter):
    """Matrix expressions in LaTeX; ``act_latex`` maps an activation name to its LaTeX and
    ``naming`` writes the derivation's names (``Naming(d.names)``)."""

    printmethod = "_symbackprop_latex"
    #: values defined as a transpose (``s = u^T``, a model's): ``s^T`` prints as ``u``
    transposes: Transposes = ()

    def __init__(
        self, act_latex: dict[str, str] | None = None, naming: Naming | None = None
    ) -> None:
        super().__init__({"mul_symbol": None})
        self.act_latex = dict(act_latex or {})
        self.naming = naming or Naming()
        # a deep derivation prints the same symbols and shapes in thousands of reasons
        self._printed: dict[Any, str] = {}
        #: the argument of the element-wise function whose scalar body is being printed
        self._body_of: Any = None

    def doprint(self, expr: Any) -> str:
        """SymPy's ``doprint``, memoised per expression (printing depends on nothing else); a
        ones matrix that is the whole expression with its size (``\\mathbf{1}_m^{\top}``, the
        text's ``1_m^T``): alone, ``1`` would say a row of m ones is the number 1."""
        if ones_alone(expr):
            return self._ones_factor(expr)
        known = self._printed.get(expr)
        if known is None:
            printed = super().doprint(marked(plain(expr, self.transposes)))
            known = self._printed[expr] = printed.replace(_LEFT, FIT_OPEN).replace(
                _RIGHT, FIT_CLOSE
            )
        return known

    def argument(self, expr: Any) -> str:
        """``expr`` as the argument of a function written with its own brackets (g'(...))."""
        return finish(self.doprint(expr))

    # -- leaves ------------------------------------------------------------------------------
    def _print_MatrixSymbol(self, expr: Any) -> str:
        return self.naming.latex(str(expr.name))

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        name = str(expr.name)
        if name == _ARG:
            return _ARG
        if name == "lambda":
            return r"\lambda"
        if name == ARGUMENT_NAME:
            return r"(\cdot)"
        if name == BARE_NAME:
            return r"\cdot"
        return self.naming.dim(name)

    def _print_OneMatrix(self, expr: Any) -> str:
        return "1"

    def _print_ExpBase(self, expr: Any, exp: Any = None) -> str:
        # exp' = exp(·): SymPy's e^{\cdot} would set the placeholder as a speck in a superscript
        if str(getattr(expr.args[0], "name", "")) == BARE_NAME:
            return r"\exp(\cdot)" if exp is None else rf"\exp^{{{exp}}}(\cdot)"
        if self._body_of is not None and of_a_matrix(expr, _ARG_SYMBOL, self._body_of):
            inner = expr.args[0]  # e^{A} would be the matrix exponential
            # the argument alone: SymPy's call brackets, which the printers fill bare
            tex = r"\exp" + (
                rf"\left({_ARG} \right)"
                if inner == _ARG_SYMBOL
                else OPEN + self._print(inner) + CLOSE
            )
            return tex if exp is None else OPEN + tex + CLOSE + "^{" + exp + "}"
        return str(super()._print_ExpBase(expr, exp))

    def _ones_factor(self, expr: Any) -> str:
        kind = ones_kind(expr)
        if kind is None:
            rows, cols = (self._print(d) for d in expr.shape)
            return rf"\mathbf{{1}}_{{{rows} \times {cols}}}"
        sub = self._print(kind[1])
        return rf"\mathbf{{1}}_{{{sub}}}" + (r"^{\top}" if kind[0] == "row" else "")

    # -- structure ---------------------------------------------------------------------------
    def _wrap(self, expr: Any) -> str:
        text = self._print(expr)
        return text if is_atom(expr) or is_call(expr) else OPEN + text + CLOSE

    def _print_Transpose(self, expr: Any) -> str:
        if isinstance(expr.arg, sp.MatrixSymbol):
            return self.naming.latex(str(expr.arg.name), transpose=True)
        return attach(self._wrap(expr.arg), r"^{\top}")

    def _helper_print_standard_power(self, expr: Any, template: str) -> str:
        # a base that is a power or transpose already, ((v^T x)^2)^3, takes parentheses:
        # TeX refuses a double superscript
        base = self.parenthesize(expr.base, PRECEDENCE["Pow"])
        if "^" in trailing_scripts(base) or base.startswith("\\frac"):
            return template % (OPEN + base + CLOSE, self._print(expr.exp))
        return str(super()._helper_print_standard_power(expr, template))

    def _print_MatAdd(self, expr: Any) -> str:
        out = ""
        for i, (negative, term) in enumerate(ordered_terms(expr)):
            text = self._print(term)
            if isinstance(term, MatAdd):
                text = OPEN + text + CLOSE
            if i == 0:
                out = f"-{text}" if negative else text
            else:
                out += f"{BREAK} - {text}" if negative else f"{BREAK} + {text}"
        # never split a short sum such as 1 - a^{[2]}: break around it instead
        return out.replace(BREAK, "") if visual_width(out) < SHORT_SUM else out

    def _print_Add(self, expr: Any, order: Any = None) -> str:
        # SymPy's own, with a break marker before each sign: scalar algebra breaks there too
        out = ""
        for i, term in enumerate(self._as_ordered_terms(expr, order=order)):
            if i > 0 and term.could_extract_minus_sign():
                out += f"{BREAK} - "
                term = -term
            elif i > 0:
                out += f"{BREAK} + "
            text = self._print(term)
            out += rf"\left({text}\right)" if self._needs_add_brackets(term) else text
        return out.replace(BREAK, "") if visual_width(out) < SHORT_SUM else out

    def _decimal_product(self, expr: Any) -> str | None:
        """``1.702 z``, ``\\frac{0.01}{m}``: a product whose number prints as a decimal
        (SymPy's own would write \\frac{851 z}{500}); None for any other product."""
        coeff, rest = expr.as_coeff_Mul()
        decimal = decimal_text(abs(coeff)) if coeff.is_Rational else None
        if decimal is None or rest == 1:
            return None
        shown = latex_decimal(decimal)
        top, bottom = sp.fraction(rest)
        if top != 1:
            shown += " " + self.parenthesize(top, PRECEDENCE["Mul"])
        if bottom != 1:
            shown = rf"\frac{{{shown}}}{{{self._print(bottom)}}}"
        return ("- " if coeff < 0 else "") + shown

    def _print_MatMul(self, expr: Any) -> str:
        coeff, parts = product_factors(expr, self._ones_factor, self._wrap)
        body = PRODUCT.join(parts)
        if coeff not in (1, -1) and body.startswith(r"\mathbf{1}"):
            # 2 \mathbf{1}_2 reads 21_2 (a space is nothing in math mode)
            body = r"\, " + body
        return with_coefficient(coeff, body, self._print)

    def _print_HadamardProduct(self, expr: Any) -> str:
        num, den = division_parts(expr)
        if not den:
            return rf" \odot {BREAK}".join(self._wrap(f) for f in num)
        # inside a fraction the bar groups: a single numerator or denominator needs no parens
        top = self._print(num[0]) if len(num) == 1 else r" \odot ".join(map(self._wrap, num))
        top = top or "1"
        bottom = self._print(den[0]) if len(den) == 1 else r" \odot ".join(map(self._wrap, den))
        return rf"\frac{{{top}}}{{{bottom}}}"

    def _print_HadamardPower(self, expr: Any) -> str:
        if expr.exp.is_negative:
            return self._print(HadamardProduct(expr))
        base = self._print(expr.base)
        simple = "^" not in base and not base.startswith("\\frac")  # a fraction's value too
        if not (isinstance(expr.base, sp.MatrixSymbol) and simple):
            base = OPEN + base + CLOSE
        return rf"{base}^{{\odot {self._print(expr.exp)}}}"

    def _print_Pow(self, expr: Any) -> str:
        if expr.exp == sp.S.Half and str(getattr(expr.base, "name", "")) == BARE_NAME:
            # the placeholder under a root, √·: thin spaces give the radical an overbar to
            # draw (browsers' MathML drew √ over a bare dot without one: newcomer28 #9)
            return r"\sqrt{\,\cdot\,}"
        # a negative power is SymPy's fraction, whose denominator comes back here positive
        if (
            self._body_of is not None
            and entrywise_power(expr, _ARG_SYMBOL, self._body_of)
            and not expr.exp.is_negative
        ):
            return self._helper_print_standard_power(expr, r"%s^{\odot %s}")
        return super()._print_Pow(expr)

    def _print_Rational(self, expr: Any) -> str:
        # 851/500 as the user wrote it, 1.702 (formula.decimals); 1/2 stays \frac{1}{2}
        shown = decimal_text(expr)
        return latex_decimal(shown) if shown else str(super()._print_Rational(expr))

    def _print_Mul(self, expr: Any) -> str:
        # factors of an element-wise body that each read a matrix multiply entry by entry:
        # h \odot (1 - h), not h (1 - h), which is the matrix product
        parts = None
        if self._body_of is not None:
            parts = entrywise_product(expr, _ARG_SYMBOL, self._body_of)
        if parts is None:
            decimal = self._decimal_product(expr)
            return decimal if decimal is not None else str(super()._print_Mul(expr))
        scalar, num, den = parts

        def side(factors: list[Any]) -> str:
            if len(factors) == 1:
                return self._print(factors[0])
            return r" \odot ".join(
                OPEN + self._print(f) + CLOSE if reads_as_sum(f) else self._print(f)
                for f in factors
            )

        body = side(num) if num else "1"
        if den:
            body = rf"\frac{{{body}}}{{{side(den)}}}"
        elif len(num) == 1 and reads_as_sum(num[0]):
            body = OPEN + body + CLOSE
        if scalar == 1:
            return body
        if scalar == -1:
            return "- " + body
        coeff = self._print(scalar)
        return (OPEN + coeff + CLOSE if isinstance(scalar, sp.Add) else coeff) + " " + body

    def _print_DiagMatrix(self, expr: Any) -> str:
        return r"\operatorname{diag}" + OPEN + self._print(expr.args[0]) + CLOSE

    def _print_Piecewise(self, expr: Any) -> str:
        # the lecture's indicator notation, 1{z > 0}, as in every other printer
        text = self._indicator_sum(expr)
        return text if text is not None else super()._print_Piecewise(expr)

    def _indicator_sum(self, body: sp.Piecewise) -> str | None:
        r"""``v 1{c} + ...`` (:func:`indicator_sum`): a value that reads a matrix argument
        multiplies its indicator entry by entry, ``\frac{1}{2 A} \odot \mathbf{1}\lbrace A > 0
        \rbrace`` (side by side would be a matrix product, as the text printer says)."""
        return indicator_sum(
            body,
            self._print,
            lambda c: rf"\mathbf{{1}}\lbrace {c} \rbrace",
            lambda v, i: rf"{v} \, {i}",
            (self._of_the_matrix, lambda v, i: rf"{v} \odot {i}"),
        )

    def _of_the_matrix(self, part: Any) -> bool:
        """Whether ``part`` of an element-wise body is a matrix (:func:`reads_the_matrix`)."""
        return reads_the_matrix(part, self._body_of)

    # -- symbackprop's own nodes -------------------------------------------------------------
    def _hprint_Function(self, func: str) -> str:
        # a scalar activation inside a derivative (sigmoid'(z) = (1 - sigmoid(z)) sigmoid(z)) in
        # its record's notation, \sigma as everywhere else, not SymPy's \operatorname{sigmoid}
        record = ACTIVATIONS.get(func)
        return record.latex if record is not None else super()._hprint_Function(func)

    def _act(self, name: str) -> str:
        return self.act_latex.get(name) or r"\operatorname{" + _escape_op(name) + "}"

    def _print_Softmax(self, expr: Any) -> str:
        return self._act("softmax") + OPEN + self._print(expr.arg) + CLOSE

    def _print_LogSumExp(self, expr: Any) -> str:
        return log_sum_exp_latex(self._print(expr.arg))

    def _print_SoftmaxOfAll(self, expr: Any) -> str:
        return softmax_of_all_latex(self._print(expr.arg))

    def _print_ElementwiseApplyFunction(self, expr: Any) -> str:
        saved, self._body_of = self._body_of, expr.arg
        try:
            return self._elementwise(expr)
        finally:
            self._body_of = saved

    def _elementwise(self, expr: Any) -> str:
        """An element-wise function of a matrix: a name, a derivative, an indicator, or its
        scalar body with the argument put in (powers of it element-wise, :meth:`_print_Pow`)."""
        arg = self._print(expr.arg)
        if expr.activation_name is not None:
            return self._act(expr.activation_name) + OPEN + arg + CLOSE
        if expr.derivative_name is not None:
            return self._act(expr.derivative_name) + "'" + OPEN + arg + CLOSE
        indicator = expr.indicator
        if indicator is not None:
            rel = {">": ">", "<": "<", ">=": r"\ge", "<=": r"\le"}.get(indicator[0], indicator[0])
            # \lbrace, not \{: Markdown renderers may eat the backslash of \{
            return rf"\mathbf{{1}}\lbrace {arg} {rel} {self._print(indicator[1])} \rbrace"
        body = expr.body.xreplace({expr.variable: _ARG_SYMBOL})
        if isinstance(body, sp.Piecewise):
            text = self._indicator_sum(body)
            if text is not None:
                return (OPEN + text + CLOSE).replace(_ARG, arg)
            rows = [
                rf"{self._print(p.expr)} & \text{{if }} {self._print(p.cond)}"
                if p.cond is not sp.true
                else rf"{self._print(p.expr)} & \text{{otherwise}}"
                for p in body.args
            ]
            return (r"\begin{cases}" + r" \\ ".join(rows) + r"\end{cases}").replace(_ARG, arg)
        return raise_argument(self._print(body), arg)


def raise_argument(tex: str, arg: str) -> str:
    """``tex`` (printed with the placeholder argument) with ``arg`` put in: bracketed where
    the placeholder is raised to a power and ``arg`` already ends in a superscript
    (``(x^{\top})^{2}``, not ``x^{\top}^{2}``, which TeX refuses)."""
    if "^" in trailing_scripts(arg):
        tex = tex.replace(_ARG + "^", OPEN + arg + CLOSE + "^")
    return tex.replace(_ARG, arg)


def _escape_op(name: str) -> str:
    return name.replace("_", r"\_")


# -- post-processing: delimiter sizes and line breaks ---------------------------------------


def size_delimiters(tex: str) -> str:
    """Replace paren markers by ``(``, ``\\bigl(``, ``\\Bigl(``, ... by nesting height."""
    return _sized(tex, OPEN, CLOSE) if OPEN in tex else tex


def _sized(
    tex: str,
    opener: str,
    closer: str,
    *,
    tall: int = 0,
    keep: Callable[[int, int], bool] | None = None,
    brace: bool = False,
    most: int = len(_SIZES) - 1,
) -> str:
    """Each ``opener`` ... ``closer`` pair of ``tex`` as a fixed-size pair, sized by the pairs
    nested in it (innermost ``(``, then ``\\bigl(``, ...), at least size ``tall`` around a
    fraction (size 1 where the pair sits inside braces); a pair for which ``keep(start, end)``
    holds as ``\\left( ... \\right)``; ``brace``: an innermost pair in braces, ``{(1 - a)}``,
    which TeX never breaks inside a line of text; ``most``: the largest size (in a line of text,
    ``\\Bigl``)."""
    heights: dict[int, int] = {}
    partner: dict[int, int] = {}
    closing: dict[int, int] = {}
    stack: list[list[int]] = []  # [open position, tallest child height + 1, brace depth]
    depth = 0
    for i, ch in enumerate(tex):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == opener:
            stack.append([i, 0, depth])
        elif ch == closer:
            start, height, braced = stack.pop()
            if tall and r"\frac" in tex[start:i]:
                # inside braces (a fraction's part, a script) the fraction is in text style
                height = max(height, tall if braced == 0 else 1)
            heights[start] = height
            partner[i] = start
            closing[start] = i
            if stack:
                stack[-1][1] = max(stack[-1][1], height + 1)

    def braced_pair(start: int) -> bool:
        """An innermost pair not already alone in braces (``\\sigma{(z)}``) gets braces."""
        end = closing[start]
        alone = tex[start - 1 : start] == "{" and tex[end + 1 : end + 2] == "}"
        return heights[start] == 0 and not alone

    out = []
    for i, ch in enumerate(tex):
        if ch == opener:
            kept = keep is not None and keep(i, closing[i])
            opened = _LEFT if kept else _SIZES[min(heights[i], most)] + "("
            out.append("{" + opened if brace and braced_pair(i) else opened)
        elif ch == closer:
            start = partner[i]
            if keep is not None and keep(start, i):
                out.append(_RIGHT)
                continue
            size = _SIZES[min(heights[start], most)]
            closed = size[:-1] + "r)" if size else ")"
            out.append(closed + "}" if brace and braced_pair(start) else closed)
        else:
            out.append(ch)
    return "".join(out)


_TOKEN = re.compile(
    r"\\(?:bigl|Bigl|biggl|Biggl)\(|\\(?:bigr|Bigr|biggr|Biggr)\)|\\[A-Za-z]+|\\.|.", re.S
)
_OPENERS = ("(", FIT_OPEN)
_CLOSERS = (")", FIT_CLOSE)


#: a break inside parentheses narrower than this (see visual_width) is dropped: never split
#: ``(1 - a)`` or ``(1 - \sigma(w x))``
SHORT_PAIR = 24


def _short_pairs(tokens: list[str]) -> set[int]:
    """The indices of the opening tokens whose pair holds less than ``SHORT_PAIR``."""
    short: set[int] = set()
    stack: list[int] = []
    for i, token in enumerate(tokens):
        if token in _OPENERS or token.endswith("l("):
            stack.append(i)
        elif (token in _CLOSERS or token.endswith("r)")) and stack:
            start = stack.pop()
            if visual_width("".join(tokens[start + 1 : i]).replace(BREAK, "")) < SHORT_PAIR:
                short.add(start)
    return short


def _lone(tokens: list[str]) -> bool:
    """Whether the tokens since an opening parenthesis are one short term (``1``, ``a``)."""
    return visual_width("".join(tokens)) < 3


def _top_level_segments(tex: str) -> list[str]:
    """Split sized LaTeX at the break markers worth breaking at.

    A marker counts only at brace depth 0 (a line cannot end inside ``\\frac{...}``) and
    not inside a short pair of parentheses (never split ``(1 - a)``); others are dropped.
    """
    segments: list[str] = []
    current: list[str] = []
    depth = 0
    tokens = _TOKEN.findall(tex)
    inner = _short_pairs(tokens)
    parens: list[bool] = []  # per open parenthesis: is it a short one?
    opened: list[int] = []  # per open parenthesis: where it opened in ``current`` (or -1)
    for i, token in enumerate(tokens):
        if token == BREAK:
            # nor right after a lone first term: a line never ends in "(1"
            lone = bool(opened) and opened[-1] >= 0 and _lone(current[opened[-1] + 1 :])
            if depth == 0 and not (parens and parens[-1]) and not lone:
                segments.append("".join(current))
                current = []
                opened = [-1] * len(opened)
            continue
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif token in _OPENERS or token.endswith("l("):
            parens.append(i in inner)
            opened.append(len(current))
        elif (token in _CLOSERS or token.endswith("r)")) and parens:
            parens.pop()
            opened.pop()
        current.append(token)
    segments.append("".join(current))
    return segments


_COMMAND = re.compile(r"\\[A-Za-z]+")
#: commands typeset as a word, as wide as it (the rest count as one character)
_WORDS = {rf"\{word}": word for word in ("tanh", "log", "exp", "det", "sinh", "cosh", "max")}
_SCRIPT = re.compile(r"[\^_]\{([^{}]*)\}")


#: the longest line of LaTeX source written: TeX reads a line into a buffer of 200,000
#: characters, and a model's reason over 320 paths ran to 669,111 (hostile43a #4)
SOURCE_LINE = 4000


def source_lines(tex: str, most: int = SOURCE_LINE) -> str:
    """``tex`` with every line longer than ``most`` broken at spaces (a newline is a space to
    TeX, in text and in math); comment lines are left whole."""
    out = []
    for line in tex.split("\n"):
        if len(line) <= most or line.lstrip().startswith("%"):
            out.append(line)
            continue
        while len(line) > most:
            cut = line.rfind(" ", 0, most)
            if cut <= 0:  # no space in reach: the next one
                cut = line.find(" ", most)
                if cut < 0:
                    break
            out.append(line[:cut])
            line = line[cut + 1 :]
        out.append(line)
    return "\n".join(out)


def align_rows(rows: list[str], space: str = "") -> str:
    r"""The rows of an ``align`` environment joined by ``\\`` (``\\[3pt]`` with ``space``
    ``"[3pt]"``), but by ``\\*`` before a row that continues the one above (``&\quad ...``,
    ``&= ...``): under ``\allowdisplaybreaks`` a page may break at any ``\\``, and the
    last line of a gradient stood alone at the top of a page (lecturer43 #4). An equation of
    more than :data:`KEPT_LINES` lines may break inside, but not after its first line or
    before its last: one taller than a page must break somewhere."""
    groups: list[list[str]] = []
    for row in rows:
        if groups and row.startswith((r"&\quad", "&=")):
            groups[-1].append(row)
        else:
            groups.append([row])
    joined = []
    for group in groups:
        text = group[0]
        for index, row in enumerate(group[1:], start=1):
            kept = len(group) <= KEPT_LINES or index in (1, len(group) - 1)
            text += (" \\\\*" if kept else " \\\\") + f"{space}\n{row}"
        joined.append(text)
    return f" \\\\{space}\n".join(joined)


#: an equation of up to this many lines is kept on one page
KEPT_LINES = 8


def visual_width(tex: str) -> float:
    """A rough width of typeset math, in 'characters' (about 6 pt): enough to decide where to
    break. ``\\odot`` with its spaces is two (12 pt), a ``\\Biggr)`` two (8 pt against 4 for
    a paren): counted as one each, a line of an 8-layer gradient ran 71 pt past the page
    (lecturer43 #3)."""
    text = tex.replace(r"\odot", r"\odot\odot")
    text = re.sub(r"\\(?:biggl|biggr|Biggl|Biggr)(\S)", r"\1s", text)
    text = re.sub(r"\\(?:bigl|bigr|Bigl|Bigr)", "", text)
    text = _SCRIPT.sub(lambda m: "s" * max(1, len(m.group(1)) // 2), text)
    text = _COMMAND.sub(lambda m: _WORDS.get(m.group(0), "c"), text)
    text = text.replace("{", "").replace("}", "").replace(" ", "")
    return float(len(text))


def display_width(tex: str) -> float:
    """:func:`visual_width` with a fraction as wide as the wider of its numerator and
    denominator (which visual_width adds: enough to break by, too much to lay out by)."""
    start = tex.find(r"\frac{")
    if start < 0:
        return visual_width(tex)
    numerator, after = _group(tex, start + len(r"\frac"))
    denominator, end = _group(tex, after)
    inner = max(display_width(numerator), display_width(denominator))
    return visual_width(tex[:start]) + inner + display_width(tex[end:])


def widest_fraction(tex: str) -> float:
    """The width (:func:`display_width`) of the widest numerator or denominator of a
    fraction in ``tex``, 0 without one: a part no line break reaches, inline or displayed."""
    widest = 0.0
    start = tex.find(r"\frac{")
    while start >= 0:
        numerator, after = _group(tex, start + len(r"\frac"))
        denominator, _end = _group(tex, after)
        widest = max(widest, display_width(numerator), display_width(denominator))
        start = tex.find(r"\frac{", start + 1)
    return widest


def _group(tex: str, start: int) -> tuple[str, int]:
    """The text of the brace group opening at ``start`` and the index after it."""
    depth = 0
    for index in range(start, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[index], 0)
        if depth == 0:
            return tex[start + 1 : index], index + 1
    return tex[start + 1 :], len(tex)


def break_lines(tex: str, width: float) -> list[str]:
    """Greedy line filling at top-level break markers; every line at most ``width`` if possible.

    A fit pair (SymPy's ``\\left( ... \\right)``) typeset whole on one line stays so; one the
    breaks split gets a fixed size (``\\biggl(`` around a fraction), since TeX cannot carry a
    ``\\left`` over to the next line.
    """
    lines: list[str] = []
    current = ""
    # sized delimiters are not groups, so a pair may open on one line and close on the next
    sized = _sized(tex, OPEN, CLOSE, tall=3) if OPEN in tex else tex
    for segment in _top_level_segments(sized):
        if current and visual_width(current + segment) > width:
            lines.append(current.rstrip())
            current = segment.lstrip()
        else:
            current += segment
    lines.append(current)
    if FIT_OPEN not in tex:
        return lines
    joined = _LINE.join(lines)
    whole = _sized(joined, FIT_OPEN, FIT_CLOSE, tall=3, keep=lambda a, b: _LINE not in joined[a:b])
    return whole.split(_LINE)


#: joins the lines of a broken formula while its fit pairs are sized
_LINE = "\x06"


def finish(tex: str) -> str:
    """Final LaTeX of one printed expression on one (display) line: sized delimiters, no
    markers, SymPy's own pairs as ``\\left( ... \\right)``.

    Memoised for short ones: the same symbols and shapes are finished thousands of times in a
    deep network (a long expanded gradient is finished once and not kept).
    """
    return _finish_short(tex) if len(tex) <= _SHORT else _finish(tex)


def finish_inline(tex: str) -> str:
    """Final LaTeX of one printed expression inside a sentence: every pair of parentheses a
    fixed size (``\\bigl(`` around a fraction), so TeX can break the line inside a long one at a
    top-level sign."""
    if visual_width(tex) > LONG_INLINE:  # TeX breaks after + and \odot, not between factors
        tex = tex.replace(PRODUCT, r" \, \allowbreak ")
    fixed = tex.replace(BREAK, "").replace(FIT_OPEN, OPEN).replace(FIT_CLOSE, CLOSE)
    return _sized(fixed, OPEN, CLOSE, tall=1, brace=True, most=2) if OPEN in fixed else fixed


_SHORT = 200


def _finish(tex: str) -> str:
    return (
        size_delimiters(tex.replace(BREAK, "")).replace(FIT_OPEN, _LEFT).replace(FIT_CLOSE, _RIGHT)
    )


_finish_short = functools.lru_cache(maxsize=8192)(_finish)


def log_sum_exp_latex(arg: str) -> str:
    """log(sum(exp(arg))) over every entry, ``arg`` printed."""
    return r"\log" + OPEN + r"\operatorname{sum}" + OPEN + r"\exp" + OPEN + arg + CLOSE * 3


def softmax_of_all_latex(arg: str) -> str:
    """exp(arg) / sum(exp(arg)) over every entry, ``arg`` printed."""
    total = r"\operatorname{sum}" + OPEN + r"\exp" + OPEN + arg + CLOSE + CLOSE
    return r"\frac{\exp" + OPEN + arg + CLOSE + "}{" + total + "}"
