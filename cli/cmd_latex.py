"""``symbackprop latex``: a standalone document (and its PDF) or an align snippet."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import click

from symbackprop.cli import console
from symbackprop.cli.errors import CliError
from symbackprop.cli.options import SpecOptions, check_wrt, spec_options

LATEX_EPILOG = """\b
Examples:
  symbackprop latex 4-3-2-1 -o backprop.tex
  symbackprop latex n-3-2-1 -o notes.tex --pdf      also builds notes.pdf with pdflatex
  symbackprop latex 4-3-2-1 --snippet               an align block on stdout
"""

PDFLATEX_TIMEOUT = 300


@click.command(
    "latex", epilog=LATEX_EPILOG, short_help="LaTeX document or align snippet (and PDF)."
)
@spec_options
@click.option(
    "-o", "--out", "out_path", type=click.Path(dir_okay=False), help="Write to FILE.tex."
)
@click.option(
    "--standalone/--snippet",
    default=True,
    help="A whole document (default) or an align block for existing notes.",
)
@click.option("--expanded/--compact", default=True, help="Include the expanded gradients.")
@click.option("--wrt", metavar="PARAM", help="Only the steps and gradient for one parameter (W2).")
@click.option("--pdf", is_flag=True, help="Also build the PDF with pdflatex (needs -o).")
def latex_cmd(
    opts: SpecOptions,
    out_path: str | None,
    standalone: bool,
    expanded: bool,
    wrt: str | None,
    pdf: bool,
) -> None:
    """Write the derivation of SPEC as LaTeX (CS229 notation, amsmath and bm only)."""
    if pdf and not out_path:
        raise click.UsageError("--pdf needs -o FILE.tex (the PDF is written beside it)")
    if pdf and not standalone:
        raise click.UsageError("--pdf needs --standalone: a snippet is not a document")
    if pdf and shutil.which("pdflatex") is None:
        # checked before anything is written, so the error is the only line on stderr
        raise CliError(
            "--pdf needs pdflatex, which is not installed (Debian/Ubuntu: apt-get install "
            "texlive-latex-base); nothing was written"
        )
    net = opts.network()
    check_wrt(wrt, net.depth)
    import symbackprop as sb
    from symbackprop.render import to_latex

    d = sb.derive(net, batch=opts.batch)
    tex = to_latex(d, standalone=standalone, wrt=wrt, expanded=expanded, sizes=opts.sizes)
    if out_path is None:
        click.echo(tex, nl=False)
        return
    path = Path(out_path)
    try:
        path.write_text(tex, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
    console.err().print(f"wrote {path}")
    if pdf:
        pdf_path = build_pdf(path)
        console.err().print(f"wrote {pdf_path}")


def build_pdf(tex_path: Path) -> Path:
    """Compile ``tex_path`` with pdflatex in a temporary directory; the PDF lands beside it."""
    from symbackprop.errors import InternalError

    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        raise CliError(f"pdflatex is not installed; {tex_path} was written without a PDF")
    with tempfile.TemporaryDirectory(prefix="symbackprop-") as tmp:
        shutil.copy(tex_path, Path(tmp) / "doc.tex")
        try:
            proc = subprocess.run(
                [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                cwd=tmp,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=PDFLATEX_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise CliError(f"pdflatex did not finish within {PDFLATEX_TIMEOUT} s") from None
        built = Path(tmp) / "doc.pdf"
        if proc.returncode != 0 or not built.exists():
            first = next((ln for ln in proc.stdout.splitlines() if ln.startswith("!")), "")
            # symbackprop wrote the LaTeX, so a document that does not compile is our bug
            raise InternalError(f"pdflatex failed on {tex_path}: {first or 'see its log'}")
        target = tex_path.with_suffix(".pdf")
        try:
            shutil.copy(built, target)
        except OSError as exc:
            raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
