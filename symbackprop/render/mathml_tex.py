"""The few LaTeX fragments the naming rules make (``W^{[2]\\top}``, ``n_{2}``, ``\\mathit{var}``,
``\\partial J / \\partial (w^{\\top} h + c)``), as MathML.

Names are decided once, in LaTeX, by :mod:`symbackprop.render.names` and
:mod:`symbackprop.render.model_names`; the MathML printer (:mod:`.mathml`) reads them through
:func:`tex_to_mathml` rather than deciding them a second time, so the web page cannot name
anything differently from the PDF. The subset is the one those modules and the formula printer
write: groups, ``^``/``_``, ``\\frac``, ``\\sqrt``, ``\\mathit``/``\\operatorname``/``\\text``,
``\\mathbf{1}``, Greek letters, operators, sized delimiters. Every character of the output is
escaped; a command outside the subset prints its name (a test asserts none occurs).
"""

from __future__ import annotations

import functools
import re
from html import escape

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_&]|\s+|.", re.S)

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "ϕ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ell": "ℓ",
}  # fmt: skip
OPERATORS = {
    "odot": "⊙", "times": "×", "cdot": "⋅", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "to": "→", "sum": "∑", "prod": "∏", "lbrace": "{", "rbrace": "}", "{": "{", "}": "}",
    "dots": "…", "ldots": "…", "cdots": "⋯", "circ": "∘", "neq": "≠", "ne": "≠",
    "approx": "≈", "in": "∈", "mid": "∣", "infty": "∞", "langle": "⟨", "rangle": "⟩",
    "mapsto": "↦",
}  # fmt: skip
#: bars around a norm or an absolute value
DELIMITERS = {"lVert": "‖", "rVert": "‖", "lvert": "|", "rvert": "|", "|": "‖"}
FUNCTIONS = {"log", "exp", "det", "tanh", "sin", "cos", "max", "min", "ln", "sinh", "cosh"}
SPACES = {",": "0.17em", ";": "0.28em", ":": "0.22em", " ": "0.25em", "quad": "1em",
          "qquad": "2em", "!": "-0.17em"}  # fmt: skip
#: sizing commands: the delimiter that follows is printed, the size is left to the browser
IGNORED = {
    "left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr",
    "big", "Big", "bigg", "Bigg", "displaystyle", "textstyle", "notag", "nonumber", "middle",
}  # fmt: skip
TEXT_COMMANDS = {"mathit", "operatorname", "mathrm", "text", "mbox", "textrm", "mathsf"}
_TEXT_ESCAPES = re.compile(r"\\([_{}&%$#])|\\textbackslash\{\}|\\textless\{\}|\\textgreater\{\}")

#: commands outside the subset met while translating (a test keeps this empty)
UNKNOWN: set[str] = set()


@functools.lru_cache(maxsize=1 << 15)
def tex_to_mathml(tex: str) -> str:
    """The MathML (children of an ``<mrow>``, without it) of a LaTeX math fragment.

    Remembered: a deep network's page translates the same fragments (a symbol, a shape, a
    layer's recurring terms) tens of thousands of times (97,491 translations took 8 of the
    17 s of a 500-layer page: hostile44a #6)."""
    return "".join(_Parser(_TOKEN.findall(tex)).items())


def el(tag: str, *children: str, **attrs: str) -> str:
    """``<tag attrs>children</tag>``; attribute names with ``_`` get ``-``."""
    text = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f"<{tag}{text}>{''.join(children)}</{tag}>"


def mo(text: str, **attrs: str) -> str:
    return el("mo", escape(text), **attrs)


def mrow(*children: str) -> str:
    return (
        children[0]
        if len(children) == 1 and children[0].startswith("<mrow")
        else el("mrow", *children)
    )


