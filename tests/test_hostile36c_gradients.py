"""What hostile36c found in ``gradients`` (the norms' overflow has its test in
test_gradients_analysis): each an exit 3, a false number or a silently misread input before."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from symbackprop.apps.gradients import analyze, exact_scaling, parse_init, plot
from symbackprop.cli.main import main
from symbackprop.errors import SpecError

SMALL = ["gradients", "--depth", "3", "--width", "4", "--seeds", "1"]


@pytest.mark.skipif(shutil.which("xelatex") is not None, reason="xelatex writes the .pgf")
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_pgf_plot_without_xelatex_is_refused_before_any_work(tmp_path: Path) -> None:
    """#2: matplotlib's PGF backend raised inside savefig, exit 3, after the table."""
    pytest.importorskip("matplotlib")
    done = CliRunner().invoke(main, [*SMALL, "--plot", str(tmp_path / "p.pgf")])
    assert done.exit_code == 2 and done.stdout == ""
    assert "a .pgf plot needs xelatex, which is not installed" in done.stderr


def test_a_folder_that_takes_no_files_is_refused_before_any_work() -> None:
    """#9: ``--plot /proc/x.png`` printed the whole table, then refused."""
    pytest.importorskip("matplotlib")
    done = CliRunner().invoke(main, [*SMALL, "--plot", "/proc/x.png"])
    assert done.exit_code == 2 and done.stdout == ""
    assert "its folder '/proc' takes no new files" in done.stderr


@pytest.mark.parametrize("scale", ["\u0661.\u0665", "1_5", " 1.5", "1.5 ", "0x2"])
def test_a_scale_is_written_in_ascii_digits(scale: str) -> None:
    """#6: '١.٥' was 3/2, '1_5' 15 and ' 1.5' 3/2; every other number of the command line is
    ASCII digits."""
    with pytest.raises(SpecError, match="expected scaled-identity:C"):
        parse_init(f"scaled-identity:{scale}")
    assert parse_init("scaled-identity:1.5") == ("scaled-identity", Fraction(3, 2))
    assert parse_init("scaled-identity:3/2")[1] == parse_init("scaled-identity:.15e1")[1]


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_the_exact_examples_digit_count_is_that_of_the_number() -> None:
    """#7: C^L = (1e6)^450 was said to have "about 3,150 digits" and skipped; it has 2,701."""
    done = CliRunner().invoke(
        main,
        [*SMALL[:1], "--depth", "450", "--width", "2", "--activation", "identity"]
        + ["--init", "scaled-identity:1e6", "--seeds", "1"],
    )
    assert done.exit_code == 0, done.output
    assert "skipped" not in done.stdout
    assert "(an integer of 2,701 digits) I = (1000000)^450 I: yes" in done.stdout


def test_the_python_functions_refuse_what_the_command_line_refuses(tmp_path: Path) -> None:
    """#12: exact_scaling(3, 0) printed "yes", True was a depth (a TypeError inside), plot([])
    failed in NumPy and a path without a suffix was written as another file."""
    bad: list[Any] = [
        lambda: exact_scaling(3, 0),
        lambda: exact_scaling(3, -1),
        lambda: exact_scaling(True),
        lambda: analyze(True, 4),
        lambda: analyze(3, 4, seeds=True),
        lambda: plot([], str(tmp_path / "p.png")),
    ]
    for call in bad:
        with pytest.raises(SpecError):
            call()
    assert exact_scaling(3, "1.5").text()
    pytest.importorskip("matplotlib")
    with pytest.raises(SpecError, match="the format follows the extension"):
        plot([analyze(3, 4, seeds=1)], str(tmp_path / "noext"))
    assert not list(tmp_path.iterdir())


def test_shapes_of_a_softmax_network_need_no_loss() -> None:
    """#11: ``shapes 784-128:relu-10:softmax`` was refused for the default bce loss, which no
    shape depends on (draw and collapse read such a spec with mse)."""
    done = CliRunner().invoke(main, ["shapes", "784-128:relu-10:softmax"])
    assert done.exit_code == 0, done.output
    assert "(10 x 128)" in done.stdout


def test_draw_shows_the_batch_size_it_is_given() -> None:
    """#8: ``draw 4-3-2-1 --batch --size m=7`` was accepted and drew 4 x m; a model's graph,
    which shows no shapes, refuses it."""
    args = ["draw", "4-3-2-1", "--batch", "--size", "m=7", "--format", "svg"]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    assert done.stdout.count(">7<") == 4 and ">m<" not in done.stdout  # X and A1..A3: 4 x 7
    model = str(Path(__file__).resolve().parents[1] / "examples" / "models" / "batch_norm.model")
    done = CliRunner().invoke(main, ["draw", model, "--size", "m=7", "--format", "svg"])
    assert done.exit_code == 2 and "a model's graph shows no shapes" in done.stderr


def test_a_repeated_init_prints_its_table_once() -> None:
    """hostile38c #12: ``--init xavier --init xavier`` printed the same table twice."""
    done = CliRunner().invoke(
        main, [*SMALL, "--init", "xavier", "--init", "he", "--init", "xavier"]
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.count("init xavier (") == 1 and done.stdout.count("init he (") == 1


def test_one_scale_written_two_ways_prints_its_tables_once() -> None:
    """review38 #8: ``scaled-identity:1.5`` and ``scaled-identity:3/2`` are one scheme; it
    printed its norms and its exact example twice."""
    done = CliRunner().invoke(
        main,
        [
            *SMALL,
            "--activation",
            "identity",
            "--init",
            "scaled-identity:1.5",
            "--init",
            "scaled-identity:3/2",
        ],
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.count("init scaled-identity:1.5 (") == 1, done.stdout
    assert "scaled-identity:3/2" not in done.stdout
