"""A keyword argument given twice in one call.

## What it does
Reports the second (and later) occurrence of the same `#:keyword` in a call.

## Why is this bad?
Racket rejects the call; even where one value silently won, the other was a mistake —
often a copy-paste that left two different models or token limits.

## Example
```scheme
(finish (syntax-e (llm-query #:instruction "Say hi." #:model "gpt-4.1-nano"
                             #:max-tokens 10 #:model "gpt-4o")))
```

## Use instead
```scheme
(finish (syntax-e (llm-query #:instruction "Say hi." #:model "gpt-4.1-nano"
                             #:max-tokens 10)))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Related

CODE = "N004"
NAME = "duplicate-keyword"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in ctx.calls():
        seen: dict[str, int] = {}
        for atom, _ in call.keywords():
            first = seen.get(atom.text)
            if first is None:
                seen[atom.text] = atom.start
                continue
            yield ctx.diagnostic(atom, f"`{atom.text}` is given twice in this call to "
                                 f"`{call.name}`",
                                 related=[Related(first, first + len(atom.text), "first given here")])
