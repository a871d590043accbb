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

CODE = "F002"
NAME = "code-after-finish"
SEVERITY = INFO


def _spliced(forms: list[Node]) -> Iterator[Node]:
    """The top-level forms with top-level `(begin …)` spliced in, as Racket does."""
    for form in forms:
        if form.__class__ is ListNode and form.head_name() == "begin" \
                and len(form.items) > 1:  # type: ignore[attr-defined]
            yield from _spliced(form.items[1:])  # type: ignore[attr-defined]
        else:
            yield form


def _after_top_level(ctx: RuleContext, node: Node) -> list[Node] | None:
    """The top-level forms after ``node`` in the order they run (top-level `begin`s spliced),
    when ``node`` is a top-level form or one of a top-level `begin`; else None."""
    parents = ctx.document.parents
    after: list[Node] = []
    parent = parents.get(id(node))
    while parent is not None:
        if parent.__class__ is not ListNode or parent.head_name() != "begin":  # type: ignore[attr-defined]
            return None
        items = parent.items  # type: ignore[attr-defined]
        at = next(i for i, item in enumerate(items) if item is node)
        if at == 0:
            return None
        after.extend(_spliced(items[at + 1:]))
        node, parent = parent, parents.get(id(parent))
    forms = ctx.document.forms
    after.extend(_spliced(forms[forms.index(node) + 1:]))
    return after


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    # The first finisher call that is a top-level form, looked up among the finisher calls
    # (not by a walk over every top-level form: this runs on every keystroke).
    first: tuple[Node, str, list[Node]] | None = None
    for call in ctx.scopes.calls_to(*FINISHERS):
        if call.entry is None or call.entry.name not in FINISHERS \
                or (first is not None and call.node.start > first[0].start):
            continue
        rest = _after_top_level(ctx, call.node)
        if rest is not None:
            first = (call.node, call.name, rest)
    if first is None or not first[2]:
        return
    form, name, rest = first
    count = len(rest)
    what = "this form never runs" if count == 1 else f"these {count} forms never run"
    them = "it" if count == 1 else "them"
    yield ctx.diagnostic((rest[0].start, rest[-1].end),
                         f"{what}: the recipe ends at the `{name}` above; move "
                         f"{them} before it or remove {them}",
                         related=[Related(form.start, form.end, "the run ends here")])
