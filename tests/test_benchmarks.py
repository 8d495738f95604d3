"""benchmarks/grad_speed.py: a quick run checks every engine and writes its table and JSON."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "grad_speed.py"

PLUGIN = '''
import numpy as np


def make_grad(spec):
    """A plug-in with the optional prepare step: the hand baseline's reference, in float64."""
    if spec.hidden != "sigmoid":
        return None

    def grad(Ws, bs, X, Y):
        A1 = 1 / (1 + np.exp(-(Ws[0] @ X + bs[0])))
        A2 = 1 / (1 + np.exp(-(Ws[1] @ A1 + bs[1])))
        dZ2 = (A2 - Y) / X.shape[1]
        dZ1 = (Ws[1].T @ dZ2) * A1 * (1 - A1)
        return [dZ1 @ X.T, dZ2 @ A1.T], [dZ1.sum(1, keepdims=True), dZ2.sum(1, keepdims=True)]

    def prepare(Ws, bs, X, Y):
        return (lambda: grad(Ws, bs, X, Y)), (lambda out: out)

    grad.prepare = prepare
    return grad
'''


def _script():
    spec = importlib.util.spec_from_file_location("grad_speed_under_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow  # a whole benchmark run, quick as it is
def test_quick_run_checks_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plugin = tmp_path / "plugin.py"
    plugin.write_text(PLUGIN)
    out = tmp_path / "run.json"
    argv = ["--quick", "--workloads", "w1_m1", "--dtypes", "float64", "--json", str(out)]
    assert _script().main([*argv, "--extra", f"mine={plugin}:make_grad"]) == 0
    rows = json.loads(out.read_text())["results"][0]["engines"]
    for name in ("hand_numpy", "sb_numpy", "sb_numpy_ws", "mine"):
        assert rows[name]["status"] == "ok", (name, rows[name])
        assert rows[name]["ratio"] > 0
    assert rows["hand_numpy"]["ratio"] == 1.0
    assert rows["gemm_floor"]["status"] == "reference"
    table = capsys.readouterr().out
    assert "| w1_m1 | float64 | sb_numpy |" in table and "<= 0.90" in table


def test_quiet_share_counts_other_processes_and_host_steal() -> None:
    # readings are (all ticks, busy ticks, this process's ticks, steal ticks)
    script = _script()
    before = (1000, 400, 300, 10)
    mine_only = (1200, 600, 500, 10)  # 200 busy ticks, all of them this process's
    assert script.others_share(before, mine_only) == 0.0
    neighbour = (1200, 620, 500, 10)  # another process took 20 of the 200 ticks
    assert script.others_share(before, neighbour) == pytest.approx(0.10)
    stolen = (1200, 600, 500, 30)  # the host stole 20 ticks: as slow as a busy neighbour
    assert script.others_share(before, stolen) == pytest.approx(0.10)
    assert script.others_share(before, stolen) > script.QUIET
    assert script.steal_share(before, stolen) == pytest.approx(0.10)
    assert script.steal_share(before, before) == 0.0
    ticks = script.cpu_ticks()
    assert len(ticks) == 4 and all(t >= 0 for t in ticks)
