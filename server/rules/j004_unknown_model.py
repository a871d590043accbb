"""Unknown model name — likely a typo.

## What it does
Reports a literal `#:model` name (or a constant holding one) that is not in the model table
(the shipped table plus configuration), with the nearest known name when one is close.

## Why is this bad?
The API rejects an unknown model ("model not found") at run time; and without a table row
the analyser cannot estimate the call's cost or tier.

## Example
```scheme
(define answer
  (llm-query #:instruction "Answer the question using the document."
             #:data context
             #:model "gpt-4o-mni"
             #:max-tokens 300))
(finish (syntax-e answer))
```

## Use instead
```scheme
(define answer
  (llm-query #:instruction "Answer the question using the document."
             #:data context
             #:model "gpt-4o-mini"
             #:max-tokens 300))
(finish (syntax-e answer))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Edit, Fix

from ._tjpfx import model_literals

CODE = "J004"
NAME = "unknown-model"
SEVERITY = WARNING
LOCAL = True  # reports at the model literal, only those in focus


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    table = ctx.config.models
    for target in model_literals(ctx):
        name = target.value
        if not isinstance(name, str) or name in table:
            continue
        suggestion = table.nearest(name)
        message = f"unknown model `{name}` (not in the model table)"
        fix = None
        if suggestion is not None:
            message += f"; did you mean `{suggestion}`?"
            fix = Fix(f"Replace with `{suggestion}`",
                      (Edit(target.start, target.end, f'"{suggestion}"'),), safe=False)
        else:
            message += ": use a model from the table, or add it under " \
                "`[tool.recipe.models]` in the configuration"
        yield ctx.diagnostic(target, message, fix)
