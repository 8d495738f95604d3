"""The generated JAX module shown in docs/ (issue 14, "Must show") is today's codegen output.

Regenerate with ``symbackprop codegen 4-3-2-1 --backend jax -o
docs/generated/net_4-3-2-1_jax.py --force`` when the JAX emitter changes on purpose. Needs no
jax: it compares text, and checks that the text reads as the issue asks (CS229 names, shape
comments, step provenance, jnp only).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.lowering import emit
from symbackprop.model import Model

ROOT = Path(__file__).parents[1]
DOC = ROOT / "docs" / "generated" / "net_4-3-2-1_jax.py"


def test_the_docs_module_is_fresh_codegen_output() -> None:
    assert DOC.read_text(encoding="utf-8") == sb.codegen("4-3-2-1", backend="jax")


def test_the_docs_module_is_readable_jax() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "dZ2 = (W3.T @ dZ3) * A2 * (1.0 - A2)  # (2, m)" in text
    assert "[step 11]" in text and "@jax.custom_vjp" in text
    imports = [row for row in text.splitlines() if row.startswith(("import ", "from "))]
    assert imports == [
        "import jax",
        "import jax.numpy as jnp",
        "import numpy as np  # init_params and the array types the entry checks refuse",
    ]
    # NumPy draws the initial parameters and names the array types refused on entry (before
    # forward); the gradients' code reads none of it
    assert not re.search(r"(?<![a-z])np\.", text.split("def forward")[1])
    assert all(len(row) <= 99 for row in text.splitlines())


def test_jax_codegen_is_byte_identical_across_calls() -> None:
    net = sb.Network.parse("5-4:relu-3:softmax", loss="ce", l2=0.1)
    assert sb.codegen(net, backend="jax") == sb.codegen(net, backend="jax")
    assert sb.codegen(sb.derive(net), backend="jax") == sb.codegen(net, backend="jax")


def test_the_command_line_writes_the_same_module() -> None:
    result = CliRunner().invoke(main, ["codegen", "4-3-2-1", "--backend", "jax"])
    assert result.exit_code == 0
    assert result.stdout == DOC.read_text(encoding="utf-8")


@pytest.mark.slow  # ruff as a process on every generated module
def test_generated_jax_modules_pass_ruff(tmp_path: Path) -> None:
    """Networks (a derivative too long for one line among them) and every example model."""
    define = {"mish": "z*tanh(log(1+exp(z)))", "swish": "z*sigmoid(z)"}
    nets = {
        "mish": sb.Network.parse("3-4:mish-3:swish-2:identity", loss="mse", define=define),
        "softmax": sb.Network.parse("5-4:relu-3:softmax", loss="ce", l2=0.1),
    }
    for name, net in nets.items():
        (tmp_path / f"{name}.py").write_text(sb.codegen(net, backend="jax"))
    for path in sorted((ROOT / "examples" / "models").glob("*.model")):
        (tmp_path / f"{path.stem}.py").write_text(sb.codegen(Model.from_file(path), backend="jax"))
    config = ROOT / "pyproject.toml"
    for args in (("check",), ("format", "--check")):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--config", str(config), str(tmp_path)],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout + run.stderr


def test_the_docs_describe_every_backend() -> None:
    """codegen's help and docstrings name numpy, torch and jax; the README says how JAX's J and
    logdet differ from the NumPy module's."""
    result = CliRunner().invoke(main, ["codegen", "--help"])
    assert result.exit_code == 0
    assert all(f"--backend {name}" in result.stdout for name in ("numpy", "torch", "jax"))
    for doc in (sb.codegen.__doc__ or "", emit.codegen.__doc__ or ""):
        assert "until they exist" not in doc and '"jax"' in doc
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## PyTorch and JAX")[1].split("\n## ")[0]
    assert "`float(J)` outside `jit`" in section and "NaN" in section
