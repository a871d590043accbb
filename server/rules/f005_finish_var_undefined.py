"""`finish-var` names a variable that is never defined.

## What it does
Reports `(finish-var "name")` when no top-level variable of that name is defined in the
recipe (nor is it a built-in variable such as `context`), with the nearest defined name.
`finish-var` looks the name up among the recipe's top-level variables, so a local one (a
`let` variable, a parameter) does not count.

## Why is this bad?
The run reaches its very end — every LLM call paid for — and then fails to produce a result
("finish-var: undefined variable").

## Example
```scheme
(define final-report
  (syntax-e (llm-query #:instruction "Write the final report." #:data context
                       #:max-tokens 800)))
(finish-var "final_report")
```

## Use instead
```scheme
(define final-report
  (syntax-e (llm-query #:instruction "Write the final report." #:data context
                       #:max-tokens 800)))
(finish-var "final-report")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang import catalog
from recipe.runtime.lang.names import closest
from recipe.runtime.lang.syntax import STRING, SYMBOL, Atom, Quote
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix

from ._tjpfx import follow

CODE = "F005"
NAME = "finish-var-undefined"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    top_level = ctx.scopes.top_level_names
    defined = set(top_level)
    for call in ctx.calls_to("finish-var"):
        if call.entry is None or not call.positional():
            continue
        arg = call.positional()[0]
        target, _ = follow(ctx, arg)
        if isinstance(target, Atom) and target.kind == STRING and isinstance(target.value, str):
            name, atom, quoted = target.value, target, True
        elif isinstance(target, Quote) and isinstance(target.datum, Atom) \
                and target.datum.kind == SYMBOL:
            name, atom, quoted = target.datum.text, target.datum, False
        else:
            continue
        entry = catalog.lookup(name)
        if name in defined or (entry is not None and entry.kind == catalog.VARIABLE):
            continue
        suggestion = closest(name, top_level)
        message = f"`finish-var` names `{name}`, but no top-level variable of that name is defined"
        fix = None
        if suggestion is not None:
            message += f"; did you mean `{suggestion}`?"
            fix = Fix(f"Replace with `{suggestion}`",
                      (Edit(atom.start, atom.end, f'"{suggestion}"' if quoted else suggestion),),
                      safe=False)
        yield ctx.diagnostic(arg, message, fix)