def _unescape_text(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        whole = match.group(0)
        if match.group(1):
            return match.group(1)
        return {"\\textbackslash{}": "\\", "\\textless{}": "<", "\\textgreater{}": ">"}[whole]

    return _TEXT_ESCAPES.sub(one, text)


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = [t for t in tokens if not t.isspace()]
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def raw_group(self) -> str:
        """The tokens of the next ``{...}`` group as text (for ``\\mathit{...}``)."""
        if self.peek() != "{":
            return self.take() if self.peek() is not None else ""
        self.take()
        depth, out = 1, []
        while self.peek() is not None:
            token = self.take()
            depth += token == "{"
            depth -= token == "}"
            if depth == 0:
                break
            out.append(token)
        return "".join(out)

    def argument(self) -> str:
        """The next group or single item, as one MathML element."""
        if self.peek() == "{":
            self.take()
            return mrow(*self.items(stop="}"))
        item = self.item()
        return item if item is not None else el("mrow")

    def items(self, stop: str | None = None) -> list[str]:
        out: list[str] = []
        under: set[int] = set()  # positions of \underbrace items: their _ goes underneath
        while self.peek() is not None:
            if self.peek() == stop:
                self.take()
                break
            token = self.peek()
            if token in ("^", "_"):
                self.take()
                base = out.pop() if out else el("mrow")
                index = len(out)
                script = self.argument()
                if token == "_" and index in under:
                    out.append(el("munder", base, script))
                elif token == "_" and self.peek() == "^":
                    self.take()
                    out.append(el("msubsup", base, script, self.argument()))
                elif base.startswith("<msub>") and token == "^":
                    inner = base[len("<msub>") : -len("</msub>")]
                    out.append(el("msubsup", inner, script))
                else:
                    out.append(el("msup" if token == "^" else "msub", base, script))
                continue
            if token == r"\underbrace":
                self.take()
                under.add(len(out))
                out.append(el("munder", self.argument(), mo("⏟", stretchy="true")))
                continue
            item = self.item()
            if item is not None:
                out.append(item)
        return out

    def delimiter(self) -> list[str]:
        """The delimiter after ``\\left`` or ``\\right``: none for TeX's null one (``.``)."""
        if self.peek() is None:  # unbalanced: nothing follows
            return []
        if self.peek() == ".":
            self.take()
            return []
        bars = (self.peek() or "")[1:]
        if bars in DELIMITERS:  # \left\lVert ... \right\rVert: stretched to what they enclose
            self.take()
            return [mo(DELIMITERS[bars])]
        item = self.item()
        return [] if item is None else [item]

    def delimited(self) -> list[str]:
        """After ``\\left``: its delimiter, the items up to the matching ``\\right``, its one."""
        opening = self.delimiter()
        inner = self.items(stop=r"\right")
        return [*opening, *inner, *self.delimiter()]

    def item(self) -> str | None:  # noqa: C901 - one branch per kind of token
        token = self.take()
        if token == "{":
            return mrow(*self.items(stop="}"))
        if token == "}" or token == "&":
            return None
        if not token.startswith("\\"):
            if token.isdigit() or token == ".":
                digits = token
                while self.peek() is not None and (self.peek().isdigit() or self.peek() == "."):  # type: ignore[union-attr]
                    digits += self.take()
                return el("mn", escape(digits))
            if token.isalpha():
                return el("mi", escape(token))
            if token == "'":
                return mo("′")
            if token in "()[]|":
                return mo(token, stretchy="false")
            if token == "/":  # ∂J/∂W: a slash without operator space
                return mo(token, lspace="0", rspace="0")
            if token == "-":  # TeX's math minus, not a hyphen
                return mo("−")
            return mo(token)
        name = token[1:]
        if name == "left":  # \left( ... \right): one group, so a script after it takes it all
            return mrow(*self.delimited())
        if name in IGNORED:
            return None
        if name in SPACES:
            return el("mspace", width=SPACES[name])
        if name in GREEK:
            return el("mi", GREEK[name])
        if name in ("partial", "top"):  # letters (∂J/∂W, a^⊤), not operators with space
            return el("mi", "∂" if name == "partial" else "⊤")
        if name in DELIMITERS:  # ‖W‖: both bars one height (a stretchy left one outgrew W)
            return mo(DELIMITERS[name], stretchy="false")
        if name in OPERATORS:
            return mo(OPERATORS[name])
        if name in FUNCTIONS:
            # TeX's thin space after log before an operand (log ŷ), none before a bracket
            follows = self.peek()
            if follows is None or follows in ("(", "[", r"\left", r"\bigl", "^", "_"):
                return el("mi", name)
            return mrow(el("mi", name), mo("\u2061", rspace="0.17em"))
        if name in TEXT_COMMANDS:
            text = escape(_unescape_text(self.raw_group()))
            if name == "mathit":
                return el("mi", text, style="font-style: italic")
            if name in ("text", "mbox", "textrm"):
                return el("mtext", text)
            return el("mi", text)
        if name in ("frac", "tfrac", "dfrac"):
            return el("mfrac", self.argument(), self.argument())
        if name == "sqrt":
            return el("msqrt", self.argument())
        if name in ("mathbf", "bm", "boldsymbol"):
            inner = self.argument()
            return el("mstyle", inner, style="font-weight: bold")
        if name == "hat":
            return el("mover", self.argument(), mo("^"), accent="true")
        if name == "mathcal":
            letter = _unescape_text(self.raw_group())
            return el("mi", {"L": "ℒ", "N": "𝒩"}.get(letter, escape(letter)))
        if len(name) == 1 and not name.isalpha():  # \_ \& ...
            return mo(name)
        UNKNOWN.add(name)
        return el("mi", escape(name))
