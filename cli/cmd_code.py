"""``symbackprop codegen`` and ``symbackprop check``."""

from __future__ import annotations

import os
from typing import Any

import click

from symbackprop.cli import ascii_output, console, output
from symbackprop.cli.errors import CheckFailed, CliError
from symbackprop.cli.options import (
    FiniteFloat,
    IntRange,
    SpecOptions,
    memory_option,
    spec_options,
)

CODEGEN_EPILOG = """\b
Examples:
  symbackprop codegen 4-3-2-1 -o backprop.py
  symbackprop codegen n-3-2-1 --size n=784 > backprop.py
  symbackprop codegen 4-3-2-1 -o backprop.py --force   replace an existing backprop.py
  symbackprop codegen 4-3-2-1 --backend torch -o backprop_torch.py
  symbackprop codegen 4-3-2-1 --backend jax -o backprop_jax.py
"""

CHECK_EPILOG = """\b
Examples:
  symbackprop check 4-3-2-1
  symbackprop check 784-128:relu-10:softmax --loss ce --size m=8
"""

#: how long a check at the most work it takes (2e11 multiply-adds) runs, said in its refusal: one
#: wording for networks and models (hostile46c #6: "about 15 s" and "about 10 s" of one limit);
#: measured: a network's 4.0e11 in 27 s, a model's at about 10 s per 2e11
FINITE_DIFFERENCES_TIMING = " (about 10 to 15 s of finite differences)"
#: the exact check (rational arithmetic, SymPy) runs for networks up to this depth (its time
#: is linear in depth: about 1 s of CPU at 20 layers of width 3)
EXACT_MAX_DEPTH = 20
#: the deepest network the exact check takes at all (symbackprop.check.exact.MAX_EXACT_DEPTH,
#: which imports SymPy; a test ties them)
MAX_EXACT_DEPTH = 100
#: --eps: smaller steps drown in rounding, larger ones in the curvature of the cost (the same
#: range as symbackprop.check.finite_diff.EPS_MIN/EPS_MAX, which imports NumPy; a test ties them)
EPS_MIN, EPS_MAX = 1e-10, 1e-2
#: --seed: numpy's default_rng takes any non-negative integer; the CLI keeps to 32 bits
SEED_MAX = 2**32 - 1


def _code_sizes(opts: SpecOptions, net: Any) -> dict[str, int]:
    """The widths code generation needs; every named width must have a ``--size``."""
    # the generated module is for any batch size: m is not one of its widths
    sizes = {name: value for name, value in opts.sizes.items() if name != "m"}
    missing = [name for name in net.named_widths if name not in sizes]
    if missing:
        flags = " ".join(f"--size {name}=INT" for name in missing)
        raise CliError(f"{net.compact} has named widths; numeric code needs {flags}")
    return sizes


def _exact_sizes(opts: SpecOptions) -> dict[str, int] | None:
    """The ``--size`` values the exact check runs at: those within its limit (1 to
    MAX_EXACT_SIZE; rational arithmetic differentiates every entry). For a larger one it
    chooses its own small size, as for a large numeric width, and its line says which."""
    from symbackprop.entry import MAX_EXACT_SIZE

    return {name: n for name, n in opts.sizes.items() if n <= MAX_EXACT_SIZE} or None


