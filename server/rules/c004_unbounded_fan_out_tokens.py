r"""Fan-out call without `#:max-tokens`.

## What it does
Reports an LLM call made once per item of a fan-out (`map-async`, `fan-out-aggregate`,
`parallel`, `map`, `race`, `vote` …) that has no `#:max-tokens`. The message names the
model's output limit and the worst-case cost it allows. Calls inside a
`(parameterize ([token-budget n]) …)` are bounded by the budget and not reported.

## Why is this bad?
Without `#:max-tokens` every reply may run to the model's output limit (32,768 tokens for
`gpt-4.1-nano`), and a fan-out multiplies that by the number of items: the cost of the
recipe has no upper bound, and one rambling reply slows the whole batch. A per-item
extraction rarely needs more than a few hundred tokens.

## Example
```scheme
(define tickets (py-eval "context.splitlines()[:200]"))

(define categories
  (map-async (lambda (ticket)
               (llm-query-async #:instruction "Classify this support ticket: billing, bug or other."
                                #:data ticket
                                #:model "gpt-4.1-nano"))
             tickets))

(finish (string-join categories "\n"))
```

## Use instead
```scheme
(define tickets (py-eval "context.splitlines()[:200]"))

(define categories
  (map-async (lambda (ticket)
               (llm-query-async #:instruction "Classify this support ticket: billing, bug or other."
                                #:data ticket
                                #:model "gpt-4.1-nano"
                                #:max-tokens 5))
             tickets))

(finish (string-join categories "\n"))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import ListNode
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Related
from recipe.server.analysis.estimate import CallEstimate, Estimates, format_usd

CODE = "C004"
NAME = "unbounded-fan-out-tokens"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)
READS_PROMPTS = True  # the call's cost figures


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    estimates = ctx.analysis.estimates
    for est in ctx.estimate_calls():
        if not est.fan_outs or est.call.has_keyword("max-tokens"):
            continue
        if under_token_budget(estimates, est):
            continue
        site = est.fan_outs[0]
        items = f"{site.size} items" if site.size is not None else "N items"
        limit = ""
        model = est.model
        if model is not None and est.output_bound is not None:
            worst = est.cost_high
            basis = " at 1,000 input tokens" if est.per_1k_input else ""
            # (one of several distinct `parallel` thunks runs once: "per call", not "for 1 calls")
            if est.multiplicity is not None and est.multiplicity > 1 and worst is not None:
                cost = f"≈ {format_usd(worst * est.multiplicity)} for {est.multiplicity} calls{basis}"
            else:
                cost = f"≈ {format_usd(worst)} per call{basis}"
            limit = (f": each reply may run to {model.name}'s {est.output_bound:,}-token limit "
                     f"(worst case {cost})")
        message = (f"{est.primitive} runs once per item of the {site.call.name} ({items}) "
                   f"without #:max-tokens{limit}; add #:max-tokens to bound the cost")
        head = site.call.head
        related = [Related(head.start, head.end, f"the {site.call.name} fan-out ({items})")]
        yield ctx.diagnostic(est.call.head, message, related=related)


def under_token_budget(estimates: Estimates, est: CallEstimate) -> bool:
    """Is the call (or the fan-out that runs it) inside ``(parameterize ([token-budget n]) …)``?"""
    nodes: list[ListNode] = [est.node, *(s.call.node for s in est.fan_outs)]
    for node in nodes:
        for ancestor in estimates.ancestors(node):
            if ancestor.head_name() == "parameterize" and len(ancestor.items) > 1 \
                    and isinstance(ancestor.items[1], ListNode):
                for clause in ancestor.items[1].items:
                    if isinstance(clause, ListNode) and clause.head_name() == "token-budget":
                        return True
    return False
