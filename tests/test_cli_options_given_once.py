"""hostile41b: options given twice, flags that did nothing, and messages about what was not typed.

click keeps the last of a repeated option, so ``--wrt W1 --wrt W2`` printed W2 alone and
``-o a.json -o b.json`` wrote b.json alone, without a word; ``latex --slides --compact``
gave the deck unchanged; the page's ``--expanded`` refusal said the page always shows the
expanded gradients (not above 8 layers); a PDF's minus sign in ``4−3−1`` was "no layers".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.errors import SpecError


def _refused(*args: str) -> str:
    """The one-line message of a usage error (exit 2) for ``symbackprop ARGS``."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["derive", "4-3-1", "--wrt", "W1", "--wrt", "W2"], "--wrt is given twice"),
        (["derive", "4-3-1", "--wrt=W1", "--wrt", "W2"], "--wrt is given twice"),
        (["derive", "4-3-1", "--l2", "1", "--l2=2"], "--l2 is given twice"),
        (["derive", "4-3-1", "--loss", "mse", "--loss", "bce"], "--loss is given twice"),
        (["derive", "4-3-1", "--batch", "--single"], "--batch and --single are given together"),
        (["latex", "4-3-1", "--expanded", "--compact"], "--expanded and --compact are given"),
        (["codegen", "4-3-1", "--backend", "torch", "--backend", "jax"], "--backend is given"),
    ],
)
def test_an_option_given_twice_is_refused(args: list[str], said: str) -> None:
    assert said in _refused(*args)


def test_two_outputs_are_refused_and_neither_is_written(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    message = _refused("derive", "4-3-1", "-o", str(first), "-o", str(second), "--format", "json")
    assert "-o is given twice" in message
    assert not first.exists() and not second.exists()


def test_options_that_collect_values_and_option_like_values_still_work() -> None:
    """--size and --define repeat by design; a value that looks like an option is a value."""
    result = CliRunner().invoke(
        main, ["derive", "n-k-1", "--size", "n=3", "--size", "k=2", "--wrt", "W1"]
    )
    assert result.exit_code == 0, result.output
    swish = CliRunner().invoke(
        main,
        ["derive", "3-2-1", "--define", "sw=z*sigmoid(z)", "--define", "neg=-z", "--hidden", "sw"],
    )
    assert swish.exit_code == 0, swish.output
    # "-1" is --l2's value, not an option: the refusal is of the value, not of a repeat
    message = _refused("derive", "3-1", "--l2", "-1", "--wrt", "W1")
    assert "l2 -1" in message and "twice" not in message


def test_slides_refuse_the_expanded_and_compact_flags() -> None:
    # and --figure/--no-figure: the deck has no picture to draw or leave out (hostile48c #9)
    for flag in ("--expanded", "--compact", "--figure", "--no-figure"):
        assert "do not apply to --slides" in _refused("latex", "4-3-1", "--slides", flag)
    assert CliRunner().invoke(main, ["latex", "4-3-1", "--slides"]).exit_code == 0


def test_a_snippet_refuses_the_figure_flags() -> None:
    """hostile49a #6: a snippet is an align block; ``--snippet --figure`` was accepted and gave
    the same bytes as ``--snippet``."""
    for flag in ("--figure", "--no-figure"):
        assert "do not apply to --snippet" in _refused("latex", "4-3-1", "--snippet", flag)
    assert CliRunner().invoke(main, ["latex", "4-3-1", "--snippet"]).exit_code == 0


def test_drawing_a_model_refuses_every_size() -> None:
    """hostile49a #4: ``draw MODEL --size n0=7`` was accepted and dropped (only m was refused)."""
    model = str(Path(__file__).resolve().parents[1] / "examples/models/residual_mlp.model")
    message = _refused("draw", model, "--format", "svg", "--size", "n0=7")
    assert "--size n0 does not apply: a model's graph shows no shapes" in message


def test_the_pages_expanded_refusal_says_where_the_page_shows_them() -> None:
    message = _refused("derive", "4-3-1", "--format", "html", "--expanded", "-o", "x.html")
    assert "up to 8 layers" in message and "always" not in message


@pytest.mark.parametrize("dash", ["\u2212", "\u2013", "\u2010", "\uff0d"])
def test_a_dash_that_is_not_the_hyphen_minus_is_named(dash: str) -> None:
    with pytest.raises(SpecError, match=f"U\\+{ord(dash):04X}.*e.g. '4-3-1:relu'"):
        sb.Network.parse(f"4{dash}3{dash}1:relu")


def test_a_layer_message_quotes_nothing_the_user_did_not_type() -> None:
    """``--output relu`` on 4-3-2 was "(layer 2, '2:relu')", as if 2:relu had been typed."""
    message = _refused("derive", "4-3-2", "--output", "relu")
    assert "'2:relu'" not in message and "layer 2, of 2 units" in message


def test_help_wins_over_a_repeat_and_a_collected_value_is_no_option() -> None:
    """review41 #4: help is printed before any value is read; ``--size``'s value spelled like
    an option is its value, not a second ``--wrt``."""
    shown = CliRunner().invoke(main, ["derive", "4-3-1", "--wrt", "W1", "--wrt", "W2", "--help"])
    assert shown.exit_code == 0 and "Usage:" in shown.output
    message = _refused("derive", "n-3-1", "--size", "--wrt=3", "--wrt", "W1")
    assert "twice" not in message and "--size" in message


def test_no_example_is_offered_that_is_no_spec() -> None:
    with pytest.raises(SpecError) as info:
        sb.Network.parse("4\u2014")
    assert "U+2014" in str(info.value) and "e.g." not in str(info.value)


def test_a_width_too_long_to_print_is_a_spec_error() -> None:
    """Second read: the layer's label formatted a 5,000-digit width with str(), which Python
    refuses (ValueError, before and after the label changed); it is cut like any echo now."""
    from symbackprop.spec import Layer

    with pytest.raises(SpecError, match="too long to print.*at most 100,000"):
        sb.Network(4, [Layer(10**5000, "sigmoid")])
