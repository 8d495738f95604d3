"""Network specs: what to differentiate.

A spec is an input width and a list of layers (units, activation), a loss, an L2 weight-decay
coefficient and optional custom activations. It can be written compactly::

    4-3-2-1                      # the CS229 lecture's network (sigmoid everywhere, BCE)
    n-3-2-1                      # a named (symbolic) input width
    784-128:relu-10:softmax      # with loss="ce"

or read from a TOML/JSON file (:meth:`Network.from_file`), or built in Python.

Limits and rules, each checked in one place here:

* a width is a positive integer up to :data:`MAX_WIDTH` (an int of any integral type; not a
  bool, not a float such as ``3.0``) or a name allowed by :func:`width_name_problem` (an ASCII
  identifier of at most :data:`MAX_NAME_LENGTH` characters that is not a name the derivation,
  its LaTeX, the generated code or the formula language uses, not a function, activation or
  loss name, not a keyword, not starting with ``_``; pairwise distinct);
* ``l2`` is a real number with 0 <= l2 <= :data:`MAX_L2` (1e6; ints of any size are compared
  exactly, ``-0.0`` is stored as ``0.0``; not a bool, NaN or infinity);
* ``loss`` is bce, mse or ce and must fit the output; when none is given it is bce if the
  output is sigmoid, else it stays ``None`` and whatever needs the loss raises a SpecError
  naming the loss to choose (``collapse`` needs none);
* spec files: at most :data:`MAX_SPEC_FILE_BYTES`; JSON as the standard defines it (no NaN or
  Infinity, no duplicate keys, like TOML); integers too long for Python's int-from-text limit
  are a SpecError.

:func:`as_network` reads a network for every API entry point (through
:func:`symbackprop.model.source.as_source`, which takes models too): a Network, a compact spec
string or a spec file path, with the CLI's options. All validation
happens here, once, in :func:`_validate` (called by every constructor through
``Network.__post_init__``); nothing downstream re-validates. Every problem raises
:class:`~symbackprop.errors.SpecError` with a message that names the part at fault and what was
expected.

This module does not import SymPy at import time; the activation and loss registries are
imported when a network is validated.
"""

from __future__ import annotations

import json
import keyword
import math
import numbers
import operator
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from symbackprop.errors import (
    FormulaError,
    SpecError,
    did_you_mean,
    file_path,
    quote_user_text,
    wrt_name,
)

if TYPE_CHECKING:  # pragma: no cover
    from symbackprop.records.activations import Activation
    from symbackprop.records.losses import Loss

__all__ = [
    "MAX_L2",
    "MAX_NAME_LENGTH",
    "MAX_DEPTH",
    "MAX_WIDTH",
    "Layer",
    "Network",
    "as_network",
    "is_spec_file",
    "width_name_problem",
]

#: a spec file is a few hundred bytes; anything this large is a mistake
MAX_SPEC_FILE_BYTES = 1_000_000
#: Widths above this are refused (the derivation is symbolic, but code and checks are not).
MAX_WIDTH = 100_000
#: the deepest network accepted: derive and the renderers are linear in depth (1000 layers in
#: about 7 s), so this bounds every command's time; checks have lower limits of their own
MAX_DEPTH = 2_000
#: The largest L2 coefficient lambda accepted. The penalty (lambda / 2m) ||W||_F^2 at this size
#: already outweighs any data term by orders of magnitude (and one gradient step with
#: lambda / m * lr >= 2 flips and grows every weight); larger values are typing mistakes, and
#: values near the float limit (1e308) would overflow the cost to inf.
MAX_L2 = 1e6
#: Width names longer than this are refused: they are printed in every shape, LaTeX and error.
MAX_NAME_LENGTH = 32

DEFAULT_ACTIVATION = "sigmoid"
DEFAULT_LOSS = "bce"

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS_RE = re.compile(r"[0-9]+")
_RESERVED_WIDTH_RE = re.compile(r"m|n[0-9]+")

_FILE_KEYS = ("define", "input", "l2", "layers", "loss")
_LAYER_KEYS = ("activation", "units")


# --------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True)
class Layer:
    """One fully connected layer: ``units`` neurons (an int or a width name) and an activation."""

    units: int | str
    activation: str = DEFAULT_ACTIVATION

    def __str__(self) -> str:
        return f"{self.units}:{self.activation}"


