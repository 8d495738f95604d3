"""LaTeX for the derivation's labels and prose: operands, step targets, reasons, notes.

The engine records candidates as operands with a display label (``dJ/da3``,
``sigmoid'(z2)``, ``(W3^T delta3)^T``) and explains each step in plain-text prose. These
helpers turn them into LaTeX for the document and Markdown renderers: symbol names and shapes
become inline math, everything else is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sympy import OneMatrix, Transpose

from symbackprop.render.latexprint import MathLatexPrinter, finish
from symbackprop.render.names import dim_latex, escape_latex, latex_name

_ACT_PRIME = re.compile(r"(\w+)'\((\w+)\)")


def operand_latex(label: str, expr: Any, printer: MathLatexPrinter) -> str:
    """One candidate operand: by its label when that names it best, else by its expression."""
    if isinstance(expr, OneMatrix):  # the ones vector of a batch sum: 1_m^T, as elsewhere
        return printer._ones_factor(expr)
    if isinstance(expr, Transpose) and isinstance(expr.arg, OneMatrix):
        return printer._ones_factor(OneMatrix(expr.arg.shape[1], expr.arg.shape[0]))
    if isinstance(expr, Transpose) and label.endswith("^T"):
        inner_label = label[:-2]
        if inner_label.startswith("(") and inner_label.endswith(")"):
            inner_label = inner_label[1:-1]
        inner = operand_latex(inner_label, expr.arg, printer)
        if re.fullmatch(r"[A-Za-z\\]+(\^\{[^{}]*\})?", inner) and "}" in inner:
            return inner[:-1] + r"\top}"
        if re.fullmatch(r"[A-Za-z]+", inner):
            return inner + r"^{\top}"
        return rf"\bigl({inner}\bigr)^{{\top}}"
    if label.startswith("dJ/d"):
        return r"\frac{\partial J}{\partial " + latex_name(label[4:]) + "}"
    match = _ACT_PRIME.fullmatch(label)
    if match:
        return printer._act(match.group(1)) + "'(" + latex_name(match.group(2)) + ")"
    return finish(printer.doprint(expr))


#: one token of prose set as math; a shape's two words are checked against the dimensions
#: afterwards, so the pattern does not grow with the depth (it did, and prose got quadratic)
_SHAPE = r"(?P<shape>\b(?P<rows>\w+) x (?P<cols>\w+)\b)"
_OTHER = (
    r"(?P<l2coef>\(lambda/(?:2m|2|m)\))"
    r"|(?P<norm>\bsum_l \|\|W_l\|\|_F\^2)"
    r"|(?P<lam>\blambda\b)"
    r"|(?P<dadz>\bda/dz\b)"
    r"|(?P<grad>\bdJ/d\w+)"
    r"|(?P<prime>\b\w+'\(\w+\))"
    r"|(?P<ones>\b1_m(?:\^T)?)"
    r"|(?P<sym>\b(?:W|b|z|a|Z|A|delta)\d+(?:\^T)?(?![\w']))"
    r"|(?P<tsym>\b[xyXYSag]\^T)"
    r"|(?P<dim>\bn\d+\b)"
)
_PROSE = re.compile(_SHAPE + "|" + _OTHER)
_PROSE_OTHER = re.compile(_OTHER)


def _is_dim(word: str, dims: set[str]) -> bool:
    return word in dims or word.isdigit()


def prose_latex(text: str, dims: Iterable[str], printer: MathLatexPrinter) -> str:
    """Escape plain-text prose for LaTeX, setting names, shapes and gradients as math."""
    known = set(dims)
    out: list[str] = []
    pos = 0
    search_from = 0
    while True:
        match = _PROSE.search(text, search_from)
        if match is None:
            break
        if match.lastgroup == "shape" and not (
            _is_dim(match.group("rows"), known) and _is_dim(match.group("cols"), known)
        ):
            # not a shape ("W2 x ..."): the other kinds may still match here
            start = match.start()
            match = _PROSE_OTHER.match(text, start)
            if match is None:
                search_from = start + 1
                continue
        kind = match.lastgroup
        out.append(escape_latex(text[pos : match.start()]))
        pos = search_from = match.end()
        token = match.group(0)
        if kind == "l2coef":
            math = r"\frac{\lambda}{" + token[8:-1] + "}"
        elif kind == "norm":
            math = r"\sum_l \lVert W^{[l]} \rVert_F^2"
        elif kind == "lam":
            math = r"\lambda"
        elif kind == "dadz":
            math = r"\partial a / \partial z"
        elif kind == "shape":
            math = f"{dim_latex(match.group('rows'))} \\times {dim_latex(match.group('cols'))}"
        elif kind == "grad":
            math = r"\partial J / \partial " + latex_name(token[4:])
        elif kind == "prime":
            name, arg = _ACT_PRIME.fullmatch(token).groups()  # type: ignore[union-attr]
            arg_tex = latex_name(arg) if re.fullmatch(r"\w+\d+", arg) else arg
            math = printer._act(name) + "'(" + arg_tex + ")"
        elif kind == "ones":
            math = r"\mathbf{1}_m" + (r"^{\top}" if token.endswith("^T") else "")
        elif kind in ("sym", "tsym"):
            name = token.removesuffix("^T")
            math = latex_name(name, transpose=token.endswith("^T"))
        else:
            math = dim_latex(token)
        out.append(f"${math}$")
    out.append(escape_latex(text[pos:]))
    return "".join(out)


def algebra_latex(algebra: str) -> str:
    """The engine's scalar-algebra line (SymPy's plain text of scalars) as display math."""
    text = algebra.replace("**", "^").replace("*", " ")
    text = re.sub(r"\bsum_(\w)", r"\\sum_\1", text)
    text = re.sub(r"\b(log|exp|tanh)\(", r"\\\1(", text)
    text = text.replace("⊙", r"\odot ")
    text = text.replace(
        "; s = 1 by the stated assumption, so ", r";\ s = 1 \text{ by the stated assumption, so } "
    )
    parts = text.split(" with ")
    out = parts[0]
    for part in parts[1:]:
        out += r" \quad\text{with } " + part
    return out
