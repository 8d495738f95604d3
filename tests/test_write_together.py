"""``latex --pdf`` writes its .tex and its PDF together: both or neither (hostile35a #1).

With ``--force`` over an old pair and room on the disk for the new .tex but not the PDF, the
.tex was replaced, then the PDF failed, and the message said "nothing was changed": the old
PDF beside a new .tex, and a false sentence. Every file is now written to a temporary file
first and renamed over its target only when all of them are on disk.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from symbackprop.cli import output
from symbackprop.cli.errors import CliError
from symbackprop.cli.main import main
from tests.latex_support import pdflatex


def _full_disk_on(marker: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make writing any data that starts with ``marker`` fail as a full disk does."""
    real = output._write_all

    def write_all(fd: int, data: bytes) -> None:
        if bytes(data[: len(marker)]) == marker:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, data)

    monkeypatch.setattr(output, "_write_all", write_all)


def test_a_failure_on_the_second_file_changes_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tex, pdf = tmp_path / "n.tex", tmp_path / "n.pdf"
    tex.write_text("old tex")
    pdf.write_bytes(b"old pdf")
    targets: list[Any] = [output.target(str(p), force=True) for p in (tex, pdf)]
    _full_disk_on(b"%PDF", monkeypatch)
    with pytest.raises(CliError, match=r"n\.pdf' .*No space left on device; nothing was changed"):
        output.write_together([(targets[0], "new tex"), (targets[1], b"%PDF-1.5 new")])
    assert tex.read_text() == "old tex" and pdf.read_bytes() == b"old pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.pdf", "n.tex"]  # no temp left
    monkeypatch.undo()
    output.write_together([(targets[0], "new tex"), (targets[1], b"%PDF-1.5 new")])
    assert tex.read_text() == "new tex" and pdf.read_bytes() == b"%PDF-1.5 new"


def test_latex_pdf_force_on_a_full_disk_keeps_the_old_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdflatex()
    tex, pdf = tmp_path / "n.tex", tmp_path / "n.pdf"
    tex.write_text("old tex")
    pdf.write_bytes(b"old pdf")
    _full_disk_on(b"%PDF", monkeypatch)
    done = CliRunner().invoke(
        main, ["latex", "4-3-2-1", "-o", str(tex), "--pdf", "--force", "--no-figure"]
    )
    assert done.exit_code == 2, done.output
    assert "nothing was changed" in done.stderr and "wrote" not in done.stderr
    assert tex.read_text() == "old tex" and pdf.read_bytes() == b"old pdf"
