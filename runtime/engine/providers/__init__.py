"""LLM providers: what actually answers a chat-completion request.

A provider makes exactly one attempt per :meth:`Provider.complete` call; retries, backoff,
rate limits, budgets and the journal all live in :mod:`recipe.runtime.engine.scheduler`
(one retry layer: the OpenAI SDK's own retries are switched off).

Only :mod:`.openai_provider` imports ``openai``; it is imported lazily by :func:`make_provider`.
"""

from __future__ import annotations

import abc
import base64
import mimetypes
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..services import LLMRequest

if TYPE_CHECKING:
    from ...lang.models import ModelTable

NO_DATA = "(no data provided)"


@dataclass(frozen=True)
class ProviderResponse:
    """One successful answer."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    headers: Mapping[str, str] = field(default_factory=dict)  # rate-limit headers, lower-case


class ProviderError(Exception):
    """One attempt failed. ``retryable`` tells the scheduler whether to try again;
    ``retry_after`` is the server's requested delay in seconds (Retry-After / retry-after-ms)."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


class Provider(abc.ABC):
    """Answers chat-completion requests; one attempt per call."""

    name = "provider"

    @abc.abstractmethod
    async def complete(self, request: LLMRequest, *, max_tokens: int | None,
                       timeout: float) -> ProviderResponse:
        """One attempt. ``max_tokens`` is the cap to send (the request's own, or a smaller
        one imposed by a budget); raises :class:`ProviderError`."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def describe(self) -> str:
        return self.name


def user_text(request: LLMRequest) -> str:
    """The user message: ``#:data``, or ``(no data provided)`` when empty (as the original)."""
    return request.data if request.data else NO_DATA


def image_url(image: str) -> str:
    """A file path → base64 data URL; a URL or data URL as is; anything else is taken to be
    base64 already (PNG assumed)."""
    if image.startswith(("data:", "http://", "https://")):
        return image
    path = Path(image)
    try:
        is_file = len(image) < 4096 and path.is_file()
    except OSError:
        is_file = False
    if is_file:
        mime = mimetypes.guess_type(path.name)[0] or "image/png"
        payload = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"data:{mime};base64,{payload}"
    return f"data:image/png;base64,{image.strip()}"


def build_messages(request: LLMRequest) -> list[dict[str, Any]]:
    """Chat messages: system = instruction, user = data (+ images as image_url parts)."""
    messages: list[dict[str, Any]] = []
    if request.instruction:
        messages.append({"role": "system", "content": request.instruction})
    if request.images:
        parts: list[dict[str, Any]] = [{"type": "text", "text": user_text(request)}]
        parts.extend({"type": "image_url", "image_url": {"url": image_url(img)}}
                     for img in request.images)
        messages.append({"role": "user", "content": parts})
    else:
        messages.append({"role": "user", "content": user_text(request)})
    return messages


def make_provider(kind: str, *, timeout: float = 120.0, max_connections: int = 100,
                  env: Mapping[str, str] | None = None,
                  transport: str | None = None, models: ModelTable | None = None) -> Provider:
    """``auto`` | ``openai`` | ``simulated``. ``auto`` picks OpenAI when ``OPENAI_API_KEY`` or
    ``OPENAI_BASE_URL`` is set, else the simulator."""
    env = os.environ if env is None else env
    if kind == "auto":
        kind = "openai" if (env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL")) \
            else "simulated"
    if kind == "simulated":
        from .simulated import SimulatedProvider

        return SimulatedProvider.from_env(env)
    if kind == "openai":
        from .openai_provider import OpenAIProvider

        return OpenAIProvider(api_key=env.get("OPENAI_API_KEY"),
                              base_url=env.get("OPENAI_BASE_URL") or None,
                              timeout=timeout, max_connections=max_connections,
                              transport=transport or env.get("RECIPE_HTTP_TRANSPORT") or None,
                              models=models)
    raise ValueError(f"unknown provider {kind!r} (expected auto, openai or simulated)")
