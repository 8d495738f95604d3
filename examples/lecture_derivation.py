"""The lecture's network n-3-2-1 (sigmoid everywhere, binary cross-entropy), derived.

Prints the derivation (every chain-rule step with the reason for each transpose and each
element-wise product) and writes it as a standalone LaTeX document.

    python examples/lecture_derivation.py [--fast] [--out lecture-n-3-2-1.tex]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import symbackprop as sb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="skip the exact check")
    parser.add_argument("--out", default="lecture-n-3-2-1.tex", help="LaTeX file to write")
    args = parser.parse_args()

    network = sb.Network.parse("n-3-2-1")  # n inputs, then 3, 2 and 1 sigmoid neurons
    derivation = sb.derive(network)  # one example, as on the board
    try:
        from symbackprop.render import to_latex, to_text
        from symbackprop.render.formula import to_formula
    except ImportError:  # the renderers are optional for this script: print SymPy's forms
        to_text = to_latex = None
        to_formula = str
    if to_text is not None:
        print(to_text(derivation, expanded=True))
    else:
        for name, expr in derivation.gradients.items():
            print(f"dJ/d{name} = {expr}")
    # the recursion as the board writes it, (W3^T delta3) ⊙ a2 ⊙ (1 - a2), not SymPy's repr
    for layer, delta in sorted(derivation.deltas.items(), reverse=True):
        print(f"delta[{layer}] = {to_formula(delta)}")

    if to_latex is not None:
        Path(args.out).write_text(to_latex(derivation), encoding="utf-8")
        print(f"wrote {args.out} (compile with: pdflatex {args.out})")
    else:
        print("no LaTeX renderer in this version of symbackprop: nothing written")

    if not args.fast:
        check = sb.check_exact(derivation)  # every entry against SymPy's scalar diff, exactly
        print(f"exact check: {'ok' if check.ok else 'FAILED'} ({check.entries} entries)")


if __name__ == "__main__":
    main()
