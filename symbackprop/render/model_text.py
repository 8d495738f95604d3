"""The terminal rendering of a model's derivation (plain text when piped or with NO_COLOR).

The model's equations, the shape table (each inferred shape with the equation that forced
it), every step (target, expression, shape, rule, candidates with ✓/✗, scalar algebra, the
cached values reused, the reason), the adjoints kept under a symbol, and the gradients:
compact, and with ``expanded`` substituted where that stays short. Internal values are shown
by what they stand for (:mod:`symbackprop.render.model_names`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import RenderableType

from symbackprop.formula.ast import to_text as formula_text
from symbackprop.render.lines import Lines, Piece, pad
from symbackprop.render.model_names import MARKS_NOTE, first_marked
from symbackprop.render.model_view import ModelView
from symbackprop.render.names import counted_steps, shape_text, size_text
from symbackprop.render.shown_sizes import shown_sizes

if TYPE_CHECKING:
    from symbackprop.core.derivation import Step
    from symbackprop.core.model_derivation import ModelDerivation


def _shape_cell(shape: tuple[object, object], view: ModelView) -> str:
    return f"{shape_text(shape)}  {size_text(shape, view.sizes)}".rstrip()


def _step(out: Lines, index: int, step: Step, view: ModelView) -> None:
    names = view.names
    head: list[Piece] = [(f"{index:>2}. ", "bold"), (view.target(step), "bold cyan")]
    head.append((f" = {view.whole(step.expr)}", ""))
    stores = step.stores
    if stores and stores != view.target(step):
        head.append((f"   =: {stores}", "bold magenta"))
    out.line(*head)
    indent = ("    ", "")
    kept = "   kept under its symbol" if stores else ""
    out.para(f"shape {_shape_cell(step.shape, view)}   rule: {step.rule}{kept}", "dim", indent)
    if step.candidates:
        out.para("candidates:", "italic", indent)
        texts = [view.candidate_text(cand) for cand in step.candidates]
        width = max(cell_len(t) for t in texts)
        for cand, text_ in zip(step.candidates, texts, strict=True):
            if cand.equal is not None:
                mark, note = ("=", "bold green"), view.prose(cand.notes)
            else:
                mark = ("✓", "bold green") if cand.fits else ("✗", "red")
                note = (
                    shape_text(cand.shape) if cand.fits and cand.shape else view.prose(cand.notes)
                )
            arrangement = ("  " + pad(text_, width) + "  ", "")
            out.para(note, "" if cand.fits else "dim", ("      ", ""), mark, arrangement)
    if step.algebra_text:
        out.para(f"scalar algebra: {view.prose(step.algebra_segments)}", "", indent)
    if step.uses:
        used = ", ".join(names.bare_text(name) for name in step.uses)
        out.para(f"reuses from the forward cache: {used}", "", indent)
    out.para(f"why: {view.reason(step)}", "italic", indent)


def render(
    d: ModelDerivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
) -> list[RenderableType]:
    """A model's derivation as rich renderables, top to bottom."""
    view = ModelView(d, wrt=wrt, expanded=expanded, extra_sizes=shown_sizes(sizes, d))
    model = view.model
    out = Lines()
    params = ", ".join(model.parameters)
    out.title(
        f"Backpropagation for a model in {params}", f"cost {model.cost}; {view.mode_text}", "bold"
    )
    if wrt:
        out.para(f"only the steps on the path from {model.cost} to {wrt}", "dim")

    out.heading("Equations (forward; the values the backward pass reads are cached)")
    for eq in model.equations:
        out.line((f"  {eq.name} = {formula_text(eq.expr)}", ""))
    data = ", ".join(model.data) if model.data else "none"
    out.para(f"  data: {data}; parameters: {params}", "dim")
    marked = first_marked(d.graph)
    if marked:
        out.para("  " + MARKS_NOTE.format(d.graph.value_text(marked)), "dim")
    for assumption in d.assumptions:
        out.para(f"  assumption: {assumption}", "yellow")

    out.heading("Shapes")
    rows: list[tuple[Piece, ...]] = [
        (("name", "bold"), ("shape", "bold"), ("size", "bold"), ("from", "bold"))
    ]
    for name in view.table_names():
        shape = model.shapes[name]
        rows.append(
            (
                (name, "bold"),
                (shape_text(shape), ""),
                (size_text(shape, view.sizes), "dim"),
                (view.shape_origin(name), "dim"),
            )
        )
    out.table(rows, indent=2, gap=2, wrap_last=True)

    steps = view.steps
    out.heading(f"Derivation ({counted_steps(len(steps), len(d.steps))}, from {model.cost} back)")
    for step in steps:  # numbered as the derivation (and the code) number them
        _step(out, step.number, step, view)

    if view.stored:
        out.heading("Adjoints kept under a symbol (each reused by the steps after it)")
        for step in view.stored:
            out.line((f"  {step.stores} = {view.whole(step.expr)}", ""))

    out.heading("Gradients")
    grads: list[tuple[Piece, ...]] = [
        (
            (f"dJ/d{name} = {view.whole(d.gradients[name])}", ""),
            (_shape_cell(model.shapes[name], view), "dim"),
        )
        for name in view.parameters
    ]
    out.table(grads, indent=2, gap=4)
    if expanded:
        full = view.expanded_gradients()
        if full:
            out.heading("Expanded (every adjoint symbol substituted)")
            for name, expr in full.items():
                out.line((f"  dJ/d{name} = {view.whole(expr)}", ""))
        if view.expanded_note:
            out.line()
            out.para(f"note: {view.expanded_note}", "yellow")
    return [out]
