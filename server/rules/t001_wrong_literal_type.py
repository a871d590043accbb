"""A literal of the wrong type for a keyword or parameter: `#:temperature "0.2"`.

## What it does
Reports a literal value (or a constant bound to one) whose type the called primitive,
combinator or built-in does not accept: a quoted number for `#:temperature`, `"yes"` for
`#:json`, `1.5` for `#:max-tokens`, a number passed to `string-append`. Types come from the
catalogue.

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
from recipe.runtime.lang.syntax import Atom, Node, parse_number
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix

from ._tjpfx import (
    L_FALSE,
    L_FLOAT,
    L_STRING,
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
    if literal is None or target is None or literal == L_FALSE:
        return None  # #f stands for "not given" / a false default: not checked
    if keyword is None and type_ not in _POSITIONAL_TYPES:
        return None
    ok = accepts(type_, literal)
    if ok is None or ok:
        return None
    return _report(ctx, what, type_, node, target, via, literal, keyword)


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
