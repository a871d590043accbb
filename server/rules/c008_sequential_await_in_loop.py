r"""Sequential `await` inside a loop.

## What it does
Reports `(await h)` inside a loop — a `for` form, the function given to `map` / `for-each`
(or `filter`, `foldl` …), or a named-let loop — and suggests collecting the handles with
`await-all`. When the handle is started in the same iteration, the message says so: the calls
then run strictly one after another.

## Why is this bad?
An `await` blocks the loop until that one reply arrives. If the loop also starts the call,
every call waits for the previous one and the recipe is as slow as with `llm-query`. If the
handles were started beforehand, the loop still processes replies in a fixed order and the
intent is hidden; `(await-all handles)` waits for them all at once and returns the replies as
strings in order.

For `(map (lambda (h) (syntax-e (await h))) handles)` and `(for/list ([h handles])
(syntax-e (await h)))` the fix rewrites to `(await-all handles)` (unsafe: needs
`--unsafe-fixes`).

## Example
```scheme
(define questions (py-eval "context.splitlines()[:30]"))

(define handles
  (map (lambda (q)
         (llm-query-async #:instruction "Answer briefly." #:data q
                          #:model "gpt-4.1-nano" #:max-tokens 100))
       questions))

(define answers (map (lambda (h) (syntax-e (await h))) handles))

(finish (string-join answers "\n"))
```

## Use instead
```scheme
(define questions (py-eval "context.splitlines()[:30]"))

(define handles
  (map (lambda (q)
         (llm-query-async #:instruction "Answer briefly." #:data q
                          #:model "gpt-4.1-nano" #:max-tokens 100))
       questions))

(define answers (await-all handles))

(finish (string-join answers "\n"))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import SYMBOL, Atom, ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Edit, Fix, Related
from recipe.server.analysis.scopes import FOR_FORMS, LAMBDA_NAMES, Call

CODE = "C008"
NAME = "sequential-await-in-loop"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in ctx.calls_to("await"):
        if call.binding is not None or call.entry is None:
            continue
        loop = _enclosing_loop(ctx, call.node)
        if loop is None:
            continue
        loop_node, what = loop
        started_here = _started_in_loop(ctx, call, loop_node)
        if started_here:
            message = (f"await inside {what} waits for each call before the next one starts: "
                       f"the calls run one after another; start them all (map with "
                       f"llm-query-async, or map-async) and collect them with await-all")
        else:
            message = (f"await inside {what} waits for one handle at a time; collect the "
                       f"replies with (await-all handles)")
        fix = None if started_here else _fix(ctx, loop_node, call)
        head = _loop_head(loop_node)
        related = [Related(head.start, head.end, "the loop")] if head is not None else []
        yield ctx.diagnostic(call.node, message, fix=fix, related=related)


def _loop_head(node: ListNode) -> Node | None:
    if node.head_name() == "let" and len(node.items) > 1:
        return node.items[1]
    return node.items[0] if node.items else None


def _enclosing_loop(ctx: RuleContext, node: Node) -> tuple[ListNode, str] | None:
    """The innermost loop running ``node`` once per iteration, up to the enclosing function."""
    estimates = ctx.analysis.estimates
    child: Node = node
    for ancestor in estimates.ancestors(node):
        index = next((i for i, item in enumerate(ancestor.items) if item is child), -1)
        head = ancestor.head_name()
        if head in FOR_FORMS:
            clauses_at = 2 if (head or "").endswith("fold") else 1
            if index > clauses_at:
                return ancestor, f"a {head} loop"
        elif head == "let" and len(ancestor.items) > 3 and isinstance(ancestor.items[1], Atom) \
                and ancestor.items[1].kind == SYMBOL and index >= 3:
            return ancestor, f"the named-let loop `{ancestor.items[1].text}`"
        elif head in LAMBDA_NAMES or (head == "define" and len(ancestor.items) > 1
                                      and isinstance(ancestor.items[1], ListNode)):
            if index < 2:
                return None
            for site in ctx.facts.fan_outs():
                if ancestor in site.functions and not site.spec.concurrent:
                    return site.call.node, f"the function given to {site.call.name}"
            return None
        child = ancestor
    return None


def _started_in_loop(ctx: RuleContext, call: Call, loop: ListNode) -> bool:
    """Is the awaited handle created by an llm-query-async in the same iteration?"""
    args = call.positional()
    if not args:
        return False
    node: Node | None = args[0]
    for _ in range(10):
        if isinstance(node, ListNode):
            inner = ctx.facts.call_at.get(id(node))
            return inner is not None and inner.entry is not None and inner.binding is None \
                and inner.entry.name == "llm-query-async"
        if isinstance(node, Atom) and node.kind == SYMBOL:
            binding = ctx.scopes.binding_of(node)
            if binding is None or binding.value is None or binding.assigned \
                    or binding.atom is None:
                return False
            if not (loop.start <= binding.atom.start and binding.atom.end <= loop.end):
                return False
            node = binding.value
            continue
        return False
    return False


def _fix(ctx: RuleContext, loop: ListNode, call: Call) -> Fix | None:
    """``(map (lambda (h) (syntax-e (await h))) hs)`` / ``(for/list ([h hs]) (syntax-e (await
    h)))`` → ``(await-all hs)`` (``await-all-syntax`` without the syntax-e)."""
    head = loop.head_name()
    var: str | None = None
    body: Node | None = None
    source: Node | None = None
    if head in ("map",):
        mapped = ctx.facts.call_at.get(id(loop))
        if mapped is None or len(mapped.args()) != 2:
            return None
        function, source = mapped.positional()
        if not (isinstance(function, ListNode) and function.head_name() in LAMBDA_NAMES
                and len(function.items) == 3 and isinstance(function.items[1], ListNode)
                and len(function.items[1].items) == 1):
            return None
        param = function.items[1].items[0]
        var = param.text if isinstance(param, Atom) else None
        body = function.items[2]
    elif head == "for/list" and len(loop.items) == 3 and isinstance(loop.items[1], ListNode) \
            and len(loop.items[1].items) == 1:
        clause = loop.items[1].items[0]
        if not (isinstance(clause, ListNode) and len(clause.items) == 2
                and isinstance(clause.items[0], Atom)):
            return None
        var = clause.items[0].text
        source = clause.items[1]
        if isinstance(source, ListNode) and source.head_name() == "in-list" \
                and len(source.items) == 2:
            source = source.items[1]
        body = loop.items[2]
    if var is None or body is None or source is None:
        return None
    unwrap = isinstance(body, ListNode) and body.head_name() == "syntax-e" and len(body.items) == 2
    inner = body.items[1] if unwrap and isinstance(body, ListNode) else body
    if inner is not call.node:
        return None
    arg = call.positional()
    if len(arg) != 1 or not (isinstance(arg[0], Atom) and arg[0].text == var):
        return None
    primitive = "await-all" if unwrap else "await-all-syntax"
    text = ctx.document.text[source.start:source.end]
    return Fix(f"Use ({primitive} …)", (Edit(loop.start, loop.end, f"({primitive} {text})"),),
               safe=False)
