"""What a first run reads in ``--help`` works as written: no summary cut short in
``symbackprop --help`` (newcomer 4.7), and every example a command's help shows runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbackprop.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def help_text(*args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--help"], terminal_width=80)
    assert result.exit_code == 0
    return result.stdout


def test_main_help_lists_every_command_with_a_whole_summary() -> None:
    text = help_text()
    listed = re.findall(r"^  (\w+) +(.+)$", text.split("Commands:")[1], re.MULTILINE)
    assert {name for name, _ in listed} >= set(main.commands)
    for name, summary in listed:
        assert not summary.endswith("..."), (name, summary)
    assert "collapse    Prove identity activations collapse to W' x + b'." in text


def examples() -> list[list[str]]:
    """Every ``symbackprop COMMAND ...`` example line of every command's help, as argv."""
    out = []
    for name in sorted(main.commands):
        for found in re.findall(rf"^ +symbackprop ({name} .+)$", help_text(name), re.MULTILINE):
            written = re.split(r" {2,}", found)[0]  # the comment after two spaces goes
            if "[OPTIONS]" in written or ">" in written or "--pdf" in written:
                continue  # the usage line; a shell redirection; pdflatex (tested elsewhere)
            out.append(shlex.split(written))
    return out


def run_example(argv: list[str], folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``argv`` in ``folder`` (a fresh one per example: -o never meets an earlier file)
    with ``examples/`` beside it, as from the repository."""
    folder.mkdir()
    monkeypatch.chdir(folder)
    (folder / "examples").symlink_to(ROOT / "examples")
    if "--force" in argv:  # its example replaces a file written before
        (folder / argv[argv.index("-o") + 1]).write_text("old")
    result = CliRunner().invoke(main, argv)
    # shapecheck's help shows wrong formulas too: a verdict (exit 1), not an error (exit 2)
    allowed = (0, 1) if argv[0] == "shapecheck" else (0,)
    assert result.exit_code in allowed, (argv, result.stderr)


def test_the_softmax_draw_example_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # it said "loss 'bce' needs a sigmoid output": the picture shows no loss
    argv = ["draw", "784-128:relu-10:softmax", "-o", "net.svg"]
    assert argv in examples()
    run_example(argv, tmp_path / "draw", monkeypatch)
    assert (tmp_path / "draw" / "net.svg").read_text().startswith("<svg")


@pytest.mark.slow
def test_every_help_example_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    for number, argv in enumerate(examples()):
        run_example(argv, tmp_path / str(number), monkeypatch)
