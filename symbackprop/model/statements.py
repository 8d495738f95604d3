"""Reading a model's text into statements (DESIGN.md, "Models"): no shapes yet.

A model is one statement per line; ``#`` starts a comment::

    X  : n0 x m              # a declaration: name : R x C (or R × C)
    sizes: n0 = 4, n1 = 3    # values of dimension names
    z1 = W1 X + b1           # a definition: name = expression (the formula language)
    lam = 0.01               # a named constant: name = number
    data: X, Y               # the data leaves (``data:`` alone: none)

Every problem is a :class:`~symbackprop.errors.SpecError` whose one-line message starts with
``line N`` and names the part at fault and what was expected. Expressions are parsed by the
whitelisting formula parser; user text never reaches ``eval``, ``exec`` or ``sympify``.
"""

from __future__ import annotations

import difflib
import keyword
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from symbackprop.errors import FormulaError, SpecError
from symbackprop.formula import FUNCTIONS, Call, Deriv, Indicator, Name, Node, parse, walk
from symbackprop.formula.parser import MAX_DEPTH, MAX_DIGITS, MAX_LEN
from symbackprop.records import activations  # noqa: F401 - the records fill FUNCTIONS
from symbackprop.spec import MAX_NAME_LENGTH, MAX_WIDTH

#: a model's text: at most this many characters and statements (a 50-step RNN is ~150 lines)
MAX_MODEL_CHARS = 200_000
MAX_LINES = 5_000
#: equations a model may have: deriving and printing take about 10 ms an equation (a
#: 1,600-step tanh chain 16 s of CPU), so a longer model would run for a minute or more;
#: counted before any equation is parsed, as the network's 2,000-layer limit is
MAX_EQUATIONS = 1_000
#: one line: a formula of the formula language's limit plus its ``name =``
MAX_LINE_CHARS = MAX_LEN + 2 * MAX_NAME_LENGTH

#: names a model may not define or use as a value: m is the batch size, T the transpose
RESERVED = frozenset({"m", "T", "data", "sizes"})

#: names a reader (and SymPy) takes for a number the model language does not have, -> what to
#: write instead. Used without a declaration such a name silently became a parameter of inferred
#: shape (``c = pi`` a 1 x 1 parameter named pi), so that use is refused; declared
#: (``pi : 1 x 1``) or defined, it is a name like any other
READ_AS_NUMBER: dict[str, str] = {
    **dict.fromkeys(("pi", "Pi", "PI"), "for the number write 3.141592653589793"),
    **dict.fromkeys(("e", "E"), "for the number e write exp(1)"),
    **dict.fromkeys(
        ("inf", "Inf", "INF", "infinity", "Infinity", "oo", "nan", "NaN", "NAN", "zoo"),
        "model numbers are finite",
    ),
    "I": "a model has no identity matrix or imaginary unit",
}

_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_DIM_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*|[0-9]+")
_SHAPE_RE = re.compile(r"(\S+?)\s*×\s*(\S+)|(\S+)\s+x\s+(\S+)|([0-9]+)x([0-9]+)")
_DEFINITION_RE = re.compile(r"([^=:]*?)\s*=(?![=])(.*)")
_ALLOWED_CONTROLS = frozenset("\t\r\n")
#: a name directly followed by '(' (not the tail of a number such as 1e5)
_CALL_RE = re.compile(r"(?<![A-Za-z0-9_.'])[A-Za-z_][A-Za-z0-9_]*(?=\()")

#: a dimension: a positive integer or a name
Dim = int | str


@dataclass(frozen=True)
class Declaration:
    """``name : rows x cols`` on ``line`` (1-based)."""

    name: str
    rows: Dim
    cols: Dim
    line: int


@dataclass(frozen=True)
class Equation:
    """``name = expr`` on ``line``; ``text`` is the statement as written (comment removed).

    ``constant`` is true for ``name = number`` (an expression of numbers only): a 1 x 1 named
    constant that is no parameter and gets no gradient.
    """

    name: str
    expr: Node
    line: int
    text: str
    constant: bool


