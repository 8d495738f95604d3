"""The exact check's result records: :class:`ExactCheck` and its :class:`Mismatch` rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp


@dataclass(frozen=True)
class Mismatch:
    """One gradient entry where the derivation and SymPy's diff disagree."""

    parameter: str
    row: int
    col: int
    expected: sp.Rational | None
    got: sp.Rational | None
    trial: int
    note: str = ""

    def __str__(self) -> str:
        if self.note:
            return f"dJ/d{self.parameter}: {self.note}"
        return (
            f"dJ/d{self.parameter}[{self.row},{self.col}] = {self.got}, but SymPy's diff gives "
            f"{self.expected} (trial {self.trial})"
        )


#: the further points the exact check draws while every entry it compared was 0 in both
ZERO_RETRIES = 8


@dataclass
class ExactCheck:
    """Result of :meth:`Derivation.check_exact`: ``ok`` is True when every entry agreed."""

    sizes: dict[str, int]
    trials: int
    entries: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    #: why nothing could be compared (no point inside every function's domain was found):
    #: then ``ok`` is False (nothing was verified) with no mismatch (nothing was found wrong)
    undecided: str = ""
    #: the model had no value at any point drawn (its forward values, not only a gradient's
    #: form): where finite differences of the module found a finite cost, the module
    #: computes something else (a part multiplied by 0 and folded away)
    cost_undefined: bool = False
    #: the sizes of the trials after the first, every other one (empty: one setting only,
    #: where the caller gave every size)
    other_sizes: dict[str, int] = field(default_factory=dict)
    #: parameter -> [entries compared, of them 0 in both the derivation and the oracle]
    counts: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        #: the trials asked for (``trials`` counts those run, more where all were 0)
        self.asked = self.trials

    def compared(self, parameter: str, want: object, got: object) -> bool:
        """Count one entry of ``parameter``'s gradient compared; whether it agreed."""
        self.entries += 1
        counted = self.counts.setdefault(parameter, [0, 0])
        counted[0] += 1
        if want == got and want == 0:
            counted[1] += 1
        return bool(want == got)

    @property
    def zero_parameters(self) -> list[str]:
        """The parameters whose every entry compared was 0 in both: their comparison verified
        nothing a wrong gradient would not pass too (a dead relu(W X - 100): hostile45b #1)."""
        return [name for name, (entries, zeros) in self.counts.items() if entries == zeros]

    def begin_trial(self, trial: int) -> bool:
        """Whether to run trial number ``trial`` (from 0), counting it in ``trials`` if so:
        the ``trials`` asked for, and while every entry compared so far was 0 in both, up to
        :data:`ZERO_RETRIES` more points (a one-unit relu network's only point was dead, and
        the check verified nothing)."""
        more = self.all_zero and not self.mismatches and trial < self.asked + ZERO_RETRIES
        if trial < self.asked or more:
            self.trials = trial + 1
            return True
        return False

    @property
    def all_zero(self) -> bool:
        """Every entry compared was 0 in both: the check verified nothing."""
        return bool(self.counts) and len(self.zero_parameters) == len(self.counts)

    @property
    def settings(self) -> str:
        """The sizes compared, as a sentence's end: ``n0=3, m=2 and n0=4, m=3``."""
        shown = [
            ", ".join(f"{k}={v}" for k, v in at.items())
            # one trial ran at the first sizes alone (a model's domain): "and n=3" was never
            for at in (self.sizes, self.other_sizes if self.trials > 1 else {})
            if at
        ]
        return " and ".join(shown)

    @property
    def trials_text(self) -> str:
        """``3 trials``, or where every other trial is at the second sizes ``3 trials: 2 at
        the first sizes, 1 at the second`` (it read "3 trials" for 2 and 1: hostile43b #5)."""
        total = f"{self.trials} trial{'s' if self.trials != 1 else ''}"
        if not self.other_sizes or self.trials < 2:
            return total
        first, second = (self.trials + 1) // 2, self.trials // 2
        return f"{total}: {first} at the first sizes, {second} at the second"

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.entries > 0 and not self.all_zero

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        verdict = "ok" if self.ok else f"{len(self.mismatches)} mismatches"
        if self.all_zero and not self.mismatches:
            verdict = "undecided (every entry compared was 0)"
        if self.undecided:
            verdict = f"undecided ({self.undecided})"
        others = f" and {self.other_sizes}" if self.other_sizes else ""
        return f"<ExactCheck {verdict}: {self.entries} entries, sizes {self.sizes}{others}>"
