"""A string literal that looks like an API key.

## What it does
Reports a string literal containing something shaped like an OpenAI-style secret key:
`sk-` or `sk-proj-` (also `sk-svcacct-`, `sk-admin-`, `sk-ant-`) followed by 20 or more key
characters. The message shows only the first characters of the key.

## Why is this bad?
Recipes are shared, committed and pasted into chats; a key in one is a leaked key. The
runtime reads the key from the environment (`OPENAI_API_KEY`) — a recipe never needs one.

## Example
```scheme
(define key "sk-proj-Xa81kLq0ZzT4bN7mVw2RcYe9Hs5Ud3Fg")
(py-set! "api_key" key)
(finish (py-exec "print(len(api_key))"))
```

## Use instead
```scheme
(define answer
  (llm-query #:instruction "Say hello." #:max-tokens 10))
(finish (syntax-e answer))
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from recipe.runtime.lang.syntax import STRING, Atom
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import ERROR, Diagnostic

CODE = "X002"
NAME = "api-key-literal"
SEVERITY = ERROR
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)
READS_PROMPTS = True  # every string's text

KEY_PATTERN = re.compile(
    r"(?<![A-Za-z0-9_-])(sk-(?:proj-|svcacct-|admin-|ant-(?:api\d\d-)?)?)([A-Za-z0-9_-]{20,})")


def looks_like_key(secret: str) -> bool:
    """Enough variety to be a key, not a placeholder (`sk-xxxxxxxx…`) or prose."""
    if len(set(secret)) < 8:
        return False
    return any(c.isdigit() for c in secret) and any(c.isalpha() for c in secret)


def redact(prefix: str, secret: str) -> str:
    return f"{prefix}{secret[:2]}…"


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for node in ctx.walk():
        if not (isinstance(node, Atom) and node.kind == STRING):
            continue
        raw = node.text
        if "sk-" not in raw:
            continue
        for match in KEY_PATTERN.finditer(raw):
            prefix, secret = match.group(1), match.group(2)
            if not looks_like_key(secret):
                continue
            start, end = node.start + match.start(), node.start + match.end()
            yield ctx.diagnostic((start, end), f"this string looks like an API key "
                                 f"(`{redact(prefix, secret)}`): never put keys in a recipe; "
                                 "revoke it and let the runtime read OPENAI_API_KEY from the "
                                 "environment")
