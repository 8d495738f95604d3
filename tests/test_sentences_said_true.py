"""Sentences that said more than was true (hostile48c): each now says what holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.apps.gradients import GradientTable
from symbackprop.apps.shapecheck.check import Counterexample
from symbackprop.errors import SpecError


def test_a_long_exact_fraction_is_not_called_approximate_beside_exactly() -> None:
    """#6: "the gradient is 1.17e+17 (approximately) (exactly, at random rational inputs...)"."""
    big = sp.Rational(3**90 + 1, 7**30)
    text = str(Counterexample("W", 0, 0, big + 1, big, {"n": 2}, True))
    assert "approximately" not in text
    assert "digits of its exact fraction)" in text and "(exactly, at random" in text


def test_the_zero_gradient_note_names_more_than_dead_relus() -> None:
    """#10: an identity network whose gradients underflow to 0 was put down to dead ReLUs."""
    zeros = np.array([[0, 2], [0, 2]])
    table = GradientTable(
        2, 2, "identity", "scaled-identity:0.1", 2, 1, "2-2-2", np.ones(2), np.ones(2), zeros
    )
    note = table.dead_note()
    assert "values below the smallest float" in note and "a derivative that is\n  0" in note


def test_an_activation_written_as_a_width_is_told_where_it_goes() -> None:
    """#4: 4-3-relu was told "reserved ... choose another name, e.g. n or h" only."""
    with pytest.raises(SpecError) as caught:
        sb.Network.parse("4-3-relu")
    assert "'relu' is an activation, not a width: it follows its layer's width after ':'" in str(
        caught.value
    )


def test_a_misspelt_function_in_a_custom_activation_is_named() -> None:
    """#5: sigmod(z) was told "an activation formula may use only z", which it may not only."""
    with pytest.raises(SpecError) as caught:
        sb.Network.parse("4-3:g-1", define={"g": "sigmod(z) + z"})
    message = str(caught.value)
    assert "did you mean 'sigmoid'?" in message and "may use only" not in message


@pytest.mark.slow  # check as a process's work: over 1 s of the default suite's time
def test_a_root_of_zero_is_said_to_have_a_value_and_no_derivative(tmp_path: Path) -> None:
    """#1: J = norm2(0 w) is 0 everywhere; "the model has no value at any of the 60 points
    drawn (a root of 0)" was false: its derivative has none."""
    from symbackprop.cli.main import main

    path = tmp_path / "n0.model"
    path.write_text("w : 3 x 1\nJ = norm2(0 w)\n")
    result = CliRunner().invoke(main, ["check", str(path)])
    text = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "the model or its derivative has no value" in text
    assert "a root of 0, which has a value there and no derivative" in text


@pytest.mark.slow  # a crossing search: over 1 s of the default suite's time
def test_a_region_found_that_compared_nothing_is_said_so() -> None:
    """hostile48a #5: "no point compared had z1 below 0, nor any on lines through the leaves"
    was said of a clamp relu(z) - relu(z - 6), where such points were found and compared
    nothing (its gradient is 0 there)."""
    network = sb.Network.parse("4-3:relu6-1", define={"relu6": "relu(z) - relu(z - 6)"})
    report = sb.check_formula(network, "W1", "(W2^T delta2 ⊙ (1{z1 > 0} - 1{z1 > 6})) x^T")
    assert report.exit_code == 2
    message = str(report.error)
    assert "no point compared had z1 below 0" not in message
    assert "points with z1 below 0 were found, but none of them counted as a comparison" in message