@dataclass(frozen=True)
class Network:
    """A fully connected network: ``input`` width, ``layers``, ``loss``, ``l2`` and ``define``.

    Construction validates everything (see the module docstring); an invalid network cannot
    exist. ``define`` holds custom activations as ``(name, formula)`` pairs (a mapping is
    accepted and stored as sorted pairs).
    """

    input: int | str
    layers: tuple[Layer, ...]
    #: ``None`` (not chosen) becomes ``"bce"`` when the output is sigmoid; otherwise it stays
    #: ``None`` and :attr:`loss_record` (so anything that needs a loss) raises a SpecError
    #: saying which loss to choose. The loss plays no part in :func:`collapse`.
    loss: str | None = None
    l2: float = 0.0
    define: tuple[tuple[str, str], ...] = ()
    # custom activation records built from ``define`` during validation
    _custom: dict[str, Activation] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        _validate(self)

    # -- constructors ------------------------------------------------------------------------

    @classmethod
    def parse(
        cls,
        spec: str,
        *,
        hidden: str | None = None,
        output: str | None = None,
        activation: str | None = None,
        loss: str | None = "bce",
        l2: float = 0.0,
        define: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> Network:
        """Parse a compact spec ``N0-N1[:act]-N2[:act]-...``.

        Each width is a positive integer or a name (an identifier other than ``m`` and
        ``n<digits>``; names pairwise distinct). Activations: ``hidden`` (default ``"sigmoid"``)
        for hidden layers, ``output`` (default ``"sigmoid"``) for the last one; ``activation``
        sets both at once, an explicit ``hidden``/``output`` wins over it, and a ``:act`` in the
        spec wins over all. ``define={"swish": "z*sigmoid(z)"}`` adds custom activations.
        ``loss`` defaults to bce (DESIGN.md's signature), which needs a sigmoid output.
        ``loss=None`` means "none chosen": bce where the output is sigmoid, else the network
        is still built with no loss (enough for :func:`~symbackprop.apps.collapse.collapse`) and
        anything that needs the loss raises a SpecError saying which one to choose.
        """
        define_pairs = normalize_define(define)
        # activation="swish=z*sigmoid(z)" defines swish and uses it, as the CLI's --activation
        inline: dict[str, str] = {}
        activation, hidden, output = (
            _inline_definition(value, keyword_name, inline)
            for keyword_name, value in (
                ("activation", activation),
                ("hidden", hidden),
                ("output", output),
            )
        )
        if inline:
            merged = dict(define_pairs)
            for name, formula in inline.items():
                if merged.get(name, formula) != formula:
                    raise SpecError(f"activation {_show(name)} is defined twice, differently")
                merged[name] = formula
            define_pairs = tuple(sorted(merged.items()))
        customs = build_customs(define_pairs)
        hidden_act = hidden if hidden is not None else (activation or DEFAULT_ACTIVATION)
        output_act = output if output is not None else (activation or DEFAULT_ACTIVATION)

        if not isinstance(spec, str):
            raise SpecError(f"spec: expected a string like '4-3-2-1', got {type(spec).__name__}")
        if not spec.strip():
            raise SpecError("spec is empty; expected widths separated by '-', e.g. '4-3-2-1'")
        if spec.strip() == "-":  # the usual name of standard input, which is not read
            raise SpecError(
                "spec '-': standard input is not read; pass a file (.model, .toml or .json) "
                "or a compact spec such as '4-3-2-1'"
            )
        dash = next((c for c in spec if c in _OTHER_DASHES), None)
        if dash is not None:  # pasted from a PDF: "no layers" named no cause (hostile41b #4)
            parts = re.split(f"[{_OTHER_DASHES}]", spec.strip())
            # an example only where it is a spec's shape ('4-' is none: review41 #6)
            example = f", e.g. {_show('-'.join(parts))}" if all(p.strip() for p in parts) else ""
            raise SpecError(
                f"spec {_show(spec.strip())}: {dash!r} (U+{ord(dash):04X}) is not '-'; widths "
                f"are joined by the ASCII hyphen-minus{example}"
            )
        parts = [p.strip() for p in spec.split("-")]
        for i, part in enumerate(parts, start=1):
            if not part:
                raise SpecError(
                    f"spec {_show(spec.strip())}: part {i} is empty; expected a width (a positive "
                    "integer or a name) between each pair of '-'"
                )
        if len(parts) < 2:
            hint = _separator_hint(spec.strip()) or _suffixless_file_hint(spec.strip())
            raise SpecError(
                f"spec {_show(spec.strip())}: no layers"
                + (hint or "; expected an input width and at least one layer, e.g. '4-1'")
            )

        first = parts[0]
        if ":" in first:
            raise SpecError(
                f"spec part 1 ({_show(first)}) is the input and takes no activation; expected a "
                "width only, e.g. '4' or 'n'"
            )
        input_width = _width_token(first, "the input (part 1)")

        layers: list[Layer] = []
        depth = len(parts) - 1
        # the layers that take hidden_act / output_act (no ':act' of their own): they decide
        # which activations each keyword accepts, hence which it lists when one is unknown
        defaulted: list[int] = []
        for ell, part in enumerate(parts[1:], start=1):
            where = f"layer {ell} ({_show(part)})"
            pieces = [p.strip() for p in part.split(":")]
            if len(pieces) > 2:
                raise SpecError(
                    f"{where}: malformed; expected 'WIDTH' or 'WIDTH:ACTIVATION' with one ':'"
                )
            if not pieces[0]:
                raise SpecError(f"{where}: missing width before ':'; expected e.g. '3:relu'")
            if len(pieces) == 2 and not pieces[1]:
                raise SpecError(
                    f"{where}: missing activation after ':'; expected e.g. '{pieces[0]}:relu'"
                )
            units = _width_token(pieces[0], where)
            default = output_act if ell == depth else hidden_act
            act = pieces[1] if len(pieces) == 2 else default
            if len(pieces) == 1:
                defaulted.append(ell)
            layers.append(Layer(units, act))

        _check_keywords(activation, hidden, output, customs, defaulted, depth)
        return cls(input_width, tuple(layers), loss=loss, l2=l2, define=define_pairs)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Network:
        """Read a spec file: TOML (``.toml``) or JSON (``.json``); other suffixes try both.

        Keys: ``input``, ``loss``, ``l2``, ``define`` (a table name -> formula) and ``layers``
        (an array of tables with ``units`` and an optional ``activation``, default sigmoid).
        """
        p = file_path(path)
        label = f"spec file {quote_user_text(str(p), 240)}"  # its control characters escaped
        try:
            if p.exists() and not p.is_dir() and not p.is_file():
                # a device or a pipe (a symlink to /dev/zero would never end)
                raise SpecError(f"{label}: not a regular file; expected a .toml or .json file")
            with p.open("rb") as handle:
                raw = handle.read(MAX_SPEC_FILE_BYTES + 1)
            if len(raw) > MAX_SPEC_FILE_BYTES:
                raise SpecError(f"{label}: larger than {MAX_SPEC_FILE_BYTES} bytes")
        except FileNotFoundError:
            raise SpecError(f"{label}: not found") from None
        except IsADirectoryError:
            raise SpecError(f"{label}: is a directory; expected a .toml or .json file") from None
        except OSError as exc:
            raise SpecError(f"{label}: cannot read it ({exc.strerror or exc})") from None
        try:
            # utf-8-sig: editors on Windows start UTF-8 files with a byte-order mark
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpecError(
                f"{label}: not UTF-8 text (byte {exc.start}); expected a TOML or JSON file"
            ) from None

        suffix = p.suffix.lower()
        data: Any
        if suffix == ".toml":
            data = load_toml(text, label)
        elif suffix == ".json":
            data = load_json(text, label)
        else:
            kind = "TOML"
            try:
                data = load_toml(text, label)
            except SpecError as toml_err:
                kind = "JSON"
                try:
                    data = load_json(text, label)
                except SpecError as json_err:
                    raise SpecError(
                        f"{label}: unknown suffix {p.suffix or '(none)'!r}; tried TOML "
                        f"({_strip_label(toml_err, label)}) and JSON "
                        f"({_strip_label(json_err, label)}); use a .toml or .json file for a "
                        "network, or a .model file for a model's equations"
                    ) from None
            if isinstance(data, Mapping) and "equations" in data:
                # read as TOML or JSON only for want of a suffix: "read by sb.Model.from_file
                # (or sb.derive(path))" was said by sb.derive(path) itself (hostile49a #5)
                raise SpecError(
                    f"{label}: this is a model written as {kind} ('equations'); give the file "
                    f"the suffix .{kind.lower()} (or write its equations in a .model file)"
                )
        try:
            return cls.from_dict(data)
        except SpecError as exc:
            raise SpecError(f"{label}: {exc}") from None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Network:
        """Build a network from the file fields (the inverse of :meth:`to_dict`)."""
        if not isinstance(data, Mapping):
            raise SpecError(
                f"expected a table/object with keys {', '.join(_FILE_KEYS)}, "
                f"got {type(data).__name__}"
            )
        if not data:
            raise SpecError(
                "the file is empty (no keys): expected a network ('input' and [[layers]]) or "
                "a model ('equations')"
            )
        # the "network" block of `derive --format json` repeats the network as its compact
        # spec: accepted when it names the same network, so that block reads back as a file
        if "symbackprop" in data and ("network" in data or "model" in data):
            raise SpecError(
                "this is the whole output of derive --format json; its "
                f"{'network' if 'network' in data else 'model'!r} block alone reads back as a "
                "spec file"
            )
        written, raw_keys = data.get("spec"), set(data)
        data = {key: value for key, value in data.items() if key != "spec"}
        if "equations" in data:  # "unknown key 'equations' ... (or 'equations' for a model)"
            raise SpecError(
                "this file has 'equations': it is a model, read by sb.Model.from_file (or "
                "sb.derive(path), which reads either)"
            )
        _check_keys(data, _FILE_KEYS, "", " (or 'equations' for a model)")
        for key in ("input", "layers"):
            if key not in data:
                raise SpecError(
                    f"missing key {key!r}; expected keys: {', '.join(_FILE_KEYS)} (or "
                    "'equations' for a model)"
                )
        raw_layers = data["layers"]
        if not isinstance(raw_layers, list) or not raw_layers:
            raise SpecError(
                "'layers' must be a non-empty array of tables with 'units' and 'activation', "
                "e.g. [[layers]] units = 3"
            )
        layers: list[Layer] = []
        for ell, entry in enumerate(raw_layers, start=1):
            where = f"layers entry {ell} (layer {ell})"
            if not isinstance(entry, Mapping):
                raise SpecError(
                    f"{where}: expected a table with 'units' and 'activation', "
                    f"got {type(entry).__name__}"
                )
            _check_keys(entry, _LAYER_KEYS, f"{where}: ")
            if "units" not in entry:
                raise SpecError(f"{where}: missing key 'units'")
            act = entry.get("activation", DEFAULT_ACTIVATION)
            if not isinstance(act, str):  # JSON null read "unknown activation None"
                shown = "null" if act is None else type(act).__name__
                raise SpecError(f"{where}: 'activation' must be a name (a string), got {shown}")
            layers.append(Layer(_file_width(entry["units"], f"{where}: 'units'"), act))
        define = data.get("define", {})
        # a table, as the README and the JSON output write it: a list of pairs was read too,
        # and null refused (hostile44a #5)
        if not isinstance(define, Mapping):
            raise SpecError(
                f"'define' must be a table of name = \"formula\", got {type(define).__name__}"
            )
        network = cls(
            _file_width(data["input"], "'input'"),
            tuple(layers),
            loss=_loss_of(data),
            l2=data.get("l2", 0.0),
            define=normalize_define(define),
        )
        if "spec" in raw_keys and not _names_network(written, network):
            raise SpecError(
                f"'spec' is {_show(written)} but 'input' and 'layers' make "
                f"{network.compact!r}: drop 'spec' (it only repeats them) or make them agree"
            )
        return network

    # -- views -------------------------------------------------------------------------------

    @property
    def widths(self) -> tuple[int | str, ...]:
        """``(n0, n1, ..., nL)``: the input width then each layer's units."""
        return (self.input, *(layer.units for layer in self.layers))

    @property
    def depth(self) -> int:
        """The number of layers L (the input is not a layer)."""
        return len(self.layers)

    @property
    def named_widths(self) -> tuple[str, ...]:
        """The width names in order of appearance (``()`` when every width is concrete)."""
        return tuple(w for w in self.widths if isinstance(w, str))

    @property
    def activations(self) -> tuple[str, ...]:
        """The activation name of each layer, ``activations[l - 1]`` for layer l."""
        return tuple(layer.activation for layer in self.layers)

    @property
    def activation_records(self) -> tuple[Activation, ...]:
        """The :class:`~symbackprop.records.activations.Activation` record of each layer."""
        return tuple(_activation_record(name, self._custom, "") for name in self.activations)

    @property
    def loss_record(self) -> Loss:
        """The :class:`~symbackprop.records.losses.Loss` record of the loss.

        Raises :class:`SpecError` when no loss was chosen and the default bce does not fit the
        output (``Network.parse("4-3-1", activation="identity")``), saying which one to choose.
        """
        from symbackprop.records.losses import LOSSES

        if self.loss is None:
            raise SpecError(_loss_mismatch(self, DEFAULT_LOSS, chosen=False))
        return LOSSES[self.loss]

    @property
    def custom_activations(self) -> dict[str, Activation]:
        """Custom activation records by name (from ``define``)."""
        return dict(self._custom)

    @property
    def l2_text(self) -> str:
        """λ as the shortest text that reads back as the same float (``123456.789``,
        ``1e-320``): the value the derivation and the generated code use (``{:g}`` printed
        123457 for 123456.789: hostile38c #1)."""
        return repr(float(self.l2))

    @property
    def compact(self) -> str:
        """The canonical compact spec, every activation written out: ``4-3:sigmoid-1:sigmoid``.

        ``Network.parse(net.compact, loss=net.loss, l2=net.l2, define=net.define)`` gives back
        an equal network.
        """
        return "-".join([str(self.input), *(str(layer) for layer in self.layers)])

    @property
    def equations(self) -> str:
        """The network as model text (DESIGN.md, "Models"): batch form, dimensions n0, n1, ...

        A named width keeps its name as the dimension (as in the network's own graph); each
        concrete width is given in a ``sizes:`` line. With ``l2`` the weight decay is written
        out as ``L2 / (2 * m) * (sum(W1^2) + ...)`` (``L2`` as in the generated module). Custom
        activations are called by name, so parse it back with the network's ``define``.
        """
        depth = len(self.layers)
        dims = [w if isinstance(w, str) else f"n{i}" for i, w in enumerate(self.widths)]
        lines = [f"# {self.compact} as forward equations (batch form)"]
        # a model file has no place for a definition (a .toml or .json one has [define]): the
        # comment keeps it beside the text, so that whoever saves it knows what to pass
        lines += [
            f"# {name}(z) = {formula}: custom, parse with define={{{name!r}: {formula!r}}}"
            for name, formula in self.define
            if name in self.activations
        ]
        lines += [f"X : {dims[0]} x m", f"Y : {dims[depth]} x m"]
        for layer in range(1, depth + 1):
            lines.append(f"W{layer} : {dims[layer]} x {dims[layer - 1]}")
            lines.append(f"b{layer} : {dims[layer]} x 1")
        sizes = [f"n{i} = {w}" for i, w in enumerate(self.widths) if isinstance(w, int)]
        if sizes:
            lines.append("sizes: " + ", ".join(sizes))
        previous = "X"
        for layer, activation in enumerate(self.activations, start=1):
            lines.append(f"Z{layer} = W{layer} {previous} + b{layer}")
            lines.append(f"A{layer} = {activation}(Z{layer})")
            previous = f"A{layer}"
        cost = f"{self.loss_record.name}({previous}, Y)"
        if self.l2:
            lines.append(f"L2 = {self.l2!r}")
            norms = " + ".join(f"sum(W{layer}^2)" for layer in range(1, depth + 1))
            cost += f" + L2 / (2 * m) * ({norms})"
        lines += [f"J = {cost}", "data: X, Y"]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.compact

    def to_dict(self) -> dict[str, Any]:
        """The file fields as plain JSON-able data; :meth:`from_dict` inverts it.

        ``loss`` is left out when none was chosen (see :attr:`loss_record`).
        """
        out: dict[str, Any] = {"input": self.input}
        if self.loss is not None:
            out["loss"] = self.loss
        out.update(
            {
                "l2": self.l2,
                "define": dict(self.define),
                "layers": [{"units": ly.units, "activation": ly.activation} for ly in self.layers],
            }
        )
        return out


# --------------------------------------------------------------------------------------------
# validation (the one place)


def _validate(net: Network) -> None:
    """Normalize and validate ``net`` in place (it is frozen: fields are set via object)."""
    setattr_ = object.__setattr__

    # define: custom activations first, the layers may use them
    define_pairs = normalize_define(net.define)
    setattr_(net, "define", define_pairs)
    customs = build_customs(define_pairs)
    for name, formula in define_pairs:
        problem = _define_name_problem(name)
        if problem:
            raise SpecError(f"define {name}={formula!r}: {problem}")
    setattr_(net, "_custom", customs)

    # loss
    from symbackprop.records.losses import LOSSES

    if net.loss is not None and (not isinstance(net.loss, str) or net.loss not in LOSSES):
        raise SpecError(
            f"loss {_show(net.loss)}: unknown loss{_did_you_mean(net.loss, LOSSES)}; "
            f"known: {', '.join(sorted(LOSSES))}"
        )

    # l2
    setattr_(net, "l2", _check_l2(net.l2))

    # input width
    setattr_(net, "input", _check_width(net.input, "input width"))

    # layers
    layers = net.layers
    if isinstance(layers, Layer) or not isinstance(layers, Iterable):
        raise SpecError(f"layers: expected a sequence of Layer, got {type(layers).__name__}")
    layers = tuple(layers)
    if not layers:
        raise SpecError("layers: no layers; expected at least one layer")
    depth = len(layers)
    if depth > MAX_DEPTH:
        raise SpecError(
            f"layers: {depth:,} layers; at most {MAX_DEPTH:,} (deriving and printing take about "
            "7 ms per layer, so a deeper network would run for minutes)"
        )
    checked: list[Layer] = []
    for ell, layer in enumerate(layers, start=1):
        if not isinstance(layer, Layer):
            raise SpecError(f"layer {ell}: expected a Layer, got {type(layer).__name__}")
        # not quoted: the activation may be the default or --hidden's, not typed (hostile41b #4)
        where = f"layer {ell} ({_cut(f'{_units(layer.units)}, {layer.activation!r}')})"
        units = _check_width(layer.units, f"{where}: width")
        record = _activation_record(
            layer.activation, customs, where, hidden=ell != depth, why=f" (layer {depth})"
        )
        if isinstance(units, int) and units < record.min_units:
            raise SpecError(
                f"{where}: {record.name} needs at least {record.min_units} units, got {units}; "
                "for one output unit use sigmoid with loss='bce'"
            )
        same = type(units) is type(layer.units) and units == layer.units
        checked.append(layer if same else Layer(units, layer.activation))
    setattr_(net, "layers", tuple(checked))

    # named widths pairwise distinct, and not the name of one of the network's activations
    seen: dict[str, str] = {}
    for ell, width in enumerate(net.widths):
        if isinstance(width, str):
            label = "the input" if ell == 0 else f"layer {ell}"
            if width in customs:
                raise SpecError(
                    f"{label}: width name {width!r} is also a custom activation of this "
                    f"network; {_choose_width(width)}"
                )
            if width in seen:
                raise SpecError(
                    f"width name {width!r} is used by both {seen[width]} and {label}; "
                    "expected pairwise distinct names (each is its own dimension symbol)"
                )
            seen[width] = label

    # loss / output compatibility: a chosen loss must fit; an unchosen one is bce where it
    # fits and stays None otherwise (loss_record then says which loss to choose)
    if net.loss is None:
        if _loss_fits(net, DEFAULT_LOSS):
            setattr_(net, "loss", DEFAULT_LOSS)
    elif not _loss_fits(net, net.loss):
        raise SpecError(_loss_mismatch(net, net.loss, chosen=True))


def _loss_fits(net: Network, loss: str) -> bool:
    from symbackprop.records.losses import LOSSES

    required = LOSSES[loss].requires_output
    return required is None or net.layers[-1].activation == required


def _loss_mismatch(net: Network, loss: str, *, chosen: bool) -> str:
    """Why ``loss`` does not fit the output layer, and which loss (or output) to choose."""
    from symbackprop.records.losses import LOSSES

    required = LOSSES[loss].requires_output
    output = net.layers[-1]
    head = (
        f"loss {loss!r} needs a {required} output"
        if chosen
        else f"no loss was chosen, and the default, {loss!r}, needs a {required} output"
    )
    refusal = LOSSES[loss].refuses.get(output.activation)
    if refusal is not None:
        advice = refusal.in_network
    elif required == "softmax":
        advice = "use a softmax output (e.g. '10:softmax') or loss 'mse' (--loss mse)"
    else:
        advice = f"use a {required} output or loss 'mse' (--loss mse)"
    return (
        f"{head}, but the output layer (layer {net.depth}, of {_units(output.units)}) has "
        f"{output.activation}; {advice}"
    )


def _check_l2(value: object) -> float:
    """A real number 0 <= l2 <= MAX_L2 (ints of any size compare exactly), as a float."""
    l2: Any = value
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real):
        raise SpecError(f"l2 {_show(l2)}: expected a non-negative number, got {type(l2).__name__}")
    try:
        finite = isinstance(l2, numbers.Integral) or math.isfinite(l2)
    except (OverflowError, ValueError, TypeError):
        finite = False
    if not finite or not 0 <= cast(float, l2) <= MAX_L2:
        raise SpecError(
            f"l2 {_show(l2)}: expected a finite, non-negative number at most {MAX_L2:,.0f}"
        )
    return float(l2) + 0.0  # + 0.0 turns -0.0 into 0.0 (same code and LaTeX for both)


