r"""The function given to `map-async` / `fan-out-aggregate` / `race` returns a synchronous
`llm-query` result instead of an async handle.

## What it does
Reports a per-item function (or thunk) of `map-async`, `fan-out-aggregate` or `race` whose
result is a synchronous `llm-query` (or `unsafe-raw-query`) call — possibly unwrapped with
`syntax-e` — or anything else that is LLM text rather than an async handle. The fix turns
`llm-query` into `llm-query-async` (and drops the `syntax-e` around it).

## Why is this bad?
These combinators need a handle from each call to keep several calls in flight: given a
synchronous call they either fail ("f must return an async handle") or run every call one
after another — a fan-out of 50 items at ~10 s each becomes ~8 minutes instead of ~1.

## Example
```scheme
(define chunks (chunk (string-split context "\n") 40))
(define notes
  (map-async (lambda (part)
               (syntax-e (llm-query #:instruction "List the key facts."
                                    #:data (string-join part "\n")
                                    #:model "gpt-4.1-nano"
                                    #:max-tokens 200)))
             chunks))
(finish (string-join notes "\n"))
```

## Use instead
```scheme
(define chunks (chunk (string-split context "\n") 40))
(define notes
  (map-async (lambda (part)
               (llm-query-async #:instruction "List the key facts."
                                #:data (string-join part "\n")
                                #:model "gpt-4.1-nano"
                                #:max-tokens 200))
             chunks))
(finish (string-join notes "\n"))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix, Related
from recipe.server.analysis.facts import SYNC_LLM_CALLS, SYNTAX
from recipe.server.analysis.scopes import Call

from ._tjpfx import body_of, is_call_to, keyword_span, removal_span

CODE = "T005"
NAME = "sync-call-in-async-fan-out"
SEVERITY = ERROR
LOCAL = True  # reports inside the functions it looks at, only those in focus

_BRANCHING = ("if", "cond", "case", "when", "unless")


def _results(node: Node, depth: int = 0) -> Iterator[Node]:
    """The expressions whose value a body form returns (through let/begin/if …)."""
    if depth > 20:
        return
    if isinstance(node, ListNode) and node.items:
        head = node.head_name()
        if head == "if" and len(node.items) >= 3:
            for branch in node.items[2:4]:
                yield from _results(branch, depth + 1)
            return
        if head in ("cond", "case"):
            for clause in node.items[1 if head == "cond" else 2:]:
                if isinstance(clause, ListNode) and len(clause.items) >= 2:
                    yield from _results(clause.items[-1], depth + 1)
            return
        body = body_of(node)
        if body is not None and head not in ("lambda", "λ", "define"):
            if body:
                yield from _results(body[-1], depth + 1)
            return
    yield node


def _fix(ctx: RuleContext, call: Call, wrapper: Call | None) -> Fix:
    edits = [Edit(call.head.start, call.head.end, "llm-query-async")]
    span = keyword_span(call, "recursive")
    if span is not None:
        start, end = removal_span(ctx.document, *span)
        edits.append(Edit(start, end, ""))
    if wrapper is not None:
        edits.append(Edit(wrapper.node.start, call.node.start, ""))
        edits.append(Edit(call.node.end, wrapper.node.end, ""))
    return Fix("Use `llm-query-async`" + (" and drop `syntax-e`" if wrapper else ""),
               tuple(edits))


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    facts = ctx.facts
    seen: set[int] = set()
    for site in facts.fan_outs():
        if not site.spec.needs_handle:
            continue
        combinator = site.call.name
        for function in site.functions:
            if not ctx.in_focus(function):
                continue  # (what it reports lies inside the function)
            body = facts.function_body(function)
            if not body:
                continue
            for result in _results(body[-1]):
                if id(result) in seen:
                    continue
                wrapper = is_call_to(ctx, result, "syntax-e")
                inner = result
                if wrapper is not None and len(wrapper.positional()) == 1:
                    inner = wrapper.positional()[0]
                else:
                    wrapper = None
                sync = is_call_to(ctx, inner, *SYNC_LLM_CALLS)
                related = [Related(site.call.head.start, site.call.head.end,
                                   f"`{combinator}` needs an async handle from each call")]
                if sync is not None:
                    seen.add(id(result))
                    unwrapped = " and unwraps it" if wrapper is not None else ""
                    message = (f"the function given to `{combinator}` returns a synchronous "
                               f"`{sync.name}` result{unwrapped}, not an async handle: use "
                               "`llm-query-async` so the calls run concurrently")
                    yield ctx.diagnostic(sync.head, message, _fix(ctx, sync, wrapper), related)
                elif wrapper is not None and facts.kind(inner) == SYNTAX:
                    # (syntax-e (helper x)) where helper makes the synchronous call
                    seen.add(id(result))
                    target = inner.items[0] if isinstance(inner, ListNode) and inner.items \
                        else inner
                    message = (f"the function given to `{combinator}` returns LLM text from a "
                               "synchronous call, unwrapped, not an async handle: make it "
                               "return an `llm-query-async` handle")
                    yield ctx.diagnostic(target, message, related=related)
                elif facts.kind(result) == SYNTAX:
                    seen.add(id(result))
                    target = result
                    if isinstance(result, ListNode) and result.items:
                        target = result.items[0]
                    message = (f"the function given to `{combinator}` returns LLM text from a "
                               "synchronous call, not an async handle: make it return "
                               "`llm-query-async`")
                    yield ctx.diagnostic(target, message, related=related)
