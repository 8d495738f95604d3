"""The one way a test imports an optional framework (torch, jax): a skip when it is missing,
or a failure when ``SYMBACKPROP_REQUIRE_<NAME>=1`` says it must be there (as .ci/run does)."""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest


def import_framework(name: str) -> Any:
    """The module ``name``, or a skip (a failure when SYMBACKPROP_REQUIRE_<NAME> is set)."""
    variable = f"SYMBACKPROP_REQUIRE_{name.upper()}"
    try:
        return importlib.import_module(name)
    except ImportError:
        if os.environ.get(variable, "") not in ("", "0"):
            pytest.fail(f"{name} is missing but {variable}=1")
        pytest.skip(f"{name} is not installed")