def test_draw_writes_no_png_into_a_text_file(tmp_path: Path) -> None:
    """hostile48c #8: draw -o net.txt wrote PNG bytes into it, exit 0."""
    from symbackprop.cli.main import main

    target = tmp_path / "net.txt"
    refused = CliRunner().invoke(main, ["draw", "4-3-1", "-o", str(target)])
    assert refused.exit_code == 2 and not target.exists()
    assert "asks for text: give --format svg or --format tikz" in refused.output
    written = CliRunner().invoke(main, ["draw", "4-3-1", "-o", str(target), "--format", "svg"])
    assert written.exit_code == 0 and target.read_text().startswith("<svg")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("net.tiff", None),
        ("net.svgz", None),
        ("net.bmp", None),
        ("y.txt", "png"),
        ("y.xml", "png"),
    ],
)
def test_draw_writes_no_png_under_a_name_of_another_format(
    tmp_path: Path, name: str, fmt: str | None
) -> None:
    """hostile50b #4: PNG bytes were written into net.tiff, net.svgz, ..., exit 0; a
    suffixless name is a PNG, and text (svg, tikz) goes into any name."""
    from symbackprop.cli.main import main

    target = tmp_path / name
    args = ["draw", "4-3-1", "-o", str(target), *(["--format", fmt] if fmt else [])]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2 and not target.exists(), refused.output
    assert "which draw does not write: name it .png, .svg or .tex" in refused.output
    text = CliRunner().invoke(main, ["draw", "4-3-1", "-o", str(target), "--format", "svg"])
    assert text.exit_code == 0 and target.read_text().startswith("<svg")


def test_a_written_name_with_a_space_at_an_end_is_quoted() -> None:
    """hostile48c #11: "wrote x.py " read as x.py."""
    from symbackprop.cli.output import wrote

    assert wrote("x.py ") == "wrote 'x.py '" and wrote("x.py") == "wrote x.py"


@pytest.mark.slow  # a model's formula check: over 1 s of the default suite's time
def test_an_abs_of_a_product_over_the_product_is_no_internal_error() -> None:
    """hostile48d #4: abs(w^T x)^2 / (w^T x) x was an internal error (KeyError in the
    switches' merge), exit 3; it is the gradient of 0.5 (w^T x)^2."""
    model = sb.Model.parse("w : n x 1\nx : n x 1\nsizes: n = 3\nJ = 0.5 (w^T x)^2\ndata: x\n")
    report = sb.check_formula(model, "w", "abs(w^T x)^2 / (w^T x) * x")
    assert report.exit_code == 0 and report.equal


def test_a_row_judged_at_a_finer_step_than_eps_says_so() -> None:
    """hostile50b #5: the table's title said eps=0.01 and every row was ok, but the rows of a
    fast-curving activation were judged at a step of 1e-06, which only the library's reason
    said."""
    from symbackprop.cli.main import main

    args = ["check", "4-3:sw-1", "--define", "sw=sin(100*z)", "--eps", "0.01", "--no-exact"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "eps=0.01" in result.output
    assert (
        ": ok, relative error <= " in result.output and "at the finer step 1e-06" in result.output
    )


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_gradients_says_it_wrote_its_plot_on_stderr(tmp_path: Path) -> None:
    """hostile50b #9: ``gradients --plot g.png > report.txt`` ended the report with "wrote
    g.png"; every other command says so on stderr."""
    pytest.importorskip("matplotlib")
    from symbackprop.cli.main import main

    target = tmp_path / "g.png"
    args = ["gradients", "--depth", "2", "--width", "2", "--plot", str(target)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "wrote" not in result.stdout and f"wrote {target}" in result.stderr
    assert target.read_bytes().startswith(b"\x89PNG")


def test_an_option_after_the_double_dash_is_told_so() -> None:
    """hostile50b #10: ``shapecheck 3-2-1 --wrt b2 -- "a2 - y" --batch`` was told to quote its
    formula, which was quoted; --batch after '--' is an argument."""
    import subprocess
    import sys

    args = ["shapecheck", "3-2-1", "--wrt", "b2", "--", "a2 - y", "--batch"]
    done = subprocess.run(
        [sys.executable, "-m", "symbackprop", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert "so --batch there is no option: put options before '--'" in done.stderr
    assert "goes in quotes" not in done.stderr
    # a piece of an unquoted formula that starts with '-' is no option: quote it (review50)
    args = ["shapecheck", "4-3-1", "--wrt", "W2", "--", "-delta2", "-a1^T"]
    done = subprocess.run(
        [sys.executable, "-m", "symbackprop", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "a formula with spaces goes in quotes" in done.stderr