@click.command(
    "codegen",
    epilog=CODEGEN_EPILOG,
    short_help="Generate the gradient module (NumPy, PyTorch or JAX).",
)
@spec_options(
    says={
        "batch": "Always the batch form (m examples in columns; one example is m = 1): "
        "--batch is accepted, --single refused.",
        "size": "Size of a named width, e.g. --size n=784 (repeatable); not m: the module "
        "takes any batch size.",
    }
)
@click.option(
    "--backend",
    type=click.Choice(["numpy", "torch", "jax"]),
    default="numpy",
    show_default=True,
    help="Array library of the module: numpy, torch (PyTorch tensors) or jax.",
)
@output.options()
def codegen_cmd(opts: SpecOptions, backend: str, out_path: str | None, force: bool) -> None:
    """Generate a self-contained gradient module with forward, backward and loss_and_grads.

    --backend numpy (default) writes NumPy code; --backend torch writes the same functions on
    torch tensors, plus a torch.autograd.Function and an nn.Module for training loops;
    --backend jax writes them as pure functions on JAX arrays (jax.jit works on them), plus a
    jax.custom_vjp cost that jax.grad differentiates with the derived backward. Writing the
    text needs neither framework installed.

    Always the batch form (examples in columns). Named widths need --size NAME=INT; so does
    every dimension of a model without a value on its `sizes:` line.
    """
    if opts.batch is False:  # --single given
        raise click.UsageError(
            "--single does not apply: the generated module is always the batch form "
            "(examples in columns; one example is m = 1)"
        )
    # checked before any work: a refused -o costs nothing and writes nothing
    target = output.target(out_path, force=force, inputs=[opts.spec], writes="Python")
    if target is not None:
        _hides_an_import(out_path or "")
    net = opts.source()
    if "m" in opts.sizes:  # taken and ignored before (review27 #7)
        raise click.UsageError(
            "--size m does not apply: the generated module takes any batch size (m is the "
            "data's column count at run time)"
        )
    import symbackprop as sb
    from symbackprop.model import Model

    if isinstance(net, Model):  # sb.codegen names a dimension without a value itself
        sizes = {name: value for name, value in opts.sizes.items() if name != "m"}
    else:
        sizes = _code_sizes(opts, net)
    with console.working(f"generating the gradient code of {opts.describe(net)}"):
        source = sb.codegen(net, sizes=sizes, backend=backend)
    if target is None:
        ascii_output.echo(source, nl=False)
        return
    output.write(target, source)
    output.tell_wrote(target)


#: the modules a generated module imports: a file of that name beside a script hides them
_IMPORTED = frozenset({"numpy", "torch", "jax", "math"})


def _hides_an_import(path: str) -> None:
    """Refuse ``-o torch.py`` and kin: a file of that name is found first by ``import torch``
    in its folder, so the module would import itself and every script there would break
    (hostile48b #5: "partially initialized module 'torch'")."""
    stem, suffix = os.path.splitext(os.path.basename(path))
    if suffix == ".py" and stem in _IMPORTED:
        raise CliError(
            f"-o {path}: a file named {stem}.py hides the {stem} module the generated code "
            f"imports (import {stem} would find this file); choose another name"
        )


def _data(module: Any, loss: str, m: int, seed: int) -> tuple[Any, Any]:
    """Random inputs and targets the loss accepts (one-hot columns for ce, 0/1 for bce)."""
    import numpy as np

    from symbackprop.records.losses import LOSSES

    depth = len([name for name in module.SHAPES if name.startswith("W")])
    n0 = module.SHAPES["W1"][1]
    n_out = module.SHAPES[f"W{depth}"][0]
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((n0, m))
    return X, LOSSES[loss].draw_targets(rng, (n_out, m))


@click.command(
    "check", epilog=CHECK_EPILOG, short_help="Check the gradients: finite differences, exact."
)
@spec_options(
    says={
        "size": "Size of a named width, or m: the batch size of the finite differences and "
        "of a --batch exact check (default 3), e.g. --size m=8 (repeatable).",
        "batch": "The exact check's form: a batch of m examples in columns, or one example "
        "(default); the finite differences check the batch module.",
    }
)
@click.option(
    "--seed",
    type=IntRange(0, SEED_MAX),
    default=0,
    show_default=True,
    help="Seed for params and data.",
)
@click.option(
    "--eps",
    type=FiniteFloat(EPS_MIN, EPS_MAX),
    default=1e-6,
    show_default=True,
    help=f"Finite-difference step, in [{EPS_MIN:g}, {EPS_MAX:g}].",
)
@memory_option
@click.option(
    "--exact/--no-exact",
    default=True,
    help=f"Also run the exact check (by default on networks of depth <= {EXACT_MAX_DEPTH}; "
    f"--exact asks for it up to {MAX_EXACT_DEPTH} layers).",
)
def check_cmd(opts: SpecOptions, seed: int, eps: float, memory_gib: float, exact: bool) -> None:
    """Check the generated gradient code against central finite differences.

    For small networks and for models also compares every gradient entry with SymPy's diff of
    the cost in exact rational arithmetic. Exit status 1 when a check fails.
    """
    source = opts.source()
    from symbackprop.model import Model

    note = None
    if isinstance(source, Model):
        result, exact_result, m, mode, skipped, note = _check_model(
            source, opts, seed, eps, memory_gib, exact
        )
    else:
        # --exact given: run at any depth the exact check takes (it was dropped past 20 layers,
        # exit 0: hostile38c #7), or refuse
        source_of = click.get_current_context().get_parameter_source("exact")
        asked = exact and source_of is click.core.ParameterSource.COMMANDLINE
        result, exact_result, m, mode, skipped, note = _check_network(
            source, opts, seed, eps, memory_gib, exact, asked
        )
    # a model without a batch dimension has no m to show
    shown_m = None if isinstance(source, Model) and not source.batch else m
    if not exact:
        # finite differences alone pass a module that leaves out a part with no value (0 *
        # log(...)): the summary says the exact check did not run, not "all checks passed"
        skipped = "not asked for: --no-exact"
    # a network's exact check is of the form asked for (the code is always the batch form's)
    form = None if isinstance(source, Model) else "batch" if opts.batch else "single-example"
    _report_checks(result, exact_result, shown_m, mode, eps, skipped, note, form)


