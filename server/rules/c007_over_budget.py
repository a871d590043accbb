r"""Estimated worst-case cost above the configured budget.

## What it does
Adds up the worst case of every LLM call of the recipe (each call's input, its whole
`#:max-tokens` — or the model's output limit without one — times the number of times it
runs) and reports when the total exceeds `max-cost` from the configuration. The message gives
the figure and the biggest contributor, and the diagnostic sits on that call. Calls whose
count or input size cannot be known are counted at what is certain (so the figure is a lower
bound, and the message says so); nothing is reported without a `max-cost`.

## Why is this bad?
A recipe that can cost more than the budget will, sooner or later, on a large input. Better
to find out before running it: use a cheaper model for the bulk calls, cap `#:max-tokens`,
or process fewer items.

## Example
```scheme
;; max-cost = 0.05 in recipe.toml
(define essays (py-eval "context.split('\\n\\n')[:100]"))

(define grades
  (map-async (lambda (essay)
               (llm-query-async #:instruction "Grade this essay from 1 to 10 and justify the grade."
                                #:data essay
                                #:model "gpt-4o"
                                #:max-tokens 400))
             essays))

(finish (string-join grades "\n"))
```

## Use instead
```scheme
;; max-cost = 0.05 in recipe.toml
(define essays (py-eval "context.split('\\n\\n')[:100]"))

(define grades
  (map-async (lambda (essay)
               (llm-query-async #:instruction "Grade this essay from 1 to 10 and justify the grade."
                                #:data essay
                                #:model "gpt-4.1-nano"
                                #:max-tokens 400))
             essays))

(finish (string-join grades "\n"))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Related
from recipe.server.analysis.estimate import CallEstimate, format_usd

CODE = "C007"
NAME = "over-budget"
SEVERITY = WARNING
READS_PROMPTS = True  # the calls' cost figures


def worst_case(est: CallEstimate) -> float | None:
    """A certain lower bound of the call site's worst-case cost, all runs together."""
    each = est.cost_high_floor
    if each is None or est.multiplicity is None:
        return None
    total: float = each * est.multiplicity
    return total


Part = tuple[float | None, CallEstimate]


def partial(ctx: RuleContext) -> list[Part]:
    """The worst-case cost of each call site of the document (or of a part of a file, for
    the incremental linter, which adds the parts up with :func:`combine`)."""
    if ctx.config.max_cost is None:
        return []
    return [(worst_case(est), est) for est in ctx.analysis.estimates.calls]


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    return combine(ctx, partial(ctx))


def combine(ctx: RuleContext, parts: list[Part]) -> Iterator[Diagnostic]:
    """The diagnostic for the whole file, from the call sites of all its parts."""
    budget = ctx.config.max_cost
    if budget is None:
        return
    priced = [(cost, est) for cost, est in parts if cost is not None]
    total = sum(cost for cost, _ in priced)
    if total <= budget or not priced:
        return
    biggest_cost, biggest = max(priced, key=lambda p: (p[0], -p[1].node.start))
    partial = [est for cost, est in parts if cost is None or est.tokens_in is None]
    figure = f"at least {format_usd(total)}" if partial else f"≈ {format_usd(total)}"
    runs = f"{biggest.multiplicity} × " if biggest.multiplicity != 1 else ""
    model = biggest.model_name or "?"
    share = f"{biggest_cost / total:.0%}" if total else "?"
    message = (f"estimated worst-case cost {figure} exceeds max-cost {format_usd(budget)}; "
               f"the biggest contributor is {runs}{biggest.primitive} with {model} at "
               f"{ctx.analysis.where(biggest.node.start)} ({format_usd(biggest_cost)}, "
               f"{share}): use a cheaper model, a "
               f"lower #:max-tokens or fewer items")
    if partial:
        message += (f" ({len(partial)} call site{'s' if len(partial) != 1 else ''} with an "
                    f"unknown input size or count, counted at what is certain)")
    related = []
    if biggest.fan_outs:
        site = biggest.fan_outs[0]
        items = f"{site.size} items" if site.size is not None else "N items"
        related.append(Related(site.call.head.start, site.call.head.end,
                               f"runs once per item of this {site.call.name} ({items})"))
    yield ctx.diagnostic(biggest.call.head, message, related=related)