@dataclass(frozen=True)
class Statements:
    """Everything a model's text says, in order, checked for form but not for shapes."""

    declarations: dict[str, Declaration]
    sizes: dict[str, int]
    sizes_line: int
    equations: tuple[Equation, ...]
    data: tuple[str, ...] | None
    data_line: int


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a value of a model (``None`` when it can)."""
    if len(name) > MAX_NAME_LENGTH:
        return f"a name has at most {MAX_NAME_LENGTH} characters"
    if not _NAME_RE.fullmatch(name):
        return "expected an ASCII identifier such as W1 or h (not starting with '_')"
    if "__" in name:  # as the formula language says where the name is used
        return "names containing '__' are not allowed"
    if keyword.iskeyword(name):
        return "a Python keyword cannot name a value"
    if name in RESERVED:
        return "reserved ('m' is the batch size, 'T' the transpose, 'data' and 'sizes' statements)"
    if name in FUNCTIONS.names(models=True):
        return "a function of the formula language cannot name a value"
    return None


def _fail(line: int, message: str) -> SpecError:
    return SpecError(f"line {line}: {message}")


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: the Unicode categories refused in model text, by what a reader calls them (U+200B, a
#: zero-width space, is a format character, not a control character)
_UNPRINTABLE = {
    "Cc": "control character",
    "Cf": "invisible format character",
    "Cs": "surrogate code point",
    "Co": "private-use character",
    "Cn": "unassigned code point",
    "Zl": "line separator",
    "Zp": "paragraph separator",
}


def _check_characters(text: str) -> None:
    """Refuse huge text and control or format characters (NUL, bidi overrides) up front."""
    if len(text) > MAX_MODEL_CHARS:
        raise SpecError(
            f"model text is {len(text):,} characters long; at most {MAX_MODEL_CHARS:,} are allowed"
        )
    for index, char in enumerate(text):
        if char in _ALLOWED_CONTROLS:
            continue
        kind = _UNPRINTABLE.get(unicodedata.category(char))
        if kind is not None:
            line = text.count("\n", 0, index) + 1
            raise _fail(line, f"{kind} U+{ord(char):04X}: expected printable text")


def _check_name(name: str, line: int, what: str) -> str:
    problem = name_problem(name)
    if problem is not None:
        raise _fail(line, f"{what} '{_cut(name, 40)}': {problem}")
    return name


def _dimension(token: str, line: int) -> Dim:
    """``n0``, ``m`` or a positive integer up to MAX_WIDTH."""
    if not _DIM_RE.fullmatch(token) or len(token) > MAX_NAME_LENGTH:
        raise _fail(line, f"dimension '{_cut(token, 40)}': expected a positive integer or a name")
    if token.isdigit():
        if len(token) > len(str(MAX_WIDTH)) or not 0 < int(token) <= MAX_WIDTH:
            raise _fail(
                line, f"dimension '{_cut(token, 40)}': expected an integer 1 to {MAX_WIDTH:,}"
            )
        return int(token)
    if keyword.iskeyword(token) or token in FUNCTIONS.names(models=True) or token == "T":
        raise _fail(line, f"dimension '{token}': reserved name; choose e.g. n or h")
    return token


def _declaration(name: str, shape: str, line: int) -> Declaration:
    _check_name(name, line, "declared name")
    match = _SHAPE_RE.fullmatch(shape)
    if match is None:
        raise _fail(
            line,
            f"declaration of '{name}': expected 'rows x cols' such as 'n1 x n0', "
            f"found '{_cut(shape, 40)}'",
        )
    rows, cols = (group for group in match.groups() if group is not None)
    return Declaration(name, _dimension(rows, line), _dimension(cols, line), line)


def _sizes(body: str, line: int, sizes: dict[str, int]) -> None:
    """``n0 = 4, n1 = 3`` into ``sizes``."""
    if not body.strip():
        raise _fail(line, "sizes: expected 'name = integer' pairs such as 'sizes: n0 = 4'")
    for part in body.split(","):
        name, equals, value = (piece.strip() for piece in part.partition("="))
        if not equals or not name or not value:
            raise _fail(
                line, f"sizes: expected 'name = integer', found '{_cut(part.strip(), 40)}'"
            )
        dim = _dimension(name, line)
        if isinstance(dim, int):
            raise _fail(line, f"sizes: '{name}' is a number; expected a dimension name")
        if dim == "m":
            raise _fail(line, "sizes: 'm' is the batch size, set by the data at run time")
        if dim in sizes:
            raise _fail(line, f"sizes: '{dim}' is given twice")
        if not value.isascii():
            # str.isdigit takes a full-width ３ or a superscript ² (which int() refuses)
            raise _fail(
                line,
                f"sizes: '{dim} = {_cut(value, 20)}': expected a positive integer written "
                "with the ASCII digits 0-9",
            )
        if not value.isdigit():
            raise _fail(line, f"sizes: '{dim} = {_cut(value, 20)}': expected a positive integer")
        # a long digit string is too large, like 100001 (not "no positive integer": hostile17)
        digits = value.lstrip("0") or "0"
        number = int(digits) if len(digits) <= len(str(MAX_WIDTH)) else MAX_WIDTH + 1
        if not 0 < number <= MAX_WIDTH:
            raise _fail(
                line, f"sizes: '{dim} = {_cut(value, 20)}': expected an integer 1 to {MAX_WIDTH:,}"
            )
        sizes[dim] = number


def _data(body: str, line: int) -> tuple[str, ...]:
    names = [piece.strip() for piece in body.split(",")] if body.strip() else []
    seen: set[str] = set()
    for name in names:
        _check_name(name, line, "data name")
        if name in seen:
            raise _fail(line, f"data: '{name}' is listed twice")
        seen.add(name)
    return tuple(names)


def _expression(
    name: str, text: str, line: int, functions: frozenset[str], start: int = 0
) -> Node:
    """The tree of ``text``, the right side of ``name = ...`` on line ``line``, where it
    starts at character ``start`` (from 0) of the line."""
    try:
        tree = parse(
            text,
            models=True,
            max_len=MAX_LEN,
            max_depth=MAX_DEPTH,
            max_digits=MAX_DIGITS,
            functions=functions,
        )
    except FormulaError as err:
        where = "" if err.position is None else f" at column {start + err.position + 1}"
        raise _fail(line, f"'{name} = ...'{where}: {err.message}") from None
    for node in walk(tree):
        if isinstance(node, Deriv | Indicator):
            what = "a derivative" if isinstance(node, Deriv) else "an indicator 1{...}"
            raise _fail(
                line, f"'{name} = ...': {what} is not part of a model (the derivation derives)"
            )
        if isinstance(node, Name) and node.id == "T":
            raise _fail(line, "'T' alone is reserved; write a transpose as W^T or W.T")
    return tree


def _unknown_functions(
    text: str,
    declared: Mapping[str, object],
    defined: set[str],
    line: int,
    customs: frozenset[str],
) -> None:
    """A name directly followed by '(' that is neither a value nor a function: a misspelt
    function, never a product (checked before parsing, so ``bcee(a, y)`` is named as such)."""
    functions = FUNCTIONS.names(models=True) | customs
    for match in _CALL_RE.finditer(text):
        name = match.group(0)
        if name not in declared and name not in defined and name not in functions:
            close = difflib.get_close_matches(name, sorted(functions), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise _fail(line, f"unknown function '{_cut(name, 40)}'{hint}")


#: a name not followed by '(' or "'": a value, wherever it is not a function
_VALUE_RE = re.compile(r"(?<![A-Za-z0-9_.'])[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_]|\s*[('])")


def _customs_as_values(text: str, line: int, customs: frozenset[str]) -> None:
    """A custom activation's name used as a value (``W X`` with ``--define 'W=z'``): said as
    a clash of names, where the parser would ask for W's argument."""
    for match in _VALUE_RE.finditer(text):
        if match.group(0) in customs:
            raise _fail(
                line,
                f"'{match.group(0)}' is used as a value but is the name of a custom activation "
                "(define); rename one of them",
            )


