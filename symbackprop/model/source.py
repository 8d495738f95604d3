"""One question every entry point asks of a SPEC: is it a network or a model?

A model comes as a :class:`~symbackprop.model.Model`, a ``.model`` text file, or a TOML/JSON
file whose top-level table has ``equations``; anything else is a network
(:func:`symbackprop.spec.as_network`: a Network, a compact spec such as ``"4-3-2-1"`` or a
network spec file).
"""

from __future__ import annotations

import os
from pathlib import Path

from symbackprop.errors import SpecError
from symbackprop.model.model import Model
from symbackprop.spec import MAX_SPEC_FILE_BYTES, Network, as_network, load_json, load_toml

#: the suffix of a model text file
MODEL_SUFFIX = ".model"


def is_model_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a model: a ``.model`` file, or a ``.toml``/``.json`` file whose
    top-level table has ``equations``. Never raises: an unreadable file is not a model here,
    and the network reader then reports it."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == MODEL_SUFFIX:
        return True
    if suffix not in (".toml", ".json"):
        return False
    try:
        if not p.is_file() or p.stat().st_size > MAX_SPEC_FILE_BYTES:
            return False
        text = p.read_bytes().decode("utf-8-sig")
        loaded = (load_toml if suffix == ".toml" else load_json)(text, str(p))
    except (OSError, ValueError, SpecError):
        return False
    return isinstance(loaded, dict) and "equations" in loaded


def as_source(source: Network | Model | str | os.PathLike[str]) -> Network | Model:
    """The network or model ``source`` describes (a :class:`SpecError` when it is invalid).

    ``source``: a Network or Model as they are; a model file (see :func:`is_model_file`)
    read by :meth:`Model.from_file`; anything else through :func:`as_network`.
    """
    if isinstance(source, Network | Model):
        return source
    if isinstance(source, str | os.PathLike) and is_model_file(source):
        return Model.from_file(source)
    refuse_other_types(source)
    return as_network(source)


def refuse_other_types(source: object, *, derivation: bool = False) -> None:
    """A :class:`SpecError` naming every kind of source a caller takes (``derivation``: a
    Derivation too) when ``source`` is none of them; as_network's own message names only the
    network sources, and here a model is one too."""
    if isinstance(source, str | os.PathLike | Network | Model):
        return
    kinds = "a Derivation, a Network" if derivation else "a Network"
    raise SpecError(
        f"expected {kinds}, a Model, a compact spec string such as '4-3-2-1', or a spec or "
        f"model file path, got {type(source).__name__}"
    )
