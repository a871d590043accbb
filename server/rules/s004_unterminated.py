"""An unterminated string or block comment.

## What it does
Reports a `"` without a closing quote or a `#|` without a matching `|#`; both run to the end of the file.

## Why is this bad?
Everything after the opener becomes part of the string or comment, so the rest of the recipe silently disappears.

## Example
```scheme
(define prompt "Summarise the text.)
(finish prompt)
```

## Use instead
```scheme
(define prompt "Summarise the text.")
(finish prompt)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic

from ._syntax import syntax_diagnostics

CODE = "S004"
NAME = "unterminated-string-or-comment"
SEVERITY = ERROR
SCOPE = "file"  # the reader's errors of the whole document


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    return syntax_diagnostics(ctx)
