r"""A Python name read in `py-exec` / `py-eval` that nothing sets.

## What it does
Reports a global name read by literal Python code when no `py-set!` binds it, no `py-exec`
(or `py-eval`) code assigns, imports or defines it, and it is neither `context` nor a Python
builtin. Attribute names and names local to functions and comprehensions are not checked;
when some Python global is set in a way that cannot be seen (computed `py-set!` names,
computed code, `from m import *`, `exec`), nothing is reported.

## Why is this bad?
The code fails with a `NameError` when the run reaches it — often a misspelt variable or a
`py-set!` that was forgotten (or that used a different name).

## Example
```scheme
(py-set! "records" (string-split context "\n"))
(finish (py-exec "print(len(record))"))
```

## Use instead
```scheme
(py-set! "records" (string-split context "\n"))
(finish (py-exec "print(len(records))"))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.names import closest
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import INFO, Diagnostic, Edit, Fix
from recipe.server.analysis.python_code import RUNTIME_GLOBALS

CODE = "P006"
NAME = "unset-python-name"
SEVERITY = INFO


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    python = ctx.analysis.python
    if python.names_unknowable:
        return
    known = python.known_names
    # (a name P005 already reports, `(py-set! "user-name" …)`, is no suggestion)
    candidates = sorted(name for name in (set(python.py_set_names) | python.assigned_names
                                          | {"context"}) - {"__name__", "__builtins__"}
                        if name.isidentifier())
    for snippet in python.snippets:
        if snippet.tree is None:
            continue
        reported: set[str] = set()
        for read in snippet.reads:
            if read.name in known or read.name in reported or read.name in RUNTIME_GLOBALS:
                continue
            reported.add(read.name)
            suggestion = closest(read.name, candidates)
            message = (f"Python name `{read.name}` is never set: no `py-set!` binds it, no "
                       "`py-exec` assigns it, and it is not `context` or a builtin")
            fix = None
            if suggestion is not None:
                message += f"; did you mean `{suggestion}`?"
                if ctx.document.text[read.start:read.end] == read.name:
                    fix = Fix(f"Replace with `{suggestion}`",
                              (Edit(read.start, read.end, suggestion),), safe=False)
            yield ctx.diagnostic((read.start, read.end), message, fix)
