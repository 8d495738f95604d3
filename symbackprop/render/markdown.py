"""Markdown output: renders on GitHub and in Jupyter, math in ``$...$`` and ``$$...$$``.

The math is the LaTeX printer's; the prose is the engine's reasons with names set as math.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from symbackprop.render.latex import LatexDocument
from symbackprop.render.names import latex_name, shape_latex, size_text, target_latex
from symbackprop.render.view import View

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation

_MD_SPECIALS = re.compile(r"([\\`*_\[\]<>|#])")


def _md_prose(doc: LatexDocument, text: str) -> str:
    """The engine's prose for Markdown: inline math from the LaTeX prose, the rest escaped."""
    tex = doc.prose(text)
    # prose_latex escaped text for LaTeX; undo that outside math and escape for Markdown
    pieces = tex.split("$")
    for i in range(0, len(pieces), 2):
        plain = (
            pieces[i]
            .replace(r"\textbackslash{}", "\\")
            .replace(r"\textasciicircum{}", "^")
            .replace(r"\textasciitilde{}", "~")
        )
        plain = re.sub(r"\\([&%#_{}$])", r"\1", plain)
        pieces[i] = _MD_SPECIALS.sub(r"\\\1", plain)
    return "$".join(pieces)


def _display(rows: list[str]) -> list[str]:
    return ["$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$", ""]


def to_markdown(
    d: Derivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
) -> str:
    """The derivation as Markdown: shapes, forward pass, steps with reasons, gradients."""
    view = View(d, wrt=wrt, expanded=expanded, extra_sizes=dict(sizes or {}))
    doc = LatexDocument(view)
    g, net = d.graph, d.network
    out = [
        f"### Backpropagation for `{net.compact}`",
        "",
        f"Loss `{net.loss}` ({g.loss.description}), {view.mode}"
        + (f", L2 weight decay $\\lambda = {net.l2:g}$" if net.l2 else "")
        + ".",
        "",
        "| name | shape | size |",
        "|---|---|---|",
    ]
    for name in view.table_names():
        shape = d.shapes[name]
        out.append(
            f"| ${latex_name(name)}$ | ${shape_latex(shape)}$ | {size_text(shape, view.sizes)} |"
        )
    out += ["", "**Forward propagation** (each value is cached for the backward pass)", ""]
    out += _display(
        [f"{latex_name(name)} &= {doc.math(expr)}" for name, expr in d.forward.items()]
    )
    for assumption in d.assumptions:
        out += [f"*Assumption:* {_md_prose(doc, assumption)}.", ""]
    out += [f"**Derivation** ({len(view.steps)} steps, from the loss back)", ""]
    for index, step in enumerate(view.steps, start=1):
        line = f"{index}. ${target_latex(step.target)} = {doc.math(step.expr)}$"
        line += f" — ${shape_latex(step.shape)}$, rule *{step.rule}*"
        if step.stores:
            line += f", stored as ${latex_name(step.stores)}$"
        out.append(line)
        chosen = step.chosen
        if chosen is not None:
            out.append(f"   - shape analysis: ${doc.underbraced(chosen)}$ is the only fit")
            for cand in step.candidates:
                if cand.equal is not None:
                    out.append(f"   - = ${doc.candidate(cand)}$: {_md_prose(doc, cand.note)}")
                elif not cand.fits:
                    out.append(f"   - ✗ ${doc.candidate(cand)}$: {_md_prose(doc, cand.note)}")
        if step.algebra_text:
            out.append(f"   - scalar algebra: ${doc_algebra(step.algebra_text)}$")
        if step.uses:
            names = ", ".join(f"${latex_name(n)}$" for n in step.uses)
            out.append(f"   - reuses {names} from the forward cache")
        out.append(f"   - why: {_md_prose(doc, step.reason.rstrip('.'))}.")
    out += ["", "**Delta recursion and gradients**", ""]
    out += _display(doc.delta_rows() + doc.gradient_rows())
    if view.expanded_note:
        out += [f"*Note:* {view.expanded_note}.", ""]
    elif view.show_expanded:
        out += ["**Expanded** (every delta substituted)", ""]
        out += _display(doc.expanded_rows())
    return "\n".join(out).rstrip("\n") + "\n"


def doc_algebra(algebra: str) -> str:
    from symbackprop.render.mathtext import algebra_latex

    return algebra_latex(algebra)
