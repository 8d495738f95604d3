"""The "network" block of ``derive --format json`` reads back as a spec file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.errors import SpecError


@pytest.mark.parametrize(
    ("spec", "options"),
    [
        ("4-3-2-1", {}),
        ("4-n:tanh-3:softmax", {"loss": "ce", "l2": 0.25}),
        ("2-3:swish-1:identity", {"loss": "mse", "define": {"swish": "z*sigmoid(z)"}}),
    ],
)
def test_the_json_network_block_reads_back(tmp_path: Path, spec: str, options: dict) -> None:
    network = sb.Network.parse(spec, **options)
    block = json.loads(sb.to_json(sb.derive(network)))["network"]
    assert "spec" in block
    path = tmp_path / "n.json"
    path.write_text(json.dumps(block))
    again = sb.Network.from_file(path)
    assert again.compact == network.compact
    assert again.to_dict() == network.to_dict()


def test_a_spec_key_that_names_another_network_is_refused() -> None:
    block = {**sb.Network.parse("4-3-1").to_dict(), "spec": "4-5-1"}
    with pytest.raises(SpecError, match=r"'spec' is '4-5-1' but 'input' and 'layers' make"):
        sb.Network.from_dict(block)


@pytest.mark.parametrize("written", ["4-3-1", "4-3:sigmoid-1:sigmoid"])
def test_a_spec_key_in_either_spelling_of_the_network_is_accepted(written: str) -> None:
    block = {**sb.Network.parse("4-3-1").to_dict(), "spec": written}
    assert sb.Network.from_dict(block).compact == "4-3:sigmoid-1:sigmoid"


@pytest.mark.parametrize("written", [None, 3, "4-3-"])
def test_a_spec_key_that_is_no_network_is_refused(written: object) -> None:
    block = {**sb.Network.parse("4-3-1").to_dict(), "spec": written}
    with pytest.raises(SpecError, match="'spec' is"):
        sb.Network.from_dict(block)
