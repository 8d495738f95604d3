"""Every example runs (in its fast mode) and prints what it promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(name: str, *args: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--fast", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_lecture_derivation(tmp_path: Path) -> None:
    out = run("lecture_derivation.py", "--out", str(tmp_path / "d.tex"), cwd=tmp_path)
    assert "delta[3] = a3 - y" in out
    tex = (tmp_path / "d.tex").read_text()
    assert r"\begin{document}" in tex and "W^{[3]" in tex


def test_train_moons(tmp_path: Path) -> None:
    out = run("train_moons.py", "--plot", str(tmp_path / "cost.png"), cwd=tmp_path)
    accuracy = {m[0]: float(m[1]) for m in re.findall(r"(\w+): .*test accuracy ([\d.]+)%", out)}
    assert min(accuracy.values()) >= 95.0
    epochs = dict(re.findall(r"(\w+): .*after (\d+) epochs", out))
    assert int(epochs["Momentum"]) < int(epochs["SGD"])
    assert (tmp_path / "cost.png").exists()


def test_vanishing_gradients(tmp_path: Path) -> None:
    out = run("vanishing_gradients.py", cwd=tmp_path)
    assert "c = 3/2, L = 10: W[L]...W[1] = 59049/1024 I" in out
    assert "exact: False" not in out
    row = next(line for line in out.splitlines() if line.strip().startswith("50 "))
    he_signal = float(row.split()[1])
    assert he_signal < 10


def test_check_formula(tmp_path: Path) -> None:
    out = run("check_formula.py", cwd=tmp_path)
    lines = out.splitlines()
    assert lines[0].endswith(": correct")
    assert any(line.endswith(": wrong") for line in lines)
