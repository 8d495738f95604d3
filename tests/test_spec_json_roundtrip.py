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


@pytest.mark.parametrize(
    ("text", "define"),
    [
        ("W : 2 x 3\nX : 3 x m\nJ = sum(cu(W X))\ndata: X\n", {"cu": "z/(1+abs(z))"}),
        ("A : n x n\nx : n x 1\nsizes: n = 3\nJ = x^T A x\ndata: x\n", {}),
    ],
)
def test_the_json_model_block_reads_back(tmp_path: Path, text: str, define: dict) -> None:
    model = sb.Model.parse(text, define=define)
    block = json.loads(sb.to_json(sb.derive(model)))["model"]
    assert block["equations"] == text
    assert block["define"] == define
    path = tmp_path / "m.json"
    path.write_text(json.dumps(block))
    again = sb.Model.from_file(path)
    assert (again.text, again.define, again.parameters) == (text, model.define, model.parameters)
    assert sb.derive(again).gradients == sb.derive(model).gradients


def test_a_model_block_key_that_disagrees_with_the_equations_is_refused(tmp_path: Path) -> None:
    block = {"equations": "W : 2 x 3\nx : 3 x 1\nJ = sum(W x)\n", "parameters": ["V"]}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(block))
    with pytest.raises(
        SpecError, match=r"'parameters' is \[\"V\"\] but the equations make \[\"W\"\]"
    ):
        sb.Model.from_file(path)


@pytest.mark.parametrize("source", ["4-3-1", "W : 2 x 3\nx : 3 x 1\nJ = sum(W x)\n"])
def test_the_whole_json_output_says_which_block_reads_back(tmp_path: Path, source: str) -> None:
    spec = sb.Model.parse(source) if "J" in source else sb.Network.parse(source)
    path = tmp_path / "d.json"
    path.write_text(sb.to_json(sb.derive(spec)))
    block = "'model'" if "J" in source else "'network'"
    with pytest.raises(
        SpecError, match=f"whole output of derive --format json; its {block} block"
    ):
        sb.Model.from_file(path) if "J" in source else sb.Network.from_file(path)


def test_an_unknown_key_of_a_network_file_mentions_a_models_equations() -> None:
    with pytest.raises(SpecError, match=r"\(or 'equations' for a model\)"):
        sb.Network.from_dict({"text": "J = 1"})
