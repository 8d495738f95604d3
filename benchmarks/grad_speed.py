"""Gradient speed: symbackprop's generated code against a tuned hand-written NumPy backprop.

Every engine computes the full gradient (each dW and db) of an MLP's mean loss for one batch,
forward and backward, no cost. Before timing, every engine is checked against a plain float64
backprop. Then, per workload and dtype:

* rounds are interleaved: a round times every engine once, the starting engine rotating;
* each sample is preceded by a pause (BLAS worker threads keep spinning for a while after a
  call, and would take a core from the next engine on a small machine);
* a round counts only when the machine was quiet during it: other processes and, on a virtual
  machine, the host's steal took at most 5% of its CPU ticks (/proc/stat); before a round that
  follows a busy one the script waits for quiet, up to ``--max-wait-s`` in all, and adds
  rounds until 9 are quiet (60 rounds at most); each comparison reports the host's steal;
* the ratio of an engine is the median over rounds of its time divided by the baseline's time
  in the same round, with the interquartile range of those per-round ratios as the noise.

The baseline is ``hand_numpy``: hand-written NumPy with every array allocated once and
``out=`` everywhere (``benchmarks/engines/hand_numpy.py``). ``gemm_floor`` runs only the
products of backprop: no NumPy engine can go below it. ``sb_numpy`` is the generated module
(``sb_numpy_ws`` with a workspace dict) on its own input, the parameters' dict, made once
untimed as the torch and JAX engines convert theirs (``sb_numpy_lists`` makes it from the
harness's lists on every call); every ``make_grad*`` function of a file
``benchmarks/engines/sb_*.py`` is an engine (``sb_torch``, ``sb_jax``, ...); torch eager and
``jax.jit(grad)`` run when those frameworks are importable. ``--extra NAME=path.py:function``
adds any engine with the same contract::

    make_grad(spec) -> grad | None        # spec.name, .sizes, .hidden, .output, .m, .dtype
    grad(Ws, bs, X, Y) -> (dWs, dbs)      # the timed call; must not modify its inputs
    grad.prepare(Ws, bs, X, Y) -> (step, to_numpy[, sync])   # optional: convert once, untimed

Usage::

    python benchmarks/grad_speed.py                       # every workload, float64 and float32
    python benchmarks/grad_speed.py --workloads w1_m1,w3 --dtypes float64 --json out.json
    python benchmarks/grad_speed.py --quick --workloads w1_m1 --dtypes float64   # smoke test
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ENGINES = Path(__file__).parent / "engines"
BASELINE = "hand_numpy"
FLOOR = "gemm_floor"
QUIET = 0.05  # the largest share of the CPU other processes and steal may take in a quiet round
clock = time.perf_counter


@dataclass(frozen=True)
class Spec:
    """A workload: layer widths n0..nL, hidden activation, head, batch size m, dtype."""

    name: str
    sizes: tuple[int, ...]
    hidden: str
    output: str
    m: int
    dtype: np.dtype = field(default=np.dtype(np.float64))

    def describe(self) -> str:
        return f"{'-'.join(map(str, self.sizes))} {self.hidden}/{self.output} m={self.m}"


WORKLOADS = {
    "w1_m1": Spec("w1_m1", (3, 2, 1), "sigmoid", "sigmoid_bce", 1),
    "w1_m64": Spec("w1_m64", (3, 2, 1), "sigmoid", "sigmoid_bce", 64),
    "w2": Spec("w2", (784, 256, 256, 10), "relu", "softmax_ce", 256),
    "w3": Spec("w3", (1024, 1024, 1024, 1024, 1), "tanh", "sigmoid_bce", 512),
    "w4": Spec("w4", (64,) * 21 + (10,), "relu", "softmax_ce", 128),
}
#: target ratio to the baseline for the generated NumPy module; on FLOOR_FACTOR's workloads it
#: must also be within that factor of the GEMM floor's ratio
TARGETS = {"w1_m1": 0.90, "w1_m64": 0.90, "w2": 1.00, "w3": 1.00, "w4": 1.00}
FLOOR_FACTOR = {"w2": 1.10, "w3": 1.10}
#: a generated framework module -> (the framework's own engine it is measured against, target
#: ratio per workload, default target) and, for torch, its GEMM floor on FLOOR_FACTOR's workloads
PEERS = {
    "sb_torch": ("torch_eager", {"w1_m1": 0.50, "w1_m64": 0.50}, 1.00),
    "sb_torch_ws": ("torch_eager", {"w1_m1": 0.50, "w1_m64": 0.50}, 1.00),
    "sb_jax": ("jax_jit", {}, 1.05),
}
PEER_FLOORS = {"sb_torch": "torch_gemm_floor", "sb_torch_ws": "torch_gemm_floor"}


def make_problem(spec: Spec, seed: int = 0) -> tuple[list, list, np.ndarray, np.ndarray]:
    """Deterministic parameters and data in float64, then cast to the workload's dtype."""
    rng = np.random.default_rng([seed, sum(spec.sizes), spec.m])
    gain = 2.0 if spec.hidden == "relu" else 1.0
    Ws, bs = [], []
    for n_in, n_out in zip(spec.sizes[:-1], spec.sizes[1:], strict=True):
        Ws.append(rng.standard_normal((n_out, n_in)) * np.sqrt(gain / n_in))
        bs.append(0.1 * rng.standard_normal((n_out, 1)))
    X = rng.standard_normal((spec.sizes[0], spec.m))
    n_out = spec.sizes[-1]
    if spec.output == "sigmoid_bce":
        Y = (rng.random((n_out, spec.m)) < 0.5).astype(np.float64)
    else:
        Y = np.eye(n_out)[:, rng.integers(0, n_out, spec.m)]

    def cast(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a, dtype=spec.dtype)

    return [cast(W) for W in Ws], [cast(b) for b in bs], cast(X), cast(Y)


