"""Options shared by every command that takes a SPEC, and turning them into a Network.

Validation goes through click parameter types (``NAME=INT``, ``NAME=FORMULA``) and then
:class:`symbackprop.Network`, which validates everything else once. Only click is imported
at module level; the library is imported when a command runs.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from symbackprop.errors import quote_user_text

if TYPE_CHECKING:
    from symbackprop.model import Model
    from symbackprop.spec import Network

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: an integer as the command line accepts it: ASCII digits only (str.isdigit accepts '²')
_ASCII_INT = re.compile(r"[0-9]+")
_SIGNED_ASCII_INT = re.compile(r"[+-]?[0-9]+")
#: digits an integer option reads (Python's int() refuses more than 4,300)
_MAX_INT_DIGITS = 1000
_ASCII_FLOAT = re.compile(
    r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(inf|infinity|nan)", re.I
)
#: widths joined by something other than '-', as in 784x128x10 or 784,128,10 (an x between
#: digits is turned into ',' first, so that a name such as 'exp' does not match)


def is_ascii_int(text: str) -> bool:
    """``text`` is a non-negative integer in ASCII digits (not '²', not '٣', not '+4')."""
    return _ASCII_INT.fullmatch(text) is not None


class IntRange(click.IntRange):
    """``click.IntRange`` that takes ASCII digits only: Python's ``int`` also reads '١' (an
    Arabic-Indic one) and '1_000', which a command line should not."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and not _SIGNED_ASCII_INT.fullmatch(value.strip()):
            self.fail(f"{quote_user_text(value)} is not an integer (ASCII digits)", param, ctx)
        if isinstance(value, str) and len(value.strip()) > _MAX_INT_DIGITS:
            # an integer, far outside any range an option takes (the range then says so)
            low = "" if self.min is None else f" from {self.min}"
            high = "" if self.max is None else f" to {self.max}"
            self.fail(f"an integer of {len(value.strip()):,} digits; expected one{low}{high}")
        return super().convert(value, param, ctx)


class FiniteFloat(click.ParamType):
    """A finite float, optionally within ``[low, high]``; nan and inf are refused (exit 2)."""

    name = "FLOAT"

    def __init__(
        self, low: float | None = None, high: float | None = None, *, low_open: bool = False
    ) -> None:
        self.low, self.high, self.low_open = low, high, low_open

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        if isinstance(value, str) and not _ASCII_FLOAT.fullmatch(value.strip()):
            self.fail(f"{quote_user_text(value)} is not a number", param, ctx)
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            self.fail(f"{quote_user_text(value)} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{quote_user_text(value)}: expected a finite number", param, ctx)
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        if self.low_open and low == 0 and high == math.inf and not number > 0:
            # --memory 0 and -1 alike (one said "outside [0, inf]", one passed: hostile27)
            self.fail(f"{quote_user_text(value)}: expected a positive number", param, ctx)
        above = low < number if self.low_open else low <= number
        if not (above and number <= high):
            bracket = "(" if self.low_open else "["
            self.fail(
                f"{quote_user_text(value)} is outside {bracket}{low:g}, {high:g}]", param, ctx
            )
        return number

    def __repr__(self) -> str:
        return f"FiniteFloat({self.low}, {self.high})"


def strict_numbers(command: click.Command) -> None:
    """Give every int and float option of ``command`` the strict types above: ASCII digits
    only, and finite floats (nan, inf and 1e400 are refused). ``main`` applies it to every
    command, so an option added later cannot forget it."""
    for param in command.params:
        kind = param.type
        if isinstance(kind, IntRange | FiniteFloat):
            continue
        if isinstance(kind, click.IntRange):
            param.type = IntRange(
                kind.min,
                kind.max,
                min_open=kind.min_open,
                max_open=kind.max_open,
                clamp=kind.clamp,
            )
        elif isinstance(kind, click.types.IntParamType):
            param.type = IntRange()
        elif isinstance(kind, click.FloatRange):
            low = None if kind.min is None else float(kind.min)
            high = None if kind.max is None else float(kind.max)
            param.type = FiniteFloat(low, high, low_open=bool(kind.min_open))
        elif isinstance(kind, click.types.FloatParamType):
            param.type = FiniteFloat()


