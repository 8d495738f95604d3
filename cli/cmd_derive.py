"""``symbackprop derive`` and ``symbackprop shapes``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from symbackprop.cli import ascii_output, console, output
from symbackprop.cli.options import (
    SpecOptions,
    check_wrt,
    network_only,
    spec_options,
)
from symbackprop.errors import quote_user_text

if TYPE_CHECKING:
    from symbackprop.model import Model
    from symbackprop.spec import Network

DERIVE_EPILOG = """\b
Examples:
  symbackprop derive 4-3-2-1                 the CS229 lecture's network
  symbackprop derive n-3-2-1 --expanded      the board formulas, every delta substituted
  symbackprop derive 4-3-2-1 --wrt W2 --batch
  symbackprop derive 784-128:relu-10:softmax --loss ce --format markdown
  symbackprop derive examples/models/residual_mlp.model --wrt W1
  symbackprop derive 4-3-2-1 --format html -o page.html    a web page (MathML, no script)
  symbackprop derive 4-3-2-1 --indices --wrt W2  entry by entry: why delta2 a1^T
"""


#: the formats of ``derive --indices`` -> the printer in symbackprop.render.indices
INDEX_FORMATS = {
    "text": "to_index_text",
    "latex": "to_index_latex",
    "markdown": "to_index_markdown",
}


@click.command(
    "derive", epilog=DERIVE_EPILOG, short_help="Derive the gradients step by step, with reasons."
)
@spec_options
@click.option(
    "--wrt",
    metavar="PARAM",
    help="Only the steps and gradient for one parameter (W2, or a model's parameter).",
)
@click.option("--expanded", is_flag=True, help="Also print every gradient fully expanded.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "latex", "markdown", "json", "html"]),
    default="text",
    show_default=True,
    help="Output format (latex: an align block to paste into notes; html: one self-contained "
    "web page with the picture, every step and the generated code).",
)
@output.options("Write to FILE ('-': stdout, the default; not with --format text).")
@click.option(
    "--indices",
    is_flag=True,
    help="The index view instead: each step entry by entry, then collected into matrix form "
    "(dense networks; text, latex or markdown).",
)
def derive_cmd(
    opts: SpecOptions,
    wrt: str | None,
    expanded: bool,
    fmt: str,
    out_path: str | None,
    force: bool,
    indices: bool,
) -> None:
    """Derive the gradients of SPEC step by step: shapes, candidates, reasons, deltas.

    SPEC is a compact spec such as 4-3-2-1 or 784-128:relu-10:softmax, a .toml/.json network
    file, or a model: a .model file of forward equations (or TOML/JSON with `equations`).
    """
    if indices and fmt not in INDEX_FORMATS:
        raise click.UsageError(f"--indices prints text, latex or markdown, not {fmt}")
    if fmt == "text" and not indices and out_path not in (None, output.STDOUT):
        shown = quote_user_text(out_path, quotes=False)
        # a folder takes no redirection ('> /tmp' fails too): say where the text goes instead
        how = (
            "redirect it to a file, '> FILE'"
            if os.path.isdir(out_path)
            else f"write '> {shown}' instead of '-o {shown}'"
        )
        raise click.UsageError(
            "-o writes --format latex, markdown, json or html (or --indices); the default text "
            f"goes to stdout: {how}"
        )
    if fmt == "html" and wrt is not None:
        raise click.UsageError("--wrt does not apply to --format html: the page shows every step")
    # accepted and ignored, the flag would read as having changed something (hostile33c #7)
    if fmt == "html" and expanded:
        from symbackprop.render.view import EXPAND_MAX_DEPTH

        raise click.UsageError(
            "--expanded does not apply to --format html: the page shows the expanded "
            f"gradients of every network up to {EXPAND_MAX_DEPTH} layers by itself"
        )
    if indices and expanded:
        raise click.UsageError(
            "--expanded does not apply to --indices: the index view collects each step into "
            "matrix form; drop --indices for the expanded gradients"
        )
    # checked before any work: a refused -o costs nothing and writes nothing
    writes = {"latex": "LaTeX", "markdown": "Markdown", "json": "JSON", "html": "HTML"}
    writes["text"] = "text"  # --indices writes its text view to a file
    target = output.target(out_path, force=force, inputs=[opts.spec], writes=writes.get(fmt))
    net = opts.derived_source()
    check_wrt(wrt, net)
    import symbackprop as sb
    import symbackprop.render as render

    if indices:
        _write(target, _index_view(opts, net, wrt, fmt))
        return
    sizes = opts.sizes
    with console.working(f"deriving {opts.describe(net)}"):
        d = sb.derive(net, batch=opts.batch)
        if fmt == "text":
            parts = render.text.render(d, wrt=wrt, expanded=expanded, sizes=sizes)
        elif fmt == "latex":
            text = render.to_latex(d, standalone=False, wrt=wrt, expanded=expanded, sizes=sizes)
        elif fmt == "html":
            text = sb.to_html(d, sizes=sizes, caller="cli")
        elif fmt == "markdown":
            text = render.to_markdown(d, wrt=wrt, expanded=expanded, sizes=sizes)
        else:
            text = render.to_json(d, wrt=wrt, expanded=expanded, sizes=sizes)
    if fmt == "text":
        console.print_out(*parts)
    else:
        _write(target, text, markup=fmt == "html")


def _write(target: output.Target | None, text: str, *, markup: bool = False) -> None:
    """``text`` to stdout, or atomically to the ``-o`` file; ``markup`` (a web page): a
    character stdout's encoding lacks as its character reference (``&#x3b4;``)."""
    if target is None:
        ascii_output.echo(text, nl=False, markup=markup)
        return
    output.write(target, text)
    output.tell_wrote(target)


