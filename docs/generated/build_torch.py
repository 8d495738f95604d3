"""Write the generated PyTorch module of the lecture's network, 4-3-2-1, into docs/generated.

    python docs/generated/build_torch.py

tests/test_torch_docs.py checks that the file equals fresh ``sb.codegen`` output.
"""

from __future__ import annotations

from pathlib import Path

import symbackprop as sb

HERE = Path(__file__).parent
PAGES = {"net_4-3-2-1_torch.py": ("4-3-2-1", "torch")}


def build() -> dict[str, str]:
    """File name -> its text."""
    return {name: sb.codegen(spec, backend=backend) for name, (spec, backend) in PAGES.items()}


if __name__ == "__main__":
    for name, text in build().items():
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote {HERE / name}")
