"""A malformed token: `#:` alone, a bad `#\\` character, a bad number like `1.2.3`.

## What it does
Reports tokens the reader cannot read: a keyword marker without a name, an unknown character name, a number with a malformed shape, an unknown string escape, a quote or `#;` with nothing after it, a `.` anywhere but before the last datum of a list (`(a . b)`, `(a b . c)`), or a stray `#` form.

## Why is this bad?
The recipe cannot run, and the token is almost always a typo.

## Example
```scheme
(define temperature 0.2.1)
(define pair (list 1 . 2 3))
(finish (llm-query #: "x"))
```

## Use instead
```scheme
(define temperature 0.2)
(define pair (list 1 2 3))
(finish (syntax-e (llm-query #:instruction "x" #:max-tokens 50)))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic

from ._syntax import syntax_diagnostics

CODE = "S005"
NAME = "malformed-token"
SEVERITY = ERROR
SCOPE = "file"  # the reader's errors of the whole document


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    return syntax_diagnostics(ctx)