def _check_network(
    net: Any,
    opts: SpecOptions,
    seed: int,
    eps: float,
    memory_gib: float,
    exact: bool,
    asked: bool = False,
) -> tuple[Any, Any, int, str, str | None, str | None]:
    """Finite differences (and the exact check up to depth EXACT_MAX_DEPTH, or to
    MAX_EXACT_DEPTH where ``asked`` by --exact) of a network.

    Returns the finite-difference and exact results, m, the mode, why the exact check was
    skipped (or None) and a note on the point (or None).
    """

    import symbackprop as sb
    from symbackprop.check.exact import exact_degree_refusal
    from symbackprop.check.finite_diff import DIRECTIONS, choose_mode
    from symbackprop.core.memory import (
        PER_DIRECTION_ENTRY,
        check_budget,
        check_depth,
        estimate_multiply_adds,
        no_memory_error,
        parameter_count,
        refuse_work,
    )

    m = opts.sizes.get("m", 3)
    note = None
    # the depth check first: past it no check runs, and "drop --exact" would not help
    # (hostile48c #2)
    check_depth(net.depth)
    if asked and net.depth > MAX_EXACT_DEPTH:
        raise CliError(
            f"--exact: {net.depth} layers, and the exact check runs on at most "
            f"{MAX_EXACT_DEPTH} (its rational arithmetic takes about 60 ms a layer); drop "
            "--exact to check by finite differences alone"
        )
    run_exact = exact and (asked or net.depth <= EXACT_MAX_DEPTH)
    # refused before anything is allocated: over budget
    code_sizes = _code_sizes(opts, net)
    widths = [code_sizes[w] if isinstance(w, str) else w for w in net.widths]
    # and over the time one run may take: each cost evaluation of the finite differences is a
    # call of loss_and_grads (a forward and a backward pass), two an entry (every entry up to
    # FULL_CHECK_MAX_PARAMS) or two a random direction of each W and b (hostile35a #4: 20
    # layers of width 100 at m = 100000 ran for hours; review35 #1: counted as forward passes
    # only, the estimate was 3x short)
    n_params = parameter_count(widths)
    # DESIGN.md's "auto": every entry for small networks, random directions for large ones
    mode = choose_mode(n_params)
    evaluations = 2 * (n_params if mode == "full" else DIRECTIONS * 2 * net.depth)
    # and each random direction's own passes over the entries of its parameter, whatever m
    # is (hostile42c #1: 7000-7000-1 at m = 3 ran 61 s, counted as its products alone)
    directions = PER_DIRECTION_ENTRY * DIRECTIONS * n_params if mode == "directional" else 0.0
    products = estimate_multiply_adds(widths, m, passes=1 + evaluations)
    refuse_work(
        f"check {net.compact}",
        products + directions,
        # a smaller m does not help where the directions' passes over the entries dominate
        advice="use a smaller --size m, or fewer or narrower layers"
        if products >= directions
        else "use fewer or narrower layers (the random directions cost every entry of the "
        "parameters, whatever m is)",
        timing=FINITE_DIFFERENCES_TIMING,
    )
    # memory after the work: over both, no --memory helps, and the memory refusal's advice
    # to raise it led to the work's refusal (hostile50b #6: check 30000-30000-1)
    check_budget(f"check {net.compact}", widths, m, budget_gib=memory_gib, finite_differences=True)
    # progress on stderr (transient: gone when done; nothing when stderr is not a terminal)
    with console.progress() as progress:
        task = progress.add_task("deriving and compiling the gradient code", total=None)
        module = sb.compile(net, sizes=code_sizes)
        progress.update(task, description=f"finite differences ({mode}, {n_params:,} parameters)")
        with no_memory_error(f"check {net.compact}"):
            params = module.init_params(seed=seed)
            X, Y = _data(module, net.loss, m, seed)
            result = sb.gradcheck(module, params, X, Y, eps=eps, mode=mode, seed=seed)
            if _on_a_kink(result):
                # the biases start at 0: a batch column whose relu layer is dead then gives the
                # next layer's z = b = 0 exactly, on the kink for every step of b; the gradient
                # holds at any point, so the biases are drawn off it (the output says so)
                biases = tuple(name for name in module.SHAPES if name.startswith("b"))
                params = _drawn(params, biases, seed)
                result = sb.gradcheck(module, params, X, Y, eps=eps, mode=mode, seed=seed)
                note = (
                    f"{', '.join(biases)} drawn at random, not at 0: at 0 the point sat on a kink"
                )
        exact_result = None
        refused = None
        if run_exact:
            progress.update(task, description="exact check (rational arithmetic, small sizes)")
            derivation = sb.derive(net, batch=opts.batch)
            # polynomial activations compounding past the exact check's degree: skipped, and
            # said (ten layers of z^3 ran past 2 minutes: hostile43a #3)
            refused = exact_degree_refusal(derivation)
            if refused is None:
                exact_result = sb.check_exact(derivation, sizes=_exact_sizes(opts), seed=seed)
    skipped = refused
    if exact and not run_exact:
        skipped = f"depth {net.depth} > {EXACT_MAX_DEPTH}; --exact runs it"
    return result, exact_result, m, mode, skipped, note