def _width_token(token: str, where: str) -> int | str:
    """Turn a spec width token into an int when it is all digits (checked by ``_check_width``)."""
    if _DIGITS_RE.fullmatch(token):
        if len(token) > len(str(MAX_WIDTH)) + 1:
            raise SpecError(
                f"{where}: width {_show(token)} is too large; expected at most {MAX_WIDTH:,}"
            )
        return int(token)
    return token


def _check_width(width: object, where: str) -> int | str:
    """Validate one width: a positive integer up to MAX_WIDTH or an allowed name.

    Integers of any integral type (``numpy.int64``) are accepted; bools and floats are not,
    even ``3.0`` (a width is a count: write ``3``).
    """
    if isinstance(width, bool):
        raise SpecError(f"{where} {width!r}: expected a positive integer or a name")
    if isinstance(width, numbers.Integral):
        value = int(width)
        if value < 1:
            raise SpecError(f"{where} {_show(value)}: expected a positive integer (at least 1)")
        if value > MAX_WIDTH:
            raise SpecError(f"{where} {_show(value)}: too large; expected at most {MAX_WIDTH:,}")
        return value
    if isinstance(width, float):
        hint = f" (write {int(width)})" if width.is_integer() and abs(width) < 1e16 else ""
        raise SpecError(
            f"{where} {_show(width)}: expected a positive integer or a name, got a float{hint}"
        )
    if isinstance(width, str):
        token = width.strip()
        if _DIGITS_RE.fullmatch(token):
            if len(token) > len(str(MAX_WIDTH)) + 1:
                raise SpecError(
                    f"{where} {_show(token)}: too large; expected at most {MAX_WIDTH:,}"
                )
            return _check_width(int(token), where)
        if not _NAME_RE.fullmatch(token):
            raise SpecError(
                f"{where} {_show(width)}: expected a positive integer or a name (an ASCII "
                f"identifier such as n or hidden){_separator_hint(token)}"
            )
        problem = width_name_problem(token)
        if problem is not None:
            raise SpecError(f"{where} {_show(token)}: {problem}")
        return token
    raise SpecError(
        f"{where} {_show(width)}: expected a positive integer or a name, "
        f"got {type(width).__name__}"
    )


