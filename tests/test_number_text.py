"""Numbers print as the user wrote them and read back exactly."""

from __future__ import annotations

from fractions import Fraction

import pytest

from symbackprop.formula.ast import Num, number_text
from symbackprop.formula.parser import parse


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 2), "0.5"),
        (Fraction(1234567890123456789, 10**19), "0.1234567890123456789"),  # was ...e-19
        (Fraction(3333333333333333333333, 10**22), "0.3333333333333333333333"),
        (Fraction(1, 10**5), "0.00001"),
        (Fraction(25, 10**7), "2.5e-6"),  # was 25e-7
        (Fraction(123, 10**10), "1.23e-8"),
        (Fraction(1, 10**6), "1e-6"),
        (Fraction(1, 10**29), "1e-29"),
        (Fraction(24691357802469135781, 2), "12345678901234567890.5"),
        (Fraction(7), "7"),
    ],
)
def test_a_decimal_prints_as_written_and_reads_back(value: Fraction, text: str) -> None:
    assert number_text(value) == text
    node = parse(text)
    assert isinstance(node, Num) and node.value == value