#: seeds tried after --seed when the cost is not finite at the drawn point (log det of a
#: matrix with a negative determinant, say)
MODEL_SEED_TRIES = 20


def _check_model(
    model: Any, opts: SpecOptions, seed: int, eps: float, memory_gib: float, exact: bool
) -> tuple[Any, Any, int, str, str | None, str | None]:
    """Finite differences and the exact check of a model, at a point where its cost is finite.

    Returns the finite-difference and exact results, m, the mode, why the exact check was
    skipped (or None) and a note on the point (or None).
    """
    import numpy as np

    import symbackprop as sb
    from symbackprop.check.finite_diff import DIRECTIONS, choose_mode, settles
    from symbackprop.check.model_exact import no_value_anywhere, oracle_work
    from symbackprop.check.singular import strict_inverses
    from symbackprop.core.graph import dim
    from symbackprop.core.memory import (
        MAX_CHECK_DEPTH,
        PER_DIRECTION_ENTRY,
        no_memory_error,
        refusal,
        refuse_work,
    )
    from symbackprop.core.model_derivation import ModelDerivation
    from symbackprop.core.model_work import model_multiply_adds
    from symbackprop.core.rank_bound import no_value_text, undefined_at_sizes
    from symbackprop.errors import SpecError

    m = opts.sizes.get("m", 3)
    code_sizes = {name: value for name, value in opts.sizes.items() if name != "m"}
    what = f"check {opts.describe(model)}"
    equations = len(model.equations)
    if equations > MAX_CHECK_DEPTH:  # finite differences rerun the model per perturbed array
        raise SpecError(
            f"{what}: {equations} equations; at most {MAX_CHECK_DEPTH} (finite differences "
            "rerun the whole model for every perturbed parameter); derive, shapes and codegen "
            "take longer models"
        )
    sizes = {**model.sizes, **code_sizes, "m": m}
    entries = 0
    for rows, cols in model.shapes.values():
        known = [int(d) if str(d).isdigit() else sizes.get(str(d)) for d in (rows, cols)]
        entries += (known[0] or 1) * (known[1] or 1)
    # each value, its adjoint, the workspace and the checker's copies: about 4 arrays apiece
    need = 4 * 8 * entries
    if need > memory_gib * 2**30:
        raise refusal(what, need, memory_gib)
    with console.progress() as progress, no_memory_error(what):
        task = progress.add_task("deriving and compiling the gradient code", total=None)
        derivation = sb.derive(model)
        assert isinstance(derivation, ModelDerivation)
        # at the m checked too (the module is built for any m): logdet(X X^T) with X n x m
        # has no value where m < n, though rounding gives its module a finite cost
        problem = undefined_at_sizes(derivation.graph, {dim(k): v for k, v in sizes.items()})
        if problem:
            shown = ", ".join(f"{k} = {v}" for k, v in sizes.items() if k != "m" or model.batch)
            raise CliError(f"check: {no_value_text(shown, problem)}")
        # an inverse of a numerically singular matrix (A - A^T at n = 3: 1e23-sized entries) is
        # an undefined point, as an exactly singular one is, not noise to compare
        module = strict_inverses(sb.compile(derivation, sizes=code_sizes))
        n_params = sum(
            int(np.prod([m if size == "m" else size for size in shape]))
            for shape in module.SHAPES.values()
        )
        mode = choose_mode(n_params)
        # and over the time one run may take, counted from the graph (hostile41a #3: a logdet
        # and an inverse at n = 3000 ran 278 s): each cost evaluation is a forward and a
        # backward pass, two an entry or a random direction (not counted: a row that would
        # fail costs the noise measurement's 126 more, and a point redrawn its own run)
        arrays = len(module.SHAPES)
        evaluations = 2 * (n_params if mode == "full" else DIRECTIONS * arrays)
        # each random direction's own passes over its parameter's entries (hostile42c #1:
        # mse(V tanh(W x), y) at n = 8000 ran 71 s, its products counted at 2e10)
        directions = PER_DIRECTION_ENTRY * DIRECTIONS * n_params if mode == "directional" else 0
        refuse_work(
            what,
            model_multiply_adds(derivation.graph, sizes) * (1 + evaluations) + directions,
            advice="give its dimensions smaller sizes with --size NAME=INT",
            timing=FINITE_DIFFERENCES_TIMING,
        )
        progress.update(task, description=f"finite differences ({mode}, {n_params:,} parameters)")
        defined = False  # the cost finite at a drawn point
        gradient = False  # and its gradient computed there
        # where no signed draw has a cost (log(X), a log of W H), the leaves under a log,
        # sqrt or fractional power are drawn positive (their absolute values), and the note
        # says so: every point failed before (hostile43c #4)
        positive = model.positive_leaves
        seeds = range(seed, seed + MODEL_SEED_TRIES)
        tries = [(tried, False) for tried in seeds] + [(tried, True) for tried in seeds]
        drawn_positive = False
        kept: tuple[str, ...] = ()  # the leaves kept positive at the point taken
        for tried, absolute in tries:
            if absolute and (defined or not positive):
                continue
            params = module.init_params(seed=tried, **_per_example(module, m))
            data = _model_data(model, module, {**model.sizes, **code_sizes, "m": m}, tried)
            signed = (params, data)
            if absolute:
                params = {k: abs(v) if k in positive else v for k, v in params.items()}
                data = [
                    abs(v) if k in positive else v for k, v in zip(module.DATA, data, strict=True)
                ]
            drawn_positive = absolute
            if not np.isfinite(_cost_at(module, params, data)):
                continue
            if absolute:  # each leaf signed again wherever the cost keeps a value (review43)
                params, data, kept = _signed_where_finite(module, positive, params, data, signed)
            defined = True
            # det's gradient det(X) inv(X)^T has no value where X is singular, though the
            # cost has (det(A - A^T) is 0 at n = 3): that point is undefined for the code too
            if not np.isfinite(_cost_at(module, params, data, gradient=True)):
                continue
            gradient = True
            result = sb.gradcheck(module, params, *data, eps=eps, mode=mode, seed=tried)
            if settles(result):
                break
        else:
            if defined and not gradient:
                # no claim that the cost has a value: a logdet of a matrix singular everywhere
                # rounds to a finite number too (hostile32b)
                raise CliError(
                    f"check: the gradient code has no value at the points drawn with seeds "
                    f"{seed} to {seed + MODEL_SEED_TRIES - 1}, where the module's cost came out "
                    "finite: it inverts a matrix singular there (det's gradient det(X) "
                    "inv(X)^T at a singular X, or a matrix singular at every point, whose "
                    "logdet is then a rounding error); nothing to compare"
                )
            where = "at" if not defined else "a finite-difference step away from"
            also = f", and with {', '.join(positive)} drawn positive," if positive else ""
            raise CliError(
                f"check: the cost is not finite {where} the points drawn with seeds {seed} to "
                f"{seed + MODEL_SEED_TRIES - 1}{also} (a log, sqrt or fractional power of a "
                "negative number, an inverse of a singular matrix, a logdet of a determinant "
                "<= 0, a value beyond the float range 1.8e308, as exp(710)?); nothing to compare"
            )
        note = None
        if drawn_positive:
            note = (
                f"{', '.join(kept)} drawn positive: the model has no value at the signed "
                "draws (a log, sqrt or fractional power of them)"
            )
        if _on_a_kink(result) and module.ADDED:
            # the parameters only ever added start at zero, where a relu of them (beta in
            # batch_norm at m = 1, where N = 0) sits on its kink for every seed: nothing can be
            # checked there, so they are drawn at random too (the gradient holds at any point)
            moved = _drawn(params, module.ADDED, tried)
            if np.isfinite(_cost_at(module, moved, data)):
                result = sb.gradcheck(module, moved, *data, eps=eps, mode=mode, seed=tried)
                note = (f"{note}; " if note else "") + (
                    f"{', '.join(module.ADDED)} (only ever added) drawn at random, not at 0: "
                    "at 0 the point sat on a kink"
                )
        exact_result, skipped = None, None
        # decided from the graph before anything runs (no clock): the entries the oracle
        # differentiates and its symbolic inverses (a 3-step RNN is run, in about 5 s)
        small = _exact_sizes(opts)  # the exact check's sizes, those within its limit
        costly = oracle_work(derivation, small).over() if exact else None
        if costly is not None:
            spelled = repr(opts.spec) if len(opts.spec) <= 200 else "SPEC"  # Python, as typed
            given = f", sizes={small!r}" if small else ""
            skipped = (
                f"{costly}; sb.check_exact(sb.derive({spelled}){given}) in Python runs it anyway"
            )
            # its first step is cheap and still runs: a part with no value anywhere, which the
            # module may fold away (0 * log(0)) so that finite differences pass
            try:
                exact_result = no_value_anywhere(derivation, sizes=small, seed=seed)
            except SpecError as exc:
                skipped = str(exc)
        elif exact:
            progress.update(task, description="exact check (rational arithmetic, small sizes)")
            try:
                exact_result = sb.check_exact(derivation, sizes=small, seed=seed)
            except SpecError as exc:  # too large for rational arithmetic: say why, go on
                skipped = str(exc)
    return result, exact_result, m, mode, skipped, note


