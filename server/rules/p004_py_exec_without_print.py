"""`py-exec` used for its value, but the code never prints.

## What it does
Reports a `py-exec` whose result is used — bound with `define` / `let`, or passed to
another call — while its literal code never prints (no `print`, no `sys.stdout`).

## Why is this bad?
`py-exec` returns what the code prints, not the value of its last line: the result is
always the empty string. The recipe continues with "" and the mistake surfaces much later,
often as an LLM answering about empty data.

## Example
```scheme
(py-set! "text" context)
(define word-count
  (py-exec "words = text.split()
len(words)"))
(finish word-count)
```

## Use instead
```scheme
(py-set! "text" context)
(define word-count
  (py-exec "words = text.split()
print(len(words))"))
(finish word-count)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from recipe.runtime.lang.syntax import SYMBOL, Atom, ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Edit, Fix
from recipe.server.analysis.python_code import EXEC, Snippet
from recipe.server.analysis.scopes import LET_FORMS

CODE = "P004"
NAME = "py-exec-without-print"
SEVERITY = WARNING


def use_of(ctx: RuleContext, node: Node) -> str | None:
    """How an expression's value is used: "bound to `x`", "passed to `f`", or None."""
    parents = ctx.document.parents
    parent = parents.get(id(node))
    if not isinstance(parent, ListNode) or not parent.items:
        return None
    head = parent.head_name()
    items = parent.items
    if head in ("define", "set!") and len(items) == 3 and items[2] is node \
            and isinstance(items[1], Atom) and items[1].kind == SYMBOL:
        return f"bound to `{items[1].text}`"
    if len(items) == 2 and items[1] is node and isinstance(items[0], Atom) \
            and items[0].kind == SYMBOL:
        clauses = parents.get(id(parent))
        form = parents.get(id(clauses)) if clauses is not None else None
        if isinstance(form, ListNode) and form.head_name() in LET_FORMS:
            return f"bound to `{items[0].text}`"
    call = ctx.facts.call_at.get(id(parent))
    if call is not None and node is not items[0]:
        return f"passed to `{call.name}`"
    return None


def _print_fix(snippet: Snippet) -> Fix | None:
    tree = snippet.tree
    if not isinstance(tree, ast.Module) or not tree.body or snippet.text is None:
        return None
    last = tree.body[-1]
    if not isinstance(last, ast.Expr):
        return None
    span = snippet.node_span(last.value)
    if span is None:
        return None
    start, end = span
    return Fix("Print the last expression",
               (Edit(start, start, "print("), Edit(end, end, ")")), safe=False)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for snippet in ctx.analysis.python.snippets:
        if snippet.op != EXEC or snippet.tree is None or snippet.prints:
            continue
        use = use_of(ctx, snippet.call.node)
        if use is None:
            continue
        message = (f"`py-exec` returns what the code prints, and this code prints nothing, so the "
                   f"value {use} is always \"\": `print(...)` the result, or use `py-eval` for "
                   "an expression")
        yield ctx.diagnostic(snippet.call.head, message, _print_fix(snippet))
