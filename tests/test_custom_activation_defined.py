"""Every readable output defines the custom activations its equations call (hostile38c #4).

``derive 4-3:sw-1 --define 'sw=z*sigmoid(z)'`` printed ``a1 = sw(z1)`` and ``sw'(z) = ...`` in
text, LaTeX, Markdown and HTML, and ``sw(z) = z*sigmoid(z)`` only in JSON: lecture notes built
from it used a function they never defined.
"""

from __future__ import annotations

import symbackprop as sb

NET = sb.Network.parse("4-3:sw-2:tanh-1", define={"sw": "z*sigmoid(z)", "unused": "z * z"})


def test_each_output_says_how_a_custom_activation_is_defined() -> None:
    d = sb.derive(NET)
    assert "  sw(z) = z*sigmoid(z)    (custom activation)" in sb.to_text(d)
    assert r"Custom activation: \texttt{sw(z) = z*sigmoid(z)}." in sb.to_latex(d)
    assert "*Custom activation:* `sw(z) = z*sigmoid(z)`" in sb.to_markdown(d)
    assert "Custom activation: <code>sw(z) = z*sigmoid(z)</code>." in sb.to_html(d)
    for text in (sb.to_text(d), sb.to_latex(d), sb.to_markdown(d), sb.to_html(d)):
        assert "unused" not in text  # defined but not called: not printed


def test_a_network_of_built_in_activations_has_no_such_line() -> None:
    d = sb.derive("4-3-2-1")
    assert "custom activation" not in sb.to_text(d).lower()
    assert "Custom activation" not in sb.to_latex(d)
