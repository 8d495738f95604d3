"""``codegen -o m.pyc`` wrote Python source into a file Python reads as bytecode ("bad magic
number"); .ipynb and .so likewise (hostile42a #4). Refused, naming the .py it should be."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from symbackprop.cli.main import main


@pytest.mark.parametrize("suffix", [".pyc", ".pyo", ".so", ".pyd", ".ipynb"])
def test_a_binary_or_notebook_name_is_refused(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"m{suffix}"
    done = CliRunner().invoke(main, ["codegen", "4-3-1", "-o", str(out)])
    assert done.exit_code == 2, done.output
    assert "this writes Python, but a file named" in done.stderr and "name it" in done.stderr
    assert not out.exists()
    done = CliRunner().invoke(main, ["codegen", "4-3-1", "-o", str(tmp_path / "m.py")])
    assert done.exit_code == 0, done.output
