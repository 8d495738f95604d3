"""``symbackprop shapecheck``: check a hand-written gradient formula."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from symbackprop.cli import ascii_output, console
from symbackprop.cli.errors import CheckFailed
from symbackprop.cli.options import SpecOptions, spec_options

if TYPE_CHECKING:
    from symbackprop.apps.shapecheck.check import FormulaReport

SHAPECHECK_EPILOG = """\b
Examples:
  symbackprop shapecheck n-3-2-1 --wrt W2 "(a3 - y) W3^T a2(1 - a2) a1^T"
  symbackprop shapecheck n-3-2-1 --wrt W2 "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"
  symbackprop shapecheck 4-4-4-1 --wrt W1 "((W2 delta2) * a1 * (1 - a1)) @ x.T"
\b
Language: names of the network (W1, b1, z1, a1, x, y, yhat, delta2; Z1, A1, X, Y, m with
--batch; lambda or λ with --l2), numbers, + - * / ^, @ or juxtaposition for the matrix
product, * ⊙ · × or ∘ for the element-wise one, .T or ^T, the functions exp log abs sqrt
sin cos and the activations identity sigmoid tanh relu leaky_relu softplus softmax (and
those --define names), sigmoid'(z2), 1{z1 > 0}, sum(M) (all entries: a number), rowsum(M)
(each row over the columns: r x 1); a model's formulas also take tr det logdet inv norm1
norm2.
Precedence, tightest first: ^T, ^, the matrix product (@ or side by side), * ⊙ /, + -;
so sigmoid'(z2) ⊙ W3^T delta3 is sigmoid'(z2) ⊙ (W3^T delta3).
--size n=784 sets the sizes the trace's "here" column shows; the comparison runs at small
sizes (and, where the formula writes m as a number, at m moved apart from the shapes and at
larger m).
A formula that starts with '-' goes after '--':  symbackprop shapecheck 3-2-1 --wrt b2 -- "-x"
Exit status: 0 the formula is the gradient, 1 it is not (shape errors included), 2 it cannot
be parsed or the check cannot decide.
"""


@click.command(
    "shapecheck",
    epilog=SHAPECHECK_EPILOG,
    short_help="Check a hand-written gradient formula: shapes, truth, repair.",
)
@spec_options
@click.option(
    "--wrt",
    "wrts",
    metavar="PARAM",
    required=True,
    multiple=True,
    help="The parameter, e.g. W2 or b1.",
)
@click.argument("formula")
def shapecheck_cmd(opts: SpecOptions, wrts: tuple[str, ...], formula: str) -> None:
    """Check FORMULA as dJ/dPARAM of SPEC: where its shapes break, whether it is right, and
    the arrangement of its own factors that shape analysis admits."""
    if len(wrts) != 1:  # the last would silently win over the one the formula was written for
        given = ", ".join(wrts)
        raise click.UsageError(f"--wrt given {len(wrts)} times ({given}): give one parameter")
    wrt = wrts[0]
    net = opts.derived_source()
    import symbackprop as sb
    from symbackprop.apps.shapecheck.typing_ import FormulaShapeError

    with console.working(f"checking the formula for dJ/d{wrt}"):
        report = sb.check_formula(net, wrt, formula, batch=opts.batch, sizes=opts.sizes or None)
    console.print_out(*_render(report))
    if report.ok:
        return
    error = report.error
    if error is not None and not isinstance(error, FormulaShapeError):
        # a parse error: the caret is on stdout above; stderr gets the one line
        raise click.UsageError(f"formula: {error}")
    raise CheckFailed(f"dJ/d{wrt}: {_verdict_line(report)}")


def _verdict_line(report: FormulaReport) -> str:
    if report.error is not None:
        return f"shape error: {report.error.message}"
    if report.equal:
        return "equals the gradient"
    return "shapes fit, but it is not the gradient"


def _render(report: FormulaReport) -> list[Any]:
    from rich.console import Group
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    out: list[Any] = []
    head = Text()
    head.append(f"dJ/d{report.wrt}", style="bold")
    head.append(f" must be {report.target} ({report.target_concrete}), like {report.wrt}")
    out.append(head)
    error = report.error
    # the formula as the caret's line needs it: a tab shown as a space keeps the caret under
    # its character, a long formula is cut around the fault to fit the console's width beside
    # the indent (a wrapped line would leave the caret under another character)
    shown, column = (
        (report.formula, None) if error is None else error.shown(console.out().width - 2)
    )
    formula = Text("  " + shown)
    if column is not None:
        formula.stylize("bold red", 2 + column, 3 + column)
    out.append(formula)
    if error is not None and column is not None:
        out.append(Text("  " + " " * column + "^ " + error.message, style="red"))
    elif error is not None:
        out.append(Text("  " + error.message, style="red"))
    if report.reading is not None:
        # precedence decided the meaning: show the grouping it chose
        out.append(Text("  read as " + report.reading, style="cyan"))
        out.append(Text("  (matrix products bind tighter than ⊙, * and /)", style="dim"))

    if report.exit_code == 2:  # nothing was typed: the caret and message say it all
        return out
    trace = Table(title="shape trace", box=None, pad_edge=False, title_justify="left")
    trace.add_column("sub-expression", no_wrap=False, max_width=48)
    trace.add_column("shape", no_wrap=True)
    trace.add_column("here", no_wrap=True, style="dim")
    failed_at = error.position if error is not None else None
    for row in report.trace:
        trace.add_row(row.text, row.shape, row.concrete)
    if failed_at is not None and report.trace:
        trace.add_row(Text("(stops here)", style="red"), "", "")

    side = Table(title="repair", box=None, pad_edge=False, title_justify="left")
    side.add_column("", style="dim", no_wrap=True)
    side.add_column("")
    side.add_row("yours", report.formula)
    if report.repair is not None:
        style = "green" if report.repair.equal else "yellow"
        side.add_row("fits", Text(report.repair.formula, style=style))
        side.add_row("", Text(report.repair.verdict, style=style))
    elif report.ok:
        side.add_row("", Text("nothing to repair", style="green"))
    elif report.error is None:  # well shaped but wrong: the formula itself is what fits
        side.add_row(
            "fits",
            Text("yours; no arrangement of its factors found equals the gradient", style="yellow"),
        )
    else:
        side.add_row("fits", Text("none found", style="yellow"))
    if report.truth is not None:
        side.add_row("truth", report.truth)
    else:  # derive's text would not paste back: no truth line that reads as a formula
        side.add_row("truth", Text(report.truth_sentence, style="yellow"))

    grid = Table.grid(padding=(0, 4))
    grid.add_column()
    grid.add_column()
    grid.add_row(trace, side)
    out.append(Text(""))
    out.append(grid)

    out.append(Text(""))
    lines: list[Any] = []
    ok, no = ascii_output.shown("✓"), ascii_output.shown("✗")  # "ok", "no" in ASCII
    if report.ok and report.method == "numeric":
        # equal to the digits compared, not proved: a smaller difference would not show
        lines.append(
            Text(
                f"{ok} the formula equals dJ/d{report.wrt} to {report.digits} digits at random "
                "points (numeric check; not proved exactly)",
                "green",
            )
        )
    elif report.ok:
        # what was compared, and no more: equal at these points (a randomized identity test)
        lines.append(
            Text(
                f"{ok} the formula equals dJ/d{report.wrt} exactly at every point compared "
                f"({report.method} check: {report.points})",
                "green",
            )
        )
    elif error is not None and report.error is not None:
        kind = "cannot be parsed" if report.exit_code == 2 else "has a shape error"
        lines.append(Text(f"{no} the formula {kind}", style="red"))
    else:
        lines.append(Text(f"{no} the shapes fit, but the formula is not the gradient", "red"))
        if report.counterexample is not None:
            lines.append(Padding(Text(str(report.counterexample)), (0, 0, 0, 2)))
    for note in report.notes:
        # indented as a block: a wrapped line stays under its note, not under the verdict
        lines.append(Padding(Text(f"note: {note}", style="yellow"), (0, 0, 0, 2)))
    out.append(Panel(Group(*lines), expand=False))
    return out