def _is_equation(statement: str) -> bool:
    """Whether a statement is ``name = expression`` (what :data:`_DEFINITION_RE` matches:
    an ``=``, not ``==``, with no ``:`` before it), without the regular expression."""
    before, equals, after = statement.partition("=")
    return bool(equals) and ":" not in before and not after.startswith("=")


def read(text: str, functions: frozenset[str] = frozenset()) -> Statements:
    """Split ``text`` into statements, checking each one's form (not yet its shapes).

    ``functions``: the custom activations a model's ``define`` adds (one argument each).
    """
    if not isinstance(text, str):
        raise SpecError(f"a model must be text, got {type(text).__name__}")
    _check_characters(text)
    # old Mac line ends (a lone CR) end a line too, as CRLF does
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > MAX_LINES:
        raise SpecError(f"model has {len(lines):,} lines; at most {MAX_LINES:,} are allowed")
    count = sum(_is_equation(raw.split("#", 1)[0]) for raw in lines)
    if count > MAX_EQUATIONS:
        raise SpecError(
            f"model has {count:,} equations; at most {MAX_EQUATIONS:,} (deriving and printing "
            "take about 10 ms an equation, so a longer model would run for minutes)"
        )
    declarations: dict[str, Declaration] = {}
    sizes: dict[str, int] = {}
    sizes_line = 0
    equations: list[Equation] = []
    defined: set[str] = set()
    data: tuple[str, ...] | None = None
    data_line = 0
    for number, raw in enumerate(lines, start=1):
        if len(raw) > MAX_LINE_CHARS:
            raise _fail(number, f"{len(raw):,} characters; at most {MAX_LINE_CHARS:,} per line")
        statement = raw.split("#", 1)[0].strip()
        if not statement:
            continue
        head, colon, body = statement.partition(":")
        keyword_ = head.strip()
        if colon and keyword_ in ("sizes", "data") and _SHAPE_RE.fullmatch(body.strip()):
            # 'data : n0 x m' declares nothing: the keyword's line read 'n0 x m' as a name
            raise _fail(
                number,
                f"'{keyword_}' is reserved for the '{keyword_}:' line; a value declared "
                f"'{keyword_} : {_cut(body.strip(), 30)}' needs another name",
            )
        if colon and keyword_ == "sizes":
            if sizes_line:
                raise _fail(number, f"a second 'sizes:' line (the first is line {sizes_line})")
            _sizes(body, number, sizes)
            sizes_line = number
        elif colon and keyword_ == "data":
            if data is not None:
                raise _fail(number, f"a second 'data:' line (the first is line {data_line})")
            data, data_line = _data(body, number), number
        elif (match := _DEFINITION_RE.fullmatch(statement)) is not None:
            name = _check_name(match.group(1), number, "defined name")
            if name in functions:
                raise _fail(number, f"defined name '{name}': a custom activation's name")
            if name in defined:
                first = next(e.line for e in equations if e.name == name)
                raise _fail(number, f"'{name}' is defined twice (first on line {first})")
            body_text = match.group(2).strip()
            # where the expression starts in the line as written: an error's column counts
            # from the line's first character, as an editor's does
            start = (
                raw.index(statement)
                + match.start(2)
                + (len(match.group(2)) - len(match.group(2).lstrip()))
            )
            if not body_text:
                raise _fail(number, f"'{name} = ': expected an expression after '='")
            _unknown_functions(body_text, declarations, defined, number, functions)
            _customs_as_values(body_text, number, functions)
            tree = _expression(name, body_text, number, functions, start)
            constant = not any(isinstance(node, Name | Call) for node in walk(tree))
            defined.add(name)
            equations.append(Equation(name, tree, number, statement, constant))
        elif colon:
            declared = _declaration(keyword_, body.strip(), number)
            if declared.name in functions:
                # said here: read on, the clash would surface as "function 'W' needs an argument"
                raise _fail(
                    number,
                    f"'{declared.name}' is declared here and is also the name of a custom "
                    "activation (define); rename one of them",
                )
            if declared.name in declarations:
                first = declarations[declared.name].line
                raise _fail(number, f"'{declared.name}' is declared twice (first on line {first})")
            if declared.name in defined:
                raise _fail(number, f"'{declared.name}' is declared after its definition")
            declarations[declared.name] = declared
        else:
            raise _fail(
                number,
                f"'{_cut(statement, 40)}': expected 'name : R x C', 'name = expression', "
                "'sizes: n0 = 4' or 'data: X, Y'",
            )
    if not equations:
        raise SpecError("model has no equation: expected at least 'J = ...' (the cost)")
    return Statements(declarations, sizes, sizes_line, tuple(equations), data, data_line)
