"""The lecture's later points as commands: ``collapse`` and ``gradients``.

``register(group)`` adds both to the main click group. Only click (and the CLI's own light
modules) is imported here at module level; SymPy, NumPy and rich are imported when a command
runs, so ``symbackprop --help`` stays fast. Errors follow DESIGN.md: a bad spec raises
:class:`symbackprop.errors.SpecError`, a bad option value ``click.BadParameter``, a missing
matplotlib :class:`cli.errors.CliError` (all exit 2 with one line on stderr, through the main
group's handler).
"""

from __future__ import annotations

import math
import os
import shutil
from typing import Any

import click

from symbackprop.cli import ascii_output, output
from symbackprop.cli.errors import CliError
from symbackprop.cli.options import (
    DEFINE,
    SpecOptions,
    memory_option,
    spec_options,
    unique,
)
from symbackprop.errors import SpecError


# spec_options wraps the function, so options of this command go above it (on the wrapper)
# short_help: click cuts a docstring's first line at 45 characters in ``symbackprop --help``
@click.command("collapse", short_help="Prove identity activations collapse to W' x + b'.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "latex"]),
    default="text",
    show_default=True,
    help="Terminal text or a LaTeX align* snippet.",
)
@spec_options(
    says={
        "loss": "Checked with the spec, then unused: the loss plays no part in the collapse "
        "(default mse).",
        "l2": "Checked with the spec, then unused: weight decay plays no part in the collapse.",
        "batch": "Unused: the collapse is the same for one example and a batch.",
        "size": "Size of a named width, e.g. --size n=4 (repeatable); not m: the collapse "
        "works on one example.",
    }
)
def collapse_command(opts: SpecOptions, fmt: str) -> None:
    """Prove that a network with identity activations is one affine map W' x + b'.

    For example `symbackprop collapse 4-3-2-1 --activation identity` prints
    W' = W[3] W[2] W[1] and b' = W[3] W[2] b[1] + W[3] b[2] + b[3], checked symbolically and at
    random rational matrices. The loss plays no part.
    """
    from symbackprop.apps.collapse import collapse

    opts = opts.loss_free()  # the loss plays no part in the collapse
    from symbackprop.cli import console

    if "m" in opts.sizes:  # taken and ignored before (review27 #7)
        raise click.UsageError("--size m does not apply: collapse works on one example")
    net = opts.network()
    with console.working(f"collapsing {net.compact}"):
        result = collapse(net)
        check = result.verify(sizes=opts.sizes)
    if not check.ok:  # pragma: no cover - the construction is exact; this guards regressions
        raise click.ClickException(f"internal: W' x + b' differs from the forward pass ({check})")
    if fmt == "latex":
        ascii_output.echo(result.latex(), nl=False)
        return
    sizes = ", ".join(f"{name}={size}" for name, size in check.sizes.items())
    # print_out: no trailing spaces where piped (rich pads a table's lines: newcomer27)
    console.print_out(
        result.rich(),
        f"\nChecked: W' x + b' equals the composed forward pass symbolically and at "
        f"{check.trials} random rational points (at small sizes: {sizes}).",
    )


class InitType(click.ParamType):
    """``xavier``, ``he``, ``glorot``, ``normal`` or ``scaled-identity:C``."""

    name = "INIT"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from symbackprop.apps.gradients import parse_init
        from symbackprop.errors import SpecError

        try:
            parse_init(str(value))
        except SpecError as exc:
            self.fail(str(exc), param, ctx)
        return str(value)


#: the exact 1.5^L example prints C^L in full; above this many digits it is skipped
EXACT_MAX_DIGITS = 3_000


