"""An identifier that is not defined anywhere: `llm-querry`.

## What it does
Reports a name that is not bound by any definition, parameter or binding form in scope,
and is not a built-in, primitive or combinator. Suggests the nearest known name. Also
reports a call, run as the top-level forms run, of a function defined further down the
file: top-level forms run in order, so it is not defined yet there.

## Why is this bad?
The recipe fails at run time when it reaches the name — possibly after paying for every
LLM call made before it.

## Example
```scheme
(define answer (llm-querry #:instruction "Say hi." #:max-tokens 10))
(finish (syntax-e answer))
```

## Use instead
```scheme
(define answer (llm-query #:instruction "Say hi." #:max-tokens 10))
(finish (syntax-e answer))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix
from recipe.server.analysis.scopes import LAMBDA_NAMES

from ._names import suggest_name

CODE = "N001"
NAME = "unbound-identifier"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

_SYNTAX_WORDS = {"else", "=>", "on-error", "_", "...", "unquote", "unquote-splicing"}


def _deferred(ctx: RuleContext, node: Node) -> bool:
    """Whether ``node`` runs only when a function is called — it lies in a lambda or in a
    function definition (the resolver's ``function_of``; an optional parameter's default is
    computed per call too) — not when the top-level form holding it runs."""
    parents = ctx.document.parents
    functions = ctx.scopes.function_of
    parent = parents.get(id(node))
    while parent is not None:
        if id(parent) in functions or (parent.__class__ is ListNode
                                       and parent.head_name() in LAMBDA_NAMES):  # type: ignore[attr-defined]
            return True
        parent = parents.get(id(parent))
    return False


def _called_before_definition(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Calls, run as the top-level forms run, of a top-level function defined further down:
    `recipe run` stops there ("cannot reference an identifier before its definition")."""
    first: dict[str, int] | None = None  # name → where its first top-level definition starts
    for call in ctx.calls():
        binding = call.binding
        if binding is None or not binding.top_level or binding.form is None \
                or binding.form.start < call.node.end or _deferred(ctx, call.node):
            continue
        if first is None:
            # (a name defined twice resolves to the last definition: an earlier one may
            # already be there when the call runs)
            first = {}
            for b in ctx.scopes.bindings:
                if b.top_level and b.form is not None and b.form.start < first.get(b.name, 1 << 62):
                    first[b.name] = b.form.start
        if first.get(call.name, binding.form.start) < call.node.start:
            continue
        yield ctx.diagnostic(call.head, f"`{call.name}` is called before its definition (at "
                             f"{ctx.analysis.where(binding.form.start)}): top-level forms run in "
                             "order, so it is not defined yet here")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from _called_before_definition(ctx)
    for atom in ctx.unbound():
        if atom.text in _SYNTAX_WORDS:
            continue
        suggestion = suggest_name(ctx, atom)
        if suggestion is not None:
            fix = Fix(f"Replace with `{suggestion}`", (Edit(atom.start, atom.end, suggestion),),
                      safe=False)
            yield ctx.diagnostic(atom, f"unbound identifier `{atom.text}`; did you mean "
                                 f"`{suggestion}`?", fix)
        else:
            yield ctx.diagnostic(atom, f"unbound identifier `{atom.text}`: it is not defined "
                                 "in this recipe and is not a built-in")
