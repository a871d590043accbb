"""`#:recursive #t` on `llm-query-async`.

## What it does
Reports `#:recursive` set to true on `llm-query-async`. Recursive sub-recipes run only
through the synchronous `llm-query`.

## Why is this bad?
The runtime rejects it: a recursive call runs the sub-model's reply as a nested recipe in
its own sandbox, which cannot be started in the background. The call fails at run time.

## Example
```scheme
(define h
  (llm-query-async #:instruction "Write a recipe that counts the words of the data."
                   #:data context
                   #:recursive #t))
(finish (syntax-e (await h)))
```

## Use instead
```scheme
(define answer
  (llm-query #:instruction "Write a recipe that counts the words of the data."
             #:data context
             #:recursive #t))
(finish (syntax-e answer))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix

from ._tjpfx import is_true, keyword_item, keyword_span, removal_span

CODE = "J006"
NAME = "recursive-async"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in ctx.calls_to("llm-query-async"):
        if call.entry is None:
            continue
        item = keyword_item(call, "recursive")
        if item is None or not is_true(ctx, item[1]):
            continue
        span = keyword_span(call, "recursive")
        assert span is not None
        start, end = removal_span(ctx.document, *span)
        yield ctx.diagnostic(span, "`llm-query-async` cannot run a recursive sub-recipe: use "
                             "`llm-query` with `#:recursive #t`, or drop `#:recursive`",
                             Fix("Remove `#:recursive #t`", (Edit(start, end, ""),), safe=False))