def _index_view(opts: SpecOptions, net: Network | Model, wrt: str | None, fmt: str) -> str:
    """``derive --indices``: the index view of a network's derivation."""
    from symbackprop.model import Model

    if isinstance(net, Model):
        raise network_only("--indices")
    import symbackprop as sb
    from symbackprop.core.index_check import check_index_depth
    from symbackprop.render import indices

    check_index_depth(net.depth)  # before deriving: a refusal takes no time
    printer = getattr(indices, INDEX_FORMATS[fmt])
    with console.working(f"deriving and checking the index view of {opts.describe(net)}"):
        text: str = printer(sb.derive(net, batch=opts.batch), wrt=wrt)
    return text


SHAPES_EPILOG = """\b
Examples:
  symbackprop shapes 4-3-2-1
  symbackprop shapes n-3-2-1 --size n=784 --batch --size m=32
"""


@click.command(
    "shapes", epilog=SHAPES_EPILOG, short_help="Shapes of every W, b, z, a and gradient."
)
@spec_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table, or JSON (name -> symbolic shape and concrete size) for other tools.",
)
def shapes_cmd(opts: SpecOptions, fmt: str) -> None:
    """Print the shape of every W, b, z, a and of each gradient, symbolic and concrete.

    For a model: every name's shape, and for an inferred one the equation that forced it.
    """
    opts = opts.loss_free()  # no shape depends on the loss (hostile36c #11)
    net = opts.derived_source()
    from symbackprop.model import Model

    if isinstance(net, Model):
        _model_shapes(net, opts.sizes, fmt)
        return
    import symbackprop as sb
    from symbackprop.render.names import shape_text, size_text
    from symbackprop.render.view import View

    d = sb.derive(net, batch=opts.batch)
    view = View(d, extra_sizes=opts.sizes)
    rows = [(name, d.shapes[name]) for name in view.table_names()]
    rows += [(f"dJ/d{name}", d.shapes[name]) for name in d.gradients]
    if fmt == "json":
        import json

        data = {
            name: {"shape": shape_text(shape), "size": _json_size(shape, view.sizes)}
            for name, shape in rows
        }
        ascii_output.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, padding=(0, 3, 0, 0))
    for column in ("name", "shape", "size"):
        table.add_column(column, no_wrap=True)
    for name, shape in rows:
        table.add_row(name, shape_text(shape), size_text(shape, view.sizes))
    console.print_out(table)


def _model_shapes(model: Model, extra: dict[str, int], fmt: str) -> None:
    """A model's shape table: name, shape, size, and where an inferred shape came from."""
    from symbackprop.core.model_graph import build_model_graph
    from symbackprop.render.names import shape_text, size_text

    # the rows end with the gradients: refuse what derive refuses (a loss whose target depends
    # on a parameter, say) rather than list gradients that cannot be derived
    build_model_graph(model)
    sizes = {**model.sizes, **extra}
    rows = []
    for name, shape in model.shapes.items():
        reason = model.shape_reasons.get(name)
        source = f"line {reason[0]}: {' '.join(reason[1].split())}" if reason else "declared"
        if name in model.data:
            kind = "data"
        elif name in model.parameters:
            kind = "parameter"
        else:
            kind = "value"
        rows.append((name, kind, shape, source))
    rows += [(f"dJ/d{name}", "gradient", model.shapes[name], "") for name in model.parameters]
    if fmt == "json":
        import json

        data = {
            name: {
                "kind": kind,
                "shape": shape_text(shape),
                "size": _json_size(shape, sizes),
                "from": source,
            }
            for name, kind, shape, source in rows
        }
        ascii_output.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, padding=(0, 3, 0, 0))
    for column in ("name", "kind", "shape", "size", "shape from"):
        table.add_column(column, no_wrap=column != "shape from")
    for name, kind, shape, source in rows:
        table.add_row(name, kind, shape_text(shape), size_text(shape, sizes), source)
    console.print_out(table)


def _json_size(shape: Any, sizes: Any) -> str | None:
    """A shape's concrete size for JSON (``"3 x 1"``), ``null`` where a dimension has none
    (it was ``""``, a string where derive's JSON has ``null``: hostile42b #3)."""
    from symbackprop.render.names import size_text

    return size_text(shape, sizes).strip("()") or None
