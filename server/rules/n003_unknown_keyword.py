"""A keyword argument the procedure does not accept: `#:max-token`.

## What it does
Reports a `#:keyword` that the called primitive, combinator, built-in or user function
does not take, and suggests the nearest keyword it does take.

## Why is this bad?
The call fails at run time ("unknown keyword"), or, worse, a misspelt limit such as
`#:max-token` would leave the cost unbounded if it were ignored.

## Example
```scheme
(finish (syntax-e (llm-query #:instruction "Say hi." #:max-token 10)))
```

## Use instead
```scheme
(finish (syntax-e (llm-query #:instruction "Say hi." #:max-tokens 10)))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.names import closest
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix

from ._names import known_keywords

CODE = "N003"
NAME = "unknown-keyword"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in ctx.calls():
        accepted = known_keywords(call)
        if accepted is None:
            continue
        for atom, _ in call.keywords():
            name = atom.text[2:]
            if name in accepted:
                continue
            if not accepted:
                yield ctx.diagnostic(atom, f"`{call.name}` takes no keyword arguments, "
                                     f"but got `#:{name}`")
                continue
            suggestion = closest(name, accepted)
            if suggestion is not None:
                fix = Fix(f"Replace with `#:{suggestion}`",
                          (Edit(atom.start, atom.end, f"#:{suggestion}"),))
                yield ctx.diagnostic(atom, f"`{call.name}` has no keyword `#:{name}`; did you "
                                     f"mean `#:{suggestion}`?", fix)
            else:
                listed = ", ".join(f"#:{k}" for k in accepted)
                yield ctx.diagnostic(atom, f"`{call.name}` has no keyword `#:{name}` "
                                     f"(it takes {listed})")
