"""`restore` result used without checking for `#f`.

## What it does
Reports a `(restore key)` whose value is used — passed to a call, or bound to a variable
that is used — with no check for `#f` on the way: not inside `or`, not tested by `if` /
`when` / `unless` / `cond` / `and` / `not` / `false?`.

## Why is this bad?
`restore` returns `#f` when nothing was checkpointed under the key — always on the first
run. The recipe then fails (`hash-ref: contract violation … #f`) or, worse, sends "#f" to a
model as data.

## Example
```scheme
(define cached (restore "summary"))
(define summary
  (llm-query #:instruction "Shorten this summary to one paragraph."
             #:data cached #:max-tokens 200))
(finish (syntax-e summary))
```

## Use instead
```scheme
(define cached
  (or (restore "summary")
      (checkpoint "summary"
                  (syntax-e (llm-query #:instruction "Summarise the document."
                                       #:data context #:max-tokens 400)))))
(define summary
  (llm-query #:instruction "Shorten this summary to one paragraph."
             #:data cached #:max-tokens 200))
(finish (syntax-e summary))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import Atom, ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import INFO, Diagnostic, Related
from recipe.server.analysis.scopes import LET_FORMS

CODE = "F004"
NAME = "restore-unchecked"
SEVERITY = INFO
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

_CHECKS = {"or", "and", "not", "false?", "boolean?", "if", "when", "unless", "cond", "eq?",
           "eqv?", "equal?", "hash?", "string?", "list?", "pair?", "null?", "number?",
           "procedure?", "non-empty-string?"}


def _checked_here(parents: dict[int, Node], node: Node) -> bool:
    """The value of ``node`` is tested for #f where it appears (or its enclosing `or`)."""
    parent = parents.get(id(node))
    if not isinstance(parent, ListNode) or not parent.items:
        return False
    head = parent.head_name()
    if head in _CHECKS and head not in ("if", "when", "unless", "cond"):
        return True
    if head in ("if", "when", "unless") and len(parent.items) > 1 and parent.items[1] is node:
        return True
    grand = parents.get(id(parent))  # a cond clause [test body …]
    if isinstance(grand, ListNode) and grand.head_name() == "cond" and parent is not grand.items[0]:
        if parent.items[0] is node:
            return True
    return False


def _binding_target(parents: dict[int, Node], node: Node) -> Atom | None:
    parent = parents.get(id(node))
    if not isinstance(parent, ListNode):
        return None
    items = parent.items
    if parent.head_name() == "define" and len(items) == 3 and items[2] is node \
            and isinstance(items[1], Atom):
        return items[1]
    if len(items) == 2 and items[1] is node and isinstance(items[0], Atom):
        clauses = parents.get(id(parent))
        form = parents.get(id(clauses)) if clauses is not None else None
        if isinstance(form, ListNode) and form.head_name() in LET_FORMS:
            return items[0]
    return None


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    parents = ctx.document.parents
    for call in ctx.calls_to("restore"):
        if call.entry is None:
            continue
        node = call.node
        if _checked_here(parents, node):
            continue
        target = _binding_target(parents, node)
        if target is not None:
            binding = ctx.scopes.binding_of(target)
            if binding is None or not binding.refs or binding.assigned:
                continue
            if any(_checked_here(parents, ref) for ref in binding.refs):
                continue
            first = binding.refs[0]
            yield ctx.diagnostic(node, f"`restore` returns #f when nothing was saved under the "
                                 f"key (always on the first run), and `{binding.name}` is used "
                                 "without a check: write `(or (restore …) fallback)` or test it",
                                 related=[Related(first.start, first.end,
                                                  f"`{binding.name}` used here")])
            continue
        parent = parents.get(id(node))
        call_parent = ctx.facts.call_at.get(id(parent)) if parent is not None else None
        if call_parent is None:
            continue
        yield ctx.diagnostic(node, "`restore` returns #f when nothing was saved under the key "
                             f"(always on the first run), and `{call_parent.name}` gets it "
                             "unchecked: write `(or (restore …) fallback)`")
