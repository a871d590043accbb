"""`#:temperature` given to an o-series reasoning model.

## What it does
Reports `#:temperature` on a call whose model (the literal `#:model`, or the configured
default) is a reasoning model that does not accept it (`no_temperature` in the model table:
o1, o3, o3-mini, o4-mini …). The fix removes the keyword and its value.

## Why is this bad?
The API rejects the request ("Unsupported parameter: 'temperature'"): the call fails at run
time, every time.

## Example
```scheme
(define plan
  (llm-query #:instruction "Plan the migration step by step."
             #:data context
             #:model "o3-mini"
             #:temperature 0.2
             #:max-tokens 2000))
(finish (syntax-e plan))
```

## Use instead
```scheme
(define plan
  (llm-query #:instruction "Plan the migration step by step."
             #:data context
             #:model "o3-mini"
             #:max-tokens 2000))
(finish (syntax-e plan))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix

from ._tjpfx import keyword_span, llm_calls, removal_span

CODE = "J003"
NAME = "temperature-on-reasoning-model"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in llm_calls(ctx, keyword="temperature"):
        span = keyword_span(call, "temperature")
        if span is None:
            continue
        name, node = ctx.facts.model_name(call, ctx.config.default_model)
        model = ctx.analysis.model(name)
        if model is None or not model.no_temperature:
            continue
        where = "" if node is not None else " (the configured default model)"
        start, end = removal_span(ctx.document, *span)
        fix = Fix("Remove `#:temperature`", (Edit(start, end, ""),))
        yield ctx.diagnostic(span, f"`{model.name}`{where} is a reasoning model and does not "
                             "accept `#:temperature` (the API rejects the call): remove it",
                             fix)
