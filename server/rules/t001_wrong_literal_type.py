"""A literal of the wrong type for a keyword or parameter: `#:temperature "0.2"`.

## What it does
Reports a literal value (or a constant bound to one) whose type the called primitive,
combinator or built-in does not accept: a quoted number for `#:temperature`, `"yes"` for
`#:json`, `1.5` for `#:max-tokens`, a number passed to `string-append`. Types come from the
catalogue. Also a loop variable, or the parameter of a function that only runs per item of
fan-outs, whose items are all literals of a refused kind: `#:data i` over `(range 5)`.

## Why is this bad?
The call fails at run time with a type error — often after earlier, paid-for LLM calls have
already run. LLM-written recipes quote numbers and booleans surprisingly often.

## Example
```scheme
(define answer
  (llm-query #:instruction "Summarise the report in three sentences."
             #:data context
             #:temperature "0.2"
             #:max-tokens 300))
(finish (syntax-e answer))
```

## Use instead
```scheme
(define answer
  (llm-query #:instruction "Summarise the report in three sentences."
             #:data context
             #:temperature 0.2
             #:max-tokens 300))
(finish (syntax-e answer))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang import catalog
from recipe.runtime.lang.syntax import NUMBER, SYMBOL, Atom, ListNode, Node, Quote, parse_number
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix

from ._tjpfx import (
    L_FALSE,
    L_FLOAT,
    L_INTEGER,
    L_LIST,
    L_RATIONAL,
    L_STRING,
    L_SYMBOL,
    LITERAL_TEXT,
    TYPE_TEXT,
    accepts,
    follow,
    literal_kind,
)

CODE = "T001"
NAME = "wrong-literal-type"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

# Positional parameter types worth checking: a wrong literal there is certainly an error
# (booleans are not checked: every value is a truth value; handles are T006's).
_POSITIONAL_TYPES = {catalog.STRING, catalog.NAME, catalog.NUMBER, catalog.INTEGER, catalog.NATURAL,
                     catalog.LIST, catalog.HASH, catalog.PROCEDURE}
_TRUTHY = {"yes", "true", "#t", "on", "1"}
_FALSY = {"no", "false", "#f", "off", "0"}


def _suggestion(type_: str, literal: str, value: object, keyword: catalog.Keyword | None
                ) -> str | None:
    """Replacement source text for the literal, when the intent is clear."""
    if literal == L_STRING and isinstance(value, str):
        text = value.strip()
        if type_ in (catalog.NUMBER, catalog.FALSE_OR_NUMBER, catalog.INTEGER,
                     catalog.NATURAL, catalog.INTEGER_OR_FALSE):
            number = parse_number(text) if text else None
            if number is None or isinstance(number, bool):
                return None
            if type_ in (catalog.INTEGER, catalog.NATURAL, catalog.INTEGER_OR_FALSE) \
                    and not isinstance(number, int):
                return None
            return text
        if type_ == catalog.BOOLEAN:
            if text.lower() in _TRUTHY:
                return "#t"
            if text.lower() in _FALSY:
                return "#f"
            return None
        if type_ == catalog.SYMBOL and keyword is not None and text in keyword.choices:
            return f"'{text}"
    if literal == L_FLOAT and type_ in (catalog.INTEGER, catalog.NATURAL,
                                        catalog.INTEGER_OR_FALSE):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
    return None


def _check_value(ctx: RuleContext, what: str, type_: str, node: Node,
                 keyword: catalog.Keyword | None = None) -> Diagnostic | None:
    target, via = follow(ctx, node)
    literal = literal_kind(target)
    if literal is None and isinstance(target, Atom) and target.kind == SYMBOL \
            and (keyword is not None or type_ in _POSITIONAL_TYPES):
        return _check_items(ctx, what, type_, target)
    if literal is None or target is None or literal == L_FALSE:
        return None  # #f stands for "not given" / a false default: not checked
    if keyword is None and type_ not in _POSITIONAL_TYPES:
        return None
    ok = accepts(type_, literal)
    if ok is None or ok:
        return None
    return _report(ctx, what, type_, node, target, via, literal, keyword)


def _check_items(ctx: RuleContext, what: str, type_: str, variable: Atom) -> Diagnostic | None:
    """A loop variable, or the parameter of a function run per item of fan-outs, that takes
    the items of lists written out in place (or of a range), all literals of a kind the
    parameter does not accept: `(map-async (lambda (i) (llm-query #:data i …)) (range 5))`."""
    binding = ctx.scopes.binding_of(variable)
    sources = ctx.facts.item_sources(binding) if binding is not None else None
    if not sources:
        return None
    kinds = {_elements_kind(ctx, source) for source in sources}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind is None or kind == L_FALSE or accepts(type_, kind) is not False:
        return None
    message = (f"{what} takes {TYPE_TEXT.get(type_, type_)}, not `{variable.text}`: each item "
               f"of `{ctx.analysis.text(sources[0])}` is {LITERAL_TEXT[kind]}")
    convert = _CONVERSIONS.get(kind) if type_ in (catalog.STRING, catalog.TEXT) else None
    fix = None
    if convert is not None:
        message += f": convert it, `({convert} {variable.text})`"
        fix = Fix(f"Convert with `{convert}`",
                  (Edit(variable.start, variable.start, f"({convert} "),
                   Edit(variable.end, variable.end, ")")), safe=False)
    return ctx.diagnostic(variable, message, fix)


_CONVERSIONS = {L_INTEGER: "number->string", L_FLOAT: "number->string",
                L_RATIONAL: "number->string", L_SYMBOL: "symbol->string"}


def _elements_kind(ctx: RuleContext, source: Node) -> str | None:
    """The literal kind all the items of a list expression share (a quoted list, `(list …)`,
    a range, a loop's count); None when they differ or cannot be told."""
    target = ctx.facts.binding_value(source)
    if isinstance(target, Atom) and target.kind == NUMBER and isinstance(target.value, int) \
            and not isinstance(target.value, bool):
        return L_INTEGER if target.value > 0 else None  # (for ([i 5]) …): 0 to 4
    if isinstance(target, ListNode) and target.head_name() in ("range", "in-range"):
        call = ctx.facts.call_at.get(id(target))
        if call is None or call.binding is not None or call.entry is None:
            return None
        bounds = [ctx.facts.literal_number(arg) for arg in call.positional()]
        if not bounds or not all(b is None or (isinstance(b, int) and not isinstance(b, bool))
                                 for b in bounds):
            return None
        if all(b is not None for b in bounds) and len(bounds) <= 3 \
                and (len(bounds) < 3 or bounds[2] != 0) \
                and not range(*bounds):  # type: ignore[arg-type]
            return None  # an empty range: no item to refuse
        return L_INTEGER
    elements = ctx.facts.literal_elements(source)
    if not elements:
        return None
    quoted = isinstance(target, Quote)
    kinds = {_element_kind(element, quoted) for element in elements}
    return kinds.pop() if len(kinds) == 1 else None


def _element_kind(node: Node, quoted: bool) -> str | None:
    if quoted and isinstance(node, Atom) and node.kind == SYMBOL:
        return L_SYMBOL
    if quoted and isinstance(node, ListNode):
        return L_LIST
    return literal_kind(node)


def _report(ctx: RuleContext, what: str, type_: str, node: Node, target: Node,
            via: Atom | None, literal: str, keyword: catalog.Keyword | None) -> Diagnostic:
    source = ctx.analysis.text(target)
    value = target.value if isinstance(target, Atom) else None
    expected = TYPE_TEXT.get(type_, type_)
    got = f"{LITERAL_TEXT[literal]} `{source}`" if literal not in ("#t", "#f") \
        else f"`{source}`"
    if via is not None:
        got += f" (the value of `{via.text}`)"
    message = f"{what} takes {expected}, not {got}"
    suggestion = _suggestion(type_, literal, value, keyword)
    fix = None
    if suggestion is not None:
        message += f": write `{suggestion}`"
        fix = Fix(f"Replace `{source}` with `{suggestion}`",
                  (Edit(target.start, target.end, suggestion),), safe=False)
    return ctx.diagnostic(node, message, fix)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in ctx.calls():
        entry = call.entry
        if entry is None or not entry.is_procedure:
            continue
        for atom, value in call.keywords():
            if value is None:
                continue
            spec = entry.keyword(atom.text[2:])
            if spec is None:
                continue
            diag = _check_value(ctx, f"`#:{spec.name}` of `{call.name}`", spec.type, value, spec)
            if diag is not None:
                yield diag
        params = entry.params
        if not params:
            continue
        for index, arg in enumerate(call.positional()):
            if index < len(params):
                param = params[index]
            elif params[-1].rest:
                param = params[-1]
            else:
                break
            diag = _check_value(ctx, f"`{call.name}`'s argument `{param.name}`", param.type, arg)
            if diag is not None:
                yield diag
