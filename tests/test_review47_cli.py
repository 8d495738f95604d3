"""Session 47's command line: standard output that a file-size limit cut short."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 4096


def _run_into(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m symbackprop ARGS > path`` where no file may grow past :data:`LIMIT`."""
    env = {k: v for k, v in os.environ.items() if k != "SYMBACKPROP_DEBUG"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no truncated .pyc files either

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))

    with path.open("wb") as out:
        return subprocess.run(
            [sys.executable, "-m", "symbackprop", *args],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            timeout=120,
            cwd=ROOT,
            env=env,
            preexec_fn=limit,
        )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
@pytest.mark.parametrize(
    "args", [("codegen", "4-3-1"), ("derive", "4-3-1", "--format", "json"), ("latex", "4-3-1")]
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_standard_output_cut_short_is_an_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    """hostile47b #3: under ``ulimit -f 4`` (or a disk that fills), ``codegen 4-3-1 > out.py``
    left 4 KiB of its 23 KiB and exit 0: Python's writer took a short write for a whole one.
    Each write is now whole or an error: exit 2, one line."""
    result = _run_into(tmp_path / "out.txt", *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "cannot write the output: File too large" in result.stderr


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_standard_output_within_the_limit_is_whole(tmp_path: Path) -> None:
    """The same limit, an output below it: written whole, exit 0."""
    path = tmp_path / "shapes.txt"
    result = _run_into(path, "shapes", "4-3-1")
    assert result.returncode == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) < LIMIT and text.startswith("name") and text.endswith("\n")
