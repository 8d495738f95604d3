"""A compact spec with named widths that is also the name of a file in the folder.

review35 #10: a model saved as ``my-model`` (no suffix) was read as the network with widths
``my`` and ``model``, silently, by the rule that a compact spec is never a file. Such a spec
is now refused in one line on both entry points (the API and the command line); a numeric spec
keeps the rule (``4-3-1`` beside a file ``4-3-1`` is the network).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.errors import SpecError

MODEL = (Path(__file__).resolve().parents[1] / "examples" / "models" / "dot.model").read_text()


def test_named_spec_that_is_a_file_here_is_refused(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    Path("my-model").write_text(MODEL)
    done = CliRunner().invoke(main, ["derive", "my-model"])
    assert done.exit_code == 2, done.output
    assert done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line
    assert "'my-model' names a file here and is also a compact spec with named widths" in line
    assert "a model's equations are read from a .model file" in line
    with pytest.raises(SpecError, match="names a file here"):
        sb.derive("my-model")
    with pytest.raises(SpecError, match="names a file here"):
        sb.codegen("my-model")


def test_named_spec_without_such_a_file_and_numeric_spec_beside_one_are_read(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    assert sb.derive("my-model").network.input == "my"
    Path("4-3-1").write_text(MODEL)
    assert sb.derive("4-3-1").network.input == 4
    done = CliRunner().invoke(main, ["derive", "4-3-1"])
    assert done.exit_code == 0 and "Backpropagation for 4-3:sigmoid-1:sigmoid" in done.stdout


def test_a_file_that_reads_like_no_spec_leaves_the_compact_spec_alone(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """review36 #2: ``codegen n-h-1 ... -o n-h-1`` wrote a module, and ``derive n-h-1`` beside
    it was then refused as if the module were a model saved without its suffix."""
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, ["codegen", "n-h-1", "--size", "n=4", "--size", "h=3"])
    Path("n-h-1").write_text(done.stdout)
    assert sb.derive("n-h-1").network.input == "n"
    Path("q-r").write_text('{"input": 4, "layers": [[3, "relu"]]}')  # a spec's keys
    with pytest.raises(SpecError, match="names a file here"):
        sb.derive("q-r")


def test_a_fifo_named_like_the_spec_is_not_read(tmp_path: Path, monkeypatch: Any) -> None:
    """A FIFO named ``q-r`` beside the compact spec: opened to see whether it reads like a
    spec, it blocked forever (found on a second read of this check)."""
    monkeypatch.chdir(tmp_path)
    os.mkfifo("q-r")
    assert sb.derive("q-r").network.input == "q"
