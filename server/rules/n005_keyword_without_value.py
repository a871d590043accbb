"""A keyword argument with no value after it.

## What it does
Reports a `#:keyword` at the end of a call, or directly followed by another keyword.

## Why is this bad?
The call fails at run time; usually the value was deleted or never typed.

## Example
```scheme
(finish (syntax-e (llm-query #:instruction "Say hi." #:max-tokens)))
```

## Use instead
```scheme
(finish (syntax-e (llm-query #:instruction "Say hi." #:max-tokens 10)))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic

CODE = "N005"
NAME = "keyword-without-value"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in ctx.calls():
        for atom, value in call.keywords():
            if value is None:
                yield ctx.diagnostic(atom, f"`{atom.text}` has no value in this call to "
                                     f"`{call.name}`")