def _cost_at(module: Any, params: Any, data: Any, *, gradient: bool = False) -> float:
    """The model's cost at a point (with ``gradient``, as loss_and_grads computes it with its
    gradients); nan where it is undefined there: NaN, or the module's LinAlgError for a
    singular matrix inverted or a logdet of a determinant <= 0 (the next seed is tried, as
    for a log of a negative number)."""
    from symbackprop.check.finite_diff import cost_or_nan

    if gradient:
        return cost_or_nan(lambda: module.loss_and_grads(params, *data)[0])
    return cost_or_nan(lambda: module.forward(params, *data)[0])


def _on_a_kink(result: Any) -> bool:
    """A parameter with no entry checked because every step crossed a kink."""
    return any(row.checked == 0 and row.skipped == row.total > 0 for row in result.rows)


def _drawn(params: dict[str, Any], names: tuple[str, ...], seed: int) -> dict[str, Any]:
    """``params`` with each parameter in ``names`` standard normal (seeded), the rest as given."""
    import numpy as np

    rng = np.random.default_rng(seed + 2)  # seed + 1 draws the data
    return {
        name: rng.standard_normal(value.shape).astype(value.dtype) if name in names else value
        for name, value in params.items()
    }


def _signed_where_finite(
    module: Any,
    positive: tuple[str, ...],
    params: dict[str, Any],
    data: list[Any],
    signed: tuple[dict[str, Any], list[Any]],
) -> tuple[dict[str, Any], list[Any], tuple[str, ...]]:
    """``params`` and ``data`` (the ``positive`` leaves at their absolute values) with each of
    those leaves back at its ``signed`` draw wherever the cost stays finite, and the leaves
    kept positive: a leaf the model takes at either sign is checked at either."""
    import numpy as np

    kept = []
    names = list(module.DATA)
    for name in positive:
        if name in params:
            trial = ({**params, name: signed[0][name]}, data)
        else:
            index = names.index(name)
            trial = (params, [*data[:index], signed[1][index], *data[index + 1 :]])
        if np.isfinite(_cost_at(module, *trial)):
            params, data = trial
        else:
            kept.append(name)
    return params, data, tuple(kept)


