"""The terminal rendering: rich renderables (plain text when piped or with NO_COLOR).

Shows the shape table (symbolic shapes with this network's sizes beside them), forward
propagation, every step (target, expression, shape, rule, the candidates with ✓/✗ and notes,
the scalar algebra, the cached values reused, the reason), the delta recursion and the final
gradients, compact and, with ``expanded``, fully substituted.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from symbackprop.render.names import shape_text, size_text
from symbackprop.render.textprint import text
from symbackprop.render.view import View

if TYPE_CHECKING:
    from symbackprop.derivation import Derivation, Step

#: the width used by :func:`to_text` (the CLI uses the terminal's)
TEXT_WIDTH = 100


def _formula(line: str, style: str = "") -> Text:
    # formulas never wrap mid-expression: a long one runs on (the terminal wraps it)
    return Text(line, style=style, no_wrap=True, overflow="ignore")


def _heading(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def _shape_cell(shape: tuple[Any, Any], view: View) -> str:
    sizes = size_text(shape, view.sizes)
    return f"{shape_text(shape)}  {sizes}".rstrip()


def shape_table(view: View) -> Table:
    """Every x, W, b, z, a, y with its symbolic shape and concrete size."""
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("name", style="bold")
    table.add_column("shape")
    table.add_column("size", style="dim")
    for name in view.table_names():
        shape = view.d.shapes[name]
        table.add_row(name, shape_text(shape), size_text(shape, view.sizes))
    return table


def _step_block(index: int, step: Step, view: View) -> RenderableType:
    head = Text(f"{index:>2}. ", style="bold")
    head.append(step.target, style="bold cyan")
    head.append(" = ")
    head.append(text(step.expr))
    if step.stores:
        head.append(f"   =: {step.stores}", style="bold magenta")
    head.no_wrap, head.overflow = True, "ignore"
    rows: list[RenderableType] = [head]
    meta = Text(f"shape {_shape_cell(step.shape, view)}   rule: {step.rule}", style="dim")
    rows.append(Padding(meta, (0, 0, 0, 4), expand=False))
    if step.candidates:
        cands = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
        cands.add_column(no_wrap=True)
        cands.add_column(no_wrap=True)
        cands.add_column()
        for cand in step.candidates:
            mark = Text("✓", style="bold green") if cand.fits else Text("✗", style="red")
            shape = shape_text(cand.shape) if cand.fits and cand.shape else cand.note
            cands.add_row(mark, cand.text, Text(shape, style="" if cand.fits else "dim"))
        rows.append(Padding(Text("candidates:", style="italic"), (0, 0, 0, 4), expand=False))
        rows.append(Padding(cands, (0, 0, 0, 6), expand=False))
    if step.algebra:
        rows.append(Padding(Text(f"scalar algebra: {step.algebra}"), (0, 0, 0, 4), expand=False))
    if step.uses:
        rows.append(
            Padding(
                Text(f"reuses from the forward cache: {', '.join(step.uses)}"),
                (0, 0, 0, 4),
                expand=False,
            )
        )
    rows.append(Padding(Text(f"why: {step.reason}", style="italic"), (0, 0, 0, 4), expand=False))
    return Group(*rows)


def render(
    d: Derivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
) -> list[RenderableType]:
    """The derivation as a list of rich renderables, top to bottom."""
    view = View(d, wrt=wrt, expanded=expanded, extra_sizes=dict(sizes or {}))
    net = d.network
    g = d.graph
    out: list[RenderableType] = []
    title = Text("Backpropagation for ", style="bold")
    title.append(net.compact, style="bold cyan")
    title.append(f"  (loss {net.loss}", style="bold")
    if net.l2:
        title.append(f", L2 lambda = {net.l2:g}", style="bold")
    title.append(f"; {view.mode})", style="bold")
    out.append(title)
    if wrt:
        out.append(Text(f"only the steps on the path from the loss to {wrt}", style="dim"))

    out.append(_heading("Shapes"))
    out.append(Padding(shape_table(view), (0, 0, 0, 2), expand=False))

    out.append(_heading("Forward propagation (each value is cached for the backward pass)"))
    for name, expr in d.forward.items():
        out.append(_formula(f"  {name} = {text(expr)}"))
    loss = g.loss
    cost = (
        f"  J = (1/m) sum_i L(A{g.depth}(:, i), Y(:, i))" if d.batch else f"  J = L(a{g.depth}, y)"
    )
    if net.l2:
        cost += " + (λ/2m) sum_l ||W_l||_F^2" if d.batch else " + (λ/2) sum_l ||W_l||_F^2"
    out.append(_formula(f"{cost}    ({loss.description})"))
    for assumption in d.assumptions:
        out.append(Text(f"  assumption: {assumption}", style="yellow"))

    steps = view.steps
    out.append(
        _heading(f"Derivation ({len(steps)} steps, from the loss back to layer {view.layer})")
    )
    for index, step in enumerate(steps, start=1):
        out.append(_step_block(index, step, view))

    out.append(_heading("Delta recursion (delta_l = dJ/dz_l, each reusing the one after it)"))
    for layer in view.delta_layers:
        sym = d.delta_symbols[layer]
        out.append(_formula(f"  {sym.name} = {text(d.deltas[layer])}"))

    out.append(_heading("Gradients"))
    grads = Table(box=None, show_header=False, pad_edge=False, padding=(0, 4, 0, 0))
    grads.add_column(no_wrap=True)
    grads.add_column(style="dim", no_wrap=True)
    for name in view.parameters:
        grads.add_row(f"dJ/d{name} = {text(d.gradients[name])}", _shape_cell(d.shapes[name], view))
    out.append(Padding(grads, (0, 0, 0, 2), expand=False))

    if view.expanded_note:
        out.append(Text(f"\nnote: {view.expanded_note}", style="yellow"))
    elif expanded:
        out.append(_heading("Expanded (every delta substituted)"))
        for name, expr in view.expanded_gradients().items():
            out.append(_formula(f"  dJ/d{name} = {text(expr)}"))
    return out


def to_text(
    d: Derivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
    width: int = TEXT_WIDTH,
) -> str:
    """The terminal rendering as plain text (no colour codes)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    for renderable in render(d, wrt=wrt, expanded=expanded, sizes=sizes):
        console.print(renderable, crop=False)
    return buffer.getvalue()