# -- width names: the one rule --------------------------------------------------------------

#: names a network's derivation prints for values: data and output, the transpose T, the cost J
#: and loss L (a custom activation may not take them; a width may not take any _TAKEN_NAMES)
_DERIVATION_NAMES = frozenset({"x", "y", "X", "Y", "yhat", "Yhat", "y_hat", "T", "J", "L"})
#: Layer-indexed names of the derivation and the generated code (W2, b2, z2, a2, Z2, A2,
#: delta2, dW2, db2, dZ2, dA2; the bare stems too, since shapes and LaTeX print them) and the
#: dimension names n0, n1, ...
_LAYERED_NAME_RE = re.compile(r"(?:W|b|z|a|Z|A|delta|dW|db|dZ|dA)[0-9]*|n[0-9]+")
#: Names that already mean something: data and output (x y X Y yhat), the batch size m, the
#: transpose T, the cost J and loss L, the L2 coefficient (lambda, printed λ; L2 in code), the
#: scalar placeholders the algebra steps print (z a y u s g), model statements (data, sizes),
#: and the generated module's own names.
# fmt: off
#: the generated module's constants (SHAPES, DATA, CACHE_READS, ...), present and future
_MODULE_CONSTANT_RE = re.compile(r"[A-Z][A-Z0-9_]+")
_TAKEN_NAMES = _DERIVATION_NAMES | frozenset(
    {
        "m", "lambda", "L2",
        "u", "s", "g", "gprime", "data", "sizes",
        "np", "numpy", "params", "cache", "work", "grads", "cost", "log_softmax", "SHAPES",
        "DATA", "DEPTH", "STDS", "init_params", "forward", "backward", "loss_and_grads",
    }
)
# fmt: on
#: Function names of the formula language and of the printers (besides the activations and
#: losses, which are read from their registries).
# fmt: off
_FUNCTION_NAMES = frozenset(
    {
        "exp", "log", "abs", "sqrt", "tanh", "sin", "cos", "sinh", "cosh", "sign", "sum",
        "rowsum", "tr", "det", "logdet", "inv", "norm1", "norm2", "max", "min",
    }
)
# fmt: on


