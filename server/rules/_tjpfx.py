"""Shared by the T, J, P, F and X rules: literals and their types, keyword spans, parents,
statement positions and small range helpers."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from recipe.runtime.lang import catalog
from recipe.runtime.lang.syntax import (
    BOOLEAN,
    CHAR,
    KEYWORD,
    NUMBER,
    STRING,
    SYMBOL,
    Atom,
    Document,
    ListNode,
    Node,
    Quote,
    has_line_break,
    line_end,
)
from recipe.server.analysis.context import Analysis, RuleContext
from recipe.server.analysis.scopes import FOR_FORMS, LAMBDA_NAMES, LET_FORMS, Call

# -- literals -------------------------------------------------------------------------

# What a literal is, for messages and type checks.
L_STRING = "string"
L_INTEGER = "integer"  # exact integer
L_RATIONAL = "rational"  # exact non-integer (1/2)
L_FLOAT = "float"
L_TRUE = "#t"
L_FALSE = "#f"
L_CHAR = "char"
L_SYMBOL = "symbol"  # 'x
L_LIST = "list"  # '(…)

LITERAL_TEXT = {
    L_STRING: "a string",
    L_INTEGER: "an integer",
    L_RATIONAL: "a fraction",
    L_FLOAT: "a decimal number",
    L_TRUE: "#t",
    L_FALSE: "#f",
    L_CHAR: "a character",
    L_SYMBOL: "a symbol",
    L_LIST: "a quoted list",
}

TYPE_TEXT = {
    catalog.STRING: "a string",
    catalog.TEXT: "a string",
    catalog.NUMBER: "a number",
    catalog.INTEGER: "an exact integer",
    catalog.NATURAL: "a non-negative exact integer",
    catalog.BOOLEAN: "a boolean (#t or #f)",
    catalog.SYMBOL: "a quoted symbol",
    catalog.CHAR: "a character",
    catalog.LIST: "a list",
    catalog.PAIR: "a pair",
    catalog.VECTOR: "a vector",
    catalog.HASH: "a hash table",
    catalog.PROCEDURE: "a procedure",
    catalog.HANDLE: "an async handle",
    catalog.HANDLES: "a list of async handles",
    catalog.STRINGS: "a list of strings",
    catalog.STRING_OR_LIST: "a string or a list of strings",
    catalog.NAME: "a string or a quoted symbol",
    catalog.INTEGER_OR_FALSE: "an exact integer or #f",
    catalog.FALSE_OR_NUMBER: "a number or #f",
}

_NUMERIC = {L_INTEGER, L_RATIONAL, L_FLOAT}

# type → literal kinds it accepts (types not listed are not checked)
_ACCEPTS: dict[str, set[str]] = {
    catalog.STRING: {L_STRING},
    catalog.TEXT: {L_STRING},
    catalog.NUMBER: set(_NUMERIC),
    catalog.INTEGER: {L_INTEGER},
    catalog.NATURAL: {L_INTEGER},
    catalog.BOOLEAN: {L_TRUE, L_FALSE},
    catalog.SYMBOL: {L_SYMBOL},
    catalog.CHAR: {L_CHAR},
    catalog.LIST: {L_LIST},
    catalog.HASH: set(),
    catalog.PROCEDURE: set(),
    catalog.HANDLE: set(),
    catalog.HANDLES: {L_LIST},
    catalog.STRINGS: {L_LIST},
    catalog.STRING_OR_LIST: {L_STRING, L_LIST},
    catalog.NAME: {L_STRING, L_SYMBOL},
    catalog.INTEGER_OR_FALSE: {L_INTEGER, L_FALSE},
    catalog.FALSE_OR_NUMBER: _NUMERIC | {L_FALSE},
}


def literal_kind(node: Node | None) -> str | None:
    """The kind of a literal expression (see ``L_*``), or None when it is not a literal."""
    if isinstance(node, Atom):
        if node.kind == STRING:
            return L_STRING
        if node.kind == NUMBER:
            value = node.value
            if isinstance(value, bool) or value is None:
                return None
            if isinstance(value, int):
                return L_INTEGER
            if isinstance(value, Fraction):
                return L_RATIONAL
            if isinstance(value, float):
                return L_FLOAT
            return None
        if node.kind == BOOLEAN:
            return L_TRUE if node.value is True else L_FALSE
        if node.kind == CHAR:
            return L_CHAR
        return None
    if isinstance(node, Quote) and node.prefix == "'":
        datum = node.datum
        if isinstance(datum, ListNode) and not datum.is_vector:
            return L_LIST
        if isinstance(datum, Atom):
            if datum.kind == SYMBOL:
                return L_SYMBOL
            return literal_kind(datum)
    return None


def accepts(type_: str, literal: str) -> bool | None:
    """Whether a parameter of ``type_`` accepts a literal of kind ``literal``; None when the
    type is not one we check."""
    allowed = _ACCEPTS.get(type_)
    if allowed is None:
        return None
    return literal in allowed


def follow(ctx: RuleContext, node: Node | None) -> tuple[Node | None, Atom | None]:
    """(the expression a symbol is bound to through immutable bindings, the symbol used)."""
    if isinstance(node, Atom) and node.kind == SYMBOL:
        target = ctx.facts.binding_value(node)
        if target is not node:
            return target, node
    return node, None


def number_value(node: Node | None) -> int | float | Fraction | None:
    if isinstance(node, Atom) and node.kind == NUMBER:
        value = node.value
        if isinstance(value, int | float | Fraction) and not isinstance(value, bool):
            return value
    return None


def is_true(ctx: RuleContext, node: Node | None) -> bool:
    """The expression is certainly the literal #t (directly or through a constant)."""
    target, _ = follow(ctx, node)
    return isinstance(target, Atom) and target.kind == BOOLEAN and target.value is True


