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

from sympy import Transpose

from symbackprop.render.latexprint import MathLatexPrinter, finish
from symbackprop.render.names import dim_latex, escape_latex, latex_name

_ACT_PRIME = re.compile(r"(\w+)'\((\w+)\)")


def operand_latex(label: str, expr: Any, printer: MathLatexPrinter) -> str:
    """One candidate operand: by its label when that names it best, else by its expression."""
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


def _prose_pattern(dims: Iterable[str]) -> re.Pattern[str]:
    dim_alt = "|".join(sorted({re.escape(d) for d in dims} | {"1", r"\d+"}, key=len, reverse=True))
    return re.compile(
        rf"(?P<shape>\b(?:{dim_alt}) x (?:{dim_alt})\b)"
        r"|(?P<grad>\bdJ/d\w+)"
        r"|(?P<prime>\b\w+'\(\w+\))"
        r"|(?P<ones>\b1_m(?:\^T)?)"
        r"|(?P<sym>\b(?:W|b|z|a|Z|A|delta)\d+(?:\^T)?(?![\w']))"
        r"|(?P<tsym>\b[xyXY]\^T)"
        r"|(?P<dim>\bn\d+\b)"
    )


def prose_latex(text: str, dims: Iterable[str], printer: MathLatexPrinter) -> str:
    """Escape plain-text prose for LaTeX, setting names, shapes and gradients as math."""
    pattern = _prose_pattern(dims)
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        out.append(escape_latex(text[pos : match.start()]))
        pos = match.end()
        token = match.group(0)
        kind = match.lastgroup
        if kind == "shape":
            left, right = token.split(" x ")
            math = f"{dim_latex(left)} \\times {dim_latex(right)}"
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
    parts = text.split(" with ")
    out = parts[0]
    for part in parts[1:]:
        out += r" \quad\text{with } " + part
    return out