@click.command("gradients", short_help="Gradient norms per layer at init; the 1.5^L example.")
@click.option(
    "--depth",
    type=click.IntRange(1, 500),
    default=50,
    show_default=True,
    help="Number of layers L.",
)
@click.option(
    "--width", type=click.IntRange(1, 4096), default=64, show_default=True, help="Units per layer."
)
@click.option(
    "--activation",
    default="relu",
    show_default=True,
    metavar="ACT",
    help="Activation of layers 1..L-1 (the head is identity with mse); a built-in, a --define "
    "name, or NAME=FORMULA.",
)
@click.option(
    "--define",
    type=DEFINE,
    multiple=True,
    help="Custom activation, e.g. --define 'swish=z*sigmoid(z)' (repeatable).",
)
@click.option(
    "--init",
    "inits",
    type=InitType(),
    multiple=True,
    help="xavier | he | glorot | normal | scaled-identity:C (repeatable; default: he and normal).",
)
@click.option(
    "--seeds",
    type=click.IntRange(1, 100),
    default=5,
    show_default=True,
    help="Seeds; norms are combined by the geometric mean.",
)
@click.option(
    "--m",
    "batch",
    type=click.IntRange(1, 10_000),
    default=32,
    show_default=True,
    help="Examples per seed.",
)
@click.option(
    "--plot",
    "plot_path",
    metavar="FILE",
    default=None,
    help="Also save a log-scale plot here (.png, .svg, .pdf: the format follows the "
    "extension); needs matplotlib.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the --plot FILE if it exists (never through a symbolic link).",
)
@memory_option
def gradients_command(
    depth: int,
    width: int,
    activation: str,
    define: tuple[tuple[str, str], ...],
    inits: tuple[str, ...],
    seeds: int,
    batch: int,
    plot_path: str | None,
    force: bool,
    memory_gib: float,
) -> None:
    """Per-layer gradient norms at initialization, and the lecture's exact 1.5^L example.

    For example `symbackprop gradients --depth 50 --width 64 --activation relu --init he
    --init normal --plot grads.png`. With --init scaled-identity:C the exact example (identity
    activations, zero biases, W[l] = C I) is printed too, in rationals.
    """
    if force and plot_path is None:  # accepted and ignored, it read as replacing something
        raise click.UsageError("--force replaces the file --plot FILE names, and no file is named")
    plot_target = _plot_target(plot_path, force) if plot_path is not None else None
    from symbackprop.apps.gradients import analyze, chart, exact_scaling, parse_init, plot
    from symbackprop.cli import console

    # each scheme once, in the order given: a repeated --init printed its table twice
    # (hostile38c #12), and so did one scale written twice (1.5 and 3/2: review38 #8); a
    # malformed one is kept as written, for analyze to refuse
    def scheme(init: str) -> object:
        try:
            return parse_init(init)
        except SpecError:
            return init

    first: dict[object, str] = {}
    for init in inits:
        first.setdefault(scheme(init), init)
    inits = tuple(first.values()) or ("he", "normal")
    customs = unique(define, "--define") or None
    tables = []
    # progress on stderr (transient; nothing when stderr is not a terminal)
    with console.progress() as progress:
        task = progress.add_task("gradient norms", total=len(inits))
        for index, init in enumerate(inits):
            # refresh now: a fast stage would otherwise finish between two automatic refreshes
            progress.update(task, description=f"gradient norms, init {init}", refresh=True)
            tables.append(
                analyze(
                    depth,
                    width,
                    activation,
                    init,
                    seeds=seeds,
                    m=batch,
                    memory_gib=memory_gib,
                    define=customs,
                    runs=len(inits) if index == 0 else 1,  # all the inits' work, at the first
                )
            )
            progress.advance(task)
    ascii_output.echo(chart(tables), nl=False)
    for init in inits:
        name, scale = parse_init(init)
        if name == "scaled-identity" and scale is not None:
            ascii_output.echo("")
            # digits of C^L's larger part (1e6^450: 2,701; the length of C's digits times L
            # said 3,150: hostile36c #7)
            digits = math.floor(depth * math.log10(max(scale.numerator, scale.denominator))) + 1
            if digits > EXACT_MAX_DIGITS:
                ascii_output.echo(
                    f"Exact example skipped: C^L = ({scale})^{depth} has about {digits:,} "
                    f"digits (the exact example prints at most {EXACT_MAX_DIGITS:,})."
                )
                continue
            ascii_output.echo(exact_scaling(depth, scale, width=2).text(table_width=width))
    if plot_target is not None:
        with output.atomic(plot_target) as tmp:
            plot(tables, str(tmp))
        output.tell_wrote(plot_target)  # on stderr, as every command says it (hostile50b #9)


def _plot_target(plot_path: str, force: bool) -> output.Target:
    """Check --plot FILE before any work: matplotlib, a format it writes, a path to write."""
    try:
        from symbackprop.render.matplotlib_agg import agg_matplotlib

        matplotlib = agg_matplotlib()
        from matplotlib.figure import Figure
    except ImportError:
        raise CliError(
            "--plot needs matplotlib, which is not installed; install the plot extra: "
            "pip install 'symbackprop[plot]'"
        ) from None
    formats = sorted(Figure().canvas.get_supported_filetypes())
    suffix = os.path.splitext(plot_path)[1].lower().lstrip(".")
    if plot_path != output.STDOUT and suffix not in formats:
        raise CliError(
            f"--plot {output.shown(plot_path)}: the format follows the extension; expected "
            f"one of .{', .'.join(formats)}"
        )
    if suffix == "pgf":  # matplotlib's PGF backend measures text with TeX (exit 3 without)
        texsystem = str(matplotlib.rcParams["pgf.texsystem"])
        if shutil.which(texsystem) is None:
            raise CliError(
                f"--plot {output.shown(plot_path)}: a .pgf plot needs {texsystem}, which is not "
                "installed (Debian: texlive-xetex); .pdf or .svg need nothing more"
            )
    target = output.target(plot_path, force=force, option="--plot")
    if target is None:
        raise CliError("--plot needs a file name (a plot is not written to stdout)")
    output.probe(target)
    return target


def register(group: click.Group) -> None:
    """Add ``collapse`` and ``gradients`` to ``group`` (the main ``symbackprop`` group)."""
    group.add_command(collapse_command)
    group.add_command(gradients_command)