def format_number(value: float | int | Fraction) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value)


# -- keywords -------------------------------------------------------------------------

def keyword_item(call: Call, name: str) -> tuple[Atom, Node | None] | None:
    for atom, value in call.keywords():
        if atom.text[2:] == name:
            return atom, value
    return None


def keyword_span(call: Call, name: str) -> tuple[int, int] | None:
    """``#:name value`` as a span (just the keyword when the value is missing)."""
    item = keyword_item(call, name)
    if item is None:
        return None
    atom, value = item
    return atom.start, (value.end if value is not None else atom.end)


def removal_span(document: Document, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened to the whitespace before it, for deleting an argument, but
    never so far back that a line comment would swallow what follows."""
    text = document.text
    i = start
    while i > 0 and text[i - 1] in " \t\r\n":
        i -= 1
    if i < start and has_line_break(text[i:start]) and document.comment_at(i - 1) is not None:
        i = start
        while i > 0 and text[i - 1] in " \t":
            i -= 1
    return i, end


def llm_calls(ctx: RuleContext, *, keyword: str = "model", whole: bool = False) -> list[Call]:
    """Calls of catalogue entries that take ``#:keyword`` (the LLM primitives and friends),
    in source order: those of the forms to check, or (``whole``) of the whole document."""
    names = catalog.taking_keyword(keyword)
    found = ctx.scopes.calls_to(*names) if whole else ctx.calls_to(*names)
    calls = [c for c in found if c.entry is not None]
    calls.sort(key=lambda c: c.node.start)
    return calls


def model_literals(ctx: RuleContext) -> list[Atom]:
    """The string literals in the forms to check that name the model of an LLM call (its
    ``#:model``, or a constant it follows to), each once, in the order of the calls."""
    return ctx.shared("model-literals", _model_literals)


def _model_literals(ctx: RuleContext) -> list[Atom]:
    found: list[Atom] = []
    seen: set[int] = set()
    # A call elsewhere reaches a literal of these forms only through a constant bound here
    # (`(define M "gpt-4.1")`): without one, the calls of these forms are all there is to see.
    whole = ctx.focus is None or any(
        isinstance(b.value, Atom) and b.value.kind == STRING for b in ctx.bindings())
    for call in llm_calls(ctx, keyword="model", whole=whole):
        target, _ = follow(ctx, call.keyword("model"))
        if isinstance(target, Atom) and target.kind == STRING and id(target) not in seen \
                and ctx.in_focus(target):
            seen.add(id(target))
            found.append(target)
    return found


# -- ranges ---------------------------------------------------------------------------

def compact(analysis: Analysis | RuleContext, node: Node) -> Node:
    """The node itself when it fits on one line, else its head symbol (a call spread over
    many lines is shown by its operator)."""
    document = analysis.document
    if line_end(document.text, node.start, node.end) == node.end:
        return node
    if isinstance(node, ListNode) and node.items and isinstance(node.items[0], Atom):
        return node.items[0]
    return node


def first_line_span(document: Document, node: Node) -> tuple[int, int]:
    text = document.text
    end = line_end(text, node.start, node.end)
    if end == node.end:
        return node.start, node.end
    while end > node.start and text[end - 1] in " \t\r":
        end -= 1
    return node.start, end


# -- tree shape -----------------------------------------------------------------------

def body_of(node: ListNode) -> list[Node] | None:
    """The body forms of a binding or sequencing form (None when it has no body)."""
    head = node.head_name()
    items = node.items
    if head == "define" and len(items) > 2 and isinstance(items[1], ListNode):
        return items[2:]
    if head in LAMBDA_NAMES or head in ("when", "unless", "parameterize", "with-handlers",
                                        "let-values", "let*-values"):
        return items[2:]
    if head in LET_FORMS:
        if len(items) > 2 and isinstance(items[1], Atom) and items[1].kind == SYMBOL:
            return items[3:]
        return items[2:]
    if head == "begin":
        return items[1:]
    return None


def discarded_positions(ctx: RuleContext) -> Iterator[Node]:
    """Expressions whose value is thrown away: every form of a body but the last, every
    top-level form but the last, the bodies of `for` / `for-each` (all of them)."""
    last = ctx.document.last_form
    yield from (form for form in ctx.forms() if form is not last)
    for node in ctx.walk():
        if not isinstance(node, ListNode) or not node.items or node.is_vector:
            continue
        head = node.head_name()
        if head in FOR_FORMS and head in ("for", "for*"):
            if len(node.items) > 2:
                yield from node.items[2:]
            continue
        if head == "cond":
            for clause in node.items[1:]:
                if isinstance(clause, ListNode) and len(clause.items) > 2:
                    yield from clause.items[1:-1]
            continue
        body = body_of(node)
        if body:
            yield from body[:-1]
        if head == "for-each" and len(node.items) > 1:
            fn = node.items[1]
            if isinstance(fn, ListNode) and fn.head_name() in LAMBDA_NAMES and len(fn.items) > 2:
                yield fn.items[-1]


def is_call_to(ctx: RuleContext, node: Node | None, *names: str) -> Call | None:
    """The catalogue call ``node`` is, when it calls one of ``names`` (not shadowed)."""
    if not isinstance(node, ListNode):
        return None
    call = ctx.facts.call_at.get(id(node))
    if call is not None and call.entry is not None and call.entry.name in names:
        return call
    return None


def is_keyword_atom(node: Node | None) -> bool:
    return isinstance(node, Atom) and node.kind == KEYWORD
