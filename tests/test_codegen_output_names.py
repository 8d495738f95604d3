"""codegen -o refuses a file name that hides a module the generated code imports.

``codegen 4-3-1 --backend torch -o torch.py`` wrote a module that ``import torch`` in its folder
then found instead of torch, itself importing itself ("partially initialized module 'torch'",
hostile48b #5).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _codegen(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "symbackprop", "codegen", "4-3-1", *args],
        capture_output=True,
        text=True,
        cwd=folder,
    )


@pytest.mark.slow  # a process each: over 1 s of the default suite's time
@pytest.mark.parametrize(
    ("backend", "name"), [("torch", "torch"), ("jax", "jax"), ("numpy", "numpy")]
)
def test_a_file_named_like_an_import_is_refused(tmp_path: Path, backend: str, name: str) -> None:
    run = _codegen(tmp_path, "--backend", backend, "-o", f"{name}.py")
    assert run.returncode == 2, run.stderr
    assert f"hides the {name} module the generated code imports" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not (tmp_path / f"{name}.py").exists()


@pytest.mark.slow
def test_another_name_is_written(tmp_path: Path) -> None:
    run = _codegen(tmp_path, "-o", "torch_net.py")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "torch_net.py").is_file()