class Assignment(click.ParamType):
    """``NAME=VALUE``; ``VALUE`` a positive int (``--size``) or any text (``--define``)."""

    def __init__(self, value_kind: str) -> None:
        self.value_kind = value_kind
        self.name = f"NAME={value_kind}"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
        if isinstance(value, tuple):
            return value
        name, sep, raw = str(value).partition("=")
        name, raw = name.strip(), raw.strip()
        example = "n=4" if self.value_kind == "INT" else "swish=z*sigmoid(z)"
        if sep and _NAME.fullmatch(name) and not raw:
            # the reason, not only the form: --define SHAPES= is a name with nothing after '='
            what = "a size" if self.value_kind == "INT" else "a formula"
            self.fail(
                f"{quote_user_text(value)}: nothing after '='; expected {what}, e.g. {example}",
                param,
                ctx,
            )
        if sep and name and raw and not _NAME.fullmatch(name):
            # 'ü=z' read "expected NAME=FORMULA": the name is at fault (hostile39b #5)
            self.fail(
                f"{quote_user_text(value)}: {quote_user_text(name)} is no name; expected an ASCII "
                f"identifier (letters, digits, _; no digit first), e.g. {example}",
                param,
                ctx,
            )
        if not sep or not _NAME.fullmatch(name) or not raw:
            self.fail(
                f"{quote_user_text(value)}: expected NAME={self.value_kind}, e.g. {example}",
                param,
                ctx,
            )
        if self.value_kind == "INT":
            from symbackprop.spec import MAX_WIDTH

            if not is_ascii_int(raw) or len(raw) > 9 or not 1 <= int(raw) <= MAX_WIDTH:
                self.fail(
                    f"{quote_user_text(value)}: expected a positive integer up to {MAX_WIDTH}",
                    param,
                    ctx,
                )
            return name, int(raw)
        return name, raw


SIZE = Assignment("INT")
DEFINE = Assignment("FORMULA")


