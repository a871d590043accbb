"""`py-set!` name that is not a Python identifier.

## What it does
Reports a literal `py-set!` name that Python code cannot refer to: one with a dash, a space
or a dot, starting with a digit, a Python keyword (`class`, `None` …), or non-ASCII (the
runtime accepts ASCII identifiers only).

## Why is this bad?
The runtime rejects the name ("name must be an identifier") — and even if it were stored,
no Python code could read it. Scheme-style names (`user-query`) are the usual slip.

## Example
```scheme
(py-set! "user-query" context)
(finish (py-exec "print(len(user_query.split()))"))
```

## Use instead
```scheme
(py-set! "user_query" context)
(finish (py-exec "print(len(user_query.split()))"))
```
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator

from recipe.runtime.lang.syntax import STRING, Atom, Quote
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix

from ._tjpfx import follow

CODE = "P005"
NAME = "bad-python-identifier"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def suggest(name: str) -> str | None:
    fixed = re.sub(r"[^A-Za-z0-9_]", "_", name.strip())
    if not fixed:
        return None
    if fixed[0].isdigit():
        fixed = "_" + fixed
    if keyword.iskeyword(fixed):
        fixed += "_"
    return fixed if _IDENT.fullmatch(fixed) and fixed != name else None


def problem(name: str) -> str | None:
    if name == "":
        return "it is empty"
    if keyword.iskeyword(name):
        return "it is a Python keyword"
    if _IDENT.fullmatch(name):
        return None
    if name.isidentifier():
        return "the runtime accepts ASCII identifiers only"
    if name[0].isdigit():
        return "it starts with a digit"
    bad = next((c for c in name if not (c.isalnum() or c == "_")), None)
    if bad is not None:
        return f"it contains {bad!r}"
    return "it is not a Python identifier"


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in ctx.calls_to("py-set!"):
        if call.entry is None or not call.positional():
            continue
        arg = call.positional()[0]
        target, _ = follow(ctx, arg)
        if isinstance(target, Quote) and isinstance(target.datum, Atom):
            name_atom = target.datum
            name = name_atom.text
            quoted = False
        elif isinstance(target, Atom) and target.kind == STRING and isinstance(target.value, str):
            name_atom = target
            name = target.value
            quoted = True
        else:
            continue
        why = problem(name)
        if why is None:
            continue
        better = suggest(name)
        message = f"`py-set!` name {name!r} is not a Python identifier ({why})"
        fix = None
        if better is not None:
            message += f": use {better!r}, and the same name in the Python code"
            fix = Fix(f"Rename to {better!r}",
                      (Edit(name_atom.start, name_atom.end,
                            f'"{better}"' if quoted else better),), safe=False)
        yield ctx.diagnostic(arg, message, fix)
