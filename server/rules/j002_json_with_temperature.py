"""`#:json #t` extraction with `#:temperature` above 0.

## What it does
Reports `#:temperature` above 0 (a literal or constant) on an LLM call that asks for JSON
with `#:json #t`.

## Why is this bad?
JSON mode is used for extraction, where the answer should be the same every time; sampling
at a positive temperature makes field values and key choices vary between runs and makes
failures hard to reproduce.

## Example
```scheme
(define record
  (llm-query #:instruction "Extract name, email and company as JSON."
             #:data context
             #:json #t
             #:temperature 0.9
             #:max-tokens 150))
(finish (syntax-e record))
```

## Use instead
```scheme
(define record
  (llm-query #:instruction "Extract name, email and company as JSON."
             #:data context
             #:json #t
             #:temperature 0
             #:max-tokens 150))
(finish (syntax-e record))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import INFO, Diagnostic, Edit, Fix

from ._tjpfx import (
    follow,
    format_number,
    is_true,
    keyword_item,
    keyword_span,
    llm_calls,
    number_value,
)

CODE = "J002"
NAME = "json-with-temperature"
SEVERITY = INFO
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in llm_calls(ctx, keyword="json"):
        item = keyword_item(call, "json")
        if item is None or not is_true(ctx, item[1]):
            continue
        temp = keyword_item(call, "temperature")
        if temp is None or temp[1] is None:
            continue
        name, _ = ctx.facts.model_name(call, ctx.config.default_model)
        model = ctx.analysis.model(name)
        if model is not None and model.no_temperature:
            continue  # the model takes no temperature at all (J003: remove it)
        target, _ = follow(ctx, temp[1])
        value = number_value(target)
        if value is None or not value > 0:
            continue
        span = keyword_span(call, "temperature")
        assert span is not None
        fix = None
        if target is temp[1]:
            fix = Fix("Use `#:temperature 0`", (Edit(target.start, target.end, "0"),), safe=False)
        yield ctx.diagnostic(span, f"JSON extraction with `#:temperature {format_number(value)}`"
                             " gives different fields from run to run: use `#:temperature 0`",
                             fix)
