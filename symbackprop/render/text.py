"""The terminal rendering: rich renderables (plain text when piped or with NO_COLOR).

Shows the shape table (symbolic shapes with this network's sizes beside them), forward
propagation, every step (target, expression, shape, rule, the candidates with ✓/✗ and notes,
the scalar algebra, the cached values reused, the reason), the delta recursion and the final
gradients, compact and, with ``expanded``, fully substituted.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType

from symbackprop.core.collector import without_cyclic_gc
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.core.textprint import text
from symbackprop.errors import SpecError
from symbackprop.render import model_text
from symbackprop.render.argument import require_derivation
from symbackprop.render.lines import Lines, Piece, cells, pad
from symbackprop.render.names import counted_steps, shape_text, size_text
from symbackprop.render.shown_sizes import shown_sizes
from symbackprop.render.view import View

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation, Step

#: the width used by :func:`to_text` (the CLI uses the terminal's)
TEXT_WIDTH = 100


def _shape_cell(shape: tuple[Any, Any], view: View) -> str:
    sizes = size_text(shape, view.sizes)
    return f"{shape_text(shape)}  {sizes}".rstrip()


def shape_table(view: View) -> Lines:
    """Every x, W, b, z, a, y with its symbolic shape and concrete size."""
    rows: list[tuple[Piece, ...]] = [(("name", "bold"), ("shape", "bold"), ("size", "bold"))]
    for name in view.table_names():
        shape = view.d.shapes[name]
        rows.append(
            ((name, "bold"), (shape_text(shape), ""), (size_text(shape, view.sizes), "dim"))
        )
    out = Lines()
    out.table(rows, indent=2, gap=2)
    return out


def _step(out: Lines, step: Step, view: View) -> None:
    head: list[Piece] = [(f"{step.number:>2}. ", "bold"), (step.target, "bold cyan")]
    head.append((f" = {text(step.expr)}", ""))
    if step.stores:
        head.append((f"   =: {step.stores}", "bold magenta"))
    out.line(*head)  # a formula never wraps: a long one runs on
    indent = ("    ", "")
    out.para(f"shape {_shape_cell(step.shape, view)}   rule: {step.rule}", "dim", indent)
    if step.candidates:
        out.para("candidates:", "italic", indent)
        width = max(cells(cand.text) for cand in step.candidates)
        for cand in step.candidates:
            if cand.equal is not None:  # the same matrix as the survivor, written another way
                mark, note = ("=", "bold green"), cand.note
            else:
                mark = ("✓", "bold green") if cand.fits else ("✗", "red")
                note = shape_text(cand.shape) if cand.fits and cand.shape else cand.note
            arrangement = ("  " + pad(cand.text, width) + "  ", "")
            out.para(note, "" if cand.fits else "dim", ("      ", ""), mark, arrangement)
    if step.algebra_text:
        out.para(f"scalar algebra: {step.algebra_text}", "", indent)
    if step.cached:
        out.para(f"reuses from the forward cache: {', '.join(step.cached)}", "", indent)
    if step.targets_read:
        out.para(f"reads the target {', '.join(step.targets_read)}", "", indent)
    out.para(f"why: {step.reason}", "italic", indent)


def render(
    d: Derivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
) -> list[RenderableType]:
    """The derivation as rich renderables, top to bottom."""
    if isinstance(d, ModelDerivation):
        return model_text.render(d, wrt=wrt, expanded=expanded, sizes=sizes)
    view = View(d, wrt=wrt, expanded=expanded, extra_sizes=shown_sizes(sizes, d))
    net = d.network
    g = d.graph
    out = Lines()
    aside = f"loss {net.loss}"
    if net.l2:
        aside += f", L2 λ = {net.l2_text}"
    out.title(f"Backpropagation for {net.compact}", f"{aside}; {view.mode_text}", "bold")
    if wrt:
        out.para(f"only the steps on the path from the loss to {wrt}", "dim")

    out.heading("Shapes")
    out.items += shape_table(view).items

    out.heading("Forward propagation (the values the backward pass reads are cached)")
    for name, expr in d.forward.items():
        out.line((f"  {name} = {text(expr)}", ""))
    for name, formula in view.definitions:
        out.line((f"  {name}(z) = {formula}    (custom activation)", ""))
    out.line((f"  {cost_text(d)}    ({g.loss.description})", ""))
    for assumption in d.assumptions:
        out.para(f"  assumption: {assumption}", "yellow")

    steps = view.steps
    out.heading(
        f"Derivation ({counted_steps(len(steps), len(d.steps))}, from the loss back to layer "
        f"{view.layer})"
    )
    note = view.generic_note()
    if note:
        out.para(f"note: {note[0].lower()}{note[1:]}", "yellow", ("  ", ""))
    for step in steps:
        _step(out, step, view)

    z = "Z" if d.batch else "z"  # as the forward equations write it
    out.heading(
        f"Delta recursion (delta_l = dJ/d{z}_l, each before the last reusing the one after it)"
        if len(d.deltas) > 1  # the network's layers, not a --wrt view's
        else f"Delta (delta_l = dJ/d{z}_l; one layer, nothing to reuse)"
    )
    for layer in view.delta_layers:
        sym = d.delta_symbols[layer]
        out.line((f"  {sym.name} = {text(d.deltas[layer])}", ""))

    out.heading("Gradients")
    rows: list[tuple[Piece, ...]] = [
        (
            (f"dJ/d{name} = {text(d.gradients[name])}", ""),
            (_shape_cell(d.shapes[name], view), "dim"),
        )
        for name in view.parameters
    ]
    out.table(rows, indent=2, gap=4)

    if view.expanded_note:
        out.line()
        out.para(f"note: {view.expanded_note}", "yellow")
    elif expanded:
        out.heading("Expanded (every delta substituted)")
        for name, expr in view.expanded_gradients().items():
            out.line((f"  dJ/d{name} = {text(expr)}", ""))
    return [out]


#: the narrowest text rendering: a shape table's columns and a step's header need it
MIN_WIDTH = 40


def cost_text(d: Derivation) -> str:
    """The cost equation as text: ``J = L(a3, y)``, or the mean over the batch's m columns
    ``J = (1/m) sum_i L(A3(:, i), Y(:, i))``, with the L2 penalty where there is one (the text
    output's line, and the JSON's)."""
    depth = d.graph.depth
    cost = f"J = (1/m) sum_i L(A{depth}(:, i), Y(:, i))" if d.batch else f"J = L(a{depth}, y)"
    if d.network.l2:
        cost += " + (λ/2m) sum_l ||W_l||_F^2" if d.batch else " + (λ/2) sum_l ||W_l||_F^2"
    return cost


@without_cyclic_gc
def to_text(
    d: Derivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
    width: int = TEXT_WIDTH,
) -> str:
    """The terminal rendering as plain text (no colour codes), wrapped at ``width`` columns
    (an int from :data:`MIN_WIDTH`; None, "80" or 0 were taken and failed or wrapped at 20)."""
    require_derivation(d, "to_text", expanded=expanded)
    if isinstance(width, bool) or not isinstance(width, int) or width < MIN_WIDTH:
        raise SpecError(f"width must be an int of at least {MIN_WIDTH} columns, got {width!r}")
    blocks = render(d, wrt=wrt, expanded=expanded, sizes=sizes)
    if all(isinstance(block, Lines) for block in blocks):
        printed = "".join(block.plain(width) for block in blocks)  # type: ignore[union-attr]
    else:
        buffer = io.StringIO()
        console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
        for renderable in blocks:
            console.print(renderable, crop=False)
        printed = buffer.getvalue()
    # no trailing spaces (rich pads table cells), as the CLI prints it when piped
    return "\n".join(line.rstrip() for line in printed.split("\n"))
