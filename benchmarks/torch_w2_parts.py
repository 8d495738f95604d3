"""What each part of the torch module's w2 gradient costs where it runs: a busy machine's A/B.

The generated module with a workspace runs these torch calls for 784-256-256-10 relu/softmax-ce
(``sb.codegen(..., backend="torch")``, ``work={}``):

    Z = addmm(b, W, A, out=)  relu_(Z)          each layer (softmax(Z3, dim=0, out=) last)
    dZ3 = sub(A3, Y, out=)  dZ3 /= m            the head
    dW = mm(dZ, A.mT, out=)  db = mm(dZ, 1_m, out=)  dZ_prev = mm(W.mT, dZ, out=)
    threshold_backward(dZ, A, 0, grad_input=dZ)  relu'

``full`` calls exactly those, bare (no checks, no dicts). A variant changes one part:
``no-<part>`` leaves it out (its gradients are wrong; what is left shows what the part costs
in place), ``twice-<part>`` runs it a second time right after (what it costs with its code
and data warm; not the bias), ``fold`` computes [dW db] as one product with a row of ones
under A (issue 14's idea: A in an (n+1) x m buffer whose last row is ones). ``floor`` is
grad_speed's ``torch_gemm_floor`` (the 8 products alone). Parts: relu, head (softmax, sub,
/m), tb (relu'), db, bias.

Each round runs every variant ``--calls`` times in thread CPU time on one torch thread,
starting from the next variant each round; the ratio is the median (quartiles) of per-round
ratios to the first variant. A pass over a 256 x 256 tensor costs 2-12 us alone but 15-60 us
between the products, which evict its code and data: this measures the latter.

Usage::

    python benchmarks/torch_w2_parts.py --dtype float32 --rounds 400 --calls 2 \\
        full no-head twice-head no-tb twice-tb fold floor
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cpu_rounds  # noqa: E402 - interleaved rounds and their table

SIZES, M = (784, 256, 256, 10), 256
PARTS = ("relu", "head", "tb", "db", "bias")


def variant(name: str, dtype: Any) -> Callable[[], Any]:
    """``step()`` of the variant ``name`` on fresh data of ``dtype`` (seeded: every variant's
    data are equal)."""
    import torch  # optional extra

    gen = torch.Generator().manual_seed(0)

    def draw(*shape: int, scale: float = 1.0) -> Any:
        return torch.randn(*shape, generator=gen, dtype=dtype) * scale

    n0, n1, n2, n3 = SIZES
    W1, W2, W3 = draw(n1, n0, scale=n0**-0.5), draw(n2, n1, scale=n1**-0.5), draw(n3, n2)
    b1, b2, b3 = draw(n1, 1), draw(n2, 1), draw(n3, 1)
    X = draw(n0, M)
    Y = torch.zeros(n3, M, dtype=dtype)
    Y[torch.randint(0, n3, (M,), generator=gen), torch.arange(M)] = 1.0
    if name == "floor":
        return floor(W1, W2, W3, X, dtype)

    def empty(*shape: int) -> Any:
        return torch.empty(*shape, dtype=dtype)

    kind, _, part = name.partition("-")
    twice_bias = name == "twice-bias"  # the bias is one argument of addmm: nothing to repeat
    known = name in ("full", "fold") or (kind in ("no", "twice") and part in PARTS)
    known = known and not twice_bias
    if not known:
        raise SystemExit(f"unknown variant {name!r}: full, fold, floor, no-/twice- {PARTS}")
    runs = {p: 1 for p in PARTS} | ({part: 0 if kind == "no" else 2} if part else {})
    fold = name == "fold"
    # A1, A2 in (n+1) x m buffers with a last row of ones for the fold, else n x m
    Z1a, Z2a = empty(n1 + fold, M), empty(n2 + fold, M)
    if fold:
        Z1a[n1], Z2a[n2] = 1.0, 1.0
    Z1, Z2, Z3, A3 = Z1a[:n1], Z2a[:n2], empty(n3, M), empty(n3, M)
    dZ3, dZ2, dZ1 = draw(n3, M, scale=1e-3), empty(n2, M), empty(n1, M)
    G3, G2 = empty(n3, n2 + 1), empty(n2, n1 + 1)  # [dW db] of the fold
    dW3, dW2, dW1 = empty(n3, n2), empty(n2, n1), empty(n1, n0)
    db3, db2, db1 = empty(n3, 1), empty(n2, 1), empty(n1, 1)
    ones, m_t = torch.ones(M, 1, dtype=dtype), torch.tensor(float(M), dtype=dtype)
    threshold_backward = torch.ops.aten.threshold_backward.grad_input

    def linear(b: Any, W: Any, A: Any, out: Any) -> Any:
        if not runs["bias"]:
            return torch.mm(W, A, out=out)
        return torch.addmm(b, W, A, out=out)

    def relu(Z: Any) -> None:
        for _ in range(runs["relu"]):
            torch.relu_(Z)

    def relu_prime(dZ: Any, A: Any) -> None:
        for _ in range(runs["tb"]):
            threshold_backward(dZ, A, 0, grad_input=dZ)

    def db(dZ: Any, out: Any) -> None:
        for _ in range(runs["db"]):
            torch.mm(dZ, ones, out=out)

    def step() -> dict[str, Any]:
        relu(linear(b1, W1, X, Z1))
        relu(linear(b2, W2, Z1, Z2))
        linear(b3, W3, Z2, Z3)
        for _ in range(runs["head"]):
            torch.softmax(Z3, dim=0, out=A3)
            torch.sub(A3, Y, out=dZ3)
            dZ3.div_(m_t)
        if fold:
            torch.mm(dZ3, Z2a.mT, out=G3)
        else:
            torch.mm(dZ3, Z2.mT, out=dW3)
            db(dZ3, db3)
        torch.mm(W3.mT, dZ3, out=dZ2)
        relu_prime(dZ2, Z2)
        if fold:
            torch.mm(dZ2, Z1a.mT, out=G2)
        else:
            torch.mm(dZ2, Z1.mT, out=dW2)
            db(dZ2, db2)
        torch.mm(W2.mT, dZ2, out=dZ1)
        relu_prime(dZ1, Z1)
        torch.mm(dZ1, X.mT, out=dW1)
        db(dZ1, db1)
        if fold:
            return {"W1": dW1, "b1": db1, "W2": G2[:, :n1], "b2": G2[:, n1:]} | {
                "W3": G3[:, :n2],
                "b3": G3[:, n2:],
            }
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}

    return step


def floor(W1: Any, W2: Any, W3: Any, X: Any, dtype: Any) -> Callable[[], Any]:
    """The 8 products alone, as grad_speed's ``torch_gemm_floor`` calls them."""
    import torch  # optional extra

    n0, n1, n2, n3 = SIZES
    acts = [X, torch.randn(n1, M, dtype=dtype), torch.randn(n2, M, dtype=dtype)]
    acts.append(torch.randn(n3, M, dtype=dtype))
    deltas = [None, torch.randn(n1, M, dtype=dtype), torch.randn(n2, M, dtype=dtype)]
    deltas.append(torch.randn(n3, M, dtype=dtype))
    Ws = [W1, W2, W3]
    dWs = [torch.empty_like(W) for W in Ws]

    def run() -> list[Any]:
        for i in range(3):
            torch.matmul(Ws[i], acts[i], out=acts[i + 1])
        for i in range(2, -1, -1):
            torch.matmul(deltas[i + 1], acts[i].T, out=dWs[i])
            if i:
                torch.matmul(Ws[i].T, deltas[i + 1], out=deltas[i])
        return dWs

    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variants", nargs="+")
    ap.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    ap.add_argument("--rounds", type=int, default=400)
    ap.add_argument("--calls", type=int, default=2)
    args = ap.parse_args(argv)
    import torch  # optional extra

    torch.set_num_threads(1)
    dtype = getattr(torch, args.dtype)
    steps = [variant(name, dtype) for name in args.variants]
    want = variant("full", dtype)()
    for name, step in zip(args.variants, steps, strict=True):
        got = step()
        if name in ("full", "fold") or name.startswith("twice-"):  # these must be right
            tol = 1e-5 if dtype == torch.float32 else 1e-12
            for key, value in want.items():
                if not torch.allclose(got[key], value, rtol=tol, atol=tol * 1e-2):
                    raise SystemExit(f"{name}: d{key} differs from full's")
        for _ in range(3):
            step()
    times = cpu_rounds.rotated_rounds(steps, args.rounds, args.calls, time.thread_time)
    print(f"w2 {args.dtype}, one thread, {args.rounds} rounds of {args.calls} calls")
    print(cpu_rounds.ratio_table("variant", args.variants, times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
