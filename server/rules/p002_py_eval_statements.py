"""`py-eval` given statements, an import or several lines of code.

## What it does
Reports a `py-eval` whose literal code is not one Python expression but statements: an
`import`, an assignment, a loop, or several statements on several lines. (A single
expression spread over several lines inside brackets is fine.)

## Why is this bad?
`py-eval` compiles its code in Python's `eval` mode, which accepts one expression only: the
call fails with a `SyntaxError` at run time. Run the statements with `py-exec`, then
`py-eval` the expression.

## Example
```scheme
(py-set! "raw" context)
(define total
  (py-eval "import json
sum(item['amount'] for item in json.loads(raw))"))
(finish total)
```

## Use instead
```scheme
(py-set! "raw" context)
(py-exec "import json
items = json.loads(raw)")
(define total (py-eval "sum(item['amount'] for item in items)"))
(finish total)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from recipe.runtime.lang.syntax import has_line_break
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix
from recipe.server.analysis.python_code import EVAL, Snippet

from ._tjpfx import compact

CODE = "P002"
NAME = "py-eval-statements"
SEVERITY = ERROR


def _describe(tree: ast.Module) -> str:
    body = tree.body
    if any(isinstance(s, ast.Import | ast.ImportFrom) for s in body):
        return "an import"
    if len(body) > 1:
        return f"{len(body)} statements"
    if body and isinstance(body[0], ast.Assign | ast.AugAssign | ast.AnnAssign):
        return "an assignment"
    return "a statement"


def _quote(code: str) -> str:
    return '"' + code.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _split_fix(ctx: RuleContext, snippet: Snippet, tree: ast.Module) -> Fix | None:
    """`(begin (py-exec "statements") (py-eval "last expression"))`."""
    text = snippet.text
    if text is None or len(tree.body) < 2 or not isinstance(tree.body[-1], ast.Expr):
        return None
    last = tree.body[-1]
    index = snippet.index(last.lineno, snippet.char_column(last.lineno, last.col_offset))
    code = text.code
    statements, expression = code[:index].rstrip(), code[index:].strip()
    if not statements.strip() or has_line_break(expression):
        return None
    node = snippet.call.node
    new = f"(begin (py-exec {_quote(statements)}) (py-eval {_quote(expression)}))"
    return Fix("Run the statements with `py-exec`, then `py-eval` the expression",
               (Edit(node.start, node.end, new),), safe=False)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for snippet in ctx.analysis.python.snippets:
        if snippet.op != EVAL or not snippet.statements or snippet.statement_tree is None:
            continue
        tree = snippet.statement_tree
        target = snippet.arg if snippet.arg is not None else snippet.call.node
        message = (f"`py-eval` takes one Python expression, but this code is {_describe(tree)}: "
                   "use `py-exec` for the statements, then `py-eval` for the expression")
        yield ctx.diagnostic(compact(ctx, target), message, _split_fix(ctx, snippet, tree))
