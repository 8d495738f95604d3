"""docs/generated holds the generated torch module of 4-3-2-1 (issue 14, "Must show"); it
equals a fresh ``sb.codegen`` (rebuild with ``python docs/generated/build_torch.py``). Needs no
torch: code generation never imports it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).parents[1] / "docs" / "generated"


def test_docs_generated_torch_module_equals_a_fresh_build() -> None:
    spec = importlib.util.spec_from_file_location("build_torch", DOCS / "build_torch.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for name, text in build.build().items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, (
            f"docs/generated/{name} is stale: run python docs/generated/build_torch.py"
        )
