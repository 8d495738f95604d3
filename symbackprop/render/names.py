"""Naming rules shared by every renderer: symbol names, dimensions, shapes and escapes.

One place decides that ``W2`` is written ``W^{[2]}`` in LaTeX, that ``delta2`` is
``\\delta^{[2]}``, that ``n2`` is ``n_2`` and how a shape is shown with its concrete size
beside it, so the text, LaTeX, Markdown and JSON outputs cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Any

#: layer-indexed matrix names: W2, b2, z2, a2, Z2, A2, delta2
_LAYERED = re.compile(r"(W|b|z|a|Z|A|delta)(\d+)")
_DIM = re.compile(r"n(\d+)")
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # in OT1 text fonts '<' and '>' print as '¡' and '¿'
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
# Unicode the engine's prose uses; pdflatex with the default encoding knows none of them.
_UNICODE_MATH = {
    "⊙": r"\odot",
    "λ": r"\lambda",
    "×": r"\times",
    "→": r"\to",
    "≤": r"\le",
    "≥": r"\ge",
    "σ": r"\sigma",
    "δ": r"\delta",
    "∂": r"\partial",
}


def escape_latex(text: str) -> str:
    """Escape ``text`` for LaTeX's text mode (specials, and Unicode math as inline math)."""
    out = []
    for ch in text:
        if ch in _LATEX_SPECIALS:
            out.append(_LATEX_SPECIALS[ch])
        elif ch in _UNICODE_MATH:
            out.append(f"${_UNICODE_MATH[ch]}$")
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")  # never emit a character pdflatex cannot typeset
    return "".join(out)


def latex_identifier(name: str) -> str:
    """A free-form identifier (a width name, a custom activation) in math mode."""
    if len(name) == 1 and name.isalpha():
        return name
    return r"\mathit{" + escape_latex(name) + "}"


def split_name(name: str) -> tuple[str, str | None]:
    """``W2`` -> ``('W', '[2]')``, ``delta3`` -> ``('\\delta', '[3]')``, ``x`` -> ``('x', None)``.

    The superscript is returned separately so that a transpose can join it: ``a^{[1]\\top}``.
    """
    match = _LAYERED.fullmatch(name)
    if match:
        base = r"\delta" if match.group(1) == "delta" else match.group(1)
        return base, f"[{match.group(2)}]"
    return latex_identifier(name), None


def latex_name(name: str, *, transpose: bool = False) -> str:
    """A matrix symbol's LaTeX: ``W2`` -> ``W^{[2]}``, with ``transpose`` ``W^{[2]\\top}``."""
    base, sup = split_name(name)
    parts = [p for p in (sup, r"\top" if transpose else None) if p]
    return f"{base}^{{{''.join(parts)}}}" if parts else base


def dim_text(dim: Any) -> str:
    """A dimension as plain text (``n2``, ``m``, ``1``)."""
    return str(dim)


def dim_latex(dim: Any) -> str:
    """A dimension in LaTeX: ``n2`` -> ``n_{2}``, ``m`` -> ``m``, a width name -> itself."""
    text = str(dim)
    match = _DIM.fullmatch(text)
    if match:
        return f"n_{{{match.group(1)}}}"
    if text.isdigit():
        return text
    return latex_identifier(text)


def shape_text(shape: tuple[Any, Any]) -> str:
    """``(n2, n1)`` -> ``'n2 x n1'``."""
    return f"{dim_text(shape[0])} x {dim_text(shape[1])}"


def shape_latex(shape: tuple[Any, Any]) -> str:
    """``(n2, n1)`` -> ``'n_{2} \\times n_{1}'``."""
    return f"{dim_latex(shape[0])} \\times {dim_latex(shape[1])}"


def concrete(shape: tuple[Any, Any], sizes: dict[str, int]) -> tuple[int, int] | None:
    """The shape with every dimension replaced by its size, or ``None`` if one is unknown."""
    out = []
    for d in shape:
        text = str(d)
        if text.isdigit():
            out.append(int(text))
        elif text in sizes:
            out.append(sizes[text])
        else:
            return None
    return out[0], out[1]


def size_text(shape: tuple[Any, Any], sizes: dict[str, int]) -> str:
    """``'(2 x 3)'`` when every dimension has a size, else ``''``."""
    known = concrete(shape, sizes)
    return f"({known[0]} x {known[1]})" if known else ""


def target_latex(target: str) -> str:
    """A step target in LaTeX: ``dJ/dW2`` -> ``\\frac{\\partial J}{\\partial W^{[2]}}``."""
    if target.startswith("dJ/d"):
        return r"\frac{\partial J}{\partial " + latex_name(target[4:]) + "}"
    # the softmax assumption step: "s = 1^T y"
    match = re.fullmatch(r"s = 1\^T (\w+)", target)
    if match:
        return r"s = \mathbf{1}^{\top} " + latex_name(match.group(1))
    return r"\text{" + escape_latex(target) + "}"
