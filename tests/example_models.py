"""The example models' texts, for tests that parse one (``Model.parse(LOGISTIC_L2)``)."""

from __future__ import annotations

from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"

#: logistic regression with its L2 regulariser written out (n = 4 declared, m free)
LOGISTIC_L2 = (MODELS / "logistic_l2.model").read_text(encoding="utf-8")