def _per_example(module: Any, m: int) -> dict[str, int]:
    """``init_params``'s keyword m where a parameter of ``module`` has a column or row per
    example (its SHAPES entry holds "m", declared so in the model), else none."""
    return {"m": m} if any("m" in shape for shape in module.SHAPES.values()) else {}


def _model_data(model: Any, module: Any, sizes: dict[str, int], seed: int) -> list[Any]:
    """Random data arrays in ``module.DATA`` order: a loss's targets valid for it (0/1 for
    bce, one-hot columns for ce), every other data leaf standard normal."""
    import numpy as np

    from symbackprop.records.losses import LOSSES

    rng = np.random.default_rng(seed + 1)
    targets = model.targets
    out = []
    for name in module.DATA:
        rows, cols = (int(d) if str(d).isdigit() else sizes[str(d)] for d in model.shapes[name])
        shape = (rows, cols)
        if name in targets:
            out.append(LOSSES[targets[name]].draw_targets(rng, shape))
        else:
            out.append(rng.standard_normal(shape))
    return out


def _report_checks(
    result: Any,
    exact_result: Any,
    m: int | None,
    mode: str,
    eps: float,
    skipped: str | None,
    note: str | None = None,
    form: str | None = None,
) -> None:
    """The finite-difference table and the exact check's line; exit 1 when one failed.

    ``m`` is None for a model without a batch dimension (its title names no m); ``note`` says
    how the point was drawn where that is not the modules' init_params.
    """
    from rich.table import Table

    from symbackprop.check.finite_diff import FINER_STEP as FINER

    batch = "" if m is None else f", m={m}"
    table = Table(title=f"finite differences ({mode}, eps={eps:g}{batch})", title_justify="left")
    for column, justify in (
        ("parameter", "left"),
        ("max abs error", "right"),
        ("relative error", "right"),
        ("checked", "right"),
        ("", "center"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    reasons: list[str] = []
    for row in result.rows:
        # below the noise floor (a huge cost): neither a pass nor a failure
        mark = (
            "[green]ok[/]"
            if row.ok
            else "[yellow]not resolved[/]"
            if row.unresolved
            else "[bold red]FAIL[/]"
        )
        if row.unit == "entries":
            checked = f"{row.checked} of {row.total}" + (
                f" ({row.skipped} skipped at a kink)" if row.skipped else ""
            )
        else:  # a direction that crossed a kink was drawn again: short ones say why below
            checked = f"{row.checked} of {row.total} directions"
        table.add_row(
            row.parameter, f"{row.max_abs_error:.2e}", f"{row.relative_error:.2e}", checked, mark
        )
        if not row.ok:
            reasons.append(f"  {row.parameter}: {row.reason or 'failed'}")
        elif row.reason and FINER in row.reason:
            # judged at a step other than --eps: the title's eps is not what passed it
            # (hostile50b #5: every row ok under eps=0.01, measured at 1e-06)
            reasons.append(f"  {row.parameter}: ok, {row.reason}")
    if result.workspace_differs:  # the rows are right without one (hostile36d #4)
        reasons.append(f"  [bold red]FAIL[/]: {result.workspace_differs}")
    lines: list[Any] = [table, *reasons]
    if note is not None:
        lines.append(f"  note: {note}")
    failed = ["finite differences"] if result.failed else []
    exact_ok = exact_result is not None and exact_result.ok and not exact_result.undecided
    if exact_result is not None and exact_result.undecided and not exact_result.mismatches:
        lines.append(f"exact check: not run ({exact_result.undecided})")
    elif exact_result is not None and exact_result.all_zero and not exact_result.mismatches:
        # 0 = 0 at every entry verifies nothing (a dead relu(W X - 100): hostile45b #1)
        lines.append(
            f"exact check: cannot decide (every one of its {exact_result.entries} entries was 0 "
            "in the derivation and in SymPy's diff, as a wrong gradient's would be too)"
        )
    elif exact_result is not None:
        status = "[green]ok[/]" if exact_result.ok else "[bold red]FAILED[/]"
        at = exact_result.settings
        # every dimension a number (W : 3 x 2): no size was chosen, the model's own are used
        where = f"at the small sizes {at}" if at else "at the model's own sizes"
        of = f" of the {form} derivation" if form else ""
        lines.append(
            f"exact check{of}: {status} ({exact_result.entries} entries compared in rational "
            f"arithmetic {where}, {exact_result.trials_text})"
        )
        if not exact_result.ok:
            failed.append("exact check")
            lines += [f"  mismatch: {mm}" for mm in list(exact_result.mismatches)[:10]]
    elif skipped is not None:
        lines.append(f"exact check: skipped ({skipped})")
    # the summary says what ran: an exact check skipped or not run did not pass
    missing = (
        "not run"
        if exact_result is not None and exact_result.undecided and not exact_result.mismatches
        else "skipped"
    )
    partly = exact_result is None and skipped is not None or missing == "not run"
    passed = "finite differences passed" if partly else "all checks passed"
    not_run = f"; exact check {missing}" if partly else ""
    unresolved = _unresolved_text([row for row in result.rows if row.unresolved])
    zeros = bool(result.rows) and all(row.zero for row in result.rows)
    if zeros and not failed and not exact_ok:
        passed = "finite differences saw only gradients of 0; the check cannot decide"
    # a parameter 0 at every point both checks compared was verified by neither
    exact_zero = set(exact_result.zero_parameters) if exact_result is not None else None
    unverified = [
        row.parameter
        for row in result.rows
        if row.zero and (exact_zero is None or row.parameter in exact_zero)
    ]
    if unverified and not zeros and not failed:
        named = ", ".join(unverified)
        lines.append(
            f"  note: {named} {'was' if len(unverified) == 1 else 'were'} 0 at every point "
            "compared, by finite differences"
            + (" and by the exact check" if exact_result is not None else "")
            + ": a wrong gradient there would pass too"
        )
        # said of finite differences, before the exact check that did not run: "exact check
        # skipped for every parameter but W1" read as though it ran for W1 (hostile46c #5)
        passed += f" for every parameter but {named}, which nothing verified"
    if not (zeros and not failed and not exact_ok):
        passed += not_run
    if unresolved and not failed:
        # rows that measured nothing were not compared: the exact check alone can decide
        passed = f"finite differences could not resolve {unresolved}"
        passed += "; the exact check passed" if exact_ok else "; the check cannot decide"
    if exact_result is not None and exact_result.cost_undefined and not failed:
        # finite differences of a module that folded 0 * log(0) away compared another cost
        console.print_out(*lines)
        raise CliError(
            f"cannot decide: {exact_result.undecided}, yet the generated code's cost was "
            "finite: a part the cost multiplies by 0 may have no value or no derivative "
            "anywhere (0 log(0) is no number, sqrt at 0 has no derivative), and the code leaves "
            "it out"
        )
    lines.append("[bold red]check failed[/]" if failed else f"[green]{passed}[/]")
    console.print_out(*lines)
    if failed:
        raise CheckFailed(f"check failed: {' and '.join(failed)}")
    if unresolved and not exact_ok:
        hint = "; --exact runs it" if skipped is not None and "--exact runs it" in skipped else ""
        raise CliError(
            f"cannot decide: finite differences could not resolve {unresolved} and no exact "
            f"check passed{hint}"
        )
    if zeros and not exact_ok:
        # every gradient 0 at the point (an underflow, say): a wrong formula gives 0 there too
        raise CliError(
            "cannot decide: every gradient is exactly 0 at the point checked, so finite "
            "differences compared nothing a wrong gradient would not also pass, and no exact "
            "check passed"
        )


#: the parameters a message names one by one; more are shown as their first and last ones
NAMED_PARAMETERS = 6


def _unresolved_text(rows: list[Any]) -> str:
    """The rows finite differences could not resolve, grouped by cause: ``W1, b1 (the gradient
    is under the noise floor)``; a long group as its first and last names and a count (a
    40-layer network repeated the cause once per parameter, thousands of characters:
    hostile38c #8)."""
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(row.cause or "", []).append(row.parameter)
    parts = []
    for cause, names in groups.items():
        shown = ", ".join(names)
        if len(names) > NAMED_PARAMETERS:
            first, last = ", ".join(names[:3]), ", ".join(names[-2:])
            shown = f"{first}, ..., {last} ({len(names)} parameters"
            shown += f": {cause})" if cause else ")"
        elif cause:
            shown += f" ({cause})"
        parts.append(shown)
    return "; ".join(parts)
