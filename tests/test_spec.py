"""The spec layer: compact grammar, keyword precedence, files, and one test per kind of mistake."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.errors import SpecError, SymbackpropError
from symbackprop.spec import MAX_WIDTH, Layer, Network

# --------------------------------------------------------------------------------------------
# good specs


def test_lecture_network() -> None:
    net = Network.parse("4-3-2-1")
    assert net.widths == (4, 3, 2, 1)
    assert net.depth == 3
    assert net.activations == ("sigmoid", "sigmoid", "sigmoid")
    assert net.loss == "bce"
    assert net.l2 == 0.0
    assert net.named_widths == ()
    assert str(net) == net.compact == "4-3:sigmoid-2:sigmoid-1:sigmoid"


def test_named_input_width() -> None:
    net = Network.parse("n-3-2-1")
    assert net.input == "n"
    assert net.widths == ("n", 3, 2, 1)
    assert net.named_widths == ("n",)


def test_several_named_widths() -> None:
    net = Network.parse("n_in-h-h2:relu-1", hidden="tanh")
    assert net.widths == ("n_in", "h", "h2", 1)
    assert net.named_widths == ("n_in", "h", "h2")
    assert net.activations == ("tanh", "relu", "sigmoid")


def test_whitespace_is_tolerated() -> None:
    net = Network.parse("  784 - 128 : relu -  10:softmax ", loss="ce")
    assert str(net) == "784-128:relu-10:softmax"


def test_softmax_ce_and_mse() -> None:
    assert Network.parse("4-3:relu-2:softmax", loss="ce").activations == ("relu", "softmax")
    assert Network.parse("4-3-2", output="identity", loss="mse").activations[-1] == "identity"


def test_python_construction_matches_parse() -> None:
    built = Network(4, (Layer(3), Layer(2), Layer(1)))
    assert built == Network.parse("4-3-2-1")
    assert hash(built) == hash(Network.parse("4-3-2-1"))


def test_constructor_normalizes() -> None:
    net = Network(4, [Layer(3, "relu"), Layer(1)], loss="mse", l2=1)  # type: ignore[arg-type]
    assert net.layers == (Layer(3, "relu"), Layer(1, "sigmoid"))
    assert isinstance(net.l2, float) and net.l2 == 1.0
    assert Network("4", (Layer("3"), Layer(1))).widths == (4, 3, 1)


def test_network_is_frozen() -> None:
    net = Network.parse("4-1")
    with pytest.raises(AttributeError):
        net.loss = "mse"  # type: ignore[misc]


def test_records_are_exposed() -> None:
    net = Network.parse("4-3:relu-1")
    assert [r.name for r in net.activation_records] == ["relu", "sigmoid"]
    assert net.loss_record.name == "bce"
    assert net.loss_record.requires_output == "sigmoid"


@pytest.mark.parametrize(
    ("spec", "canonical"),
    [
        ("4-3-2-1", "4-3:sigmoid-2:sigmoid-1:sigmoid"),
        ("n-3-2-1", "n-3:sigmoid-2:sigmoid-1:sigmoid"),
        ("2-1", "2-1:sigmoid"),
        ("5 - 4:tanh - 1", "5-4:tanh-1:sigmoid"),
        ("d-h:leaky_relu-k:softplus-1", "d-h:leaky_relu-k:softplus-1:sigmoid"),
    ],
)
def test_round_trip(spec: str, canonical: str) -> None:
    net = Network.parse(spec)
    assert str(net) == canonical
    assert Network.parse(str(net)) == net
    # the canonical form is a fixed point
    assert str(Network.parse(canonical)) == canonical


_ELEMENTWISE = ["sigmoid", "relu", "tanh", "identity", "leaky_relu", "softplus"]


@given(
    widths=st.lists(st.integers(1, 50), min_size=2, max_size=6),
    acts=st.lists(st.sampled_from(_ELEMENTWISE), min_size=5, max_size=5),
    explicit=st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_round_trip_property(widths: list[int], acts: list[str], explicit: list[bool]) -> None:
    parts = [str(widths[0])]
    for i, w in enumerate(widths[1:-1]):
        parts.append(f"{w}:{acts[i]}" if explicit[i] else str(w))
    parts.append(str(widths[-1]))
    net = Network.parse("-".join(parts), hidden="tanh")
    assert net.widths == tuple(widths)
    assert Network.parse(str(net)) == net


# --------------------------------------------------------------------------------------------
# keyword precedence: activation < explicit hidden/output < ":act" in the spec


def test_defaults_are_sigmoid() -> None:
    assert Network.parse("4-3-1").activations == ("sigmoid", "sigmoid")


def test_activation_sets_hidden_and_output() -> None:
    net = Network.parse("4-3-2-1", activation="tanh", loss="mse")
    assert net.activations == ("tanh", "tanh", "tanh")


def test_explicit_hidden_wins_over_activation() -> None:
    net = Network.parse("4-3-2-1", activation="tanh", hidden="relu", loss="mse")
    assert net.activations == ("relu", "relu", "tanh")


def test_explicit_output_wins_over_activation() -> None:
    net = Network.parse("4-3-2-1", activation="relu", output="sigmoid")
    assert net.activations == ("relu", "relu", "sigmoid")


def test_explicit_sigmoid_counts_as_explicit() -> None:
    # output="sigmoid" equals the documented default but is explicit: it still beats activation=
    net = Network.parse("4-3-1", activation="relu", output="sigmoid")
    assert net.activations == ("relu", "sigmoid")
    net = Network.parse("4-3-1", activation="relu", hidden="sigmoid", loss="mse")
    assert net.activations == ("sigmoid", "relu")


def test_spec_act_wins_over_all() -> None:
    net = Network.parse(
        "4-3:tanh-2-1:sigmoid", activation="identity", hidden="relu", output="softplus"
    )
    assert net.activations == ("tanh", "relu", "sigmoid")


def test_activation_alone_breaks_bce() -> None:
    # DESIGN.md: Network.parse's loss defaults to "bce", which needs a sigmoid output
    with pytest.raises(SpecError, match="needs a sigmoid output"):
        Network.parse("4-3-1", activation="relu")
    # issue 9, 5.7: with loss=None (none chosen) the network still exists (collapse needs no
    # loss), and whatever needs the loss says which one to choose
    net = Network.parse("4-3-1", activation="relu", loss=None)
    assert net.loss is None
    with pytest.raises(SpecError, match="the default, 'bce', needs a sigmoid output"):
        _ = net.loss_record
    with pytest.raises(SpecError, match="needs a sigmoid output"):
        Network.parse("4-3-1", activation="relu", loss="bce")


# --------------------------------------------------------------------------------------------
# one test per kind of mistake

BAD_SPECS: list[tuple[str, dict[str, object], str]] = [
    ("", {}, "empty"),
    ("   ", {}, "empty"),
    ("4", {}, "no layers"),
    ("4--1", {}, "part 2 is empty"),
    ("4-3-", {}, "part 3 is empty"),
    ("-4-3", {}, "part 1 is empty"),
    ("4:relu-1", {}, "input and takes no activation"),
    ("4-3:a:b-1", {}, "malformed"),
    ("4-:relu-1", {}, "missing width"),
    ("4-3:-1", {}, "missing activation"),
    ("4-0-1", {}, "at least 1"),
    ("0-3-1", {}, "input width 0"),
    ("4-3.5-1", {}, "'3.5': expected a positive integer or a name"),
    ("4-+3-1", {}, "expected a positive integer or a name"),
    ("4-3-1e3", {}, "expected a positive integer or a name"),
    ("4-100001-1", {}, "at most 100,000"),
    ("4-" + "9" * 5000 + "-1", {}, "too large"),
    ("m-3-1", {}, "reserved"),
    ("n1-3-1", {}, "reserved"),
    ("4-n12-1", {}, "reserved"),
    ("class-3-1", {}, "keyword"),
    ("4-hé-1", {}, "ASCII identifier"),
    ("n-n-1", {}, "'n' is used by both the input and layer 1"),
    ("4-h-h-1", {}, "'h' is used by both layer 1 and layer 2"),
    ("4-3:foo-1", {}, "layer 1 (3 units, 'foo'): unknown activation 'foo'"),
    # a hidden layer lists what a hidden layer takes (softmax is output-only)
    ("4-3:foo-1", {}, "known: identity, leaky_relu, relu, sigmoid, softplus, tanh ("),
    ("4-3-1", {"hidden": "foo"}, "known: identity, leaky_relu, relu, sigmoid, softplus, tanh ("),
    ("4-3-1", {"activation": "foo"}, "leaky_relu, relu, sigmoid, softplus, tanh (or add"),
    ("4-3-1", {"output": "foo"}, "known: identity, leaky_relu, relu, sigmoid, softmax, softplus"),
    ("4-3", {"activation": "foo"}, "leaky_relu, relu, sigmoid, softmax, softplus, tanh"),
    ("4-3-2", {"hidden": "softmax"}, "hidden='softmax': softmax is allowed only on the output"),
    # a refusal names the layer that would take it (review 12 R9)
    ("4-3:relu-2-1", {"hidden": "softmax"}, "and hidden= sets hidden layer 2;"),
    ("4-3-2", {"activation": "sotfmax"}, "unknown activation 'sotfmax' (did you mean 'softmax'?)"),
    ("4-3-2", {"activation": "softmax"}, "activation='softmax': softmax is allowed only on the"),
    ("4-3-2", {"activation": "softmax"}, "(output='softmax' sets the output layer alone)"),
    ("4-3:rellu-1", {}, "did you mean 'relu'"),
    ("4-3:ReLU-1", {}, "unknown activation 'ReLU'"),
    ("4-3-1", {"hidden": "foo"}, "hidden='foo': unknown activation"),
    ("4-3-1", {"output": "foo"}, "output='foo': unknown activation"),
    ("4-3-1", {"activation": "foo"}, "activation='foo': unknown activation"),
    ("4-3-1", {"loss": "hinge"}, "loss 'hinge': unknown loss; known: bce, ce, mse"),
    ("4-3-1:relu", {"loss": "bce"}, "loss 'bce' needs a sigmoid output"),
    ("4-3-1", {"output": "tanh", "loss": "bce"}, "layer 2, of 1 unit) has tanh"),
    ("4-3-2", {"loss": "ce"}, "loss 'ce' needs a softmax output"),
    ("4-3:softmax-1", {}, "softmax is allowed only on the output layer"),
    ("4-1:softmax", {"loss": "ce"}, "softmax needs at least 2 units, got 1"),
    ("4-1:softmax", {"loss": "mse"}, "at least 2 units"),
    ("4-3-1", {"l2": -0.1}, "l2 -0.1: expected a finite, non-negative number"),
    ("4-3-1", {"l2": math.inf}, "finite"),
    ("4-3-1", {"l2": math.nan}, "finite"),
    ("4-3-1", {"l2": "0.1"}, "expected a non-negative number, got str"),
    ("4-3-1", {"l2": True}, "expected a non-negative number"),
    ("4-3-1", {"define": {"relu": "z"}}, "'relu' is a built-in activation"),
    ("4-3-1", {"define": {"my act": "z"}}, "ASCII identifier"),
    ("4-3-1", {"define": {"lambda": "z"}}, "not a Python keyword"),
    ("4-3-1", {"define": {"sw": 3}}, "the formula must be a string, got int"),
    ("4-1", {"define": {1: "z"}}, "define entry 1: the name must be a string, got int"),
    # hostile14 #7: a1 = x(z1), delta2'(Z1): names the derivation prints for values
    *(
        ("4-3-1", {"define": {name: "z*sigmoid(z)"}}, "reserved: the derivation already prints")
        for name in ("x", "a1", "W2", "delta2", "J", "m", "T", "n0", "dW1", "Y")
    ),
    # hostile33b #5: FOO is no name the derivation prints, but a module constant's form
    *(
        ("4-3-1", {"define": {name: "z*sigmoid(z)"}}, "the generated module's constants")
        for name in ("SHAPES", "FOO", "NAME")
    ),
    ("4-3-1", {"define": {"_act": "z"}}, "cannot start with '_'"),
    ("4-3-1", {"define": [("sw", "z"), ("sw", "z")]}, "defined twice"),
    ("4-3-1", {"define": "sw=z"}, "define: expected a mapping"),
]


@pytest.mark.parametrize(("spec", "kwargs", "message"), BAD_SPECS)
def test_bad_spec(spec: str, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as info:
        Network.parse(spec, **kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)
    # one line, usable as-is on stderr
    assert "\n" not in str(info.value)


def test_spec_error_is_catchable_as_base_and_value_error() -> None:
    with pytest.raises(SymbackpropError):
        Network.parse("4-0")
    with pytest.raises(ValueError):
        Network.parse("4-0")


def test_non_string_spec() -> None:
    with pytest.raises(SpecError, match="expected a string"):
        Network.parse(4321)  # type: ignore[arg-type]


BAD_CONSTRUCTIONS: list[tuple[dict[str, object], str]] = [
    ({"input": 4, "layers": ()}, "no layers"),
    ({"input": 4, "layers": Layer(1)}, "expected a sequence of Layer"),
    ({"input": 4, "layers": (3, 1)}, "layer 1: expected a Layer, got int"),
    ({"input": 4.0, "layers": (Layer(1),)}, "input width 4.0"),
    ({"input": True, "layers": (Layer(1),)}, "input width True"),
    ({"input": 4, "layers": (Layer(None),)}, "got NoneType"),  # type: ignore[arg-type]
    ({"input": -2, "layers": (Layer(1),)}, "at least 1"),
    ({"input": 4, "layers": (Layer(1, 3),)}, "unknown activation 3"),  # type: ignore[arg-type]
    ({"input": 4, "layers": (Layer(1),), "loss": 3}, "unknown loss"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_CONSTRUCTIONS)
def test_bad_construction(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as info:
        Network(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_width_limit_is_inclusive() -> None:
    assert Network.parse(f"{MAX_WIDTH}-1").input == MAX_WIDTH


# --------------------------------------------------------------------------------------------
# files

LECTURE_TOML = """\
input = "n"
loss = "bce"
l2 = 0.5

