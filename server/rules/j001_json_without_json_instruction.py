"""`#:json #t` but the instruction never mentions JSON.

## What it does
Reports an LLM call with `#:json #t` whose `#:instruction` does not contain the word
"json" (in any case), or that has no `#:instruction` at all. The instruction is read from
literals, constants and `string-append` / `format` pieces; when it is built from values that
cannot be known, nothing is reported.

## Why is this bad?
The OpenAI API rejects JSON mode unless the word "json" appears in the messages: every such
call fails with a 400 error at run time — in a fan-out, every item fails.

## Example
```scheme
(define fields
  (llm-query #:instruction "Extract the invoice number, date and total."
             #:data context
             #:json #t
             #:max-tokens 200))
(finish (syntax-e fields))
```

## Use instead
```scheme
(define fields
  (llm-query #:instruction "Extract the invoice number, date and total as a JSON object."
             #:data context
             #:json #t
             #:max-tokens 200))
(finish (syntax-e fields))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from recipe.runtime.lang.syntax import STRING, Atom
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic, Edit, Fix

from ._tjpfx import is_true, keyword_item, keyword_span, llm_calls

CODE = "J001"
NAME = "json-without-json-instruction"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)
READS_PROMPTS = True  # the instruction's words


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    facts = ctx.facts
    for call in llm_calls(ctx, keyword="json"):
        item = keyword_item(call, "json")
        if item is None or not is_true(ctx, item[1]):
            continue
        span = keyword_span(call, "json")
        assert span is not None
        instruction = call.keyword("instruction")
        if instruction is None:
            if call.has_keyword("instruction"):
                continue
            yield ctx.diagnostic(span, f"`#:json #t` needs the word \"json\" in `#:instruction`"
                                 f" (the API rejects the call otherwise), but this "
                                 f"`{call.name}` has no `#:instruction`: add one that asks "
                                 "for a JSON object")
            continue
        text = facts.literal_string(instruction)
        if text is None:
            parts = facts.literal_parts(instruction)
            if any("json" in part.lower() for part in parts):
                continue
            continue  # built at run time: it may mention JSON
        if "json" in text.lower():
            continue
        fix = None
        target = facts.binding_value(instruction)
        if isinstance(target, Atom) and target.kind == STRING and target is instruction \
                and target.text.endswith('"'):
            body = target.text[1:-1].rstrip()
            addition = " Reply with a JSON object." if body else "Reply with a JSON object."
            if body and body[-1] not in ".!?:":
                addition = "." + addition
            fix = Fix("Ask for JSON in the instruction",
                      (Edit(target.start + 1 + len(body), target.end - 1, addition),),
                      safe=False)
        yield ctx.diagnostic(span, "`#:json #t` needs the word \"json\" in `#:instruction` (the "
                             "API rejects the call otherwise): say e.g. \"Reply with a JSON "
                             "object.\"", fix)
