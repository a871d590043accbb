"""Wrong number of positional arguments to a known procedure or user function.

## What it does
Compares the positional arguments of a call (keyword arguments excluded) with the
parameters of the procedure it calls: a built-in, primitive or combinator from the
catalogue, or a function defined in the recipe (including named-`let` loops). A call whose
arguments end in a dotted pair, `(f a . b)`, is reported at the `.` whatever it calls: the
arguments of a call are not a dotted list, and `recipe run` refuses the recipe there. A call
of a recipe function that leaves out a keyword parameter without a default (`#:k k`, not
`#:k [k 1]`) is reported too.

## Why is this bad?
The call fails at run time with an arity error, after any LLM calls before it were paid.

## Example
```scheme
(define (summarise doc style)
  (syntax-e (llm-query #:instruction style #:data doc #:max-tokens 200)))
(finish (summarise context))
```

## Use instead
```scheme
(define (summarise doc style)
  (syntax-e (llm-query #:instruction style #:data doc #:max-tokens 200)))
(finish (summarise context "Summarise in one paragraph."))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang import catalog
from recipe.runtime.lang.syntax import DOT, Atom
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic

CODE = "N002"
NAME = "wrong-arity"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)


def _expected(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low} argument{'s' if low != 1 else ''}"
    if low == high:
        return f"{low} argument{'s' if low != 1 else ''}"
    return f"{low} to {high} arguments"


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in ctx.calls():
        if not call.node.closed:
            continue  # the reader closed it: the arguments are not what was meant
        dot = next((item for item in call.node.items[1:]
                    if item.__class__ is Atom and item.kind == DOT), None)  # type: ignore[attr-defined]
        if dot is not None:
            yield ctx.diagnostic(dot, "illegal use of `.`: the arguments of a call are not a "
                                 "dotted list (`recipe run` stops here); to pass a list's "
                                 f"items as arguments, use `(apply {call.name} … list)`")
            continue
        if call.entry is not None:
            if not call.entry.is_procedure or call.entry.kind == catalog.SPECIAL_FORM:
                continue
            low, high = call.entry.min_args, call.entry.max_args
            what = f"`{call.name}`"
        elif call.binding is not None and call.binding.signature is not None \
                and not call.binding.assigned:
            sig = call.binding.signature
            low = len(sig.required)
            high = None if sig.rest else low + len(sig.optional)
            what = f"`{call.name}` (defined at {ctx.analysis.where(call.binding.atom.start)})" \
                if call.binding.atom is not None else f"`{call.name}`"
        else:
            continue
        args = call.positional()
        got = len(args)
        if got < low:
            yield ctx.diagnostic(call.node, f"{what} takes {_expected(low, high)}, got {got}")
        elif high is not None and got > high:
            extra = args[high:]
            yield ctx.diagnostic((extra[0].start, extra[-1].end),
                                 f"{what} takes {_expected(low, high)}, got {got}")
        if call.entry is None and call.binding is not None and call.binding.signature is not None:
            missing = [f"`#:{name}`" for name, required in call.binding.signature.keywords.items()
                       if required and not call.has_keyword(name)]
            if missing:
                # (a keyword parameter without a default: the run stops at this call)
                yield ctx.diagnostic(call.node, f"{what} needs {' and '.join(missing)} (a "
                                     f"keyword parameter without a default), not given here")
