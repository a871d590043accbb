r"""Python syntax error inside a literal `py-exec` / `py-eval` string.

## What it does
Parses the code of every `py-exec` and `py-eval` whose argument is a string literal (or a
constant, or `string-append` of literals) exactly as the runtime compiles it — `exec` mode
for `py-exec`, `eval` mode for `py-eval`, with no dedent — and reports Python's syntax
error at its exact place inside the string, mapped back through escapes such as `\n` and
`\"`. Code indented as a whole (common in generated recipes) is an "unexpected indent"; the
fix dedents it.

## Why is this bad?
The error otherwise appears only when the run reaches that line, after the LLM calls before
it have been paid for — and the traceback then points into a string, not at the recipe.

## Example
```scheme
(py-set! "rows" (string-split context "\n"))
(define report
  (py-exec "counts = {}
for row in rows
    key = row.split(',')[0]
    counts[key] = counts.get(key, 0) + 1
print(counts)"))
(finish report)
```

## Use instead
```scheme
(py-set! "rows" (string-split context "\n"))
(define report
  (py-exec "counts = {}
for row in rows:
    key = row.split(',')[0]
    counts[key] = counts.get(key, 0) + 1
print(counts)"))
(finish report)
```
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator

from recipe.runtime.lang.syntax import decode_string
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix, Related
from recipe.server.analysis.python_code import EVAL, Snippet

CODE = "P001"
NAME = "python-syntax-error"
SEVERITY = ERROR


def _dedent_fix(snippet: Snippet) -> Fix | None:
    """Dedent a whole-indented literal in place, when that makes it valid Python."""
    text = snippet.text
    if text is None or len(text.atoms) != 1:
        return None
    atom = text.atoms[0]
    body = atom.text[1:-1]
    cut = body.rfind("\n") + 1
    head, tail = (body[:cut], body[cut:]) if body[cut:].strip() == "" else (body, "")
    new_body = textwrap.dedent(head) + tail
    if new_body == body:
        return None
    code, bad = decode_string(new_body)
    if bad is not None:
        return None
    try:
        ast.parse(code, "<py>", snippet.op)
    except (SyntaxError, ValueError):
        return None
    return Fix("Dedent the Python code", (Edit(atom.start + 1, atom.end - 1, new_body),))


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for snippet in ctx.analysis.python.snippets:
        error = snippet.error
        if error is None:
            continue
        op = snippet.call.name
        message = f"Python {error.kind} in `{op}` code (line {error.lineno}): {error.message}"
        fix = None
        if error.kind == "IndentationError" and "unexpected indent" in error.message:
            message += ("; the runtime runs the code as written, without dedenting: start its "
                        "top-level lines at column 0")
            fix = _dedent_fix(snippet)
        elif snippet.op == EVAL:
            message += " (`py-eval` takes one Python expression)"
        related = []
        if snippet.arg is not None and snippet.text is not None \
                and snippet.text.atoms[0] is not snippet.arg:
            related.append(Related(snippet.arg.start, snippet.arg.end, f"the code `{op}` runs"))
        yield ctx.diagnostic((error.start, error.end), message, fix, related)
