r"""Sequential map over LLM calls.

## What it does
Reports a `map`, `for-each`, `for/list` (or `for`, `for*/list` …) or named-let loop over a
list whose body makes a synchronous `llm-query` (or `unsafe-raw-query`) for each item, one
after another. The message estimates the wait and what `map-async` would take. Loops where
each call depends on the previous one (the call reads a variable the loop `set!`s, or a
named-let accumulator) are left alone: that is a cumulative fold, sequential by nature.

## Why is this bad?
Each call blocks the recipe until the reply arrives, so 50 items at ~30 s each take 25
minutes. The calls are independent: `map-async` with `llm-query-async` keeps 10 in flight
and finishes in about a tenth of the time, for the same cost.

When the body is a single call, the fix rewrites `(map (lambda (x) (syntax-e (llm-query …)))
xs)` to `(map-async (lambda (x) (llm-query-async …)) xs)`; it is unsafe (calls run
concurrently, replies come back as strings), so it needs `--unsafe-fixes`.

## Example
```scheme
(define reviews (py-eval "context.split('\\n---\\n')[:50]"))

(define labels
  (map (lambda (review)
         (syntax-e (llm-query #:instruction "Label the sentiment: positive, negative or mixed."
                              #:data review
                              #:model "gpt-4.1-nano"
                              #:max-tokens 5)))
       reviews))

(finish (string-join labels "\n"))
```

## Use instead
```scheme
(define reviews (py-eval "context.split('\\n---\\n')[:50]"))

(define labels
  (map-async (lambda (review)
               (llm-query-async #:instruction "Label the sentiment: positive, negative or mixed."
                                #:data review
                                #:model "gpt-4.1-nano"
                                #:max-tokens 5))
             reviews))

(finish (string-join labels "\n"))
```
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from recipe.runtime.lang.syntax import SYMBOL, Atom, ListNode, Node, Quote
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Edit, Fix, Related
from recipe.server.analysis.estimate import format_seconds
from recipe.server.analysis.facts import SYNC_LLM_CALLS
from recipe.server.analysis.scopes import LAMBDA_NAMES, Call

from ._tjpfx import body_of

CODE = "C002"
NAME = "sequential-llm-map"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

MAP_PROCEDURES = ("map", "for-each")
LOOP_FORMS = ("for", "for*", "for/list", "for*/list", "for/vector")
MAP_ASYNC_WINDOW = 10  # map-async's default #:max-concurrent


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    facts = ctx.facts
    # map / for-each with a function argument
    for site in ctx.fan_outs():
        entry = site.call.entry
        if entry is None or entry.name not in MAP_PROCEDURES or site.spec.concurrent:
            continue
        bodies = [facts.function_body(f) for f in site.functions]
        calls = [c for f in site.functions for c in _sync_calls(ctx, facts.function_body(f), f)]
        if not calls:
            continue
        if _cumulative(ctx, calls, set()):
            continue
        if site.size is not None and site.size < 2:
            continue
        per_item = _per_item_latency(ctx, [form for body in bodies for form in body], calls)
        fix = _map_fix(ctx, site.call, site.functions) if entry.name == "map" else None
        yield _report(ctx, site.call.head, entry.name, site.size, per_item, calls, fix)
    # for loops and named lets
    for node in ctx.walk():
        if not isinstance(node, ListNode):
            continue
        head = node.head_name()
        first = node.items[0] if node.items else None
        shadowed = isinstance(first, Atom) and ctx.scopes.binding_of(first) is not None
        if head in LOOP_FORMS and len(node.items) > 2 and not shadowed:
            body = node.items[2:]
            calls = _sync_calls(ctx, body, None)
            if not calls or _cumulative(ctx, calls, set()):
                continue
            size = ctx.analysis.estimates.multiplicity(body[0])
            outer = ctx.analysis.estimates.multiplicity(node)
            iterations = size // outer if size is not None and outer else None
            if iterations is not None and iterations < 2:
                continue
            per_item = _per_item_latency(ctx, body, calls)
            yield _report(ctx, node.items[0], head or "for", iterations, per_item, calls, None)
        elif head == "let" and len(node.items) > 3 and isinstance(node.items[1], Atom) \
                and node.items[1].kind == SYMBOL and isinstance(node.items[2], ListNode):
            list_var, others = _list_walk(ctx, node)
            if list_var is None:
                continue
            body = node.items[3:]
            calls = _sync_calls(ctx, body, None)
            if not calls or _cumulative(ctx, calls, others):
                continue
            iterations = _named_let_size(ctx, node)
            if iterations is not None and iterations < 2:
                continue
            per_item = _per_item_latency(ctx, body, calls)
            yield _report(ctx, node.items[1], f"named-let loop `{node.items[1].text}`",
                          iterations, per_item, calls, None)


def _report(ctx: RuleContext, target: Node, what: str, size: int | None,
            per_item: float | None, calls: list[Call], fix: Fix | None) -> Diagnostic:
    first = calls[0]
    if per_item:
        if size is not None:
            batches = math.ceil(size / MAP_ASYNC_WINDOW)
            timing = (f"{size} × ~{format_seconds(per_item)} sequential ≈ "
                      f"{format_seconds(size * per_item)}; map-async with {MAP_ASYNC_WINDOW} in "
                      f"flight ≈ {format_seconds(batches * per_item)}")
        else:
            timing = (f"N × ~{format_seconds(per_item)} sequential; map-async with "
                      f"{MAP_ASYNC_WINDOW} in flight is up to {MAP_ASYNC_WINDOW}× faster")
    else:
        timing = "each item waits for the previous reply"
    message = (f"{what} makes a synchronous {first.name} per item: {timing}. Use map-async "
               f"with llm-query-async so the calls overlap")
    related = [Related(c.node.start, c.node.end, "the synchronous call made for each item")
               for c in calls[:3]]
    return ctx.diagnostic(target, message, fix=fix, related=related)


def _sync_calls(ctx: RuleContext, body: list[Node], function: ListNode | None) -> list[Call]:
    """Synchronous LLM calls made while the body runs once (through user functions too),
    excluding those inside nested concurrent fan-outs."""
    facts = ctx.facts
    found: list[Call] = []
    seen: set[int] = set()
    todo = list(body)
    visited_functions: set[int] = set() if function is None else {id(function)}
    skipped: set[int] = set()
    for form in body[-1:]:
        skipped.update(id(f) for f in _returned_lambdas(form))
    while todo:
        form = todo.pop()
        for sub in _walk_pruned(form, skipped):
            call = facts.call_at.get(id(sub))
            if call is None:
                continue
            if call.binding is None and call.entry is not None and call.entry.name in SYNC_LLM_CALLS:
                if id(call.node) not in seen and not _in_concurrent_fan_out(ctx, call):
                    seen.add(id(call.node))
                    found.append(call)
            elif call.binding is not None and call.binding.function is not None \
                    and call.binding.kind != "loop" \
                    and id(call.binding.function) not in visited_functions \
                    and len(visited_functions) < 40:
                visited_functions.add(id(call.binding.function))
                called = facts.function_body(call.binding.function)
                for form in called[-1:]:
                    skipped.update(id(f) for f in _returned_lambdas(form))
                todo.extend(called)
    found.sort(key=lambda c: c.node.start)
    return found


_RESULT_LISTS = ("list", "vector", "cons", "values")


def _returned_lambdas(node: Node, depth: int = 0) -> Iterator[ListNode]:
    """Lambdas a body returns without calling them (`(lambda () (llm-query …))` as the
    result, or in a list of thunks): their calls run later, when someone calls the thunk,
    not once per item of the loop that builds them."""
    if depth > 20 or not isinstance(node, ListNode) or not node.items:
        return
    head = node.head_name()
    if head in LAMBDA_NAMES:
        yield node
    elif head == "if":
        for branch in node.items[2:4]:
            yield from _returned_lambdas(branch, depth + 1)
    elif head in ("cond", "case"):
        for clause in node.items[1 if head == "cond" else 2:]:
            if isinstance(clause, ListNode) and len(clause.items) >= 2:
                yield from _returned_lambdas(clause.items[-1], depth + 1)
    elif head in _RESULT_LISTS:
        for item in node.items[1:]:
            yield from _returned_lambdas(item, depth + 1)
    else:
        body = body_of(node)
        if body and head not in LAMBDA_NAMES and head != "define":
            yield from _returned_lambdas(body[-1], depth + 1)


def _walk_pruned(form: Node, skipped: set[int]) -> Iterator[Node]:
    """`form.walk()` without the subtrees in `skipped`."""
    stack = [form]
    while stack:
        node = stack.pop()
        if id(node) in skipped:
            continue
        yield node
        if isinstance(node, ListNode):
            stack.extend(reversed(node.items))
        elif isinstance(node, Quote) and node.datum is not None:
            stack.append(node.datum)


def _in_concurrent_fan_out(ctx: RuleContext, call: Call) -> bool:
    est = ctx.analysis.estimates.call(call.node)
    return est is not None and any(s.concurrent for s in est.fan_outs)


def _cumulative(ctx: RuleContext, calls: list[Call], loop_vars: set[str]) -> bool:
    """Does a call read a variable the loop changes (set!, or an accumulator)?"""
    for call in calls:
        for arg in call.args():
            for sub in arg.walk():
                if isinstance(sub, Atom) and sub.kind == SYMBOL:
                    binding = ctx.scopes.binding_of(sub)
                    if binding is not None and (binding.assigned or
                                                (sub.text in loop_vars and binding.kind == "let")):
                        return True
    return False


def _list_walk(ctx: RuleContext, node: ListNode) -> tuple[str | None, set[str]]:
    """For ``(let loop ([xs items] [acc '()]) …)``: the variable walked with ``(loop (cdr
    xs) …)`` and the other loop variables."""
    name = node.items[1]
    assert isinstance(name, Atom)
    clauses = node.items[2]
    assert isinstance(clauses, ListNode)
    variables = [c.items[0].text for c in clauses.items
                 if isinstance(c, ListNode) and c.items and isinstance(c.items[0], Atom)]
    binding = ctx.scopes.binding_of(name)
    if binding is None or not binding.refs:
        return None, set()
    recursions = []
    for ref in binding.refs:
        parent = _parent_call(ctx, ref)
        if parent is None:
            return None, set()
        recursions.append(parent)
    for position, var in enumerate(variables):
        if all(len(call.items) > position + 1 and _is_rest_of(call.items[position + 1], var)
               for call in recursions):
            return var, set(variables) - {var}
    return None, set()


def _parent_call(ctx: RuleContext, ref: Atom) -> ListNode | None:
    parent = next(iter(ctx.analysis.estimates.ancestors(ref)), None)
    if parent is not None and parent.items and parent.items[0] is ref:
        return parent
    return None


def _is_rest_of(node: Node, var: str) -> bool:
    return (isinstance(node, ListNode) and node.head_name() in ("cdr", "rest")
            and len(node.items) == 2 and isinstance(node.items[1], Atom)
            and node.items[1].text == var)


def _named_let_size(ctx: RuleContext, node: ListNode) -> int | None:
    body = node.items[3:]
    if not body:
        return None
    inner = ctx.analysis.estimates.multiplicity(body[0])
    outer = ctx.analysis.estimates.multiplicity(node)
    return inner // outer if inner is not None and outer else None


def _per_item_latency(ctx: RuleContext, body: list[Node], calls: list[Call]) -> float | None:
    seconds: float | None = ctx.analysis.estimates.latency_of(body)
    if seconds:
        return seconds
    total = 0.0
    for call in calls:
        est = ctx.analysis.estimates.call(call.node)
        if est is None or est.latency_s is None:
            return None
        total += est.latency_s
    return total or None


def _map_fix(ctx: RuleContext, call: Call, functions: list[ListNode]) -> Fix | None:
    """``(map (lambda (x) (syntax-e (llm-query …))) xs)`` → ``(map-async (lambda (x)
    (llm-query-async …)) xs)``, when the lambda is written inline and its body is one call."""
    positional = call.positional()
    if len(positional) != 2 or len(call.args()) != 2 or len(functions) != 1:
        return None
    function = functions[0]
    if positional[0] is not function or function.head_name() not in LAMBDA_NAMES \
            or len(function.items) != 3:
        return None
    body = function.items[2]
    inner = body
    if isinstance(body, ListNode) and body.head_name() == "syntax-e" and len(body.items) == 2:
        inner = body.items[1]
    if not isinstance(inner, ListNode):
        return None
    llm = ctx.facts.call_at.get(id(inner))
    if llm is None or llm.binding is not None or llm.entry is None \
            or llm.entry.name not in SYNC_LLM_CALLS or llm.has_keyword("recursive"):
        return None
    text = ctx.document.text
    new_body = "(llm-query-async" + text[llm.head.end:inner.end]
    return Fix("Rewrite with map-async and llm-query-async",
               (Edit(call.head.start, call.head.end, "map-async"),
                Edit(body.start, body.end, new_body)), safe=False)
