"""Shared pytest configuration.

The hypothesis profile "ci" (25 examples, no deadline, derandomized) is loaded by default so the
suite is fast and reproducible; set HYPOTHESIS_PROFILE to another registered profile ("dev",
"thorough") to override.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
