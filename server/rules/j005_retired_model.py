"""Retired model name.

## What it does
Reports a literal `#:model` name (or a constant holding one) that the model table marks as
retired (`curie`, `code-davinci-002`, `gpt-3.5` …) and names its replacement. The fix
(unsafe: a different model answers differently) switches to the replacement.

## Why is this bad?
Retired models are no longer served: the call fails at run time ("model not found"), often
in recipes copied from old examples.

## Example
```scheme
(define label
  (llm-query #:instruction "Classify the ticket as bug, feature or question."
             #:data context
             #:model "curie"
             #:max-tokens 5))
(finish (syntax-e label))
```

## Use instead
```scheme
(define label
  (llm-query #:instruction "Classify the ticket as bug, feature or question."
             #:data context
             #:model "gpt-4.1-nano"
             #:max-tokens 5))
(finish (syntax-e label))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Edit, Fix

from ._tjpfx import model_literals

CODE = "J005"
NAME = "retired-model"
SEVERITY = WARNING
LOCAL = True  # reports at the model literal, only those in focus


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    table = ctx.config.models
    for target in model_literals(ctx):
        name = target.value
        if not isinstance(name, str):
            continue
        model = table.get(name)
        if model is None or not model.retired:
            continue
        replacement = model.replacement
        if replacement is not None and replacement in table:
            yield ctx.diagnostic(target, f"model `{name}` is retired and no longer served: use "
                                 f"`{replacement}`",
                                 Fix(f"Replace with `{replacement}`",
                                     (Edit(target.start, target.end, f'"{replacement}"'),),
                                     safe=False))
        else:
            yield ctx.diagnostic(target, f"model `{name}` is retired and no longer served: "
                                 "choose a current model from the table")
