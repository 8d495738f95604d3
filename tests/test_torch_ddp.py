"""Issue 14, item 4: the generated torch module trains under DistributedDataParallel.

``examples/torch_ddp.py`` runs 2 local processes on the gloo backend on CPU, each on half of the
batch, checks that DDP's averaged gradients equal the single-process gradients of the full
batch (float64), then trains; this test runs that script (slow: it spawns two processes that
each import torch and derive the network).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from torch_support import import_torch  # noqa: E402

EXAMPLE = Path(__file__).parents[1] / "examples" / "torch_ddp.py"
#: what a worker aborted by gloo's teardown prints
TEARDOWN_ABORT = "terminate called without an active exception"


@pytest.mark.slow
def test_ddp_averaged_gradients_equal_the_single_process_ones(tmp_path: Path) -> None:
    import_torch()
    for _attempt in range(2):
        done = subprocess.run(
            [sys.executable, str(EXAMPLE), "--fast"],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        # gloo's teardown aborted a worker once in a CI run (C++ "terminate called without an
        # active exception" after every step had run): that abort, and only it, is run again;
        # a wrong gradient fails the assertions below on every run
        if done.returncode == 0 or TEARDOWN_ABORT not in done.stderr:
            break
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"equal the full batch's: largest difference (\S+)", done.stdout)
    assert found is not None, done.stdout
    assert float(found.group(1)) < 1e-12
    costs = [float(c) for c in re.findall(r"cost on process 0's half ([\d.]+)", done.stdout)]
    assert len(costs) == 3 and costs[-1] < costs[0], done.stdout
