"""``symbackprop latex``: a standalone document (and its PDF) or an align snippet."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import click
from click.core import ParameterSource

from symbackprop.cli import ascii_output, console, output
from symbackprop.cli.errors import CliError
from symbackprop.cli.options import SpecOptions, check_wrt, network_only, spec_options
from symbackprop.spec import Network

LATEX_EPILOG = """\b
Examples:
  symbackprop latex 4-3-2-1 -o backprop.tex
  symbackprop latex n-3-2-1 -o notes.tex --pdf      also builds notes.pdf with pdflatex
  symbackprop latex 4-3-2-1 --snippet               an align block on stdout
  symbackprop latex 4-3-2-1 -o notes.tex --force    replace an existing notes.tex
  symbackprop latex 4-3-2-1 -o notes.tex --pdf --no-figure   for a bare texlive-latex-base
  symbackprop latex 4-3-2-1 --indices -o notes.tex  adds the index view (entry by entry)
  symbackprop latex 4-3-2-1 --slides -o deck.tex --pdf   a Beamer deck, one step per frame
"""

PDFLATEX_TIMEOUT = 300
#: the deepest network whose Beamer deck --pdf builds: 50 layers took 32 s, 100 took 79 s, 200
#: 258 s, and 1000 hit the pdflatex timeout after 5 minutes (hostile35a #5); the .tex alone
#: takes seconds at any depth
SLIDES_PDF_MAX_DEPTH = 50
#: pdflatex errors that mean "too big for TeX" (user input), not "invalid LaTeX" (our bug)
TEX_LIMITS = (
    "Dimension too large",
    "TeX capacity exceeded",
    "Arithmetic overflow",
    "Unable to read an entire line",
)


@click.command(
    "latex", epilog=LATEX_EPILOG, short_help="LaTeX document or align snippet (and PDF)."
)
@spec_options
@output.options("Write to FILE.tex ('-': stdout, the default).")
@click.option(
    "--standalone/--snippet",
    default=True,
    help="A whole document (default) or an align block for existing notes.",
)
@click.option("--expanded/--compact", default=True, help="Include the expanded gradients.")
@click.option("--wrt", metavar="PARAM", help="Only the steps and gradient for one parameter (W2).")
@click.option(
    "--pdf",
    is_flag=True,
    help="Also build FILE.pdf beside FILE.tex with pdflatex (needs -o FILE.tex; --force "
    "covers both).",
)
@click.option(
    "--figure/--no-figure",
    default=True,
    help="Draw the network (a model: its computation graph) with TikZ (Debian: "
    "texlive-pictures); --no-figure leaves it out for a bare texlive-latex-base.",
)
@click.option(
    "--indices",
    is_flag=True,
    help="Add the index view: each step entry by entry, then in matrix form (networks).",
)
@click.option(
    "--slides",
    is_flag=True,
    help="A Beamer deck instead: one frame per step, the delta recursion built up click by "
    "click (networks; needs beamer for --pdf).",
)
def latex_cmd(
    opts: SpecOptions,
    out_path: str | None,
    force: bool,
    standalone: bool,
    expanded: bool,
    wrt: str | None,
    pdf: bool,
    figure: bool,
    indices: bool,
    slides: bool,
) -> None:
    """Write the derivation of SPEC as LaTeX (CS229 notation, standard packages only).

    The document loads amsmath, bm (a model: amssymb), geometry and, for the picture, tikz
    (Debian: texlive-pictures; --no-figure leaves it out).
    """
    if slides and (indices or not standalone):
        raise click.UsageError("--slides makes a whole deck: not with --indices or --snippet")
    expanded_source = click.get_current_context().get_parameter_source("expanded")
    if slides and expanded_source is ParameterSource.COMMANDLINE:
        # accepted and ignored, it would read as having changed the deck (hostile41b #2)
        raise click.UsageError(
            "--expanded/--compact do not apply to --slides: the deck shows each step and the "
            "delta recursion, never the expanded gradients"
        )
    figure_source = click.get_current_context().get_parameter_source("figure")
    if not standalone and figure_source is ParameterSource.COMMANDLINE:
        # a snippet is an align block: --snippet --figure was accepted and ignored (hostile49a #6)
        raise click.UsageError(
            "--figure/--no-figure do not apply to --snippet: it is an align block for your own "
            "document, with no picture"
        )
    if slides and figure_source is ParameterSource.COMMANDLINE:
        # the deck has no picture of the network: --figure was ignored (hostile48c #9)
        raise click.UsageError(
            "--figure/--no-figure do not apply to --slides: the deck has no picture of the "
            "network, only its steps"
        )
    if pdf:
        _check_pdf_options(out_path, standalone, slides=slides)
    # every output is checked before any work, so a refusal writes nothing at all
    tex_target = output.target(
        out_path,
        force=force,
        inputs=[opts.spec],
        writes="LaTeX",
        hint=" (--pdf builds the PDF beside it)" if not pdf else "",
    )
    pdf_target = None
    if pdf and tex_target is not None:
        pdf_target = output.target(
            str(tex_target.path.with_suffix(".pdf")),
            force=force,
            inputs=[opts.spec],
            option="--pdf",
        )
    net = opts.derived_source()
    check_wrt(wrt, net)
    if (indices or slides) and not isinstance(net, Network):
        flag = "--indices" if indices else "--slides"
        raise network_only(flag)
    import symbackprop as sb
    from symbackprop.core.index_check import check_index_depth
    from symbackprop.render import to_latex
    from symbackprop.render.slides import to_slides

    if indices:
        check_index_depth(net.depth)  # before deriving: a refusal takes no time
    if slides and pdf and net.depth > SLIDES_PDF_MAX_DEPTH:
        raise CliError(
            f"--slides --pdf: a deck for {net.depth} layers is several frames a layer, which "
            "pdflatex typesets slowly (50 layers: half a minute; 200: over 4 minutes); at most "
            f"{SLIDES_PDF_MAX_DEPTH} layers with --pdf, or write the deck without --pdf and run "
            "pdflatex on it yourself"
        )

    with console.working(f"deriving {opts.describe(net)}"):
        d = sb.derive(net, batch=opts.batch)
        if slides:
            tex = to_slides(d, wrt=wrt, sizes=opts.sizes)
        else:
            tex = to_latex(
                d,
                standalone=standalone,
                wrt=wrt,
                expanded=expanded,
                sizes=opts.sizes,
                figure=figure,
                indices=indices,
            )
    if tex_target is None:
        ascii_output.echo(tex, nl=False)
        return
    # the PDF is built first: if pdflatex fails, neither file is touched
    pdf_bytes = None
    if pdf_target is not None:
        with console.working("building the PDF with pdflatex"):
            pdf_bytes = build_pdf(tex)
    # both files or neither: a full disk after the .tex left a new .tex beside an old PDF
    files: list[tuple[output.Target, str | bytes]] = [(tex_target, tex)]
    if pdf_target is not None and pdf_bytes is not None:
        files.append((pdf_target, pdf_bytes))
    output.write_together(files)
    for written, _ in files:
        output.tell_wrote(written)


def _check_pdf_options(out_path: str | None, standalone: bool, *, slides: bool = False) -> None:
    """--pdf: -o must name a .tex file, beside which the PDF goes; pdflatex must be there."""
    if out_path is None or out_path == output.STDOUT:
        raise click.UsageError("--pdf needs -o FILE.tex (the PDF is written beside it)")
    if not out_path.lower().endswith(".tex"):
        raise click.UsageError(
            f"--pdf needs -o FILE.tex, got {output.shown(out_path)}: the PDF is written beside "
            "it as FILE.pdf"
        )
    if not standalone:
        raise click.UsageError("--pdf needs --standalone: a snippet is not a document")
    if shutil.which("pdflatex") is None:
        # checked before anything is written, so the error is the only line on stderr
        raise CliError(
            "--pdf needs pdflatex, which is not installed (Debian/Ubuntu: apt-get install "
            "texlive-latex-base, and texlive-pictures for the figure, which --no-figure leaves "
            "out); nothing was written"
        )
    kpsewhich = shutil.which("kpsewhich")
    if slides and kpsewhich is not None and not _tex_file_found(kpsewhich, "beamer.cls"):
        raise CliError(
            "--slides --pdf needs the beamer class, which is not installed (Debian/Ubuntu: "
            "apt-get install texlive-latex-recommended); nothing was written"
        )


def _tex_file_found(kpsewhich: str, name: str) -> bool:
    """True if TeX finds ``name`` (kpsewhich prints its path)."""
    proc = subprocess.run(
        [kpsewhich, name],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=_tex_environment(),  # as pdflatex searches (TEXINPUTS=/tmp: review50 #3)
    )
    return proc.returncode == 0 and bool(proc.stdout.strip())


def _tex_environment() -> dict[str, str]:
    """This process's environment for pdflatex, with the folder of the document and TeX's own
    search path always in TEXINPUTS: a user's ``TEXINPUTS=/tmp`` (no trailing separator, so
    without TeX's defaults) made pdflatex find neither doc.tex nor its packages, reported as
    an internal error, exit 3 (hostile50b #3). The user's folders stay, between the two."""
    env = dict(os.environ)
    given = env.get("TEXINPUTS")
    if given is not None:
        env["TEXINPUTS"] = os.pathsep.join([".", given.strip(os.pathsep), ""])
    return env


def build_pdf(tex: str) -> bytes:
    """Compile the document ``tex`` with pdflatex in a temporary folder; return the PDF."""
    from symbackprop.errors import InternalError

    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        raise CliError("pdflatex is not installed; nothing was written")
    with tempfile.TemporaryDirectory(prefix="symbackprop-") as tmp:
        (Path(tmp) / "doc.tex").write_text(tex, encoding="utf-8")  # private temporary folder
        try:
            proc = subprocess.run(
                [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                cwd=tmp,
                env=_tex_environment(),
                capture_output=True,
                text=True,
                errors="replace",
                timeout=PDFLATEX_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise CliError(
                f"pdflatex did not finish within {PDFLATEX_TIMEOUT} s; nothing was written"
            ) from None
        built = Path(tmp) / "doc.pdf"
        if proc.returncode != 0 or not built.exists():
            # TeX's error line starts with "! ", or follows a page's "[609]" on its line
            first = next(
                (
                    ln[found.start(1) :]
                    for ln in proc.stdout.splitlines()
                    if (found := re.search(r"(?:^|[\]\)] ?)(! .*)", ln))
                ),
                "",
            )
            if "tikz.sty" in proc.stdout and "not found" in proc.stdout:
                raise CliError(
                    "pdflatex cannot draw the network: tikz.sty is missing (Debian/Ubuntu: "
                    "apt-get install texlive-pictures), or use --no-figure; nothing was written"
                )
            missing = re.search(r"File `([^']+\.(?:sty|cls|def|cfg))' not found", proc.stdout)
            if missing:  # the TeX installation's, not the document's: the user's to fix
                raise CliError(
                    f"pdflatex cannot find {missing.group(1)}, which the document needs: the "
                    "TeX installation lacks it (Debian/Ubuntu: texlive-latex-recommended "
                    "and texlive-pictures have every package used); nothing was written"
                )
            if any(limit in first for limit in TEX_LIMITS):
                # valid LaTeX that TeX cannot typeset: a name or formula wider than TeX allows
                raise CliError(
                    f"pdflatex cannot typeset this document ({first.lstrip('! ').rstrip('.')}: "
                    "a name or a formula is too long for TeX); nothing was written; shorter "
                    "names or --compact may help, and without --pdf the .tex is written"
                )
            # symbackprop wrote the LaTeX, so a document that does not compile is our bug
            raise InternalError(f"pdflatex failed: {first or 'see its log'}; nothing was written")
        return built.read_bytes()
