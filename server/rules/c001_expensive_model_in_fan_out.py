r"""Expensive model in a fan-out.

## What it does
Reports an LLM call with an expensive-tier model (`gpt-4`, `gpt-4o`, `o1`, any o-series …)
inside the function that a fan-out calls once per item: `map-async`, `fan-out-aggregate`,
`parallel`, the cheap side of `tiered` and `active-learning`, and `llm-query-async` calls in
a `map` that builds handles for `await-all`. The message gives the price ratio to the
configured cheap model and what the fan-out costs with each.

## Why is this bad?
The fan-out is the bulk of a recipe's calls: 50 papers with `gpt-4` cost about $3 where
`gpt-4.1-nano` costs a couple of cents, for extraction work a cheap model does about as well.
Keep the expensive model for the single synthesis call that combines the results.

The fix swaps in the configured `cheap-model`; it is unsafe (the answers change), so it is
applied only with `--unsafe-fixes`.

## Example
```scheme
(define papers (py-eval "[p['text'] for p in json.loads(context)][:50]"))

(define mentions
  (map-async
    (lambda (paper)
      (llm-query-async #:instruction "List every mention of the ACE2 protein."
                       #:data paper
                       #:model "gpt-4"
                       #:max-tokens 500))
    papers))

(finish (string-join mentions "\n"))
```

## Use instead
```scheme
(define papers (py-eval "[p['text'] for p in json.loads(context)][:50]"))

(define mentions
  (map-async
    (lambda (paper)
      (llm-query-async #:instruction "List every mention of the ACE2 protein."
                       #:data paper
                       #:model "gpt-4.1-nano"
                       #:max-tokens 500))
    papers))

(finish (string-join mentions "\n"))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.models import EXPENSIVE
from recipe.runtime.lang.syntax import Atom
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Edit, Fix, Related
from recipe.server.analysis.estimate import (
    PER_INPUT_TOKENS,
    CallEstimate,
    format_ratio,
    format_usd,
)
from recipe.server.analysis.facts import FanOutSite

CODE = "C001"
NAME = "expensive-model-in-fan-out"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)
READS_PROMPTS = True  # the call's cost figures

# Fan-outs whose per-item function is the bulk of the work (RULES.md C001).
BULK_FAN_OUTS = ("map-async", "fan-out-aggregate", "parallel", "active-learning", "tiered")


def bulk_site(est: CallEstimate) -> FanOutSite | None:
    """The innermost fan-out that runs this call once per item as bulk work."""
    for site in est.fan_outs:
        name = site.call.entry.name if site.call.entry is not None else ""
        if not site.spec.cheap_side:
            continue
        if name in BULK_FAN_OUTS or (name == "map" and est.is_async):
            return site
    return None


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    models = ctx.config.models
    cheap = models.get(models.cheap_model)
    if cheap is None or cheap.tier == EXPENSIVE:
        return
    for est in ctx.estimate_calls():
        model = est.model
        if model is None or model.tier != EXPENSIVE or model.name == cheap.name:
            continue
        site = bulk_site(est)
        if site is None:
            continue
        # (a free local model as the cheap one: no ratio to give)
        compared = f"costs {format_ratio(model.input / cheap.input)}× {cheap.name} per input " \
            "token" if cheap.input > 0 else f"is paid per token where {cheap.name} is free"
        tokens_in = est.tokens_in if est.tokens_in is not None else PER_INPUT_TOKENS
        bound = est.output_bound or 0
        each, each_cheap = model.cost(tokens_in, bound), cheap.cost(tokens_in, bound)
        if site.size is not None:
            figures = (f"{site.size} items ≈ {format_usd(each * site.size)} vs "
                       f"{format_usd(each_cheap * site.size)}")
        else:
            figures = f"each item ≈ {format_usd(each)} vs {format_usd(each_cheap)}"
        if est.tokens_in is None:
            figures += f" (at {PER_INPUT_TOKENS:,} input tokens per item)"
        message = (f"{model.name} {compared}; {figures}. "
                   f"Use {cheap.name} for the per-item calls and keep {model.name} for one "
                   f"synthesis call")
        model_node = est.call.keyword("model")
        if model_node is not None:
            target = model_node
            fix = Fix(f'Use "{cheap.name}" for this fan-out call',
                      (Edit(model_node.start, model_node.end, f'"{cheap.name}"'),), safe=False) \
                if isinstance(model_node, Atom) else None
        else:
            head = est.call.head
            target = head
            fix = Fix(f'Use "{cheap.name}" for this fan-out call',
                      (Edit(head.end, head.end, f' #:model "{cheap.name}"'),), safe=False)
        head = site.call.head
        count = f" over {site.size} items" if site.size is not None else ""
        related = [Related(head.start, head.end, f"the {site.call.name} fan-out{count} starts here")]
        yield ctx.diagnostic(target, message, fix=fix, related=related)
