"""Models: forward equations as a spec (DESIGN.md, "Models"). Parsing and shapes only."""

from symbackprop.model.model import DEFAULT_DATA, Model
from symbackprop.model.statements import Declaration, Equation

__all__ = ["DEFAULT_DATA", "Declaration", "Equation", "Model"]
