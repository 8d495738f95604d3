"""``symbackprop draw``: the network (or a model's computation graph) as PNG, SVG or TikZ."""

from __future__ import annotations

from pathlib import Path

import click

from symbackprop.cli import output
from symbackprop.cli.errors import CliError
from symbackprop.cli.options import SpecOptions, spec_options

DRAW_EPILOG = """\b
Examples:
  symbackprop draw 4-3-2-1 -o net.png                  the lecture's network (needs matplotlib)
  symbackprop draw 784-128:relu-10:softmax -o net.svg  wide layers drawn with an ellipsis
  symbackprop draw examples/models/residual_mlp.model -o graph.png
  symbackprop draw 4-3-2-1 --format tikz               a tikzpicture on stdout
"""

#: the format a file name's suffix asks for
SUFFIXES = {".png": "png", ".svg": "svg", ".tex": "tikz", ".tikz": "tikz"}
#: each format's name in output.SUFFIX_FORMATS (a TikZ picture is LaTeX)
WRITES = {"png": "PNG", "svg": "SVG", "tikz": "LaTeX"}
#: suffixes of picture formats draw does not write (any other suffix takes --format; a name
#: without one is a PNG)
OTHER_FORMATS = frozenset({".pdf", ".jpg", ".jpeg", ".gif", ".eps", ".ps", ".tif", ".webp"})


def _suffix(name: str) -> str:
    """The lower-case suffix ``name`` asks for, from its last dot on: ``".svg"`` for the file
    ``.svg`` too (``Path(".svg").suffix`` is empty: a hidden file), ``"."`` for ``c.``."""
    base = Path(name).name
    return base[base.rindex(".") :].lower() if "." in base else ""


@click.command("draw", epilog=DRAW_EPILOG, short_help="Draw the network or a model's graph.")
@spec_options(
    says={
        "loss": "Checked with the spec, then unused: the picture shows no loss (default mse).",
        "l2": "Checked with the spec, then unused: the picture shows no weight decay.",
    }
)
@output.options("Write to FILE (.png, .svg or .tex; '-': stdout for svg and tikz).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "svg", "tikz"]),
    default=None,
    help="Picture format (default: from FILE's suffix, else png).",
)
def draw_cmd(opts: SpecOptions, out_path: str | None, force: bool, fmt: str | None) -> None:
    """Draw SPEC: a network's neurons in layers with their connections (a layer wider than 8
    abbreviated, W and b between layers, every shape), or a model's computation graph (data,
    parameters and values, forward arrows and adjoints back).

    PNG needs matplotlib (pip install 'symbackprop[plot]'); SVG and TikZ need nothing.
    """
    suffix = "" if out_path in (None, output.STDOUT) else _suffix(out_path)
    if suffix == ".":  # PNG bytes in a file named "c.": no suffix was meant to be empty
        raise click.UsageError(
            f"the file name {out_path!r} ends in '.': name it .png, .svg or .tex"
        )
    if suffix in OTHER_FORMATS:  # PNG bytes in net.pdf: no viewer would open it
        raise click.UsageError(
            f"the file name {out_path!r} asks for {suffix[1:]}, which draw does not write: "
            "name it .png, .svg or .tex"
        )
    if fmt is None and suffix == ".txt":  # PNG bytes in net.txt (hostile48c #8)
        raise click.UsageError(
            f"the file name {out_path!r} asks for text: give --format svg or --format tikz "
            "(both text), or name it .png"
        )
    other = suffix and suffix not in SUFFIXES and suffix not in output.SUFFIX_FORMATS
    if other and fmt in (None, "png"):  # a name of a format output.target knows: its words
        # PNG bytes in net.tiff, net.svgz, net.bmp: a viewer of that format opens garbage
        # (hostile50b #4); a name without a suffix is a PNG, and text goes into any name
        raise click.UsageError(
            f"the file name {out_path!r} asks for {suffix[1:]}, which draw does not write: "
            "name it .png, .svg or .tex (--format svg or tikz writes text into any name)"
        )
    if fmt is None:
        fmt = SUFFIXES.get(suffix, "png")
    elif SUFFIXES.get(suffix, fmt) != fmt:  # PNG bytes in net.svg would open as garbage
        raise click.UsageError(
            f"--format {fmt} does not match the file name {out_path!r}, which asks for "
            f"{SUFFIXES[suffix]}; drop --format or name the file for {fmt}"
        )
    if fmt == "png" and out_path in (None, output.STDOUT):
        raise click.UsageError("a PNG needs -o FILE.png (or --format svg / tikz for stdout)")
    # a name of another format the table of output.SUFFIX_FORMATS knows (net.md, net.py) is
    # refused as every command refuses one: PNG bytes were written into net.py, exit 0
    target = output.target(out_path, force=force, inputs=[opts.spec], writes=WRITES[fmt])
    opts = opts.loss_free()  # the picture shows no loss
    source = opts.derived_source()
    from symbackprop.spec import Network

    if opts.sizes and not isinstance(source, Network):  # a model's boxes show no shape
        # any size, not only m: --size n0=7 was accepted and dropped (hostile49a #4)
        given = ", ".join(f"--size {name}" for name in opts.sizes)
        raise click.UsageError(f"{given} does not apply: a model's graph shows no shapes")
    from symbackprop.render import drawing

    picture = drawing.drawing(source, sizes=opts.sizes, batch=bool(opts.batch))
    data: str | bytes
    if fmt == "png":
        try:
            data = drawing.to_png(picture)
        except drawing.MissingMatplotlib as exc:
            raise CliError(str(exc)) from None
    elif fmt == "svg":
        data = drawing.to_svg(picture)
    else:
        data = drawing.to_tikz(picture)
    if target is None:
        assert isinstance(data, str)
        click.echo(data, nl=False)
        return
    output.write(target, data)
    output.tell_wrote(target)
