"""``symbackprop codegen`` and ``symbackprop check``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from symbackprop.cli import console
from symbackprop.cli.errors import CheckFailed, CliError
from symbackprop.cli.options import SpecOptions, spec_options

CODEGEN_EPILOG = """\b
Examples:
  symbackprop codegen 4-3-2-1 -o backprop.py
  symbackprop codegen n-3-2-1 --size n=784 > backprop.py
"""

CHECK_EPILOG = """\b
Examples:
  symbackprop check 4-3-2-1
  symbackprop check 784-128:relu-10:softmax --loss ce --size m=8
"""

#: the exact check (rational arithmetic, SymPy) runs for networks up to this depth
EXACT_MAX_DEPTH = 4
#: above this many parameters the finite-difference check uses random directions
FULL_CHECK_MAX_PARAMS = 5_000
#: show a progress bar when the check is at least this big (parameters)
PROGRESS_MIN_PARAMS = 2_000


def _code_sizes(opts: SpecOptions, net: Any) -> dict[str, int]:
    """The widths code generation needs; every named width must have a ``--size``."""
    # the generated module is for any batch size: m is not one of its widths
    sizes = {name: value for name, value in opts.sizes.items() if name != "m"}
    missing = [name for name in net.named_widths if name not in sizes]
    if missing:
        flags = " ".join(f"--size {name}=INT" for name in missing)
        raise CliError(f"{net.compact} has named widths; numeric code needs {flags}")
    return sizes


@click.command("codegen", epilog=CODEGEN_EPILOG, short_help="Generate the NumPy gradient module.")
@spec_options
@click.option(
    "-o", "--out", "out_path", type=click.Path(dir_okay=False), help="Write to FILE (else stdout)."
)
def codegen_cmd(opts: SpecOptions, out_path: str | None) -> None:
    """Generate a self-contained NumPy module with forward, backward and loss_and_grads.

    Always the batch form (examples in columns). Named widths need --size NAME=INT.
    """
    net = opts.network()
    import symbackprop as sb

    source = sb.codegen(net, sizes=_code_sizes(opts, net))
    if out_path is None:
        click.echo(source, nl=False)
        return
    path = Path(out_path)
    try:
        path.write_text(source, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
    console.err().print(f"wrote {path}")


def _data(module: Any, loss: str, m: int, seed: int) -> tuple[Any, Any]:
    """Random inputs and targets the loss accepts (one-hot columns for ce, 0/1 for bce)."""
    import numpy as np

    depth = len([name for name in module.SHAPES if name.startswith("W")])
    n0 = module.SHAPES["W1"][1]
    n_out = module.SHAPES[f"W{depth}"][0]
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((n0, m))
    if loss == "ce":
        Y = np.zeros((n_out, m))
        Y[rng.integers(0, n_out, size=m), np.arange(m)] = 1.0
    elif loss == "bce":
        Y = rng.integers(0, 2, size=(n_out, m)).astype(float)
    else:
        Y = rng.standard_normal((n_out, m))
    return X, Y


@click.command(
    "check", epilog=CHECK_EPILOG, short_help="Check the gradients: finite differences, exact."
)
@spec_options
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for params and data.")
@click.option("--eps", type=float, default=1e-6, show_default=True, help="Finite-difference step.")
@click.option(
    "--memory",
    "memory_gib",
    type=click.FloatRange(min=0, min_open=True),
    default=4.0,
    show_default=True,
    metavar="GIB",
    help="Refuse checks estimated to need more memory than this (GiB).",
)
@click.option(
    "--exact/--no-exact",
    default=True,
    help=f"Also run the exact check (networks of depth <= {EXACT_MAX_DEPTH}).",
)
def check_cmd(opts: SpecOptions, seed: int, eps: float, memory_gib: float, exact: bool) -> None:
    """Check the generated gradient code against central finite differences.

    For small networks also compares every gradient entry with SymPy's diff of the cost in
    exact rational arithmetic. Exit status 1 when a check fails.
    """
    if not eps > 0:
        raise click.BadParameter("must be positive", param_hint="'--eps'")
    net = opts.network()
    import numpy as np
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    import symbackprop as sb
    from symbackprop.memory import check_budget, check_depth, no_memory_error

    m = opts.sizes.get("m", 3)
    stderr = console.err()
    check_depth(net.depth)
    code_sizes = _code_sizes(opts, net)
    widths = [code_sizes[w] if isinstance(w, str) else w for w in net.widths]
    check_budget(f"check {net.compact}", widths, m, budget_gib=memory_gib, finite_differences=True)
    module = sb.compile(net, sizes=code_sizes)
    n_params = sum(int(np.prod(shape)) for shape in module.SHAPES.values())
    mode = "full" if n_params <= FULL_CHECK_MAX_PARAMS else "directional"
    run_exact = exact and net.depth <= EXACT_MAX_DEPTH
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=n_params < PROGRESS_MIN_PARAMS and not run_exact,
    ) as progress:
        task = progress.add_task(f"finite differences ({mode}, {n_params:,} parameters)", total=2)
        with no_memory_error(f"check {net.compact}"):
            params = module.init_params(seed=seed)
            X, Y = _data(module, net.loss, m, seed)
            result = sb.gradcheck(module, params, X, Y, eps=eps, mode=mode, seed=seed)
        progress.advance(task)
        exact_result = None
        if run_exact:
            progress.update(task, description="exact check (rational arithmetic)")
            derivation = sb.derive(net, batch=opts.batch)
            exact_result = derivation.check_exact(sizes=opts.sizes or None, seed=seed)
        progress.advance(task)

    table = Table(title=f"finite differences ({mode}, eps={eps:g}, m={m})", title_justify="left")
    for column, justify in (
        ("parameter", "left"),
        ("max abs error", "right"),
        ("relative error", "right"),
        ("checked", "right"),
        ("", "center"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in result.rows:
        mark = "[green]ok[/]" if row.ok else "[bold red]FAIL[/]"
        checked = f"{row.checked}" + (f" ({row.skipped} skipped at a kink)" if row.skipped else "")
        table.add_row(
            row.parameter, f"{row.max_abs_error:.2e}", f"{row.relative_error:.2e}", checked, mark
        )
    lines: list[Any] = [table]
    failed = [] if result.ok else ["finite differences"]
    if exact_result is not None:
        status = "[green]ok[/]" if exact_result.ok else "[bold red]FAILED[/]"
        at = ", ".join(f"{k}={v}" for k, v in exact_result.sizes.items())
        lines.append(
            f"exact check: {status} ({exact_result.entries} entries compared in rational "
            f"arithmetic at the small sizes {at}, {exact_result.trials} trials)"
        )
        if not exact_result.ok:
            failed.append("exact check")
            lines += [f"  mismatch: {mm}" for mm in list(exact_result.mismatches)[:10]]
    elif exact:
        lines.append(f"exact check: skipped (depth {net.depth} > {EXACT_MAX_DEPTH})")
    lines.append("[bold red]check failed[/]" if failed else "[green]all checks passed[/]")
    console.print_out(*lines)
    if failed:
        raise CheckFailed(f"check failed: {' and '.join(failed)}")
