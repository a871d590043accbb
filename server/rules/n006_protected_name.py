"""Redefining a protected name: `(define finish ...)`, `(set! context ...)`.

## What it does
Reports `define`, `define-values` or `set!` of a primitive, a combinator, `context` or
`token-budget`: the names the runtime protects.

## Why is this bad?
The runtime refuses it (an error at run time): these names are how a recipe talks to the
models, the Python bridge and the budget, and replacing them would defeat the
defences built into them (syntax-object wrapping, budgets, the journal).

## Example
```scheme
(define (finish x) (display x))
(finish "done")
```

## Use instead
```scheme
(define (report x) (display x))
(report "done")
(finish "done")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang import catalog
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic

CODE = "N006"
NAME = "protected-name"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    protected = catalog.protected_names()
    for binding in ctx.bindings():
        if binding.kind in ("define", "function", "values") and binding.name in protected \
                and binding.atom is not None:
            yield ctx.diagnostic(binding.atom, f"`{binding.name}` is protected and cannot be "
                                 "redefined; choose another name")
    for _, target, assigned in ctx.assignments():
        if assigned is None and target.text in protected:
            yield ctx.diagnostic(target, f"`{target.text}` is protected and cannot be changed "
                                 "with set!")
