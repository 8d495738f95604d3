"""Everything the tool prints stays byte-identical while the core is rebuilt.

Each case runs one CLI command in-process and compares its stdout with a file captured from
main before the one-IR rebuild (``tests/golden/outputs``). A change that is meant to alter an
output regenerates the files with
``SYMBACKPROP_REGEN_GOLDEN=1 pytest tests/test_golden_outputs.py`` and the diff is reviewed
in the commit.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbackprop.cli import console
from symbackprop.cli.main import main

OUTPUTS = Path(__file__).parent / "golden" / "outputs"

#: (name, spec and options) for the architectures whose every output is kept
NETWORKS: list[tuple[str, list[str]]] = [
    ("lecture_single", ["4-3-2-1"]),
    ("lecture_batch", ["4-3-2-1", "--batch"]),
    ("named_single", ["n-3-2-1", "--size", "n=4"]),
    ("named_batch", ["n-3-2-1", "--batch", "--size", "n=4"]),
    ("softmax_ce_l2", ["5-4:relu-3:softmax", "--loss", "ce", "--l2", "0.1", "--batch"]),
    ("softmax_ce_single", ["5-4:relu-3:softmax", "--loss", "ce"]),
    ("tanh_mse_l2", ["3-4:tanh-2:identity", "--loss", "mse", "--l2", "0.5"]),
    ("leaky_softplus", ["3-2:leaky_relu-2:softplus-1", "--batch"]),
    ("custom_swish", ["3-2:swish-1", "--define", "swish=z*sigmoid(z)", "--batch"]),
]

#: (suffix, command, extra options): the outputs each architecture is captured in
FORMATS: list[tuple[str, str, list[str]]] = [
    ("text.txt", "derive", ["--expanded"]),
    ("align.tex", "derive", ["--format", "latex"]),
    ("md", "derive", ["--format", "markdown"]),
    ("json", "derive", ["--format", "json"]),
    ("doc.tex", "latex", ["-o", "-"]),
    ("shapes.txt", "shapes", []),
    ("module.py", "codegen", ["-o", "-"]),
]

#: codegen always writes the batch module, so these would repeat another case's module
#: (the lecture's is tests/golden/net_4_3_2_1.py, pinned by tests/test_codegen.py)
SAME_MODULE = {
    "lecture_single",
    "lecture_batch",
    "named_single",
    "named_batch",
    "softmax_ce_single",
}

CASES = [
    pytest.param(name, command, args + extra, f"{name}.{suffix}", id=f"{name}-{suffix}")
    for name, args in NETWORKS
    for suffix, command, extra in FORMATS
    if not (command == "codegen" and name in SAME_MODULE)
]

_VERSION = re.compile(r"symbackprop \d+\.\d+\.\d+[\w.+-]*")


def _normalise(text: str) -> str:
    """The version number is not part of what must stay identical."""
    return _VERSION.sub("symbackprop VERSION", text)


@pytest.mark.parametrize(("name", "command", "args", "filename"), CASES)
def test_output_is_byte_identical(name: str, command: str, args: list[str], filename: str) -> None:
    argv = [command, *args]
    if command == "codegen" and "--batch" in argv:
        argv.remove("--batch")  # codegen always writes the batch module
    # the consoles are built once per process; rebuild them so COLUMNS applies to this run
    console.out.cache_clear()
    console.err.cache_clear()
    result = CliRunner().invoke(main, argv, env={"COLUMNS": "100", "NO_COLOR": "1"})
    console.out.cache_clear()
    console.err.cache_clear()
    assert result.exit_code == 0, result.output
    got = _normalise(result.stdout)
    path = OUTPUTS / filename
    if os.environ.get("SYMBACKPROP_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; regenerate with SYMBACKPROP_REGEN_GOLDEN=1"
    assert got == path.read_text(encoding="utf-8"), f"{filename} changed"