def load(path: Path, name: str) -> Any:
    """A Python file as a module (the engines live beside this script, not in a package)."""
    found = importlib.util.spec_from_file_location(name, path)
    if found is None or found.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(found)
    sys.modules[name] = module
    found.loader.exec_module(module)
    return module


# -- engines -----------------------------------------------------------------------------------
@dataclass
class Prepared:
    """What is timed (``step``), how to wait for it and how to read its result as NumPy."""

    step: Callable[[], Any]
    to_numpy: Callable[[Any], tuple] = lambda out: out
    sync: Callable[[Any], Any] = lambda out: None
    checked: bool = True  # the floor computes nothing to check


Factory = Callable[[Spec, list, list, np.ndarray, np.ndarray], Prepared | None]


def from_make_grad(make_grad: Callable[[Spec], Any]) -> Factory:
    """An engine from a plug-in's ``make_grad`` (see the module docstring)."""

    def prepare(spec: Spec, Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> Prepared | None:
        grad = make_grad(spec)
        if grad is None:
            return None
        if hasattr(grad, "prepare"):
            step, to_numpy, *sync = grad.prepare(Ws, bs, X, Y)
            return Prepared(step, to_numpy, sync[0] if sync else (lambda out: None))
        return Prepared(lambda: grad(Ws, bs, X, Y))

    return prepare


def builtin_engines() -> dict[str, Factory]:
    """The baseline, the floor, every ``engines/sb_*.py`` plug-in, then torch and JAX."""
    hand = load(ENGINES / "hand_numpy.py", "grad_speed_hand_numpy")
    engines: dict[str, Factory] = {BASELINE: from_make_grad(hand.make_grad)}

    def floor(spec: Spec, *_: Any) -> Prepared:
        return Prepared(hand.make_gemm_floor(spec), checked=False)

    engines[FLOOR] = floor
    for path in sorted(ENGINES.glob("sb_*.py")):
        module = load(path, f"grad_speed_{path.stem}")
        for attr in sorted(vars(module)):
            if attr.startswith("make_grad") and callable(getattr(module, attr)):
                engines[path.stem + attr.removeprefix("make_grad")] = from_make_grad(
                    getattr(module, attr)
                )
    frameworks = load(ENGINES / "frameworks.py", "grad_speed_frameworks")
    engines["torch_eager"] = from_make_grad(frameworks.make_torch_eager)

    def torch_floor(spec: Spec, *_: Any) -> Prepared | None:
        run = frameworks.make_torch_gemm_floor(spec)
        return None if run is None else Prepared(run, checked=False)

    engines["torch_gemm_floor"] = torch_floor
    engines["jax_jit"] = from_make_grad(frameworks.make_jax_jit)
    return engines


def extra_engine(arg: str) -> tuple[str, Factory]:
    """``NAME=path/to/file.py:function`` (NAME defaults to the function's name)."""
    name, _, target = arg.rpartition("=")
    path, _, function = target.rpartition(":")
    if not path or not function:
        raise SystemExit(f"--extra wants [NAME=]path.py:function, got {arg!r}")
    module = load(Path(path).resolve(), f"grad_speed_extra_{Path(path).stem}")
    return name or function, from_make_grad(getattr(module, function))


# -- checking ----------------------------------------------------------------------------------
def check(spec: Spec, got: tuple, want: tuple) -> str:
    """ "ok", or what is wrong: float64 entry-wise (rtol 1e-6), float32 by norm (1e-4)."""
    dWs, dbs = got
    if len(dWs) != len(want[0]) or len(dbs) != len(want[1]):
        return "wrong number of gradients"
    pairs = list(zip([*dWs, *dbs], [*want[0], *want[1]], strict=True))
    for index, (g, r) in enumerate(pairs):
        g = np.asarray(g)
        if g.shape != r.shape:
            return f"gradient {index}: shape {g.shape}, expected {r.shape}"
        if g.dtype != spec.dtype:
            return f"gradient {index}: dtype {g.dtype} for {spec.dtype} inputs"
        g64 = g.astype(np.float64)
        if not np.all(np.isfinite(g64)):
            return f"gradient {index} is not finite"
        err = np.abs(g64 - r)
        if spec.dtype == np.float64:
            bad = not np.all(err <= 1e-6 * np.abs(r) + 1e-12 * (np.abs(r).max() or 1.0))
        else:
            bad = bool(np.linalg.norm(err) > 1e-4 * (np.linalg.norm(r) or 1.0))
        if bad:
            return f"gradient {index} is off by {err.max():.2e}"
    return "ok"


# -- timing ------------------------------------------------------------------------------------
def cpu_ticks() -> tuple[int, int, int, int]:
    """(all ticks, busy ticks, this process's ticks, steal ticks) so far, from /proc/stat;
    zeros where /proc is missing. Steal is the time a virtual machine's host ran something
    else while this machine had work: on a shared host it slows a sample as much as a local
    process does, and no local process shows it."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        with open("/proc/self/stat") as f:
            own = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0, 0, 0, 0
    steal = v[7] if len(v) > 7 else 0
    return sum(v[:8]), v[0] + v[1] + v[2] + v[5] + v[6], int(own[11]) + int(own[12]), steal


def others_share(before: tuple[int, ...], after: tuple[int, ...]) -> float:
    """The share of the machine's CPU taken from this process between two readings: other
    processes' busy ticks plus the host's steal."""
    total = after[0] - before[0]
    others = (after[1] - before[1]) - (after[2] - before[2]) + (after[3] - before[3])
    return max(others, 0) / total if total > 0 else 0.0


def steal_share(before: tuple[int, ...], after: tuple[int, ...]) -> float:
    """The share of the machine's CPU ticks the host stole between two readings."""
    total = after[0] - before[0]
    return (after[3] - before[3]) / total if total > 0 else 0.0


def wait_for_quiet(budget: float, probe: float = 0.25) -> float:
    """Sleep while other processes are busy, at most ``budget`` seconds; the time waited."""
    start = clock()
    while clock() - start < budget:
        before = cpu_ticks()
        time.sleep(probe)
        if others_share(before, cpu_ticks()) <= QUIET:
            break
    return clock() - start


def calls_per_sample(p: Prepared, sample: float, warmup: float) -> int:
    """Warm up, then the number of calls that take about ``sample`` seconds."""
    start, calls = clock(), 0
    while calls < 3 or clock() - start < warmup:
        p.sync(p.step())
        calls += 1
    n = 1
    while True:
        t0 = clock()
        for _ in range(n):
            p.sync(p.step())
        spent = clock() - t0
        if spent >= 0.2 * sample or n >= 1 << 20:
            return max(1, round(n * sample / max(spent, 1e-9)))
        n *= 4


@dataclass
class Settings:
    sample: float = 0.025  # seconds per timed sample
    rounds: int = 15  # rounds to plan
    min_quiet: int = 9  # quiet rounds wanted
    max_rounds: int = 60
    pause: float = 0.15  # seconds before each sample
    max_wait: float = 60.0  # seconds to wait for quiet, per comparison
    warmup: float = 0.2


def interleaved(
    prepared: dict[str, Prepared], s: Settings
) -> tuple[dict, list[bool], float, float]:
    """Per engine the seconds per call of each round; which rounds were quiet; time waited;
    the host's steal over the rounds (a share of the machine's ticks)."""
    names = list(prepared)
    waited = wait_for_quiet(s.max_wait) if s.max_wait > 0 else 0.0
    calls = {name: calls_per_sample(prepared[name], s.sample, s.warmup) for name in names}
    times: dict[str, list[float]] = {name: [] for name in names}
    quiet: list[bool] = []
    gc.collect()
    first = cpu_ticks()
    while len(quiet) < s.max_rounds:
        if len(quiet) >= s.rounds and sum(quiet) >= min(s.min_quiet, s.rounds):
            break
        if quiet and not quiet[-1] and waited < s.max_wait:
            waited += wait_for_quiet(s.max_wait - waited)
        if len(quiet) >= s.rounds and waited >= s.max_wait:
            break  # the machine stays busy: report what there is, marked as noisy
        start = len(quiet) % len(names)
        before = cpu_ticks()
        for name in names[start:] + names[:start]:
            time.sleep(s.pause)
            p, n = prepared[name], calls[name]
            gc.disable()
            t0 = clock()
            for _ in range(n):
                p.sync(p.step())
            times[name].append((clock() - t0) / n)
            gc.enable()
        quiet.append(others_share(before, cpu_ticks()) <= QUIET)
    return times, quiet, waited, steal_share(first, cpu_ticks())


def quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def footprint(factory: Factory, spec: Spec, problem: tuple) -> float | None:
    """Peak NumPy memory of an engine in MiB: its own arrays (made once or per call) and one
    gradient's temporaries, as tracemalloc sees them (set up a second time, so that a code
    generator's one-off work is not counted); 0 for engines whose arrays it cannot see."""
    factory(spec, *problem)  # untraced: a code generator's one-off work (derivation, compile)
    gc.collect()
    tracemalloc.start()
    try:
        p = factory(spec, *problem)
        if p is None:
            return None
        for _ in range(2):
            out = p.step()
            p.sync(out)
            del out
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / 2**20


# -- one comparison ----------------------------------------------------------------------------
def compare(spec: Spec, engines: dict[str, Factory], s: Settings, memory: bool) -> dict:
    problem = make_problem(spec)
    want = load_reference()(spec, *problem)
    prepared: dict[str, Prepared] = {}
    rows: dict[str, dict] = {}
    for name, factory in engines.items():
        try:
            p = factory(spec, *problem)
        except Exception as error:  # a plug-in that fails is reported, not fatal
            rows[name] = {"status": f"failed: {type(error).__name__}: {error}"}
            continue
        if p is None:
            rows[name] = {"status": "skipped"}
            continue
        out = p.step()
        p.sync(out)
        verdict = check(spec, p.to_numpy(out), want) if p.checked else "reference"
        rows[name] = {"status": verdict}
        if verdict in ("ok", "reference"):
            prepared[name] = p
    if BASELINE not in prepared:
        raise SystemExit(f"the baseline failed on {spec.name}: {rows[BASELINE]['status']}")
    times, quiet, waited, steal = interleaved(prepared, s)
    use = quiet if sum(quiet) >= 3 else [True] * len(quiet)
    for name in prepared:
        seconds = [t for t, keep in zip(times[name], use, strict=True) if keep]
        base = [t for t, keep in zip(times[BASELINE], use, strict=True) if keep]
        ratios = [t / b for t, b in zip(seconds, base, strict=True)]
        q1, q2, q3 = quartiles(ratios)
        rows[name].update(
            seconds=statistics.median(seconds), ratio=q2, p25=q1, p75=q3, iqr=q3 - q1
        )
        floor = PEER_FLOORS.get(name) if spec.name in FLOOR_FACTOR else None
        for key, other in (("peer", PEERS.get(name, ("",))[0]), ("floor", floor)):
            if other in prepared:  # per-round ratios to the framework's own engine or floor
                theirs = [t for t, keep in zip(times[other], use, strict=True) if keep]
                q1, q2, q3 = quartiles([t / o for t, o in zip(seconds, theirs, strict=True)])
                rows[name][key] = {"engine": other, "ratio": q2, "p25": q1, "p75": q3}
    if memory:
        for name in prepared:
            rows[name]["peak_mib"] = footprint(engines[name], spec, problem)
    return {
        "workload": spec.name,
        "dtype": spec.dtype.name,
        "network": spec.describe(),
        "rounds": len(quiet),
        "quiet_rounds": sum(quiet),
        "stats_over": "quiet rounds" if use is quiet else "all rounds (too few quiet)",
        "waited_s": round(waited, 1),
        "steal_pct": round(100 * steal, 2),
        "engines": rows,
    }


def load_reference() -> Callable[..., tuple]:
    return sys.modules["grad_speed_hand_numpy"].reference_grad  # type: ignore[no-any-return]


def target(result: dict, name: str) -> tuple[str, bool | None]:
    """The target of the generated NumPy module's rows (issue 13) and whether a row meets it;
    other engines' rows show their ratio only."""
    if name in PEERS:
        return peer_target(result, name)
    if not name.startswith("sb_numpy"):
        return "", None
    row, goal = result["engines"][name], TARGETS.get(result["workload"], 1.0)
    if "ratio" not in row:
        return f"<= {goal:.2f}", None
    met = row["ratio"] <= goal
    text = f"<= {goal:.2f}"
    factor = FLOOR_FACTOR.get(result["workload"])
    floor = result["engines"].get(FLOOR, {}).get("ratio")
    if factor and floor:
        text += f", <= {factor:.2f}x floor ({factor * floor:.2f})"
        met = met and row["ratio"] <= factor * floor
    return text, met


def peer_target(result: dict, name: str) -> tuple[str, bool | None]:
    """A generated framework module's target: a ratio to that framework's own engine (issue
    14), and for torch within FLOOR_FACTOR of torch's GEMM floor on the large workloads."""
    other, goals, default = PEERS[name]
    goal = goals.get(result["workload"], default)
    text = f"<= {goal:.2f}x {other}"
    row = result["engines"][name]
    if "peer" not in row:
        return text, None
    met = row["peer"]["ratio"] <= goal
    factor = FLOOR_FACTOR.get(result["workload"])
    if factor and "floor" in row:
        text += f", <= {factor:.2f}x {row['floor']['engine']}"
        met = met and row["floor"]["ratio"] <= factor
    return text, met


def vs_framework(row: dict) -> str:
    """The per-round ratios to the framework's own engine (and floor): median (IQR)."""
    parts = [
        f"{row[key]['ratio']:.2f} ({row[key]['p25']:.2f}-{row[key]['p75']:.2f}) "
        f"vs {row[key]['engine']}"
        for key in ("peer", "floor")
        if key in row
    ]
    return "; ".join(parts)


def table(results: list[dict]) -> str:
    lines = [
        "| workload | dtype | engine | time / gradient | ratio to hand NumPy | IQR "
        "| vs its framework (IQR) | target | met | peak MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for name, row in result["engines"].items():
            goal, met = target(result, name)
            if "ratio" not in row:
                lines.append(
                    f"| {result['workload']} | {result['dtype']} | {name} | {row['status']} "
                    f"| | | | {goal} | | |"
                )
                continue
            seconds = row["seconds"]
            shown = f"{seconds * 1e6:.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"
            mib = row.get("peak_mib")
            lines.append(
                f"| {result['workload']} | {result['dtype']} | {name} | {shown} "
                f"| {row['ratio']:.2f} | {row['p25']:.2f}-{row['p75']:.2f} "
                f"| {vs_framework(row)} | {goal} "
                f"| {'' if met is None else ('yes' if met else 'no')} "
                f"| {'' if mib is None else f'{mib:.1f}'} |"
            )
    return "\n".join(lines)


def machine() -> dict:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                line.split(":", 1)[1].strip() for line in f if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--dtypes", default="float64,float32")
    ap.add_argument("--engines", default="", help="comma-separated subset (default: all)")
    ap.add_argument("--extra", action="append", default=[], help="[NAME=]path.py:make_grad")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--max-wait-s", type=float, default=60.0)
    ap.add_argument("--pause-ms", type=float, default=150.0)
    ap.add_argument("--memory", action="store_true", help="add each engine's peak MiB")
    ap.add_argument("--json", default="", help="also write the results to this file")
    ap.add_argument("--quick", action="store_true", help="a smoke test: 3 rounds, no waiting")
    args = ap.parse_args(argv)
    s = Settings(rounds=args.rounds, max_wait=args.max_wait_s, pause=args.pause_ms / 1e3)
    if args.quick:
        s = Settings(sample=0.002, rounds=3, min_quiet=0, max_rounds=3, pause=0.0, max_wait=0.0)
        s.warmup = 0.01
    engines = builtin_engines()
    for arg in args.extra:
        name, factory = extra_engine(arg)
        engines[name] = factory
    if args.engines:
        wanted = {BASELINE, *args.engines.split(",")}
        unknown = wanted - engines.keys()
        if unknown:
            raise SystemExit(f"unknown engines {sorted(unknown)}; known: {sorted(engines)}")
        engines = {name: f for name, f in engines.items() if name in wanted}
    results = []
    for workload in args.workloads.split(","):
        if workload not in WORKLOADS:
            raise SystemExit(f"unknown workload {workload!r}; known: {', '.join(WORKLOADS)}")
        for dtype in args.dtypes.split(","):
            spec = Spec(**{**WORKLOADS[workload].__dict__, "dtype": np.dtype(dtype)})
            result = compare(spec, engines, s, args.memory)
            results.append(result)
            print(
                f"{workload} {dtype} ({spec.describe()}): {result['rounds']} rounds, "
                f"{result['quiet_rounds']} quiet, stats over {result['stats_over']}, "
                f"host steal {result['steal_pct']:.1f}%",
                file=sys.stderr,
                flush=True,
            )
    facts = machine()
    print(f"{facts['date']}, {facts['cpu']}, {facts['cores']} cores, numpy {facts['numpy']}\n")
    print(table(results))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": facts, "results": results}, indent=2, default=str) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
