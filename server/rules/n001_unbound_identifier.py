"""An identifier that is not defined anywhere: `llm-querry`.

## What it does
Reports a name that is not bound by any definition, parameter or binding form in scope,
and is not a built-in, primitive or combinator. Suggests the nearest known name.

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

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix

from ._names import suggest_name

CODE = "N001"
NAME = "unbound-identifier"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

_SYNTAX_WORDS = {"else", "=>", "on-error", "_", "...", "unquote", "unquote-splicing"}


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
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
