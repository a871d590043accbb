r"""Python code built with `string-append` / `format` from runtime values.

## What it does
Reports a `py-exec` or `py-eval` whose code is assembled at run time — `string-append`,
`format`, `~a` or `string-join` with values that are not literals (the data, an LLM answer,
a variable).

## Why is this bad?
A quote, backslash or newline in the value breaks the code (a `SyntaxError` on some inputs
only), and text that comes from the data or a model runs as Python: an injection hole.
`py-set!` converts the value without any escaping; the code then refers to it by name.

## Example
```scheme
(define pattern (syntax-e (llm-query #:instruction "Write one Python regex that matches ISO dates."
                                     #:max-tokens 40)))
(py-set! "text" context)
(define dates (py-exec (string-append "import re\nprint(re.findall(r'" pattern "', text))")))
(finish dates)
```

## Use instead
```scheme
(define pattern (syntax-e (llm-query #:instruction "Write one Python regex that matches ISO dates."
                                     #:max-tokens 40)))
(py-set! "text" context)
(py-set! "pattern" pattern)
(define dates (py-exec "import re\nprint(re.findall(pattern, text))"))
(finish dates)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import STRING, Atom, ListNode, Node, Quote
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Related
from recipe.server.analysis.python_code import PYTHON_CALLS

from ._tjpfx import compact, follow

CODE = "P003"
NAME = "python-built-from-strings"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

_BUILDERS = ("string-append", "format", "~a", "string-join")


def _quoted_interpolation(node: ListNode) -> bool:
    """`(string-append "x = 'hello " value "'")`: a value spliced into a Python string
    literal (an odd number of quotes before it), even when the value is a constant."""
    before = ""
    for item in node.items[1:]:
        if isinstance(item, Atom) and item.kind == STRING and isinstance(item.value, str):
            before += item.value
            continue
        if before.count("'") % 2 == 1 or before.count('"') % 2 == 1:
            return True
        before += "x"
    return False


def _builder(ctx: RuleContext, node: Node | None) -> ListNode | None:
    if not isinstance(node, ListNode):
        return None
    call = ctx.facts.call_at.get(id(node))
    if call is None or call.entry is None or call.entry.name not in _BUILDERS:
        return None
    if ctx.facts.literal_string(node) is not None and not _quoted_interpolation(node):
        return None  # only literals and code fragments: fine
    args = call.positional()
    if call.entry.name == "string-join" and args and isinstance(args[0], Quote):
        return None
    if call.entry.name in ("format", "~a") and all(
            ctx.facts.literal_string(a) is not None for a in args):
        return None
    return node


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for call in ctx.calls_to(*PYTHON_CALLS):
        if call.entry is None or not call.positional():
            continue
        arg = call.positional()[0]
        target, via = follow(ctx, arg)
        built = _builder(ctx, target)
        if built is None:
            continue
        how = built.head_name()
        related = []
        if via is not None:
            related.append(Related(built.start, built.end, f"the code is built here with `{how}`"))
        message = (f"Python code built with `{how}` from runtime values: a quote or newline in a "
                   "value breaks it, and data runs as code; `py-set!` the value, then refer to "
                   f"it by name in the `{call.name}` code")
        yield ctx.diagnostic(compact(ctx, arg), message, related=related)
