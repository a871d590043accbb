"""`set!` on a name that was never defined.

## What it does
Reports `(set! x v)` where `x` is not a variable defined in the recipe (a typo, or a
built-in, which `set!` cannot change).

## Why is this bad?
`set!` only changes an existing user variable; the runtime raises an error when it
reaches it.

## Example
```scheme
(define total 0)
(set! totl (+ total 1))
(finish total)
```

## Use instead
```scheme
(define total 0)
(set! total (+ total 1))
(finish total)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang import catalog
from recipe.runtime.lang.names import closest
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic

CODE = "N007"
NAME = "set-undefined"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    protected = catalog.protected_names()
    for _, target, binding in ctx.assignments():
        if binding is not None or target.text in protected:
            continue
        if catalog.lookup(target.text) is not None:
            yield ctx.diagnostic(target, f"`set!` cannot change the built-in `{target.text}`; "
                                 "define a variable of your own")
            continue
        names = ctx.scopes.visible_names(ctx.scopes.scope_at(target.start))
        suggestion = closest(target.text, names)
        hint = f"; did you mean `{suggestion}`?" if suggestion else ""
        yield ctx.diagnostic(target, f"`set!` of `{target.text}`, which is never defined{hint}")
