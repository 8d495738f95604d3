"""λ is printed as the value the derivation and the generated code use (hostile38c #1).

``{:g}`` printed ``L2 λ = 123457`` for ``--l2 123456.789`` (the module used 123456.789),
``9.99989e-321`` for 1e-320, and LaTeX typeset ``1e-07`` as "1e − 07".
"""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.render.names import number_latex


@pytest.mark.parametrize(("l2", "text"), [(123456.789, "123456.789"), (1e-320, "1e-320")])
def test_every_output_names_the_weight_decay_used(l2: float, text: str) -> None:
    d = sb.derive(sb.Network.parse("4-3-1", l2=l2))
    assert f"L2 λ = {text};" in sb.to_text(d)
    assert f"L2: float = {text}" in sb.codegen(sb.Network.parse("4-3-1", l2=l2))
    assert float(text) == l2


def test_latex_writes_powers_of_ten() -> None:
    d = sb.derive(sb.Network.parse("4-3-1", l2=1e-7))
    assert r"\lambda = 10^{-7}" in sb.to_latex(d) and r"\lambda = 10^{-7}" in sb.to_markdown(d)
    assert number_latex("2.5e+20") == r"2.5 \times 10^{20}"
    assert number_latex("0.01") == "0.01"
