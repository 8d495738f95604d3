"""What hostile35a found in the command line: each a false sentence or an exit 3 before.

#2: ``check`` of ``J = mse(((z1^1000)^1000)^1000, Y)`` said "finite differences passed; exact
check skipped": both gradients underflow to exactly 0, so the comparison could not have told a
wrong formula from the right one. Now: "cannot decide", exit 2.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from symbackprop.cli.main import main

UNDERFLOW = """\
z1 = W X
J = mse(((z1^1000)^1000)^1000, Y)
W : 1 x 3
X : 3 x m
Y : 1 x m
"""


def test_check_of_gradients_that_are_all_zero_cannot_decide(tmp_path: Path) -> None:
    model = tmp_path / "underflow.model"
    model.write_text(UNDERFLOW)
    done = CliRunner().invoke(main, ["check", str(model)])
    assert done.exit_code == 2, done.output
    assert "passed" not in done.stdout
    assert "finite differences saw only gradients of 0; the check cannot decide" in done.stdout
    assert done.stderr.startswith("symbackprop: error: cannot decide: every gradient is exactly 0")
    # a network whose gradients are not all 0 still passes
    assert CliRunner().invoke(main, ["check", "4-3:relu-2:relu-1"]).exit_code == 0


def _stack(depth: int) -> str:
    """A plain dense stack of ``depth`` sigmoid layers, written as a model."""
    lines = ["X : n0 x m", "Y : n0 x m", "sizes: n0 = 3", "h0 = X"]
    for k in range(1, depth + 1):
        lines += [f"P{k} : n0 x n0", f"h{k} = sigmoid(P{k} h{k - 1} + c{k})"]
    return "\n".join([*lines, f"J = mse(h{depth}, Y)"]) + "\n"


def test_a_deep_models_expanded_forms_are_left_out_not_a_recursion_error() -> None:
    """#3: ``latex p80.model`` (80 layers written as a model) ended in exit 3: the text
    printer's measure of an expanded gradient recursed once a level, past Python's stack.
    Forms nested more than 60 levels are left out with a note, as long ones are; shown here at
    40 layers under a stack 450 frames deep (the old code needed more than 500)."""
    import inspect
    import sys

    import symbackprop as sb
    from symbackprop.model import Model
    from symbackprop.render.model_view import EXPANDED_MAX_DEPTH

    d = sb.derive(Model.parse(_stack(40)))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 450)
    try:
        document = sb.to_latex(d)
    finally:
        sys.setrecursionlimit(limit)
    assert f"nested more than {EXPANDED_MAX_DEPTH} levels deep" in document


def test_check_refuses_finite_differences_over_the_time_budget_before_any_work() -> None:
    """#4: ``check`` had a memory budget but no time budget: 1000-1000-1000-1 at m = 10000
    (2e12 multiply-adds of finite differences) ran until killed. Refused up front now, as
    ``gradients`` refuses its runs; the lecture's network at the default sizes still runs."""
    import time

    started = time.perf_counter()
    done = CliRunner().invoke(main, ["check", "1000-1000-1000-1", "--size", "m=10000"])
    assert time.perf_counter() - started < 10
    assert done.exit_code == 2, done.output
    assert "would take about 2.0e+12 multiply-adds, more than the 2e+11" in done.stderr
    assert "use a smaller --size m" in done.stderr
    assert CliRunner().invoke(main, ["check", "4-3-2-1"]).exit_code == 0


def test_slides_pdf_of_a_deep_network_is_refused_up_front(tmp_path: Path) -> None:
    """#5: ``latex --slides --pdf`` of 200 layers took pdflatex over 4 minutes, 1000 layers
    its 5-minute timeout; refused over 50 layers before any work, the .tex alone still made."""
    deep = "-".join(["3"] * 60) + "-1"
    out = tmp_path / "deck.tex"
    done = CliRunner().invoke(main, ["latex", deep, "--slides", "-o", str(out), "--pdf"])
    assert done.exit_code == 2, done.output
    assert "at most 50 layers with --pdf" in done.stderr and not out.exists()
    done = CliRunner().invoke(main, ["latex", deep, "--slides", "-o", str(out)])
    assert done.exit_code == 0 and "{beamer}" in out.read_text()