@dataclass
class SpecOptions:
    """The shared options, as given on the command line."""

    spec: str
    hidden: str | None
    output: str | None
    activation: str | None
    loss: str | None
    define: tuple[tuple[str, str], ...]
    l2: float | None
    size: tuple[tuple[str, int], ...]
    #: None when neither --batch nor --single was given
    batch: bool | None

    @property
    def sizes(self) -> dict[str, int]:
        return dict(self.size)

    def network(self) -> Network:
        """The network the options describe (``SpecError`` when it is invalid)."""
        from symbackprop.errors import SpecError
        from symbackprop.spec import Network, width_size_problem

        if is_spec_file(self.spec) and _is_model_file(self.spec):
            ctx = click.get_current_context(silent=True)
            command = f"'{ctx.info_name}'" if ctx is not None else "this command"
            raise click.UsageError(
                f"{command} takes a network; {quote_user_text(self.spec)} is a model "
                "(forward equations)"
            )
        define = unique(self.define, "--define")
        if is_spec_file(self.spec):
            for flag, value in (
                ("--hidden", self.hidden),
                ("--output", self.output),
                ("--activation", self.activation),
            ):
                if value is not None:
                    raise click.UsageError(
                        f"{flag} applies to a compact SPEC; the spec file "
                        f"{quote_user_text(self.spec)} sets each layer's activation"
                    )
            net = Network.from_file(self.spec)
            if self.loss is not None or self.l2 is not None or define:
                net = Network(
                    net.input,
                    net.layers,
                    loss=self.loss if self.loss is not None else net.loss,
                    l2=self.l2 if self.l2 is not None else net.l2,
                    define=tuple(sorted({**dict(net.define), **define}.items())),
                )
        else:
            net = self._parse_compact(define)
        sizes = unique(self.size, "--size")
        for name in sizes:
            problem = None if name == "m" else width_size_problem(net, name)
            if problem:
                raise SpecError(f"--size {name}: {problem}")
        return net

    def derived_source(self) -> Network | Model:
        """:meth:`source`, for a command that derives in the form ``--batch/--single`` chooses:
        a network's single-example form has no m, so ``--size m`` there is refused (it was
        taken and ignored)."""
        from symbackprop.spec import Network

        source = self.source()
        if "m" in self.sizes and not self.batch and isinstance(source, Network):
            raise click.UsageError(
                "--size m: m is the batch size, and without --batch the network is in the "
                "single-example form (add --batch)"
            )
        return source

    def source(self) -> Network | Model:
        """The network or model SPEC names (``SpecError`` when it is invalid).

        A model file refuses the options that describe a network's layers and form (its
        equations set them) with one usage line naming the option.
        """
        if not (is_spec_file(self.spec) and _is_model_file(self.spec)):
            return self.network()
        from symbackprop.errors import SpecError
        from symbackprop.model import Model

        for flag, given in (
            ("--hidden", self.hidden is not None),
            ("--output", self.output is not None),
            ("--activation", self.activation is not None),
            ("--loss", self.loss is not None),
            ("--l2", self.l2 is not None),
            ("--batch" if self.batch else "--single", self.batch is not None),
        ):
            if given:
                how = (
                    "a data leaf with m columns makes it a batch"
                    if flag in ("--batch", "--single")
                    else "its activations and losses are written in them"
                )
                raise click.UsageError(
                    f"{flag} applies to a network; the model {quote_user_text(self.spec)} "
                    f"sets it in its equations ({how})"
                )
        model = Model.from_file(self.spec, define=unique(self.define, "--define") or None)
        dims = model.dimensions
        for name in unique(self.size, "--size"):
            # m is a size like any other only where the model has it: a model without m
            # would otherwise take `--size m=3` silently and its exact check skip the sizes
            if name not in dims:
                known = ", ".join(d for d in dims if d != "m")
                batch = " (and m, the batch size)" if "m" in dims else ""
                raise SpecError(
                    f"--size {name}: the model has no dimension named {name!r}; its "
                    f"dimensions: {known or 'none (every shape is numeric)'}{batch}"
                )
        return model

    def loss_free(self) -> SpecOptions:
        """These options for a command no output of which reads the loss (``shapes``,
        ``draw``, ``collapse``): a network without ``--loss`` is read with mse, because the
        default bce refuses any output but sigmoid ("bce needs a sigmoid output"), which
        `draw 784-128:relu-10:softmax` and `collapse 4-3-2-1 --activation identity` met. A
        model's options stay as they are (``--loss`` is refused for a model)."""
        if self.loss is not None or (is_spec_file(self.spec) and _is_model_file(self.spec)):
            return self
        return dataclasses.replace(self, loss="mse")

    def describe(self, source: Network | Model) -> str:
        """What progress messages call SPEC: a network's compact form, a model's file name."""
        from symbackprop.spec import Network

        if isinstance(source, Network):
            return source.compact
        return Path(self.spec).name

    def _parse_compact(self, define: dict[str, str]) -> Network:
        from symbackprop.spec import Network, refuse_named_file

        # the library's SpecError already says what to do (widths joined by '-', --loss ce for
        # a softmax output); the CLI adds nothing to it
        net = Network.parse(
            self.spec,
            hidden=self.hidden,
            output=self.output,
            activation=self.activation,
            loss=self.loss if self.loss is not None else "bce",
            l2=self.l2 if self.l2 is not None else 0.0,
            define=define or None,
        )
        refuse_named_file(self.spec, net)
        return net


