"""Every example runs (in its fast mode) and prints what it promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_lecture_derivation(tmp_path: Path) -> None:
    out = run("lecture_derivation.py", "--out", str(tmp_path / "d.tex"), cwd=tmp_path)
    assert "delta[3] = a3 - y" in out
    # newcomer: the deltas as the board writes them, not SymPy's HadamardProduct(...) repr
    assert "delta[2] = (W3^T delta3) ⊙ a2 ⊙ (1 - a2)" in out and "HadamardProduct" not in out
    tex = (tmp_path / "d.tex").read_text()
    assert r"\begin{document}" in tex and "W^{[3]" in tex


ROW = re.compile(
    r"^ *(?P<name>[\w ]+): lr (?P<lr>[\d.]+), cost <= (?P<target>[\d.]+) after "
    r"(?P<epochs>\d+|> \d+) epochs, largest rise (?P<rise>[\d.]+) \((?P<stable>\w+)\), "
    r"final training cost (?P<final>[\d.]+), test accuracy (?P<accuracy>[\d.]+)%$",
    re.M,
)


@pytest.mark.slow  # several seconds: a process that compiles and trains/searches
def test_train_moons(tmp_path: Path) -> None:
    """Issue 9, 5.7: Momentum reaches the stated cost in fewer epochs than SGD, both at a stable
    rate (SGD at Momentum's lr is the unstable contrast), and does not end above SGD."""
    out = run("train_moons.py", "--plot", str(tmp_path / "cost.png"), cwd=tmp_path)
    rows = {m["name"]: m for m in ROW.finditer(out)}
    assert set(rows) == {"SGD", "Momentum", "SGD fast"}, out
    sgd, momentum, fast = rows["SGD"], rows["Momentum"], rows["SGD fast"]
    assert sgd["epochs"].isdigit() and momentum["epochs"].isdigit(), out
    assert int(momentum["epochs"]) < int(sgd["epochs"]), out
    assert sgd["stable"] == momentum["stable"] == "stable", out
    assert float(momentum["rise"]) <= float(momentum["target"]) / 2
    assert float(momentum["lr"]) == float(fast["lr"]) > float(sgd["lr"])
    assert fast["stable"] == "unstable", out  # why SGD runs at a smaller lr
    assert float(momentum["final"]) <= float(sgd["final"]), out
    assert min(float(row["accuracy"]) for row in rows.values()) >= 95.0, out
    assert f"reaches cost {momentum['target']} in {momentum['epochs']} epochs" in out
    assert (tmp_path / "cost.png").exists()


@pytest.mark.slow  # several seconds: a process that compiles and trains/searches
def test_vanishing_gradients(tmp_path: Path) -> None:
    out = run("vanishing_gradients.py", cwd=tmp_path)
    assert "c = 3/2, L = 10: W[L]...W[1] = 59049/1024 I" in out
    assert "exact: False" not in out
    row = next(line for line in out.splitlines() if line.strip().startswith("50 "))
    he_signal = float(row.split()[1])
    assert he_signal < 10


@pytest.mark.slow  # several seconds: a process that compiles and trains/searches
def test_check_formula(tmp_path: Path) -> None:
    out = run("check_formula.py", cwd=tmp_path)
    lines = out.splitlines()
    assert lines[0].endswith(": correct")
    assert any(line.endswith(": wrong") for line in lines)
