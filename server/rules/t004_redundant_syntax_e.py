r"""`syntax-e` on something that is already a string.

## What it does
Reports `(syntax-e x)` where `x` is certainly not a syntax object: the results of
`map-async` and `await-all` (already lists of plain strings), of `unsafe-raw-query`, of
`syntax-e` itself, string literals and string-building procedures; and `(map syntax-e xs)`
over such a list of plain strings. The fix removes the wrapper.

## Why is this bad?
It does nothing (`syntax-e` is the identity on a string) but suggests the author believes
the value is still wrapped LLM text — a misunderstanding that usually hides a real problem
elsewhere, and noise in the run trace, where every unwrap is recorded.

## Example
```scheme
(define (summarise doc)
  (llm-query-async #:instruction "Summarise in one sentence." #:data doc #:max-tokens 80))
(define summaries (map-async summarise (string-split context "\n\n") #:max-concurrent 10))
(finish (string-join (syntax-e summaries) "\n"))
```

## Use instead
```scheme
(define (summarise doc)
  (llm-query-async #:instruction "Summarise in one sentence." #:data doc #:max-tokens 80))
(define summaries (map-async summarise (string-split context "\n\n") #:max-concurrent 10))
(finish (string-join summaries "\n"))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import STRING, SYMBOL, Atom, ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import INFO, Diagnostic, Edit, Fix
from recipe.server.analysis.facts import STRING_K, STRINGS

CODE = "T004"
NAME = "redundant-syntax-e"
SEVERITY = INFO
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def _what(ctx: RuleContext, node: Node, kind: str) -> str:
    plural = kind == STRINGS
    if isinstance(node, Atom) and node.kind == STRING:
        return "a string literal"
    if isinstance(node, Atom) and node.kind == SYMBOL:
        return f"`{node.text}` already holds {'a list of plain strings' if plural else 'a string'}"
    if isinstance(node, ListNode):
        call = ctx.facts.call_at.get(id(node))
        if call is not None:
            returns = "a list of plain strings" if plural else "a plain string"
            return f"`{call.name}` already returns {returns}"
    return "the value is already a string"


_ELEMENT = ("car", "first", "second", "third", "last", "list-ref")


def _element_of_strings(ctx: RuleContext, node: Node) -> bool:
    """`(car xs)`, `(list-ref xs i)` … of a list of plain strings."""
    target = ctx.facts.binding_value(node)
    if not isinstance(target, ListNode):
        return False
    call = ctx.facts.call_at.get(id(target))
    if call is None or call.entry is None or call.entry.name not in _ELEMENT:
        return False
    args = call.positional()
    return bool(args) and ctx.facts.kind(args[0]) == STRINGS


def exports(ctx: RuleContext, value: Node) -> object:
    """What a `(syntax-e name)` elsewhere learns of a variable's value (see rules/__init__.py):
    whether it is an element of a list of plain strings."""
    return _element_of_strings(ctx, value)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    facts = ctx.facts
    for call in ctx.calls_to("syntax-e"):
        if call.entry is None:
            continue
        args = call.positional()
        if len(args) != 1 or call.keywords():
            continue
        arg = args[0]
        kind = facts.kind(arg)
        if kind not in (STRING_K, STRINGS) and _element_of_strings(ctx, arg):
            kind = STRING_K
        if kind not in (STRING_K, STRINGS):
            continue
        message = f"{_what(ctx, arg, kind)}: `syntax-e` has nothing to unwrap; remove it"
        fix = Fix("Remove the `syntax-e` wrapper",
                  (Edit(call.node.start, arg.start, ""), Edit(arg.end, call.node.end, "")))
        yield ctx.diagnostic(call.node, message, fix)
    # (map syntax-e strings): unwrapping each element of a list of plain strings
    for call in ctx.calls_to("map"):
        args = call.positional()
        if call.entry is None or len(args) != 2 or call.keywords():
            continue
        fn, items = args
        if not (isinstance(fn, Atom) and fn.kind == SYMBOL and fn.text == "syntax-e"
                and ctx.scopes.binding_of(fn) is None):
            continue
        if facts.kind(items) != STRINGS:
            continue
        what = _what(ctx, items, STRINGS)
        message = f"{what}: mapping `syntax-e` over it has nothing to unwrap; remove the `map`"
        fix = Fix("Remove the `(map syntax-e …)` wrapper",
                  (Edit(call.node.start, items.start, ""), Edit(items.end, call.node.end, "")))
        yield ctx.diagnostic(call.node, message, fix)
