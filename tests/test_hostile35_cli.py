"""What hostile35a found in the command line: each a false sentence or an exit 3 before.

#2: ``check`` of ``J = mse(((z1^1000)^1000)^1000, Y)`` said "finite differences passed; exact
check skipped": both gradients underflow to exactly 0, so the comparison could not have told a
wrong formula from the right one. Now: "cannot decide", exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
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


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
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
    (6e12 multiply-adds: each finite difference is a call of loss_and_grads) ran until
    killed. Refused up front now, as ``gradients`` refuses its runs; the lecture's network at
    the default sizes still runs."""
    import time

    started = time.perf_counter()
    done = CliRunner().invoke(main, ["check", "1000-1000-1000-1", "--size", "m=10000"])
    assert time.perf_counter() - started < 10
    assert done.exit_code == 2, done.output
    assert "would take about 5.9e+12 multiply-adds, more than the 2e+11" in done.stderr
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


def test_an_output_name_ending_in_a_slash_is_refused(tmp_path: Path) -> None:
    """#6: ``-o newdir/`` wrote a file named newdir, and ``-o a.txt/ --force`` replaced the
    file a.txt (Path() drops the slash; the system would say "Not a directory")."""
    existing = tmp_path / "a.txt"
    existing.write_text("keep")
    for name, extra in ((tmp_path / "newdir", []), (existing, ["--force"])):
        for end in ("/", "/.", "/.."):  # review35 #2: Path() drops '/.' too
            done = CliRunner().invoke(main, ["codegen", "4-3-2-1", "-o", f"{name}{end}", *extra])
            assert done.exit_code == 2, done.output
            assert "names a folder; expected a file name" in done.stderr
    assert existing.read_text() == "keep" and not (tmp_path / "newdir").exists()


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_a_stderr_that_takes_nothing_keeps_the_exit_code() -> None:
    """#7: with stderr on a full disk, a usage error exited 1 (a failed check): the failed
    write of its message raised out of the report."""
    import subprocess
    import sys

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "symbackprop", "derive", "4-3-2-1", "--bogus"],
            stderr=full,
            stdout=subprocess.DEVNULL,
            timeout=60,
        )
    assert done.returncode == 2
    # review35 #4: a command that did its work keeps exit 0 when its "wrote" line is lost
    import tempfile

    with tempfile.TemporaryDirectory() as folder, open("/dev/full", "w") as full:
        target = Path(folder) / "grads.py"
        done = subprocess.run(
            [sys.executable, "-m", "symbackprop", "codegen", "4-1", "-o", str(target)],
            stderr=full,
            timeout=60,
        )
        assert done.returncode == 0 and target.read_text().startswith('"""')


def test_a_model_file_without_its_suffix_is_told_the_suffix(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """#8: a model saved as ``noext`` was told "no layers; expected an input width", and one
    saved as ``g.txt`` "use a .toml or .json file", neither naming .model."""
    text = (Path(__file__).resolve().parents[1] / "examples" / "models" / "dot.model").read_text()
    monkeypatch.chdir(tmp_path)
    Path("noext").write_text(text)
    Path("g.txt").write_text(text)
    done = CliRunner().invoke(main, ["derive", "noext"])
    assert done.exit_code == 2
    assert "a file 'noext' exists, but a name without '/' or a suffix is read as a" in done.stderr
    assert "a model's equations are read from a .model file" in done.stderr
    done = CliRunner().invoke(main, ["derive", "g.txt"])
    assert done.exit_code == 2 and "or a .model file for a model's equations" in done.stderr


def test_force_without_a_file_and_minus_o_a_folder_say_so() -> None:
    """#9: ``--force`` without ``-o`` was accepted and did nothing, and ``derive -o /tmp``
    (text goes to stdout) advised "write '> /tmp' instead", which fails on a folder too."""
    for command in (["derive", "4-3-2-1"], ["codegen", "4-3-2-1", "-o", "-"], ["latex", "3-1"]):
        done = CliRunner().invoke(main, [*command, "--force"])
        assert done.exit_code == 2, (command, done.output)
        assert "--force replaces the file -o FILE names, and no file is named" in done.stderr
    done = CliRunner().invoke(main, ["gradients", "--force"])  # review35 #5
    assert done.exit_code == 2 and "--force replaces the file --plot FILE names" in done.stderr
    done = CliRunner().invoke(main, ["derive", "4-3-2-1", "-o", str(Path(__file__).parent)])
    assert done.exit_code == 2 and "redirect it to a file, '> FILE'" in done.stderr
