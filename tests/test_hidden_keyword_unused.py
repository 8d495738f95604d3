"""``hidden=softmax`` (``--hidden softmax``) is refused only where a hidden layer takes it, and
the refusal names that layer; where no layer does (``4-2``, or every hidden layer has its own
``:act``) the keyword sets nothing and is accepted, as any other unused keyword (review 12 R9).
"""

from __future__ import annotations

import pytest

import symbackprop as sb
from tests.test_cli import run


def test_cli_hidden_softmax_where_no_hidden_layer_takes_it() -> None:
    proc = run("shapes", "4-3:relu-1:sigmoid", "--hidden", "softmax")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "W1" in proc.stdout


@pytest.mark.parametrize(
    ("spec", "kwargs"),
    [
        ("4-2", {"hidden": "softmax", "output": "softmax", "loss": "ce"}),  # no hidden layer
        ("4-3:relu-1:sigmoid", {"hidden": "softmax"}),  # each layer has its own :act
        ("4-3:tanh-2:relu-3", {"hidden": "softmax", "output": "softmax", "loss": "ce"}),
    ],
)
def test_an_unused_hidden_softmax_is_accepted_and_sets_nothing(
    spec: str, kwargs: dict[str, str]
) -> None:
    net = sb.Network.parse(spec, **kwargs)  # type: ignore[arg-type]
    written = sb.Network.parse(spec, **{k: v for k, v in kwargs.items() if k != "hidden"})  # type: ignore[arg-type]
    assert net == written


def test_a_used_hidden_softmax_is_refused_naming_the_layer() -> None:
    with pytest.raises(sb.SpecError, match="and hidden= sets hidden layer 2;"):
        sb.Network.parse("4-3:relu-2-1", hidden="softmax")
    with pytest.raises(sb.SpecError, match="unknown activation 'sotfmax'"):
        sb.Network.parse("4-2", hidden="sotfmax")  # unused, but no activation's name
