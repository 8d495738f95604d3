"""Pictures of the lecture-grade outputs for docs/pictures/ (issue 12's must-show).

Run: ``python docs/build_pictures.py`` (needs pdflatex, texlive-pictures and pdftoppm). For the
lecture's 4-3-2-1, a relu/softmax network, an L2 batch network and a model with a skip
connection it builds the LaTeX document's PDF and writes its first two pages as PNG; for the
networks also the first step frame of the Beamer deck. The web pages' pictures are the
screenshots the browser test keeps (tests/test_html_browser.py, artifacts/). The README's
picture, docs/derivation-4-3-2-1.png, is page 1 of the lecture's document at 110 dpi.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import symbackprop as sb
from symbackprop.render.slides import to_slides

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "pictures"
CASES = {
    "lecture_4-3-2-1": lambda: sb.derive("4-3-2-1"),
    "relu_softmax": lambda: sb.derive(
        sb.Network.parse("784-128:relu-10:softmax", loss="ce"), batch=True
    ),
    "l2_batch": lambda: sb.derive(sb.Network.parse("4-3:tanh-2", loss="mse", l2=0.5), batch=True),
    "skip_model": lambda: sb.derive(ROOT / "examples" / "models" / "residual_mlp.model"),
}


def pages(tex: str, name: str, first: int, last: int, dpi: int = 70, out: Path = OUT) -> None:
    """Compile ``tex`` and write pages ``first``..``last`` as ``out/name-N.png``."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "doc.tex").write_text(tex, encoding="utf-8")
        for _ in range(2):  # twice: the deck's overlays and references settle
            subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                cwd=folder,
                check=True,
                capture_output=True,
            )
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(first),
                "-l",
                str(last),
                "doc.pdf",
                name,
            ],
            cwd=folder,
            check=True,
        )
        for png in sorted(folder.glob(f"{name}-*.png")):
            shutil.copyfile(png, out / png.name)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in CASES.items():
        d = build()
        pages(sb.to_latex(d), name, 1, 2)
        if getattr(d, "model", None) is None:
            pages(to_slides(d), f"{name}-slides", 3, 3)
        print("wrote", name)
    with tempfile.TemporaryDirectory() as tmp:  # the README's picture: page 1, larger
        pages(sb.to_latex(sb.derive("4-3-2-1")), "readme", 1, 1, dpi=110, out=Path(tmp))
        shutil.copyfile(Path(tmp) / "readme-1.png", ROOT / "docs" / "derivation-4-3-2-1.png")
    print("wrote docs/derivation-4-3-2-1.png")


if __name__ == "__main__":
    main()