def unique(pairs: tuple[tuple[str, Any], ...], flag: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            raise click.UsageError(f"{flag} {name} is given twice")
        out[name] = value
    return out


def is_spec_file(spec: str) -> bool:
    """A SPEC is a file when it looks like a path: a .toml, .json or .model name, a '/', or a
    '.' in the name of an existing file. The library's rule (``symbackprop.spec``), plus
    .model: a compact spec such as ``4-3-1`` is never a file, even where a file of that name
    lies in the folder (hostile33c #1: its network was read instead, and nothing said so)."""
    if spec.lower().endswith(".model"):
        return True
    from symbackprop.spec import is_spec_file as library_rule

    return library_rule(spec)


def _is_model_file(spec: str) -> bool:
    from symbackprop.model.source import is_model_file

    return is_model_file(spec)


def network_only(flag: str) -> click.UsageError:
    """The refusal of a view that only a dense network has (``--indices``, ``--slides``) for
    a model: one wording in every command that has such a flag."""
    return click.UsageError(
        f"{flag} is for dense networks; not yet for a model", click.get_current_context(True)
    )


def check_wrt(wrt: str | None, source: Network | Model) -> None:
    """``--wrt`` must name a parameter: W1..WL or b1..bL, or one of a model's (checked
    before deriving)."""
    from symbackprop.errors import SpecError
    from symbackprop.spec import Network
    from symbackprop.spec import check_wrt as check

    try:
        if isinstance(source, Network):
            check(wrt, source)
        else:
            source.check_wrt(wrt)
    except SpecError as exc:
        raise click.BadParameter(str(exc), param_hint="'--wrt'") from None


#: the shared options' help, by option; a command whose meaning differs says so (``says=``)
SPEC_HELP = {
    "hidden": "Activation of the hidden layers.",
    "output": "Activation of the output layer.",
    "activation": "Activation of every layer (--hidden/--output win).",
    "loss": "Loss: bce (default), mse or ce.",
    "define": "Custom activation, e.g. --define 'swish=z*sigmoid(z)' (repeatable).",
    "l2": "L2 weight decay lambda (>= 0).",
    "size": "Size of a named width, or of the batch m in the batch form, e.g. --size n=4 "
    "(repeatable).",
    "batch": "Batch of m examples in columns, or one example (default).",
}


def spec_options(
    func: Callable[..., Any] | None = None, *, says: dict[str, str] | None = None
) -> Any:
    """Add SPEC and the shared options; the command receives ``opts: SpecOptions``.

    ``@spec_options`` or ``@spec_options(says={"batch": ...})``: ``says`` replaces the help of
    the options whose meaning differs on that command (the help must be true where it is read).
    """
    if func is None:
        return lambda inner: _spec_options(inner, {**SPEC_HELP, **(says or {})})
    return _spec_options(func, SPEC_HELP)


def _spec_options(func: Callable[..., Any], helps: dict[str, str]) -> Callable[..., Any]:
    """:func:`spec_options` with the options' help ``helps``."""
    decorators = [
        click.argument("spec", metavar="SPEC"),
        click.option("--hidden", metavar="ACT", help=helps["hidden"]),
        click.option("--output", metavar="ACT", help=helps["output"]),
        click.option("--activation", metavar="ACT", help=helps["activation"]),
        click.option("--loss", metavar="LOSS", help=helps["loss"]),
        click.option("--define", type=DEFINE, multiple=True, help=helps["define"]),
        click.option("--l2", type=FiniteFloat(), default=None, help=helps["l2"]),
        click.option("--size", type=SIZE, multiple=True, help=helps["size"]),
        click.option("--batch/--single", default=None, help=helps["batch"]),
    ]

    def wrapper(**kwargs: Any) -> Any:
        opts = SpecOptions(
            spec=kwargs.pop("spec"),
            hidden=kwargs.pop("hidden"),
            output=kwargs.pop("output"),
            activation=kwargs.pop("activation"),
            loss=kwargs.pop("loss"),
            define=kwargs.pop("define"),
            l2=kwargs.pop("l2"),
            size=kwargs.pop("size"),
            batch=kwargs.pop("batch"),
        )
        return func(opts=opts, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    # options declared below this decorator were attached to ``func``; keep them, after ours
    wrapper.__click_params__ = list(getattr(func, "__click_params__", []))  # type: ignore[attr-defined]
    for decorator in reversed(decorators):
        wrapper = decorator(wrapper)
    return wrapper


#: ``--memory GIB`` on the commands that allocate (check, gradients): the budget that
#: :mod:`symbackprop.core.memory` estimates against (DEFAULT_BUDGET_GIB there, 4 GiB)
memory_option = click.option(
    "--memory",
    "memory_gib",
    type=click.FloatRange(min=0, min_open=True),
    default=4.0,
    show_default=True,
    metavar="GIB",
    help="Refuse runs estimated to need more memory than this (GiB).",
)
