"""A closer with nothing open, at top level.

## What it does
Reports a `)`, `]` or `}` that closes nothing.

## Why is this bad?
It is usually a leftover of an edit: one closer too many on the form before it, which may mean that form ends earlier than intended.

## Example
```scheme
(define x 1))
(finish x)
```

## Use instead
```scheme
(define x 1)
(finish x)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic

from ._syntax import syntax_diagnostics

CODE = "S003"
NAME = "unexpected-closer"
SEVERITY = ERROR
SCOPE = "file"  # the reader's errors of the whole document


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    return syntax_diagnostics(ctx)
