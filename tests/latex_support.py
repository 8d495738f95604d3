"""The one way a test runs pdflatex: skipped when it is missing, unless
``SYMBACKPROP_REQUIRE_PDFLATEX=1`` (as .ci/run sets) turns the skip into a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REQUIRED = os.environ.get("SYMBACKPROP_REQUIRE_PDFLATEX", "") not in ("", "0")


def pdflatex() -> str:
    """The path of pdflatex, or a skip (a failure when SYMBACKPROP_REQUIRE_PDFLATEX is set)."""
    path = shutil.which("pdflatex")
    if path is None:
        if REQUIRED:
            pytest.fail("pdflatex is missing but SYMBACKPROP_REQUIRE_PDFLATEX=1")
        pytest.skip("pdflatex is not installed")
    return path


def run_pdflatex(folder: Path, tex: str, name: str = "doc") -> subprocess.CompletedProcess[str]:
    """``tex`` written to ``folder/name.tex`` and compiled there once (non-stop, halting on the
    first error); pdflatex's terminal output is the result's ``stdout``, and ``name.log`` and
    ``name.pdf`` lie beside the source."""
    exe = pdflatex()
    (folder / f"{name}.tex").write_text(tex, encoding="utf-8")
    return subprocess.run(
        [exe, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
