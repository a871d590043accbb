"""LLM text used as a string without `syntax-e`.

## What it does
Reports a value that is still a syntax object — the result of `llm-query` or `await`, or a
variable or function that returns one — passed where a string is required: `string-append`,
`string-length` and the other string procedures, `py-set!`'s value, `finish`,
`#:data` / `#:instruction` of another call. The fix wraps the argument in `(syntax-e …)`.

## Why is this bad?
The runtime refuses it ("unwrap it with syntax-e"): LLM output is wrapped so that it never
flows onward unnoticed — the language's defence against prompt-injection cascades. The
error comes at run time, after the first call has been paid for.

## Example
```scheme
(define summary
  (llm-query #:instruction "Summarise the document in five bullet points."
             #:data context
             #:max-tokens 400))
(define title
  (llm-query #:instruction "Write a title for this summary."
             #:data summary
             #:max-tokens 20))
(finish (syntax-e title))
```

## Use instead
```scheme
(define summary
  (llm-query #:instruction "Summarise the document in five bullet points."
             #:data context
             #:max-tokens 400))
(define title
  (llm-query #:instruction "Write a title for this summary."
             #:data (syntax-e summary)
             #:max-tokens 20))
(finish (syntax-e title))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang import catalog
from recipe.runtime.lang.syntax import SYMBOL, Atom, ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix
from recipe.server.analysis.facts import SYNTAX, SYNTAXES
from recipe.server.analysis.scopes import Call

CODE = "T003"
NAME = "unwrapped-llm-text"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

_STRING_TYPES = {catalog.STRING, catalog.STRING_OR_LIST, catalog.NAME}
# Parameters the catalogue types as "any" but that refuse a syntax object all the same
# (as the runtime does): positions, or every position from the one given by `_FROM`.
_EXTRA_SINKS = {"py-set!": (1,), "finish": (0,), "checkpoint": (1,)}
_EXTRA_SINKS_FROM = {"format": 1, "printf": 1, "eprintf": 1, "fprintf": 2, "~a": 0, "~s": 0,
                     "~v": 0}


def _origin(ctx: RuleContext, node: Node) -> str:
    if isinstance(node, Atom) and node.kind == SYMBOL:
        return f"`{node.text}` holds LLM text still wrapped as a syntax object"
    if isinstance(node, ListNode):
        call = ctx.facts.call_at.get(id(node))
        if call is not None:
            if call.entry is not None:
                return f"the result of `{call.name}` is LLM text still wrapped as a syntax object"
            return f"`{call.name}` returns LLM text still wrapped as a syntax object"
    return "this is LLM text still wrapped as a syntax object"


def _wrap(ctx: RuleContext, node: Node, where: str) -> Diagnostic:
    text = ctx.analysis.text(node)
    shown = text if len(text) <= 30 and "\n" not in text else "…"
    message = f"{_origin(ctx, node)}: unwrap it with `(syntax-e {shown})` before {where}"
    fix = Fix("Wrap in `(syntax-e …)`",
              (Edit(node.start, node.start, "(syntax-e "), Edit(node.end, node.end, ")")))
    return ctx.diagnostic(node, message, fix)


def _sinks(call: Call) -> Iterator[tuple[Node, str]]:
    entry = call.entry
    assert entry is not None
    positional = call.positional()
    params = entry.params
    extra = _EXTRA_SINKS.get(entry.name, ())
    extra_from = _EXTRA_SINKS_FROM.get(entry.name, len(positional))
    for index, arg in enumerate(positional):
        if index < len(params):
            param = params[index]
        elif params and params[-1].rest:
            param = params[-1]
        else:
            break
        if param.type in _STRING_TYPES or index in extra or index >= extra_from:
            yield arg, f"passing it to `{call.name}`"
    for atom, value in call.keywords():
        spec = entry.keyword(atom.text[2:])
        if value is not None and spec is not None and spec.type in _STRING_TYPES:
            yield value, f"using it as `{atom.text}`"


def _wrap_list(ctx: RuleContext, node: Node, where: str) -> Diagnostic:
    return ctx.diagnostic(
        node, "these are LLM texts still wrapped as syntax objects: unwrap them with "
        f"`(map syntax-e …)` before {where}",
        Fix("Wrap in `(map syntax-e …)`",
            (Edit(node.start, node.start, "(map syntax-e "), Edit(node.end, node.end, ")"))))


_DEEP_SINKS = {"finish": 0, "py-set!": 1, "checkpoint": 1}
_CONSTRUCTORS = frozenset(("list", "vector", "cons", "list*", "append"))


def _deep(ctx: RuleContext, node: Node, where: str, depth: int) -> Iterator[Diagnostic]:
    """Elements of a list built in place that are LLM text (the top value itself is checked
    by the caller)."""
    if depth > 8 or not isinstance(node, ListNode):
        return
    call = ctx.facts.call_at.get(id(node))
    if call is None or call.entry is None or call.binding is not None \
            or call.entry.name not in _CONSTRUCTORS:
        return
    for item in call.positional():
        kind = ctx.facts.kind(item)
        if kind == SYNTAX:
            yield _wrap(ctx, item, f"{where} (inside `{call.name}`)")
        elif kind == SYNTAXES and call.entry.name != "append":
            yield _wrap_list(ctx, item, f"{where.replace(' it ', ' them ')} (inside `{call.name}`)")
        else:
            yield from _deep(ctx, item, where, depth + 1)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    facts = ctx.facts
    for call in ctx.calls():
        entry = call.entry
        if entry is None or not entry.is_procedure:
            continue
        for arg, where in _sinks(call):
            if facts.kind(arg) == SYNTAX:
                yield _wrap(ctx, arg, where)
        if entry.name in _DEEP_SINKS:
            # finish and py-set! refuse LLM text anywhere inside the value: look into the
            # lists built in place, `(finish (list a b))`
            index = _DEEP_SINKS[entry.name]
            positional = call.positional()
            if index < len(positional):
                arg = positional[index]
                if facts.kind(arg) == SYNTAXES:
                    yield _wrap_list(ctx, arg, f"passing them to `{entry.name}`")
                else:
                    yield from _deep(ctx, arg, f"passing it to `{entry.name}`", 0)
        if entry.name == "string-join":
            positional = call.positional()
            if positional and facts.kind(positional[0]) == SYNTAXES:
                arg = positional[0]
                yield _wrap_list(ctx, arg, "passing them to `string-join`")
            elif positional:
                # (string-join (list "a" r) " "): an element built in place is LLM text
                yield from _deep(ctx, positional[0], "passing it to `string-join`", 0)
