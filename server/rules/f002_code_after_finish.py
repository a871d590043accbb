"""Top-level code after an unconditional `finish`.

## What it does
Reports the top-level forms that follow a top-level `(finish …)`, `(finish-var …)` or
`(finish-error …)` (also one inside a top-level `begin`, whose forms are top-level forms):
the run ends at the `finish`, so they never run.

## Why is this bad?
The code looks live but is dead — typically a step appended after the original end of the
recipe (a post-processing call, a checkpoint) that silently never happens.

## Example
```scheme
(define answer
  (syntax-e (llm-query #:instruction "Answer the question." #:data context #:max-tokens 200)))
(finish answer)
(checkpoint "last-answer" answer)
```

## Use instead
```scheme
(define answer
  (syntax-e (llm-query #:instruction "Answer the question." #:data context #:max-tokens 200)))
(checkpoint "last-answer" answer)
(finish answer)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import INFO, Diagnostic, Related
from recipe.server.analysis.facts import FINISHERS

from ._tjpfx import is_call_to

CODE = "F002"
NAME = "code-after-finish"
SEVERITY = INFO


def _spliced(forms: list[Node]) -> Iterator[tuple[Node, str | None]]:
    """The top-level forms with top-level `(begin …)` spliced in, as Racket does, each with
    the name in its operator position."""
    for form in forms:
        head = form.head_name() if form.__class__ is ListNode else None  # type: ignore[attr-defined]
        if head == "begin" and len(form.items) > 1:  # type: ignore[attr-defined]
            yield from _spliced(form.items[1:])  # type: ignore[attr-defined]
        else:
            yield form, head


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    # (one pass, heads first: this runs over every top-level form on every keystroke)
    forms = _spliced(ctx.document.forms)
    for form, head in forms:
        if head not in FINISHERS:
            continue
        call = is_call_to(ctx, form, *FINISHERS)
        if call is None:
            continue
        rest = [later for later, _ in forms]
        if not rest:
            return
        count = len(rest)
        what = "this form never runs" if count == 1 else f"these {count} forms never run"
        them = "it" if count == 1 else "them"
        yield ctx.diagnostic((rest[0].start, rest[-1].end),
                             f"{what}: the recipe ends at the `{call.name}` above; move "
                             f"{them} before it or remove {them}",
                             related=[Related(form.start, form.end, "the run ends here")])
        return
