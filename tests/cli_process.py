"""The command line as a user runs it: ``python -m symbackprop`` in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """``symbackprop ARGS`` in ``cwd``, its output captured as text; ``env`` is added to the
    environment (NO_COLOR=1 and this checkout on PYTHONPATH unless given)."""
    return subprocess.run(
        [sys.executable, "-m", "symbackprop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT), **env},
    )