def width_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a width (``None`` when it can): the one rule for width names.

    A width name becomes a dimension symbol printed in every shape (``n1 x h``), in LaTeX and
    in error messages, and may be given a value with ``--size``. It must read as nothing else:
    not a name the derivation, its LaTeX, the generated code or the formula language uses
    (``x``, ``W1``, ``delta2``, ``dW1``, ``lambda``, ``m``, ``n0``, ...), not a function or an
    activation or a loss (``exp``, ``sigmoid``, ``bce``), not a Python keyword, not starting
    with ``_``, and at most :data:`MAX_NAME_LENGTH` characters. A custom activation of the
    same network is refused by :func:`_validate`.
    """
    from symbackprop.formula.table import FUNCTIONS
    from symbackprop.records.activations import ACTIVATIONS
    from symbackprop.records.losses import LOSSES

    choose = _choose_width(name)
    if len(name) > MAX_NAME_LENGTH:
        return f"a width name has at most {MAX_NAME_LENGTH} characters; {choose}"
    if not _NAME_RE.fullmatch(name):
        return "expected an ASCII identifier such as n or hidden"
    if keyword.iskeyword(name):
        return f"a Python keyword cannot name a width; {choose}"
    if name.startswith("_"):
        return f"a width name cannot start with '_'; {choose}"
    if name == "m" or _RESERVED_WIDTH_RE.fullmatch(name):
        return f"reserved ('m' is the batch size, n0, n1, ... are the layer widths); {choose}"
    if _MODULE_CONSTANT_RE.fullmatch(name):
        return (
            "reserved: upper-case names of two or more characters are the generated module's "
            f"constants (SHAPES, DATA, DEPTH, CACHE_READS, ...); {choose}"
        )
    if _LAYERED_NAME_RE.fullmatch(name) or name in _TAKEN_NAMES:
        return (
            "reserved: the derivation, its LaTeX or the generated code already uses this name "
            f"(x, y, W1, b1, z1, a1, delta1, dW1, m, J, lambda, ...); {choose}"
        )
    if name in ACTIVATIONS:  # 4-3-relu: where an activation goes (hostile48c #4)
        return (
            f"{name!r} is an activation, not a width: it follows its layer's width after ':' "
            f"(3:{name}); for a width, {choose}"
        )
    if name in _FUNCTION_NAMES or name in FUNCTIONS or name in LOSSES:
        return f"reserved: {name!r} is a function of the formula language; {choose}"
    return None


def _choose_width(name: str) -> str:
    """The advice after a refused width name: two others (``n``, refused as a custom
    activation's name too, was told "e.g. n or h": hostile36a #8)."""
    others = [other for other in ("n", "h", "k") if other != name][:2]
    return f"choose another name, e.g. {others[0]} or {others[1]}"


def _define_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a network's custom activation (``None`` when it can): not a
    name its derivation prints for a value (``x``, ``a1``, ``W2``, ``delta2``, ``J``, ``m``,
    ``T``, ...) or the generated module's constants, since ``a1 = x(z1)`` and
    ``delta2'(Z1)`` read as something else and shapecheck reads ``x`` in a formula as the
    activation. (A model names its own values; its checks are the model's.)"""
    choose = "choose another name, e.g. swish or act"
    if _MODULE_CONSTANT_RE.fullmatch(name) and not _LAYERED_NAME_RE.fullmatch(name):
        # FOO: no value of the derivation is named so (hostile33b #5 was told one was)
        return (
            "reserved: upper-case names of two or more characters are the generated module's "
            f"constants (SHAPES, DATA, DEPTH, CACHE_READS, ...); {choose}"
        )
    if (
        _LAYERED_NAME_RE.fullmatch(name)
        or _RESERVED_WIDTH_RE.fullmatch(name)
        or name in _DERIVATION_NAMES
    ):
        return (
            "reserved: the derivation already prints this name for a value (x, y, W1, b1, z1, "
            f"a1, delta1, dW1, m, n0, J, T, ...); {choose}"
        )
    if name.startswith("_"):
        return "a custom activation's name cannot start with '_'; choose another name"
    return None


#: dashes that look like '-' in a PDF or a word processor: hyphen, non-breaking hyphen, figure
#: dash, en dash, em dash, minus sign, small and full-width hyphen-minus
_OTHER_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"


def _separator_hint(token: str) -> str:
    """``'; widths are joined by '-': 784-128-10'`` for ``784x128x10`` and the like."""
    parts = re.split(r"\s*(?:[xX×*,;/|>]|\s)\s*", token.strip())
    parts = [part for part in parts if part]
    if len(parts) >= 2 and all(_DIGITS_RE.fullmatch(part) for part in parts):
        if all(int(part) > 0 for part in parts):
            return f"; widths are joined by '-', e.g. {'-'.join(parts)!r}"
        # '0-4' is no spec either (hostile40b #7)
        return "; widths are joined by '-', each a positive integer"
    return ""


def _units(width: object) -> str:
    """``'1 unit'``, ``'3 units'``, ``"'n' units"`` (a named width, quoted as typed); any
    other value as its cut repr (``True units``: the error that follows says what is wrong;
    an int of 5,000 digits, which str() refuses, as too long to print)."""
    if type(width) is int and width == 1:
        return "1 unit"
    return f"{_show(width)} units"


def _cut(text: str, limit: int = 60) -> str:
    """``text`` cut to about ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}...{text[-12:]} ({len(text):,} characters)"


def _show(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters: errors echo user input, readably."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print (over 4,300 digits)
        return f"<{type(value).__name__} too long to print>"
    return _cut(text, limit)


def _check_keywords(
    activation: str | None,
    hidden: str | None,
    output: str | None,
    customs: Mapping[str, Activation],
    defaulted: list[int],
    depth: int,
) -> None:
    """Refuse an unknown ``activation=``/``hidden=``/``output=``, naming the keyword.

    ``defaulted``: the layers (1-based, ``depth`` is the output) written without ``:act``.
    ``hidden=`` and ``activation=`` refuse an output-only activation such as softmax where a
    hidden layer takes it (the refusal names that layer); where none does (``4-2``, or every
    hidden layer has its own ``:act``) the keyword sets nothing there and only its name is
    checked (review 12 R9).
    """
    hidden_takers = [ell for ell in defaulted if ell != depth]
    output_takes = depth in defaulted
    keywords = (("activation", activation), ("hidden", hidden), ("output", output))
    for keyword_name, value in keywords:
        if value is None:
            continue
        where = f"{keyword_name}={_show(value)}"
        if keyword_name == "hidden" and hidden_takers:
            _activation_record(
                value,
                customs,
                where,
                hidden=True,
                why=f", and hidden= sets hidden layer {hidden_takers[0]}",
            )
        elif keyword_name == "activation" and hidden is None and hidden_takers:
            also = (
                f" (output={_show(value)} sets the output layer alone)"
                if output_takes and output is None
                else ""
            )
            _activation_record(
                value,
                customs,
                where,
                hidden=True,
                why=f", and activation= also sets hidden layer {hidden_takers[0]}{also}",
            )
        else:
            _activation_record(value, customs, where)


def _activation_record(
    name: object,
    customs: Mapping[str, Activation],
    where: str,
    *,
    hidden: bool = False,
    why: str = "",
) -> Activation:
    """The record of activation ``name`` (a custom one first), or a SpecError naming ``where``.

    ``hidden``: the activation is for a hidden layer, so an output-only one (softmax) is
    refused and not listed among the known ones; ``why`` ends that refusal's first clause.
    """
    from symbackprop.records.activations import ACTIVATIONS

    prefix = f"{where}: " if where else ""
    record = None
    if isinstance(name, str):
        record = customs.get(name, ACTIVATIONS.get(name))
    if record is not None and not (hidden and record.output_only):
        return record
    if record is not None:
        raise SpecError(
            f"{prefix}{record.name} is allowed only on the output layer{why}; expected an "
            "element-wise activation for a hidden layer, e.g. relu"
        )
    records = {**ACTIVATIONS, **customs}
    known = sorted(key for key, value in records.items() if not (hidden and value.output_only))
    # every name for the hint: 'sotfmax' is a softmax, which the next try refuses, saying why
    return_hint = _did_you_mean(name, sorted(records))
    raise SpecError(
        f"{prefix}unknown activation {_show(name)}{return_hint}; known: {', '.join(known)}"
        + ("" if customs else DEFINE_ADVICE)
    )


def _inline_definition(value: str | None, keyword: str, inline: dict[str, str]) -> str | None:
    """``"swish=z*sigmoid(z)"`` -> ``"swish"``, recording the definition in ``inline``."""
    if value is None or not isinstance(value, str) or "=" not in value:
        return value
    name, formula = (part.strip() for part in value.split("=", 1))
    if not name or not formula:
        raise SpecError(
            f"{keyword}={_show(value)}: expected NAME=FORMULA, e.g. 'swish=z*sigmoid(z)'"
        )
    if inline.get(name, formula) != formula:
        raise SpecError(f"{keyword}={_show(value)}: {_show(name)} is already defined differently")
    inline[name] = formula
    return name


def normalize_define(
    define: Mapping[str, str] | Iterable[tuple[str, str]] | None,
) -> tuple[tuple[str, str], ...]:
    """Custom activations as sorted ``(name, formula)`` pairs; names unique, both strings."""
    if define is None:
        return ()
    items: list[Any]
    if isinstance(define, Mapping):
        items = list(define.items())
    elif isinstance(define, str) or not isinstance(define, Iterable):
        raise SpecError(f"define: expected a mapping name -> formula, got {type(define).__name__}")
    else:
        items = list(define)
    pairs: dict[str, str] = {}
    for item in items:
        if not (isinstance(item, tuple | list) and len(item) == 2):
            raise SpecError(f"define entry {_show(item)}: expected a (name, formula) pair")
        name, formula = item
        if not isinstance(name, str):  # the part at fault: the name (it named the formula's type)
            raise SpecError(
                f"define entry {_show(name)}: the name must be a string, got {type(name).__name__}"
            )
        if not isinstance(formula, str):
            raise SpecError(
                f"define entry {_show(name)}: the formula must be a string, got "
                f"{type(formula).__name__}"
            )
        if name in pairs:
            raise SpecError(f"define {_show(name)}: defined twice")
        pairs[name] = formula
    return tuple(sorted(pairs.items()))


def build_customs(pairs: tuple[tuple[str, str], ...]) -> dict[str, Activation]:
    """Each ``(name, formula)`` pair as a validated custom :class:`Activation` (SpecError)."""
    if not pairs:
        return {}
    from symbackprop.formula import FUNCTIONS
    from symbackprop.records.activations import ACTIVATIONS, custom_activation

    customs: dict[str, Activation] = {}
    for name, formula in pairs:
        where = f"define {name}={formula!r}"
        if not _NAME_RE.fullmatch(name) or keyword.iskeyword(name):
            raise SpecError(
                f"{where}: the name must be an ASCII identifier that is not a Python keyword"
            )
        # every name the formula language calls (exp, tr, norm2, ...) is taken: a definition
        # would silently replace it while every output still prints the built-in's name
        if name in ACTIVATIONS or name in FUNCTIONS.names(models=True):
            kind = "activation" if name in ACTIVATIONS else "function"
            raise SpecError(f"{where}: {name!r} is a built-in {kind}; choose another name")
        try:
            customs[name] = custom_activation(name, formula)
        except FormulaError as exc:
            raise SpecError(f"{where}: {exc}") from None
        except SpecError as exc:
            raise SpecError(f"{where}: {exc}") from None
    return customs


#: how a user adds an activation, in both places one is added (a SpecError does not know
#: whether the CLI or Python asked)
DEFINE_ADVICE = " (or add one with --define NAME=FORMULA, in Python define={NAME: FORMULA})"


def _did_you_mean(value: object, known: Iterable[str]) -> str:
    # case-insensitive: 'BCE' -> 'bce', which difflib alone does not find
    return did_you_mean(value, known)


def _names_network(written: Any, network: Network) -> bool:
    """Whether a file's ``spec`` string is ``network`` in the compact grammar, with the file's
    loss, l2 and definitions (``"4-3-1"`` names ``4-3:sigmoid-1:sigmoid``)."""
    if not isinstance(written, str):
        return False
    try:
        parsed = Network.parse(
            written, loss=network.loss, l2=network.l2, define=dict(network.define)
        )
    except SpecError:
        return False
    return parsed.compact == network.compact


def _check_keys(
    data: Mapping[str, Any], allowed: tuple[str, ...], prefix: str, tail: str = ""
) -> None:
    for key in data:
        if key not in allowed:
            raise SpecError(
                f"{prefix}unknown key {_show(key)}{_did_you_mean(key, allowed)}; "
                f"expected: {', '.join(allowed)}{tail}"
            )


#: Python refuses to turn text with more digits than this into an int (a ValueError that
#: would otherwise escape the loaders); sys.get_int_max_str_digits() is 4300 by default.
_INT_DIGITS_LIMIT = 4300


def load_toml(text: str, label: str) -> Any:
    """TOML text as Python data; a syntax error is a SpecError starting with ``label``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{label}: invalid TOML: {exc}") from None
    except RecursionError:
        raise SpecError(f"{label}: nested too deeply to be a spec") from None
    except ValueError:  # an integer over Python's int-from-text limit
        raise SpecError(_too_many_digits(label)) from None


def load_json(text: str, label: str) -> Any:
    """JSON as the standard defines it: no NaN/Infinity, no duplicate keys."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"{label}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except _JSONRefusal as exc:
        raise SpecError(f"{label}: {exc}") from None
    except RecursionError:
        raise SpecError(f"{label}: nested too deeply to be a spec") from None
    except ValueError:  # an integer over Python's int-from-text limit
        raise SpecError(_too_many_digits(label)) from None


class _JSONRefusal(Exception):
    """Raised from the JSON hooks (kept apart from json's own ValueErrors)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JSONRefusal(
                f"key {_show(key)} appears twice in one object; expected each key once "
                "(as in TOML)"
            )
        out[key] = value
    return out


def _refuse_constant(name: str) -> Any:
    raise _JSONRefusal(f"{name} is not a finite number (and not standard JSON)")


def _too_many_digits(label: str) -> str:
    return (
        f"{label}: a number has more than {_INT_DIGITS_LIMIT:,} digits; expected a spec "
        f"(widths up to {MAX_WIDTH:,}, l2 up to {MAX_L2:,.0f})"
    )


def _strip_label(err: SpecError, label: str) -> str:
    return str(err).removeprefix(f"{label}: ")


# --------------------------------------------------------------------------------------------
# the one entry: what every API entry point accepts as a network


def checked_size(name: str, value: object) -> int:
    """``value`` as the size of the dimension ``name``: a positive int up to
    :data:`MAX_WIDTH` (any integer type, NumPy's ``int64`` too; not a bool, a float or a
    string), else a ``SpecError`` naming it. The one rule for the sizes code generation and
    the printers take."""
    problem = SpecError(f"sizes[{name!r}] must be a positive int up to {MAX_WIDTH}, got {value!r}")
    if isinstance(value, bool):
        raise problem
    try:
        size = operator.index(value)  # type: ignore[arg-type]  # any integer type; else TypeError
    except TypeError:
        raise problem from None
    if not 1 <= size <= MAX_WIDTH:
        raise problem
    return size


def _suffixless_file_hint(spec: str) -> str:
    """The end of the message for a spec that is no compact spec but names a file without a
    suffix, read as a compact spec (a model saved as ``noext`` was told "no layers; expected an
    input width": hostile35a #8); "" for any other."""
    try:
        is_file = os.path.isfile(spec)
    except (OSError, ValueError):
        return ""
    _stem, dot, suffix = spec.rpartition(".")
    if not is_file and dot and suffix.isascii() and suffix.isalpha():
        # net.yaml, with no such file: "no layers" named no cause (newcomer45 #8)
        return (
            f"; it reads like a file name, but no file {_show(spec)} exists here (a network "
            "is read from .toml or .json, a model from .model)"
        )
    if not is_file:
        return ""
    # a bare name reads as a compact spec; a path (./net) or a suffix makes it a file, read
    # by its contents as TOML or JSON (hostile50b #8: "a file is read by its suffix" was
    # untrue, ./net was read)
    return (
        f"; a file {_show(spec)} exists, but a name without '/' or a suffix is read as a "
        "compact spec: a model's equations are read from a .model file, a network from "
        f"TOML or JSON named .toml, .json or by a path (./{spec})"
    )


def _file_width(width: Any, where: str) -> Any:
    """A spec file's width as it is, but a string of digits (``units = "3"``, taken as 3 where
    3.0 is refused: hostile42b #4): a width in a file is a number or a name."""
    if isinstance(width, str) and _DIGITS_RE.fullmatch(width.strip()):
        raise SpecError(
            f"{where} is the string {_show(width)}; write {width.strip()} (a number) or a name "
            "such as n"
        )
    return width


def _loss_of(data: Mapping[str, Any]) -> Any:
    """A spec file's 'loss', which JSON's null does not leave out (it read as the default bce,
    where a null 'activation' or 'input' is refused: hostile42c #5)."""
    if "loss" in data and data["loss"] is None:
        raise SpecError(
            "'loss' must be a name (bce, mse or ce), got null; leave it out for the default"
        )
    return data.get("loss")


def width_size_problem(network: Network, name: str) -> str | None:
    """Why ``sizes``/``--size`` cannot give ``name`` a size in ``network`` (None when it can:
    a named width), in the words every entry point uses: a numbered width is told its number
    (``n0`` of 4-3-1 was told "the network has no width named 'n0'", which it has: review36
    #6), then the named widths there are."""
    if not isinstance(name, str):  # sympy.Symbol("n") was told "no width named 'n'; ...: n"
        shown = _show(str(name))
        return (
            f"a size is keyed by a width's name as a string ({shown}), not a {type(name).__name__}"
        )
    if name in network.named_widths:
        return None
    known = ", ".join(network.named_widths) or "none (every width is a number)"
    for index, width in enumerate(network.widths):
        if name == f"n{index}" and not isinstance(width, str):
            return f"{name} is {width} in this network; its named widths: {known}"
    return f"the network has no width named {quote_user_text(name)}; its named widths: {known}"


def refuse_named_file(spec: str, network: Network) -> None:
    """A compact spec with a named width that is also the name of a file here that reads like
    a model or a spec raises a :class:`SpecError`: ``my-model`` (a model saved without its
    suffix) was read as a network with widths ``my`` and ``model``, and nothing said so
    (review35 #10). Numeric specs keep the rule that a compact spec is never a file (``4-3-1``
    beside a file ``4-3-1``)."""
    named = [network.input, *(layer.units for layer in network.layers)]
    if not any(isinstance(width, str) for width in named):
        return
    if _reads_like_a_spec(spec):
        widths = ", ".join(_show(w) for w in named if isinstance(w, str))
        raise SpecError(
            f"{_show(spec)} names a file here and is also a compact spec with named widths "
            f"({widths}); a model's equations are read from a .model file, a network from "
            "TOML or JSON named .toml, .json or by a path (./name): rename the file, or "
            "number the widths"
        )


#: a line a model file has and generated code or prose does not: ``W1 : n1 x n0``
_SHAPE_LINE = re.compile(r"^\s*[A-Za-z_]\w*\s*:\s*\S+\s+x\s+\S+", re.MULTILINE)
#: a spec file's keys, in TOML or JSON
_SPEC_KEY = re.compile(r"^\s*(equations|layers|input)\s*=|\"(equations|layers|input)\"\s*:", re.M)


def _reads_like_a_spec(path: str) -> bool:
    """Whether the file ``path`` names (if any) reads like a model or a network spec: a line
    declaring a shape, or a spec's key. A module ``codegen -o n-h-1`` wrote does not, and the
    compact spec ``n-h-1`` beside it is read as the network it names (review36 #2)."""
    try:
        if not os.path.isfile(path):  # a FIFO of that name would block the read forever
            return False
        with open(path, "rb") as file:
            head = file.read(65536).decode("utf-8", errors="replace")
    except (OSError, ValueError):  # unreadable, or a name too long to be one
        return False
    return bool(_SHAPE_LINE.search(head) or _SPEC_KEY.search(head))


def is_spec_file(spec: str) -> bool:
    """A SPEC string names a file when it looks like a path or names one (compact specs never
    contain '.' or '/': ``net.toml``, ``./net``, ``specs/a.json``)."""
    if spec.lower().endswith((".toml", ".json")) or "/" in spec or os.sep in spec:
        return True
    if "." not in spec:
        return False
    try:
        return Path(spec).is_file()
    except (OSError, ValueError):  # a long compact spec is not a valid file name
        return False


def as_network(
    source: Network | str | os.PathLike[str],
    *,
    hidden: str | None = None,
    output: str | None = None,
    activation: str | None = None,
    loss: str | None = None,
    l2: float | None = None,
    define: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
) -> Network:
    """The network ``source`` describes, with the CLI's shared options applied.

    ``source`` is a :class:`Network`, a compact spec (``"4-3-2-1"``), or a spec file (a path,
    or a string ending in ``.toml``/``.json`` or containing ``/``). ``hidden``, ``output`` and
    ``activation`` apply to a compact spec only (a file or a Network sets each layer's
    activation); ``loss``, ``l2`` and ``define`` override a file's or a Network's. Anything
    else is a :class:`SpecError` naming what was expected. Every API entry point
    (``sb.derive``, ``sb.codegen``, ``sb.compile``, ``sb.cache_plan``, ``sb.check_formula``,
    ``sb.check_exact``, ``collapse``) normalises its network argument through this function.
    """
    if isinstance(source, str) and not is_spec_file(source):
        parsed = Network.parse(
            source,
            hidden=hidden,
            output=output,
            activation=activation,
            loss=loss,
            l2=0.0 if l2 is None else l2,
            define=define,
        )
        refuse_named_file(source, parsed)
        return parsed
    if isinstance(source, Network):
        net = source
        kind = "a Network"
    elif isinstance(source, str | os.PathLike):
        net = Network.from_file(source)
        kind = f"the spec file {quote_user_text(os.fspath(source), 240)}"
    else:
        raise SpecError(
            f"expected a Network, a compact spec string such as '4-3-2-1' or a spec file "
            f"path, got {type(source).__name__}"
        )
    for flag, value in (("hidden", hidden), ("output", output), ("activation", activation)):
        if value is not None:
            raise SpecError(
                f"{flag}={_show(value)} applies to a compact spec; {kind} sets each layer's "
                "activation"
            )
    if loss is None and l2 is None and define is None:
        return net
    merged = dict(net.define)
    for name, formula in normalize_define(define):
        merged[name] = formula
    return Network(
        net.input,
        net.layers,
        loss=net.loss if loss is None else loss,
        l2=net.l2 if l2 is None else l2,
        define=tuple(sorted(merged.items())),
    )


# -- the parameters a user may name ----------------------------------------------------------
def parameter_names(network: Network) -> list[str]:
    """``['W1', 'b1', ..., 'WL', 'bL']``: the parameters of ``network``, in layer order."""
    return [f"{kind}{layer}" for layer in range(1, network.depth + 1) for kind in "Wb"]


def check_wrt(wrt: str | None, network: Network) -> None:
    """A :class:`SpecError` when ``wrt`` (``--wrt``, ``wrt=``) names no parameter of
    ``network``; the one check the API and the command line share."""
    if wrt_name(wrt) is None or wrt in parameter_names(network):
        return
    depth = network.depth
    hint = did_you_mean(wrt, parameter_names(network))
    raise SpecError(
        f"{quote_user_text(wrt)} is not a parameter of this {depth}-layer network{hint}; "
        f"expected W1..W{depth} or b1..b{depth}"
    )
