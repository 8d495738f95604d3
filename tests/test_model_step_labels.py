"""What a model's step says about itself (newcomer27 #2, #3).

* "reuses from the forward cache: w^T" named a parameter's transpose, which no cache holds
  (the generated module's cache has no w^T);
* batch_norm's dJ/dgamma (gamma ⊙ N, a scale) was labelled "rule: bias".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import symbackprop as sb

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


def _derive(name: str) -> Any:
    return sb.derive(sb.Model.parse((MODELS / f"{name}.model").read_text()))


def test_a_parameters_transpose_is_not_called_cached() -> None:
    for name, transposed in (("residual_mlp", "w"), ("tied_autoencoder", "W")):
        derivation = _derive(name)
        text = sb.to_text(derivation)
        assert f"forward cache: {transposed}^T" not in text
        module = sb.codegen(sb.Model.parse((MODELS / f"{name}.model").read_text()))
        for step in derivation.steps:
            for used in step.uses:
                # an internal value _t6 is t6 in the module
                assert f'cache["{used.lstrip("_")}"]' in module, (name, used)


def test_a_broadcast_scale_is_no_bias() -> None:
    steps = {step.target: step for step in _derive("batch_norm").steps}
    assert steps["dJ/dgamma"].rule == "broadcast"
    assert steps["dJ/dbeta"].rule == "bias"
