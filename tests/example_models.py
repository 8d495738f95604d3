"""The example models' texts, for tests that parse one (``Model.parse(LOGISTIC_L2)``)."""

from __future__ import annotations

from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"

#: logistic regression with its L2 regulariser written out (n = 4 declared, m free)
LOGISTIC_L2 = (MODELS / "logistic_l2.model").read_text(encoding="utf-8")


def sized(shape: tuple[int | str, int | str], m: int) -> tuple[int, int]:
    """A generated module's SHAPES or DATA_SHAPES entry with its "m" (a parameter declared
    with a column per example, as factorization.model's H) given the size ``m``."""
    rows, cols = (m if size == "m" else int(size) for size in shape)
    return rows, cols


def per_example(module: object, m: int) -> dict[str, int]:
    """``init_params``'s keyword ``m`` where the module has a parameter with a column or row
    per example (its SHAPES holds "m"), else no keyword."""
    shapes = getattr(module, "SHAPES", {})
    return {"m": m} if any("m" in shape for shape in shapes.values()) else {}
