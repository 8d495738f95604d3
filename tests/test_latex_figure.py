"""The LaTeX document draws the network with TikZ; ``--no-figure`` leaves it out, and a
pdflatex without tikz.sty gets an error that says what to install."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli import cmd_latex
from symbackprop.cli.errors import CliError
from symbackprop.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("source", ["4-3-2-1", str(ROOT / "examples/models/residual_mlp.model")])
def test_the_document_draws_the_picture_unless_told_not_to(source: str) -> None:
    d = sb.derive(source)
    with_figure = sb.to_latex(d)
    assert r"\usepackage{tikz}" in with_figure and r"\begin{tikzpicture}" in with_figure
    without = sb.to_latex(d, figure=False)
    assert "tikz" not in without
    # the figure is all that differs
    kept = [line for line in with_figure.splitlines() if line not in without.splitlines()]
    assert all(
        line.startswith(("\\", "  sb")) or line.startswith("\\usepackage{tikz}") for line in kept
    )


def test_no_figure_option() -> None:
    result = CliRunner().invoke(main, ["latex", "4-3-1", "--no-figure"])
    assert result.exit_code == 0 and "tikz" not in result.output
    assert "tikzpicture" in CliRunner().invoke(main, ["latex", "4-3-1"]).output


def test_missing_tikz_says_to_install_it_or_use_no_figure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = "! LaTeX Error: File `tikz.sty' not found.\n"

    def fake_run(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess([], 1, stdout=log, stderr="")

    monkeypatch.setattr(cmd_latex.shutil, "which", lambda name: "/usr/bin/pdflatex")
    monkeypatch.setattr(cmd_latex.subprocess, "run", fake_run)
    with pytest.raises(CliError, match="texlive-pictures.*--no-figure"):
        cmd_latex.build_pdf(sb.to_latex(sb.derive("4-3-1")))
