"""The recipe never calls `finish`, `finish-var` or `finish-error`.

## What it does
Reports a recipe in which no `finish`, `finish-var` or `finish-error` appears at all,
at its last top-level form. An empty file is not reported.

## Why is this bad?
Without `finish` the run ends with the value of the last form, whatever it happens to be —
often a `define` (no value) or a `display` (void) — so the caller gets nothing useful, and
a later edit that appends a form silently changes the result.

## Example
```scheme
(define summary
  (llm-query #:instruction "Summarise the meeting notes." #:data context #:max-tokens 300))
(displayln (syntax-e summary))
```

## Use instead
```scheme
(define summary
  (llm-query #:instruction "Summarise the meeting notes." #:data context #:max-tokens 300))
(finish (syntax-e summary))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import Atom, ListNode
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Edit, Fix
from recipe.server.analysis.facts import FINISHERS

from ._tjpfx import first_line_span

CODE = "F001"
NAME = "no-finish"
SEVERITY = WARNING



def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    forms = ctx.document.forms
    last = ctx.document.last_form
    if not forms or forms[-1] is not last:
        return  # reported at the file's last form (this may be part of a file without it)
    calls_by_name = ctx.scopes.calls_by_name
    if any(calls_by_name.get(name) for name in FINISHERS):
        return  # called (what follows would find it too, after a walk of the whole file)
    for entry in ctx.scopes.builtin_refs.values():
        if entry.name in FINISHERS:
            return  # called, or passed on as a procedure
    for node in ctx.document.walk():  # a shadowed or unresolved use still counts as intent
        if isinstance(node, Atom) and node.text in FINISHERS:
            return
    assert last is not None
    fix = None
    if isinstance(last, ListNode) and last.head_name() not in (
            "define", "define-values", "py-set!", "checkpoint") and last.closed:
        text = ctx.analysis.text(last)
        fix = Fix("Finish with the last form's value",
                  (Edit(last.start, last.end, f"(finish {text})"),), safe=False)
    yield ctx.diagnostic(first_line_span(ctx.document, last),
                         "the recipe never calls `finish`, `finish-var` or `finish-error`: end it "
                         "with `(finish value)` so the result is explicit", fix)
