"""`#:max-tokens` above the model's output limit.

## What it does
Reports a literal `#:max-tokens` (or a constant) larger than the output-token limit the
model table gives for the call's model (the literal `#:model`, or the configured default).

## Why is this bad?
The API rejects the request ("max_tokens is too large") or silently caps it, so the bound
the recipe (and its cost estimate) relies on is not the real one.

## Example
```scheme
(define report
  (llm-query #:instruction "Write the full report."
             #:data context
             #:model "gpt-4o-mini"
             #:max-tokens 50000))
(finish (syntax-e report))
```

## Use instead
```scheme
(define report
  (llm-query #:instruction "Write the full report."
             #:data context
             #:model "gpt-4o-mini"
             #:max-tokens 16000))
(finish (syntax-e report))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Edit, Fix

from ._tjpfx import follow, format_number, llm_calls, number_value

CODE = "J007"
NAME = "max-tokens-over-limit"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in llm_calls(ctx, keyword="max-tokens"):
        node = call.keyword("max-tokens")
        target, via = follow(ctx, node)
        value = number_value(target)
        if value is None or node is None or target is None:
            continue
        name, model_node = ctx.facts.model_name(call, ctx.config.default_model)
        model = ctx.analysis.model(name)
        if model is None or model.max_output is None or not value > model.max_output:
            continue
        where = "" if model_node is not None else " (the configured default model)"
        limit = format_number(model.max_output)
        fix = None
        if via is None:
            fix = Fix(f"Use the limit, {limit}",
                      (Edit(target.start, target.end, str(model.max_output)),), safe=False)
        yield ctx.diagnostic(node, f"`#:max-tokens {format_number(value)}` is above the output "
                             f"limit of `{model.name}`{where}, {limit} tokens: the API rejects "
                             f"it; use at most {limit}", fix)
