"""Use of an `unsafe-*` primitive.

## What it does
Reports every use of an escape hatch: `unsafe-raw-query` (LLM text without the syntax-object
wrapper), `unsafe-interpolate` (unwrap without a trace entry), `unsafe-overwrite`
(redefine a protected name) and `unsafe-exec-sub-output` (evaluate generated recipe text).
`unsafe-interpolate` has a fix: `syntax-e` does the same, with a trace entry.

## Why is this bad?
They switch off the language's defences against prompt injection: LLM output can flow
onward (or execute) unchecked. The last three are also disabled unless the run explicitly
allows unsafe primitives, so the recipe fails on a default run.

## Example
```scheme
(define answer
  (llm-query #:instruction "Extract the customer's name." #:data context #:max-tokens 20))
(finish (unsafe-interpolate answer))
```

## Use instead
```scheme
(define answer
  (llm-query #:instruction "Extract the customer's name." #:data context #:max-tokens 20))
(finish (syntax-e answer))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import SYMBOL, Atom
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Edit, Fix

CODE = "X001"
NAME = "unsafe-primitive"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

_WHY = {
    "unsafe-raw-query": "returns LLM text unwrapped, bypassing the syntax-object guard against "
                        "prompt injection; use `llm-query` and unwrap with `syntax-e`",
    "unsafe-interpolate": "unwraps LLM text without recording it in the run trace; use "
                          "`syntax-e`",
    "unsafe-overwrite": "overwrites a protected name, changing what every later use means; "
                        "define a new name instead",
    "unsafe-exec-sub-output": "evaluates generated text as recipe code; use `llm-query` with "
                              "`#:recursive #t`, which runs it in its own sandbox",
}


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    refs = ctx.scopes.builtin_refs
    for node in ctx.walk():
        if not (isinstance(node, Atom) and node.kind == SYMBOL and node.text.startswith("unsafe-")):
            continue
        entry = refs.get(id(node))
        if entry is None:
            continue
        if not (entry.unsafe or entry.name in _WHY):
            continue
        why = _WHY.get(entry.name, "is an escape hatch, disabled unless the run allows unsafe "
                       "primitives")
        fix = None
        if entry.name == "unsafe-interpolate":
            fix = Fix("Use `syntax-e`", (Edit(node.start, node.end, "syntax-e"),))
        disabled = " (disabled unless the run allows it)" if entry.unsafe else ""
        yield ctx.diagnostic(node, f"`{entry.name}` is an unsafe primitive{disabled}: it {why}",
                             fix)
