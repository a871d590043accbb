"""The OpenAI-compatible provider — the only module of the project that imports ``openai``.

One shared :class:`openai.AsyncOpenAI` per run (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, so
Ollama, vLLM and llama.cpp servers work), created lazily on the run's event loop, with the
SDK's own retries **off** (``max_retries=0``): the scheduler is the one retry layer. Each
:meth:`complete` is one attempt; failures are mapped to :class:`ProviderError` with
``retryable`` and the server's ``retry-after-ms`` / ``Retry-After`` delay.

Transport: aiohttp (``openai[aiohttp]``, ``DefaultAioHttpClient``) by default, or the SDK's
default httpx2 client; ``RECIPE_HTTP_TRANSPORT=httpx|aiohttp`` overrides it. Measured with
``bench/bench_transport.py`` (this provider, fake server in its own process, 2-core machine
shared with other jobs): 2000 calls K=50 0 ms — httpx2 5.2–5.7 s, aiohttp 3.6–4.1 s; 1000
calls K=100 50 ms — httpx2 2.9–3.2 s, aiohttp 2.0–2.3 s. At 100 ms latency and K=20 the two
are within noise (both bound by the SDK's per-call CPU, ~1.5 ms: request transformation and
response model construction). The client's CPU, not the transport, is the limit beyond
that.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping
from typing import Any

import openai
from openai import AsyncOpenAI

from ...lang.models import ModelTable, builtin_table
from ...lang.tokens import chat_prompt_tokens, count_tokens
from ..services import LLMRequest
from . import Provider, ProviderError, ProviderResponse, build_messages, user_text

DEFAULT_TRANSPORT = "aiohttp"
TRANSPORTS = ("httpx", "aiohttp")
# Models not in the table (a user's or a new one) fall back to the name: OpenAI's reasoning
# families take `max_completion_tokens`.
_MAX_COMPLETION_PREFIXES = ("o1", "o3", "o4", "gpt-5")


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms``, then ``Retry-After`` (seconds or HTTP date)."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            delay = float(value)
        except ValueError:
            continue
        if math.isnan(delay):
            continue
        return delay / divisor
    value = headers.get("retry-after")
    if value:
        parsed = email.utils.parsedate_tz(value)
        if parsed is not None:
            return email.utils.mktime_tz(parsed) - time.time()
    return None


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str):
            return err
    return str(exc.message)


def _error_code(exc: openai.APIStatusError) -> str | None:
    body = exc.body
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("code"):
            return str(err["code"])
    return None


class OpenAIProvider(Provider):
    name = "openai"

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 timeout: float = 120.0, max_connections: int = 100,
                 transport: str | None = None, models: ModelTable | None = None) -> None:
        if not api_key and not base_url:
            raise ValueError("OPENAI_API_KEY is not set (set it, or OPENAI_BASE_URL for a "
                             "local server, or use --provider simulated)")
        transport = transport or DEFAULT_TRANSPORT
        if transport not in TRANSPORTS:
            raise ValueError(f"unknown HTTP transport {transport!r} "
                             f"(expected {' or '.join(TRANSPORTS)})")
        self.api_key = api_key or "not-needed"  # local servers ignore it; the SDK wants one
        self.base_url = base_url
        self.timeout = timeout
        self.max_connections = max(max_connections, 10)
        self.transport = transport
        self._client: AsyncOpenAI | None = None
        self._models = models if models is not None else builtin_table()

    def describe(self) -> str:
        return f"openai ({self.base_url or 'api.openai.com'}, {self.transport})"

    @property
    def where(self) -> str:
        return self.base_url or "https://api.openai.com/v1"

    def client(self) -> AsyncOpenAI:
        if self._client is None:
            import httpx2

            limits = httpx2.Limits(max_connections=self.max_connections,
                                   max_keepalive_connections=self.max_connections)
            timeout = httpx2.Timeout(self.timeout, connect=min(self.timeout, 10.0))
            http_client: Any
            if self.transport == "aiohttp":
                http_client = openai.DefaultAioHttpClient(limits=limits, timeout=timeout)
            else:
                http_client = openai.DefaultAsyncHttpxClient(limits=limits, timeout=timeout)
            self._client = AsyncOpenAI(api_key=self.api_key, base_url=self.base_url,
                                       max_retries=0, timeout=timeout, http_client=http_client)
        return self._client

    def params(self, request: LLMRequest, max_tokens: int | None) -> dict[str, Any]:
        model = self._models.get(request.model)
        reasoning = model.max_completion_tokens if model is not None \
            else request.model.startswith(_MAX_COMPLETION_PREFIXES)
        params: dict[str, Any] = {"model": request.model, "messages": build_messages(request)}
        if request.temperature is not None and not (model and model.no_temperature):
            params["temperature"] = request.temperature
        if max_tokens is not None:
            params["max_completion_tokens" if reasoning else "max_tokens"] = max_tokens
        if request.json:
            params["response_format"] = {"type": "json_object"}
        return params

    async def complete(self, request: LLMRequest, *, max_tokens: int | None,
                       timeout: float) -> ProviderResponse:
        params = self.params(request, max_tokens)
        start = time.monotonic()
        try:
            raw = await self.client().chat.completions.with_raw_response.create(
                **params, timeout=timeout)
            headers = {k.lower(): v for k, v in raw.headers.items()
                       if k.lower().startswith("x-ratelimit-")}
            completion = raw.parse()
        except openai.APITimeoutError as exc:
            if time.monotonic() - start < 0.9 * timeout:  # aiohttp reports refusals so
                raise ProviderError(f"cannot reach {self.where}: {exc.__cause__ or exc}",
                                    retryable=True) from None
            raise ProviderError(f"no answer from {self.where} within {timeout:g} s",
                                retryable=True) from None
        except openai.APIConnectionError as exc:
            cause = exc.__cause__ or exc
            raise ProviderError(f"cannot reach {self.where}: {cause}", retryable=True) from None
        except openai.APIStatusError as exc:
            raise self._status_error(exc) from None
        except openai.APIError as exc:  # e.g. a response that fails validation
            raise ProviderError(f"malformed response from {self.where}: {exc}",
                                retryable=True) from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ProviderError(f"malformed response from {self.where}: {exc}",
                                retryable=True) from None
        return self._answer(request, completion, headers)

    def _answer(self, request: LLMRequest, completion: Any,
                headers: dict[str, str]) -> ProviderResponse:
        choices = getattr(completion, "choices", None)
        if not choices:
            raise ProviderError(f"malformed response from {self.where}: no choices",
                                retryable=True)
        message = getattr(choices[0], "message", None)
        text = getattr(message, "content", None)
        if text is None:
            refusal = getattr(message, "refusal", None)
            if refusal:
                raise ProviderError(f"the model refused: {refusal}", retryable=False)
            raise ProviderError(f"malformed response from {self.where}: no message content",
                                retryable=True)
        usage = getattr(completion, "usage", None)
        prompt = getattr(usage, "prompt_tokens", None)
        out = getattr(usage, "completion_tokens", None)
        if not isinstance(prompt, int):
            prompt = chat_prompt_tokens(request.instruction, user_text(request))
        if not isinstance(out, int):
            out = count_tokens(text)
        return ProviderResponse(text=str(text), prompt_tokens=prompt, completion_tokens=out,
                                headers=headers)

    def _status_error(self, exc: openai.APIStatusError) -> ProviderError:
        status = exc.status_code
        headers = exc.response.headers
        message = _server_message(exc)
        retry_after = parse_retry_after(headers)
        should = headers.get("x-should-retry")
        if status == 401:
            return ProviderError(f"authentication failed: check OPENAI_API_KEY ({message})",
                                 retryable=False, status=status)
        if status == 429 and _error_code(exc) == "insufficient_quota":
            return ProviderError(f"quota exceeded: check your plan and billing ({message})",
                                 retryable=False, status=status)
        retryable = status in (408, 409, 429) or status >= 500
        if should == "true":
            retryable = True
        elif should == "false":
            retryable = False
        what = {403: "permission denied", 404: "not found (check the model name)",
                429: "rate limited", 400: "bad request"}.get(status, f"HTTP {status}")
        return ProviderError(f"{what}: {message}", retryable=retryable,
                             retry_after=retry_after, status=status)

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()
