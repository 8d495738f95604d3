"""Markdown output: renders on GitHub and in Jupyter, math in ``$...$`` and ``$$...$$``.

The math is the LaTeX printer's; the reasons are printed from their segments, words escaped for
Markdown and mathematics as inline math (:mod:`symbackprop.render.prose`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from symbackprop.core.collector import without_cyclic_gc
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.core.segments import Segment, ends_with_stop
from symbackprop.render import model_latex
from symbackprop.render.argument import require_derivation
from symbackprop.render.latex import LatexDocument
from symbackprop.render.names import concrete, counted_steps, number_latex
from symbackprop.render.prose import also_fitting, markdown_display, markdown_inline
from symbackprop.render.shown_sizes import shown_sizes
from symbackprop.render.view import View

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation


def _md_prose(doc: LatexDocument, segments: tuple[Segment, ...]) -> str:
    """A reason or note in Markdown, without its closing full stop (the caller adds one)."""
    text = markdown_inline(segments, doc.printer)
    return text.removesuffix(".") if ends_with_stop(segments) else text


def _display(rows: list[str]) -> list[str]:
    return ["$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$", ""]


@without_cyclic_gc
def to_markdown(
    d: Derivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
) -> str:
    """The derivation as Markdown: shapes, forward pass, steps with reasons, gradients."""
    require_derivation(d, "to_markdown", expanded=expanded)
    if isinstance(d, ModelDerivation):
        return model_latex.to_markdown(d, wrt=wrt, expanded=expanded, sizes=sizes)
    view = View(d, wrt=wrt, expanded=expanded, extra_sizes=shown_sizes(sizes, d))
    doc = LatexDocument(view)
    g, net = d.graph, d.network
    out = [
        f"### Backpropagation for `{net.compact}`",
        "",
        f"Loss `{net.loss}` ({g.loss.description}), "
        + markdown_inline(view.mode, doc.printer)  # m as math, as everywhere
        + (f", L2 weight decay $\\lambda = {number_latex(net.l2_text)}$" if net.l2 else "")
        + ".",
        "",
        "| name | shape | size |",
        "|---|---|---|",
    ]
    for name in view.table_names():
        shape = d.shapes[name]
        known = concrete(shape, view.sizes)  # in math, as a model's table gives it
        size = f"${known[0]} \\times {known[1]}$" if known else ""
        out.append(f"| ${doc.name(name)}$ | ${doc.naming.shape(shape)}$ | {size} |")
    out += ["", "**Forward propagation** (the values the backward pass reads are cached)", ""]
    out += _display([f"{doc.name(name)} &= {doc.math(expr)}" for name, expr in d.forward.items()])
    for name, formula in view.definitions:
        out += [f"*Custom activation:* `{name}(z) = {formula}`", ""]
    # the loss and the cost, as the document's Cost section and the web page give them
    out += ["**Cost**", ""]
    out += _display([f"{lhs} &= {rhs}" for lhs, rhs in doc.cost_equations()])
    for step in d.steps:  # each stated assumption, its target set as mathematics
        if step.assumption is not None:
            out += [f"*Assumption:* {markdown_inline(step.segments[1:], doc.printer)}.", ""]
    out += [
        f"**Derivation** ({counted_steps(len(view.steps), len(d.steps))}, from the loss back)",
        "",
    ]
    note = view.generic_note(doc.naming.dim, lambda tex: f"${tex}$")
    if note:
        out += [f"*Note:* {note}.", ""]
    for step in view.steps:  # numbered as the derivation (and the code) number them
        line = f"**Step {step.number}.** ${doc.target(step)} = {doc.math(step.expr)}$"
        line += f" — ${doc.naming.shape(step.shape)}$, rule *{step.rule}*"
        if step.delta is not None:
            line += f", stored as ${doc.name(step.delta.name)}$"
        out += [line, ""]  # a paragraph, then its details as a list: any number, any count
        chosen = step.chosen
        if chosen is not None:
            lead = "shape analysis" + (" of one column" if step.per_column else "")
            also = also_fitting(step.candidates, chosen)
            fit = (
                "fits, as does its equal form"
                if step.equal_forms
                else "fits, as does another"
                if also
                else "is the only fit"
            )
            out.append(f"- {lead}: ${doc.underbraced(chosen)}$ {fit}")
            for cand in step.candidates:
                if cand.equal is not None:
                    out.append(f"- = ${doc.candidate(cand)}$: {_md_prose(doc, cand.notes)}")
                elif cand in also:
                    out.append(f"- ✓ ${doc.candidate(cand)}$: fits too")
                elif not cand.fits:
                    out.append(f"- ✗ ${doc.candidate(cand)}$: {_md_prose(doc, cand.notes)}")
        if step.algebra_segments:
            out += markdown_display("- scalar algebra:", step.algebra_segments, doc.printer)
        if step.cached:
            names = ", ".join(f"${doc.name(n)}$" for n in step.cached)
            out.append(f"- reuses {names} from the forward cache")
        if step.targets_read:
            names = ", ".join(f"${doc.name(n)}$" for n in step.targets_read)
            out.append(f"- reads the target {names}")
        out += [f"- why: {_md_prose(doc, step.segments)}.", ""]
    out += ["**Delta recursion and gradients**", ""]
    out += _display(doc.delta_rows() + doc.gradient_rows())
    if view.expanded_note:
        out += [f"*Note:* {view.expanded_note}.", ""]
    elif view.show_expanded:
        out += ["**Expanded** (every delta substituted)", ""]
        out += _display(doc.expanded_rows())
    return "\n".join(out).rstrip("\n") + "\n"
