"""A closer of the wrong kind: `(let [x 1)`.

## What it does
Reports a `)`, `]` or `}` that does not match the innermost open bracket, and names the closer that was expected and where its opener is.

## Why is this bad?
`()`, `[]` and `{}` are interchangeable but each must close with its own kind; a mismatch is a read error in Racket and here.

## Example
```scheme
(let ([x 1)) (finish x))
```

## Use instead
```scheme
(let ([x 1]) (finish x))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic

from ._syntax import syntax_diagnostics

CODE = "S002"
NAME = "mismatched-closer"
SEVERITY = ERROR
SCOPE = "file"  # the reader's errors of the whole document


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    return syntax_diagnostics(ctx)
