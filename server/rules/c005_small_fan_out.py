r"""Fan-out over a literal list of fewer than 10 items.

## What it does
Reports a `map-async` or `fan-out-aggregate` whose items are a literal list (`'(…)`,
`(list …)`, or a definition of one) of fewer than 10 elements, when its function makes LLM
calls.

## Why is this bad?
A fan-out pays off on many independent items. With a handful of items written into the
recipe, the per-call overhead (the instruction repeated in every call, one request each, the
handles to collect) outweighs the gain: one call that handles all the items together is
cheaper, and usually as fast. It is also a sign the list was meant to come from the context.

## Example
```scheme
(define questions '("What is the refund policy?" "How do I reset my password?" "Do you ship abroad?"))

(define answers
  (map-async (lambda (q)
               (llm-query-async #:instruction (string-append "Answer from the FAQ below.\n" context)
                                #:data q
                                #:model "gpt-4.1-nano"
                                #:max-tokens 200))
             questions))

(finish (string-join answers "\n\n"))
```

## Use instead
```scheme
(define questions '("What is the refund policy?" "How do I reset my password?" "Do you ship abroad?"))

(define answers
  (syntax-e (llm-query #:instruction (string-append "Answer each question from the FAQ below, one paragraph each.\n" context)
                       #:data (string-join questions "\n")
                       #:model "gpt-4.1-nano"
                       #:max-tokens 600)))

(finish answers)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import ListNode, Node, Quote
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import INFO, Diagnostic, Related
from recipe.server.analysis.facts import LLM_CALLS

CODE = "C005"
NAME = "small-fan-out"
SEVERITY = INFO
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

SMALL = 10
ITEM_FAN_OUTS = ("map-async", "fan-out-aggregate")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    facts = ctx.facts
    for site in ctx.fan_outs():
        entry = site.call.entry
        if entry is None or entry.name not in ITEM_FAN_OUTS or site.items is None:
            continue
        literal = facts.binding_value(site.items)
        size = _literal_size(literal)
        if size is None or not 0 < size < SMALL:
            continue
        if not any(c.entry is not None and c.binding is None and c.entry.name in LLM_CALLS
                   for f in site.functions for c in facts.calls_within(f)):
            continue
        message = (f"{entry.name} over a literal list of {size} item{'s' if size != 1 else ''}: "
                   f"below {SMALL} items a fan-out is not worth its overhead; make one call "
                   f"that handles all {size} together (or plain calls)")
        related = []
        if literal is not None and literal is not site.items:
            related.append(Related(literal.start, literal.end, f"the {size}-item list"))
        yield ctx.diagnostic(site.items, message, related=related)


def _literal_size(node: Node | None) -> int | None:
    if isinstance(node, Quote) and node.prefix == "'" and isinstance(node.datum, ListNode):
        return len(node.datum.items)
    if isinstance(node, ListNode) and node.head_name() in ("list", "quote"):
        if node.head_name() == "quote":
            inner = node.items[1] if len(node.items) > 1 else None
            return len(inner.items) if isinstance(inner, ListNode) else None
        return len(node.items) - 1
    return None
