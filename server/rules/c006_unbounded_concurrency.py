r"""`#:max-concurrent #f` or above the configured limit on a large list.

## What it does
Reports `#:max-concurrent #f` (every call at once) on a fan-out over more than 20 items (or
more than the configured `max-concurrent`, if that is lower) or over a list of unknown size;
and a window above the configured `max-concurrent` (default 50) on a list larger than that
limit or of unknown size.

## Why is this bad?
Hundreds of requests started at once hit the provider's rate limits: most of them are
throttled, retried with back-off, and the run ends up slower than with a steady window,
or fails. The configured limit is what your account sustains; a window of 10 to 20 is
usually the fastest.

The fix sets the window to 10 (the default) in place of `#f`, or to the configured limit in
place of a larger number; it is unsafe (it changes how the run is
paced), so it needs `--unsafe-fixes`.

## Example
```scheme
(define pages (py-eval "context.split('\\f')"))

(define summaries
  (map-async (lambda (page)
               (llm-query-async #:instruction "Summarise this page in two sentences."
                                #:data page
                                #:model "gpt-4.1-nano"
                                #:max-tokens 120))
             pages
             #:max-concurrent #f))

(finish (string-join summaries "\n"))
```

## Use instead
```scheme
(define pages (py-eval "context.split('\\f')"))

(define summaries
  (map-async (lambda (page)
               (llm-query-async #:instruction "Summarise this page in two sentences."
                                #:data page
                                #:model "gpt-4.1-nano"
                                #:max-tokens 120))
             pages
             #:max-concurrent 10))

(finish (string-join summaries "\n"))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import BOOLEAN, Atom
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Edit, Fix

CODE = "C006"
NAME = "unbounded-concurrency"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

LARGE = 20  # more items than this, started all at once, is a burst
DEFAULT_WINDOW = 10  # map-async's default #:max-concurrent


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    facts = ctx.facts
    cap = ctx.config.max_concurrent
    seen: set[int] = set()
    for site in ctx.fan_outs():
        keyword = site.spec.window_keyword
        if keyword is None or not site.call.has_keyword(keyword) or id(site.call.node) in seen:
            continue
        value = site.call.keyword(keyword)
        if value is None:
            continue
        target = facts.binding_value(value)
        if isinstance(target, Atom) and target.kind == BOOLEAN and target.value is False:
            window: int | None = None
        else:
            number = facts.literal_number(value)
            if not isinstance(number, int):
                continue
            window = number
        if window is None:
            if site.size is not None and site.size <= min(LARGE, cap):
                continue
            suggested = min(DEFAULT_WINDOW, cap)
            if site.size is not None:
                what = (f"#:max-concurrent #f starts all {site.size} calls of this "
                        f"{site.call.name} at once")
            else:
                what = (f"#:max-concurrent #f starts every call of this {site.call.name} at "
                        f"once, on a list of unknown size")
        else:
            if window <= cap or (site.size is not None and site.size <= cap):
                continue
            suggested = cap
            size = f"{site.size} items" if site.size is not None else "a list of unknown size"
            what = (f"#:max-concurrent {window} is above the configured max-concurrent ({cap}) "
                    f"for this {site.call.name}, on {size}")
        seen.add(id(site.call.node))
        message = (f"{what}: the provider's rate limits will throttle and retry the burst; "
                   f"use #:max-concurrent {suggested}")
        fix = Fix(f"Set #:max-concurrent {suggested}",
                  (Edit(value.start, value.end, str(suggested)),), safe=False)
        yield ctx.diagnostic(value, message, fix=fix)
