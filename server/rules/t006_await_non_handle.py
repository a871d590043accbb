"""`await` / `await-all` / `await-any` on something that is not an async handle.

## What it does
Reports `await` given a value that is certainly not one async handle, and `await-all` /
`await-any` given a value that is certainly not a list of handles: the result of a
synchronous `llm-query`, of `map-async` (which already waits and returns strings), a
string, a number, a single handle where a list is needed, and the like.

## Why is this bad?
It fails at run time ("await: expected an async handle"), after the calls before it have
been paid for; usually the call that should have produced the handle is the synchronous
`llm-query`, so the recipe also runs slower than intended.

## Example
```scheme
(define draft
  (llm-query #:instruction "Draft a reply to this customer email." #:data context
             #:max-tokens 300))
(finish (syntax-e (await draft)))
```

## Use instead
```scheme
(define draft
  (llm-query-async #:instruction "Draft a reply to this customer email." #:data context
                   #:max-tokens 300))
(finish (syntax-e (await draft)))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import SYMBOL, Atom, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix
from recipe.server.analysis.facts import (
    BOOLEAN_K,
    HANDLE,
    HANDLES,
    NUMBER_K,
    PROCEDURE_K,
    STRING_K,
    STRINGS,
    SYNTAX,
    SYNTAXES,
    VOID_K,
)

from ._tjpfx import is_call_to

CODE = "T006"
NAME = "await-non-handle"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

_KIND_TEXT = {
    SYNTAX: "LLM text from a synchronous call",
    SYNTAXES: "a list of LLM texts from synchronous calls",
    STRING_K: "a string",
    STRINGS: "a list of strings",
    NUMBER_K: "a number",
    BOOLEAN_K: "a boolean",
    PROCEDURE_K: "a procedure",
    VOID_K: "void",
    HANDLE: "a single async handle",
    HANDLES: "a list of async handles",
}
_NOT_ONE = {SYNTAX, SYNTAXES, STRING_K, STRINGS, NUMBER_K, BOOLEAN_K, PROCEDURE_K, VOID_K,
            HANDLES}
_NOT_MANY = {SYNTAX, SYNTAXES, STRING_K, STRINGS, NUMBER_K, BOOLEAN_K, PROCEDURE_K, VOID_K,
             HANDLE}


def _subject(node: Node) -> str:
    if isinstance(node, Atom) and node.kind == SYMBOL:
        return f"`{node.text}` is"
    return "the argument is"


def _handles_list(ctx: RuleContext, node: Node) -> bool:
    """`(list h …)` or `(map f xs)` whose items are certainly async handles."""
    facts = ctx.facts
    target = facts.binding_value(node)
    call = is_call_to(ctx, target, "list", "map")
    if call is None:
        return False
    args = call.positional()
    if call.name == "list":
        return bool(args) and all(facts.kind(a) == HANDLE for a in args)
    functions = facts.functions_of(args[0]) if args else []
    return bool(functions) and all(facts.function_result_kind(f) == HANDLE for f in functions)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    facts = ctx.facts
    for call in ctx.calls_to("await", "await-all", "await-any", "await-all-syntax"):
        if call.entry is None:
            continue
        args = call.positional()
        if len(args) != 1:
            continue
        arg = args[0]
        kind = facts.kind(arg)
        single = call.name == "await"
        if single and kind not in _NOT_ONE and _handles_list(ctx, arg):
            kind = HANDLES
        if kind not in (_NOT_ONE if single else _NOT_MANY):
            continue
        needs = "one async handle" if single else "a list of async handles"
        message = f"`{call.name}` needs {needs}, but {_subject(arg)} {_KIND_TEXT[kind]}"
        fix = None
        sync = is_call_to(ctx, facts.binding_value(arg), "llm-query")
        if kind == HANDLES and single:
            message += ": use `await-all` for a list"
            fix = Fix("Use `await-all`", (Edit(call.head.start, call.head.end, "await-all"),),
                      safe=False)
        elif kind == HANDLE:
            message += f": use `await`, or wrap it: `({call.name} (list …))`"
        elif kind == STRINGS and is_call_to(ctx, facts.binding_value(arg), "map-async"):
            message += ": `map-async` already waits for its calls; drop the await"
            if is_call_to(ctx, arg, "map-async") is not None:
                fix = Fix(f"Remove the `{call.name}` wrapper",
                          (Edit(call.node.start, arg.start, ""),
                           Edit(arg.end, call.node.end, "")))
        elif kind == SYNTAX and sync is not None:
            message += ": start the call with `llm-query-async`"
            if not sync.has_keyword("recursive"):
                binding = ctx.scopes.binding_of(arg) if isinstance(arg, Atom) else None
                # safe when this await is the only use of the value
                safe = binding is None or len(binding.refs) == 1
                fix = Fix("Use `llm-query-async`",
                          (Edit(sync.head.start, sync.head.end, "llm-query-async"),), safe=safe)
        elif kind in (SYNTAX, SYNTAXES):
            message += ": start the calls with `llm-query-async`"
        yield ctx.diagnostic(arg, message, fix)
