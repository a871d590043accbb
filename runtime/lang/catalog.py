"""The catalogue: every special form, built-in, primitive and combinator of the language.

One entry per name, with positional parameters, keywords (type, default, range), result
kind, documentation with an example, and cost class. It is the only place these facts
live: the analyser (arity, keywords, types, flow), the evaluator (argument checks), hover,
completion and signature help all read it. The entries themselves are in
:mod:`recipe.runtime.lang.catalog_data`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

# Entry kinds
SPECIAL_FORM = "special-form"
BUILTIN = "builtin"
PRIMITIVE = "primitive"
COMBINATOR = "combinator"
PARAMETER = "parameter"  # e.g. token-budget, used with parameterize
VARIABLE = "variable"  # e.g. context, empty, null

# The `for` loop forms of the language (Racket's), catalogued with docs or not: the runtime
# compiles each of them and the analyser resolves each of them, from this one list.
FOR_FORMS = frozenset((
    "for", "for/list", "for/fold", "for/sum", "for/first", "for/last", "for/and", "for/or",
    "for*", "for*/list", "for*/fold", "for*/sum", "for*/first", "for*/and", "for*/or",
    "for/vector", "for*/vector", "for/hash", "for*/hash", "for/product", "for/count",
))

# Value types, used for parameters, keywords and results. A parameter of type STRING
# rejects a syntax object (LLM text): it must be unwrapped with syntax-e first.
ANY = "any"
STRING = "string"
SYNTAX = "syntax"  # LLM text still wrapped
TEXT = "text"  # a string or a syntax object (syntax-e accepts both)
NUMBER = "number"
INTEGER = "integer"
NATURAL = "natural"  # exact integer >= 0
BOOLEAN = "boolean"
SYMBOL = "symbol"
CHAR = "char"
LIST = "list"
PAIR = "pair"
VECTOR = "vector"
HASH = "hash"
PROCEDURE = "procedure"
HANDLE = "handle"  # an async handle
HANDLES = "list-of-handles"
STRINGS = "list-of-strings"
SYNTAXES = "list-of-syntax"
VOID = "void"
VALUES = "values"  # multiple values
NEVER = "never"  # does not return (finish, error)
ELEMENT = "element"  # one element of the list (or pair) given as the first argument
PYREF = "python-ref"
STRING_OR_LIST = "string-or-list"  # #:images
NAME = "name"  # a string or a symbol: py-set!'s Python name, finish-var, checkpoint keys
INTEGER_OR_FALSE = "integer-or-false"  # #:max-concurrent
FALSE_OR_NUMBER = "number-or-false"  # #:quality-threshold

# Cost classes: what a call of the entry can cost or wait for.
FREE = "free"  # pure computation
LLM_SYNC = "llm-sync"  # one LLM call, waits for it
LLM_ASYNC = "llm-async"  # starts one LLM call, returns a handle
AWAIT = "await"  # waits for started calls
FAN_OUT = "fan-out"  # calls its function argument(s) once per item / thunk, concurrently
SEQUENTIAL = "sequential"  # calls its function argument once per item, one after another
PYTHON = "python"  # runs code in the Python bridge
STORE = "store"  # reads or writes the checkpoint store
CONTROL = "control"  # ends the run or transfers control
SLEEP = "sleep"


class Param(NamedTuple):
    """A positional parameter. ``rest`` marks a variadic tail (``arg ...``)."""

    name: str
    type: str = ANY
    optional: bool = False
    default: str | None = None  # source text of the default, for docs
    rest: bool = False


class Keyword(NamedTuple):
    """A keyword argument ``#:name``. ``minimum``/``maximum`` bound numbers (inclusive unless
    ``exclusive_minimum``); ``choices`` lists allowed quoted symbols."""

    name: str  # without "#:"
    type: str
    default: object = None  # Python value of the default (None: no default / #f given)
    default_text: str = ""  # the default as the language writes it, for docs
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    required: bool = False


class FanOut(NamedTuple):
    """How a combinator spreads work: which positional parameter holds the function (or the
    list of thunks) it calls per item, which holds the items, and whether it runs them
    concurrently, with which keyword bounding the window."""

    func: int  # index of the per-item function (or thunk list) parameter
    items: int | None  # index of the items list, None when func is itself a list of thunks
    concurrent: bool
    window_keyword: str | None = "max-concurrent"
    window_default: int | None = 10
    needs_handle: bool = False  # the function must return an async handle (map-async, race)
    cheap_side: bool = True  # calls here are the bulk ("fan-out") calls


class Entry(NamedTuple):
    """One name of the language."""

    name: str
    kind: str
    params: tuple[Param, ...] = ()
    keywords: tuple[Keyword, ...] = ()
    result: str = ANY
    doc: str = ""
    example: str = ""
    cost: str = FREE
    fan_out: tuple[FanOut, ...] = ()
    protected: bool = False  # cannot be redefined (primitives, combinators, context)
    unsafe: bool = False  # disabled unless the run allows unsafe primitives
    signature_text: str = ""  # for special forms: the syntax, e.g. "(let ([id expr] ...) body ...+)"
    aliases: tuple[str, ...] = ()
    any_keywords: bool = False  # keyword arguments go on to the procedure it calls (apply)

    @property
    def min_args(self) -> int:
        return sum(1 for p in self.params if not p.optional and not p.rest)

    @property
    def max_args(self) -> int | None:
        """None when the entry takes any number of arguments."""
        if any(p.rest for p in self.params):
            return None
        return len(self.params)

    def keyword(self, name: str) -> Keyword | None:
        for kw in self.keywords:
            if kw.name == name:
                return kw
        return None

    @property
    def is_procedure(self) -> bool:
        return self.kind not in (SPECIAL_FORM, PARAMETER, VARIABLE)

    @property
    def signature(self) -> str:
        """Racket-documentation style: ``(map-async f items [#:max-concurrent n]) → list``."""
        if self.signature_text:
            return self.signature_text
        if not self.is_procedure:
            return self.name
        parts = [self.name]
        for p in self.params:
            if p.rest:
                parts.append(f"{p.name} ...")
            elif p.optional:
                parts.append(f"[{p.name}]")
            else:
                parts.append(p.name)
        for kw in self.keywords:
            value = kw.name.split("-")[-1] if kw.type != BOOLEAN else "bool"
            parts.append(f"#:{kw.name} {value}" if kw.required else f"[#:{kw.name} {value}]")
        return f"({' '.join(parts)}) → {self.result}"


@cache
def entries() -> dict[str, Entry]:
    """Every catalogue entry by name (aliases included)."""
    from .catalog_data import ENTRIES

    table: dict[str, Entry] = {}
    for entry in ENTRIES:
        table[entry.name] = entry
        for alias in entry.aliases:
            table[alias] = entry
    return table


def lookup(name: str) -> Entry | None:
    return entries().get(name)


def names(kinds: Iterable[str] | None = None) -> list[str]:
    """All names, or those of the given kinds, sorted."""
    wanted = set(kinds) if kinds is not None else None
    return sorted(n for n, e in entries().items() if wanted is None or e.kind in wanted)


def protected_names() -> frozenset[str]:
    return frozenset(n for n, e in entries().items() if e.protected)


@cache
def taking_keyword(keyword: str) -> tuple[str, ...]:
    """The names (aliases included) of the entries that take ``#:keyword``, sorted."""
    return tuple(sorted(n for n, e in entries().items() if e.keyword(keyword) is not None))


# Keywords shared by every LLM primitive (LANGUAGE.md §7), defined once.
LLM_KEYWORDS: tuple[Keyword, ...] = (
    Keyword("instruction", STRING, None, '""', "The system message: what the model should do."),
    Keyword("data", STRING, None, '""',
            "The user message: the material to work on (untrusted data goes here). "
            "Sent as `(no data provided)` when empty."),
    Keyword("model", STRING, None, "configured default",
            "Model name from the price table; default from configuration."),
    Keyword("temperature", NUMBER, None, "provider default",
            "Sampling temperature, 0–2. Not accepted by o-series reasoning models.",
            minimum=0, maximum=2),
    Keyword("max-tokens", INTEGER, None, "unbounded",
            "Upper bound on output tokens (bounds the cost).", minimum=1),
    Keyword("json", BOOLEAN, False, "#f",
            "Ask for a JSON object; the instruction must mention \"json\" (an API rule)."),
    Keyword("image", STRING, None, "#f", "One image: a file path or a base64 string."),
    Keyword("images", STRING_OR_LIST, None, "'()", "Several images: paths or base64 strings."),
)
RECURSIVE_KEYWORD = Keyword(
    "recursive", BOOLEAN, False, "#f",
    "Run the sub-model's reply as a nested recipe in its own sandbox (depth limit 3).")
ASYNC_RECURSIVE_KEYWORD = Keyword(
    "recursive", BOOLEAN, False, "#f",
    "Default #f, and only `#f` is accepted: an async call cannot run its reply as a "
    "nested recipe (use `llm-query` for that).")
