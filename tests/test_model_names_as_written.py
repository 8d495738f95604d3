"""A model's error names what the user wrote: λ, not the lambda the formula language reads."""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.errors import SpecError

LAMBDA_MODEL = (
    "X : n x m\nY : 1 x m\nsizes: n = 4\n"
    "J = bce(sigmoid(w^T X), Y) + \u03bb sum(w \u2299 w)\ndata: X, Y\n"
)


def test_a_models_lambda_is_named_as_written() -> None:
    """hostile47b #8: the error said 'lambda': a Python keyword, for the λ of the file."""
    with pytest.raises(SpecError) as caught:
        sb.Model.parse(LAMBDA_MODEL)
    message = str(caught.value)
    assert "'\u03bb' reads as lambda" in message and "lam = 0.01" in message


def test_a_models_named_constant_in_its_place_is_read() -> None:
    model = sb.Model.parse(LAMBDA_MODEL.replace("J =", "lam = 0.01\nJ =").replace("\u03bb", "lam"))
    assert "w" in sb.derive(model).gradients
