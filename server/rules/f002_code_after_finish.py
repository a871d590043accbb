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


def _spliced(forms: list[Node]) -> list[Node]:
    """The top-level forms with top-level `(begin …)` spliced in, as Racket does."""
    out: list[Node] = []
    for form in forms:
        if isinstance(form, ListNode) and form.head_name() == "begin" and len(form.items) > 1:
            out.extend(_spliced(form.items[1:]))
        else:
            out.append(form)
    return out


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    forms = _spliced(list(ctx.document.forms))
    for index, form in enumerate(forms):
        # (the head's name first: this runs over every top-level form on every keystroke)
        if form.__class__ is not ListNode or form.head_name() not in FINISHERS:  # type: ignore[attr-defined]
            continue
        call = is_call_to(ctx, form, *FINISHERS)
        if call is None:
            continue
        rest = forms[index + 1:]
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