[[layers]]
units = 3
activation = "sigmoid"

[[layers]]
units = 2

[[layers]]
units = 1
activation = "sigmoid"
"""


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    path.write_text(LECTURE_TOML)
    net = Network.from_file(path)
    assert net == Network.parse("n-3-2-1", l2=0.5)
    assert Network.from_file(str(path)) == net


def test_json_file_and_to_dict_round_trip(tmp_path: Path) -> None:
    net = Network.parse("784-128:relu-10:softmax", loss="ce", l2=1e-4)
    path = tmp_path / "net.json"
    path.write_text(json.dumps(net.to_dict()))
    assert Network.from_file(path) == net
    assert json.loads(json.dumps(net.to_dict())) == net.to_dict()


def test_file_without_suffix_tries_both(tmp_path: Path) -> None:
    (tmp_path / "a").write_text(LECTURE_TOML)
    (tmp_path / "b").write_text(json.dumps({"input": 2, "layers": [{"units": 1}]}))
    assert Network.from_file(tmp_path / "a").widths == ("n", 3, 2, 1)
    assert Network.from_file(tmp_path / "b").widths == (2, 1)
    (tmp_path / "c.spec").write_text("input = = 4\n")
    with pytest.raises(SpecError, match=r"tried TOML \(invalid TOML.*\) and JSON \(invalid JSON"):
        Network.from_file(tmp_path / "c.spec")


BAD_FILES: list[tuple[str, str, str]] = [
    ("x.toml", 'input = 4\nloss = "bce"\nlayer = []\n', "unknown key 'layer'"),
    ("x.toml", 'input = 4\nloss = "bce"\nlayer = []\n', "did you mean 'layers'"),
    ("x.toml", "input = 4\n[[layers]]\nunits = 1\nactivaton = 'relu'\n", "layers entry 1"),
    ("x.toml", "input = 4\n[[layers]]\nunits = 1\nactivaton = 'relu'\n", "'activaton'"),
    ("x.toml", "[[layers]]\nunits = 1\n", "missing key 'input'"),
    ("x.toml", "input = 4\n", "missing key 'layers'"),
    ("x.toml", "input = 4\nlayers = []\n", "non-empty array"),
    ("x.toml", "input = 4\nlayers = [1, 2]\n", "layers entry 1 (layer 1): expected a table"),
    ("x.toml", "input = 4\n[[layers]]\nactivation = 'relu'\n", "missing key 'units'"),
    ("x.toml", "input = 4\n[[layers]]\nunits = 3.5\n", "width 3.5"),
    ("x.toml", "input = 4\n[[layers]]\nunits = 0\n", "at least 1"),
    ("x.toml", "input = 4\n\n[[layers]]\nunits = = 1\n", "invalid TOML"),
    ("x.toml", "input = 4\n\n[[layers]]\nunits = = 1\n", "line 4"),
    ("x.toml", "input = 4\nl2 = -1.0\n[[layers]]\nunits = 1\n", "l2 -1.0"),
    ("x.toml", "input = 4\ndefine = 3\n[[layers]]\nunits = 1\n", "'define' must be a table"),
    ("x.toml", "input = 4\n[define]\nrelu = 'z'\n[[layers]]\nunits = 1\n", "built-in"),
    ("x.json", '{"input": 4,\n "layers": [{"units": 1}],\n}', "invalid JSON at line 3"),
    ("x.json", "[1, 2]", "expected a table/object"),
    ("x.json", '{"input": 4, "layers": [{"units": 1}], "loss": "ce"}', "loss 'ce' needs"),
    ("x.json", '{"input": 4, "layers": [{"units": 1}], "l2": NaN}', "finite"),
    # hostile32: "unknown activation None"
    (
        "x.json",
        '{"input": 4, "layers": [{"units": 1, "activation": null}]}',
        "layers entry 1 (layer 1): 'activation' must be a name (a string), got null",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_FILES)
def test_bad_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SpecError) as info:
        Network.from_file(path)
    assert message in str(info.value)
    assert f"spec file '{path}'" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="not found"):
        Network.from_file(tmp_path / "nope.toml")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="is a directory"):
        Network.from_file(tmp_path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SpecError, match="not UTF-8"):
        Network.from_file(path)


# --------------------------------------------------------------------------------------------
# custom activations (define)


def test_define_custom_activation() -> None:
    net = Network.parse("4-3:swish-1", define={"swish": "z*sigmoid(z)"})
    assert net.activations == ("swish", "sigmoid")
    assert net.define == (("swish", "z*sigmoid(z)"),)
    assert net.activation_records[0].name == "swish"
    assert set(net.custom_activations) == {"swish"}
    assert net.to_dict()["define"] == {"swish": "z*sigmoid(z)"}


def test_define_usable_through_hidden_keyword() -> None:
    net = Network.parse("4-3-2-1", hidden="swish", define={"swish": "z*sigmoid(z)"})
    assert net.activations == ("swish", "swish", "sigmoid")


def test_define_is_sorted_and_canonical() -> None:
    a = Network.parse("4-1", define={"q": "z", "p": "2*z"})
    b = Network.parse("4-1", define=[("p", "2*z"), ("q", "z")])
    assert a == b
    assert a.define == (("p", "2*z"), ("q", "z"))


def test_define_bad_formula_names_the_entry() -> None:
    with pytest.raises(SpecError) as info:
        Network.parse("4-3:sw-1", define={"sw": "z*(1+"})
    assert "define sw='z*(1+'" in str(info.value)


def test_define_in_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    path.write_text(
        'input = 4\n[define]\nswish = "z*sigmoid(z)"\n'
        '[[layers]]\nunits = 3\nactivation = "swish"\n[[layers]]\nunits = 1\n'
    )
    net = Network.from_file(path)
    assert net.activations == ("swish", "sigmoid")
