"""A keyword value outside its allowed range: `#:temperature 3`, `#:max-tokens 0`.

## What it does
Reports a literal number (or a constant bound to one) outside the range the catalogue gives
for the keyword — `#:temperature` 0–2, `#:max-tokens` and `#:max-concurrent` at least 1,
`#:threshold` 0–1 … — a quoted symbol that is not one of the keyword's choices
(`#:method 'majorty`), and a negative literal where a non-negative integer is required.

## Why is this bad?
The API (or the runtime) rejects the call with an error at run time, usually after other,
paid-for calls have already been made; `#:max-concurrent 0` would never start any call.

## Example
```scheme
(define answer
  (llm-query #:instruction "Brainstorm ten product names."
             #:data context
             #:temperature 3
             #:max-tokens 200))
(finish (syntax-e answer))
```

## Use instead
```scheme
(define answer
  (llm-query #:instruction "Brainstorm ten product names."
             #:data context
             #:temperature 1.2
             #:max-tokens 200))
(finish (syntax-e answer))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang import catalog
from recipe.runtime.lang.names import closest
from recipe.runtime.lang.syntax import SYMBOL, Atom, Node, Quote
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix

from ._tjpfx import follow, format_number, number_value

CODE = "T002"
NAME = "out-of-range"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

_NUMERIC_TYPES = {catalog.NUMBER, catalog.INTEGER, catalog.NATURAL, catalog.INTEGER_OR_FALSE,
                  catalog.FALSE_OR_NUMBER}


def _bounds_text(spec: catalog.Keyword) -> str:
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None:
        return f"between {format_number(low)} and {format_number(high)}"
    if low is not None:
        return f"above {format_number(low)}" if spec.exclusive_minimum \
            else f"at least {format_number(low)}"
    assert high is not None
    return f"at most {format_number(high)}"


def _via(via: Atom | None) -> str:
    return f" (the value of `{via.text}`)" if via is not None else ""


def _check_number(ctx: RuleContext, call_name: str, spec: catalog.Keyword,
                  node: Node) -> Diagnostic | None:
    if spec.type not in _NUMERIC_TYPES or (spec.minimum is None and spec.maximum is None):
        return None
    target, via = follow(ctx, node)
    value = number_value(target)
    if value is None or target is None or value != value:  # NaN: a type problem, not a range one
        return None
    low, high = spec.minimum, spec.maximum
    too_low = low is not None and (value <= low if spec.exclusive_minimum else value < low)
    too_high = high is not None and value > high
    if not (too_low or too_high):
        return None
    message = (f"`#:{spec.name}` of `{call_name}` must be {_bounds_text(spec)}; "
               f"got `{ctx.analysis.text(target)}`{_via(via)}")
    if spec.name == "max-concurrent" and value == 0:
        message += " (0 would never start a call; use #f for no limit)"
    return ctx.diagnostic(node, message)


def _check_choice(ctx: RuleContext, call_name: str, spec: catalog.Keyword,
                  node: Node) -> Diagnostic | None:
    if not spec.choices:
        return None
    target, via = follow(ctx, node)
    if not (isinstance(target, Quote) and target.prefix == "'" and isinstance(target.datum, Atom)
            and target.datum.kind == SYMBOL):
        return None
    name = target.datum.text
    if name in spec.choices:
        return None
    listed = ", ".join(f"'{c}" for c in spec.choices)
    message = f"`#:{spec.name}` of `{call_name}` must be one of {listed}; got `'{name}`{_via(via)}"
    suggestion = closest(name, spec.choices)
    fix = None
    if suggestion is not None:
        message += f"; did you mean `'{suggestion}`?"
        fix = Fix(f"Replace with `'{suggestion}`",
                  (Edit(target.datum.start, target.datum.end, suggestion),), safe=False)
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
            diag = _check_number(ctx, call.name, spec, value) or \
                _check_choice(ctx, call.name, spec, value)
            if diag is not None:
                yield diag
        params = entry.params
        for index, arg in enumerate(call.positional()):
            if index < len(params):
                param = params[index]
            elif params and params[-1].rest:
                param = params[-1]
            else:
                break
            if param.type != catalog.NATURAL:
                continue
            target, via = follow(ctx, arg)
            number = number_value(target)
            if isinstance(number, int) and number < 0 and target is not None:
                yield ctx.diagnostic(arg, f"`{call.name}`'s argument `{param.name}` must be a "
                                     f"non-negative integer; got `{ctx.analysis.text(target)}`"
                                     f"{_via(via)}")
