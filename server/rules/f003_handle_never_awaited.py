r"""Async handle created and never awaited.

## What it does
Reports an `llm-query-async` (or a function returning its handle) whose handle is lost:
bound to a variable that is never used, or called where its value is discarded — a form
of a body other than the last, the body of `for` / `for-each`.

## Why is this bad?
The call is started and paid for, but nobody waits for its answer: the text is lost, and
the run may end before the call does. Usually an `await` was forgotten, or the result was
meant to be collected into a list for `await-all`.

## Example
```scheme
(define (review doc)
  (llm-query-async #:instruction "Review the text for factual errors." #:data doc
                   #:max-tokens 300))
(define docs (string-split context "\n\n"))
(for-each (lambda (d) (review d)) docs)
(finish "reviews started")
```

## Use instead
```scheme
(define (review doc)
  (llm-query-async #:instruction "Review the text for factual errors." #:data doc
                   #:max-tokens 300))
(define docs (string-split context "\n\n"))
(define reviews (await-all (map review docs)))
(finish (string-join reviews "\n\n"))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic
from recipe.server.analysis.facts import HANDLE

from ._tjpfx import discarded_positions, is_call_to

CODE = "F003"
NAME = "handle-never-awaited"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def _handle_source(ctx: RuleContext, node: Node | None) -> str | None:
    """`llm-query-async` when the node starts a call directly, the function's name when it
    calls one that returns a handle, else None."""
    if node is None:
        return None
    if is_call_to(ctx, node, "llm-query-async") is not None:
        return "llm-query-async"
    if isinstance(node, ListNode):
        call = ctx.facts.call_at.get(id(node))
        if call is not None and call.binding is not None and ctx.facts.kind(node) == HANDLE:
            return call.name
    return None


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    seen: set[int] = set()
    finish_var_names = {ctx.facts.literal_string(c.positional()[0])
                        for c in ctx.scopes.calls_to("finish-var") if c.positional()}
    for binding in ctx.bindings():
        if binding.refs or binding.atom is None or binding.is_function:
            continue
        if binding.name in finish_var_names and binding.scope is ctx.scopes.root:
            continue  # (finish-var looks among the top-level variables only)
        source = _handle_source(ctx, binding.value)
        if source is None:
            continue
        assert binding.value is not None
        seen.add(id(binding.value))
        what = "`llm-query-async`" if source == "llm-query-async" else \
            f"`{source}` (which returns an async handle)"
        yield ctx.diagnostic(binding.atom, f"`{binding.name}` holds the handle of {what} but is "
                             "never used, so the call is paid for and its answer never awaited: "
                             f"`(await {binding.name})` it, or remove the call")
    for node in discarded_positions(ctx):
        if id(node) in seen:
            continue
        source = _handle_source(ctx, node)
        if source is None:
            continue
        seen.add(id(node))
        assert isinstance(node, ListNode)
        head = node.items[0]
        what = "`llm-query-async`" if source == "llm-query-async" else \
            f"`{source}` (which returns an async handle)"
        yield ctx.diagnostic(head, f"the handle returned by {what} is discarded, so the call is "
                             "paid for and its answer never awaited: keep the handle and "
                             "`await` it (or collect the handles for `await-all`)")
