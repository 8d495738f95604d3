"""gradcheck runs the workspace path too, and says what dtype it measured (hostile36d #4, #5).

The finite differences check ``loss_and_grads`` without a workspace; a module whose gradients
were wrong only with ``work=`` (the training loop's path) passed. A float32 module was checked
in float64, which the report did not say.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

import symbackprop as sb


def _loaded(tmp_path: Path, source: str) -> ModuleType:
    path = tmp_path / "net.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("net", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 5))
    return X, (X[:1] > 0).astype(float)


def test_a_gradient_wrong_only_with_a_workspace_fails(tmp_path: Path) -> None:
    source = sb.codegen("3-2-1")
    assert source.count("\n    return {\n") == 1  # the arithmetic's one return of the gradients
    wrong = source.replace(
        "\n    return {\n", "\n    if work is not None:\n        dW1 = dW1 * 2.0\n    return {\n"
    )
    X, Y = _data()
    good, bad = _loaded(tmp_path, source), _loaded(tmp_path, wrong)
    params = good.init_params(seed=0)
    assert sb.gradcheck(good, params, X, Y).ok
    result = sb.gradcheck(bad, params, X, Y)
    assert not result.ok and result.failed
    assert all(row.ok for row in result.rows)  # the path without a workspace is right
    assert "with a workspace dict (its first call), dJ/dW1 differs" in result.workspace_differs
    assert "FAIL: with a workspace dict" in str(result)


def test_a_float32_module_is_said_to_be_checked_in_float64() -> None:
    module = sb.compile("3-2-1")
    X, Y = _data()
    single = module.init_params(seed=0, dtype=np.float32)
    result = sb.gradcheck(module, single, X.astype(np.float32), Y.astype(np.float32))
    assert result.ok
    (note,) = result.notes
    assert note.startswith(
        "checked in float64: the float32 arrays given were converted, and the finite "
        "differences measured the module's float64 arithmetic; its gradients in float32 "
        "differ from float64 by up to "
    )
    assert sb.gradcheck(module, module.init_params(seed=0), X, Y).notes == ()


def test_a_relu_module_loaded_from_its_file_has_its_kink_watched(tmp_path: Path) -> None:
    """hostile36d #3: a module loaded from its file has no ``kinked`` list, and only cached
    values named Z... were watched; a relu layer caches A1 alone, so a step across its kink was
    measured as a secant and the right gradient failed."""
    loaded = _loaded(tmp_path, sb.codegen("3-4:relu-1"))
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((3, 5)), rng.integers(0, 2, (1, 5)).astype(float)
    params = loaded.init_params(seed=0)
    params["b1"] = rng.standard_normal((4, 1)) * 0.5
    z = params["W1"] @ X + params["b1"]
    params["b1"][2, 0] -= z[2, 0] - 3e-7  # Z1[2, 0] within a step of relu's kink
    result = sb.gradcheck(loaded, params, X, Y)
    assert result.ok, str(result)
    assert result.skipped >= 1  # the entries whose step crosses the kink
