"""hostile50b #2, #3: the user's environment is user input. FORCE_COLOR=1 (set by many CI
systems) made rich call a redirected stderr a terminal, so the progress spinner's frames and
cursor codes went into it and an error was no longer one line; MPLBACKEND=foo and a
TEXINPUTS without TeX's defaults exited 3 ("internal error")."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_process import run_cli
from latex_support import pdflatex

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, **{"NO_COLOR": "", **env})


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_forced_colour_puts_no_spinner_into_a_redirected_stderr(tmp_path: Path) -> None:
    done = _run(["shapecheck", "n-3-2-1", "--wrt", "W2", "a3 a2^T"], tmp_path, FORCE_COLOR="1")
    assert done.returncode == 1
    assert "\x1b" not in done.stderr and len(done.stderr.splitlines()) == 1, repr(done.stderr)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_an_unknown_matplotlib_backend_is_one_line_exit_2(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    done = _run(["draw", "4-3-1", "-o", "net.png"], tmp_path, MPLBACKEND="foo")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("symbackprop: error: matplotlib does not start: the ")
    assert "MPLBACKEND='foo'" in done.stderr and len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "net.png").exists()


@pytest.mark.slow  # pdflatex, about 2 s each
@pytest.mark.parametrize("form", [[], ["--slides"]])
def test_a_texinputs_without_tex_defaults_still_builds_the_pdf(
    tmp_path: Path, form: list[str]
) -> None:
    """The slides' check that beamer is installed searched as the user's TEXINPUTS says
    too, and said beamer was missing (review50 #3)."""
    pdflatex()
    args = ["latex", "4-3-1", *form, "-o", "notes.tex", "--pdf"]
    done = _run(args, tmp_path, TEXINPUTS=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "notes.pdf").read_bytes().startswith(b"%PDF")
