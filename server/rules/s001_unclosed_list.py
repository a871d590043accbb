"""Unclosed `(`, `[` or `{`.

## What it does
Reports a list whose closer is missing. A `(` at column 0 while a form is still open is taken as the start of the next top-level form, so the open form is reported at its opener and the rest of the file is still read.

## Why is this bad?
The recipe cannot run: the reader cannot tell where the form ends, and everything after it would be swallowed into it.

## Example
```scheme
(define (summarise doc)
  (syntax-e (llm-query #:instruction "Summarise." #:data doc #:max-tokens 200))

(finish (summarise context))
```

## Use instead
```scheme
(define (summarise doc)
  (syntax-e (llm-query #:instruction "Summarise." #:data doc #:max-tokens 200)))

(finish (summarise context))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic

from ._syntax import syntax_diagnostics

CODE = "S001"
NAME = "unclosed-list"
SEVERITY = ERROR
SCOPE = "file"  # the reader's errors of the whole document


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    return syntax_diagnostics(ctx)
