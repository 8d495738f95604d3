"""``check`` counts each random direction's passes over its parameter's entries, not only the
matrix products (hostile42c #1): 7000-7000-1 at m = 3 ran 61 s and a model's
mse(V tanh(W x), y) at n = 8000 71 s, both counted under the 2e11 limit (about 10-15 s)."""

from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner

from symbackprop.cli.main import main


def test_a_wide_network_at_a_small_batch_is_refused_up_front() -> None:
    started = time.perf_counter()
    done = CliRunner().invoke(main, ["check", "7000-7000-1"])
    assert time.perf_counter() - started < 10
    assert done.exit_code == 2, done.output
    assert "multiply-adds, more than the 2e+11" in done.stderr
    # m does not help there: the advice does not name it (review42 #4)
    assert "whatever m is" in done.stderr and "--size m" not in done.stderr


def test_a_wide_model_is_refused_up_front(tmp_path: Path) -> None:
    path = tmp_path / "mid.model"
    path.write_text(
        "x : n x 1\ny : 1 x 1\nW : n x n\nV : 1 x n\nsizes: n = 8000\nJ = mse(V tanh(W x), y)\n"
    )
    done = CliRunner().invoke(main, ["check", str(path)])
    assert done.exit_code == 2, done.output
    assert "multiply-adds, more than the 2e+11" in done.stderr and "--size NAME=INT" in done.stderr
