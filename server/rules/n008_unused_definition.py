"""A definition that is never used.

## What it does
Reports a `define` (or a `let`-family binding) whose name is never referenced (a function
referenced only by its own recursive calls counts as unused). The last
top-level form is exempt (its value may be the recipe's result), as are names starting
with `_`, and top-level names given to `finish-var`.

## Why is this bad?
Dead definitions are confusing and can hide a typo in the place that meant to use them;
when the definition makes an LLM call, it is money spent for nothing.

## Example
```scheme
(define draft (syntax-e (llm-query #:instruction "Write a haiku." #:max-tokens 60)))
(define unused-summary "never read")
(finish draft)
```

## Use instead
```scheme
(define draft (syntax-e (llm-query #:instruction "Write a haiku." #:max-tokens 60)))
(finish draft)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import STRING, SYMBOL, Atom, Quote
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import INFO, Diagnostic
from recipe.server.analysis.scopes import Binding

CODE = "N008"
NAME = "unused-definition"
SEVERITY = INFO
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    last = ctx.document.last_form
    named_by_string: set[str] = set()
    for call in ctx.scopes.calls_to("finish-var"):
        for arg in call.positional():
            if isinstance(arg, Atom) and arg.kind == STRING and isinstance(arg.value, str):
                named_by_string.add(arg.value)
            elif isinstance(arg, Quote) and isinstance(arg.datum, Atom) \
                    and arg.datum.kind == SYMBOL:  # (finish-var 'name), as the runtime allows
                named_by_string.add(arg.datum.text)
    for binding in ctx.bindings():
        if binding.kind not in ("define", "function", "values", "let"):
            continue
        if binding.refs and not _only_recursive(binding):
            continue
        if binding.atom is None or binding.name.startswith("_"):
            continue
        if binding.name in named_by_string and binding.scope is ctx.scopes.root:
            continue  # (finish-var looks among the top-level variables only)
        if binding.form is not None and binding.form is last:
            continue
        if binding.assigned:
            continue
        what = "function" if binding.is_function else "variable"
        used = " (only by itself)" if binding.refs else ""
        yield ctx.diagnostic(binding.atom,
                             f"{what} `{binding.name}` is defined but never used{used}")


def _only_recursive(binding: Binding) -> bool:
    """A function referenced only inside its own definition (its recursive calls)."""
    form = binding.form
    if not binding.is_function or form is None or binding.kind not in ("define", "function"):
        return False
    return all(form.start <= ref.start and ref.end <= form.end for ref in binding.refs)
