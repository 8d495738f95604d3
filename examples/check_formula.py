"""Check a hand-written gradient formula against the derivation.

The lecture writes dJ/dW[2] for its 4-3-2-1 network (sigmoid, binary cross-entropy) as
((W[3]^T (a[3] - y)) * a[2] * (1 - a[2])) a[1]^T; here that formula is parsed (safely, no eval),
shape-checked with generic dimensions and compared with the derived gradient. A wrong version
(a missing transpose) is refused with the reason.

    python examples/check_formula.py [--fast]
"""

from __future__ import annotations

import argparse

import symbackprop as sb

RIGHT = "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"
WRONG = "((W3 (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"  # W3 is n3 x n2: W3 (a3 - y) does not fit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="(already fast)")
    parser.parse_args()

    network = sb.Network.parse("4-3-2-1")
    for formula in (RIGHT, WRONG):
        report = sb.check_formula(network, "W2", formula)
        verdict = "correct" if report.ok else "wrong"
        print(f"dJ/dW2 = {formula}: {verdict}")
        if not report.ok:
            print(f"  {report.error or report.counterexample}")
            if report.repair:
                print(f"  suggested: {report.repair}")


if __name__ == "__main__":
    main()
