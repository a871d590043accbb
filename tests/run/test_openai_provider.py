"""The real ``openai`` client path against the fake server (tests/fake_openai_server.py)."""

from __future__ import annotations

import json
import socket
from typing import Any

import anyio
import pytest
from recipe.runtime.engine.providers import ProviderError, build_messages, make_provider
from recipe.runtime.engine.providers.openai_provider import OpenAIProvider, parse_retry_after
from recipe.runtime.engine.scheduler import Scheduler
from recipe.runtime.engine.services import LLMCallError, LLMRequest
from recipe.runtime.lang.models import builtin_table

MODELS = builtin_table()


def req(data: str = "hello", **kw: Any) -> LLMRequest:
    return LLMRequest(instruction="You answer.", data=data, model="gpt-4.1-nano", **kw)


def scheduler(server: Any, transport: str = "httpx", **kw: Any) -> Scheduler:
    provider = OpenAIProvider(api_key="sk-test", base_url=server.base_url,
                              timeout=kw.pop("timeout", 5.0), transport=transport)
    return Scheduler(provider, MODELS, timeout=provider.timeout, rng=lambda: 0.0, **kw)


async def _run_all(sched: Scheduler, requests: list[LLMRequest]) -> list[Any]:
    results: list[Any] = [None] * len(requests)

    async def one(i: int) -> None:
        try:
            results[i] = await sched.llm(requests[i])
        except Exception as exc:
            results[i] = exc

    try:
        async with anyio.create_task_group() as tg:
            for i in range(len(requests)):
                tg.start_soon(one, i)
    finally:
        await sched.provider.aclose()
    return results


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
def test_basic_call_usage_and_headers(fake_server: Any, transport: str) -> None:
    sched = scheduler(fake_server, transport)
    [res] = anyio.run(_run_all, sched, [req("hi", max_tokens=50, temperature=0.3)])
    assert res.text == "answer: hi"
    assert res.prompt_tokens > 0 and res.completion_tokens > 0
    assert res.cost_usd > 0
    body = fake_server.stats.bodies[0]
    assert body["messages"] == [{"role": "system", "content": "You answer."},
                                {"role": "user", "content": "hi"}]
    assert body["max_tokens"] == 50 and body["temperature"] == 0.3
    assert "response_format" not in body
    assert sched.rate_limits()["remaining-requests"] == 9999


def test_json_mode_images_and_empty_data(fake_server: Any, tmp_path: Any) -> None:
    img = tmp_path / "dot.png"
    img.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    sched = scheduler(fake_server)
    [a, _b] = anyio.run(_run_all, sched, [req("x", json=True),
                                         req("", images=(str(img),))])
    assert json.loads(a.text) == {"answer": "x"}
    bodies = sorted(fake_server.stats.bodies, key=lambda b: "response_format" in b)
    assert bodies[1]["response_format"] == {"type": "json_object"}
    content = bodies[0]["messages"][1]["content"]
    assert content[0] == {"type": "text", "text": "(no data provided)"}
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_o_series_parameters() -> None:
    p = OpenAIProvider(api_key="k")
    params = p.params(LLMRequest("i", "d", "o3-mini", temperature=0.5), 100)
    assert "temperature" not in params and params["max_completion_tokens"] == 100
    assert "max_tokens" not in params


def test_retry_after_is_honoured(fake_server: Any) -> None:
    fake_server.configure(script=["429", "429", "ok"], retry_after="0.4")
    sched = scheduler(fake_server)
    [res] = anyio.run(_run_all, sched, [req()])
    assert res.text == "answer: hello" and res.retries == 2
    t = fake_server.stats.times
    assert t[1] - t[0] >= 0.38 and t[2] - t[1] >= 0.38
    # the SDK's own retries are off: exactly three requests
    assert fake_server.stats.requests == 3
    fake_server.reset_stats()
    fake_server.configure(script=["429", "ok"], retry_after=None, retry_after_ms="100")
    [res] = anyio.run(_run_all, scheduler(fake_server), [req()])
    t = fake_server.stats.times
    assert 0.09 <= t[1] - t[0] < 0.45  # 100 ms, not the 0.5 s exponential backoff


def test_retry_after_too_long_is_not_retried(fake_server: Any) -> None:
    fake_server.configure(script=["429"], retry_after="600")
    [res] = anyio.run(_run_all, scheduler(fake_server), [req()])
    assert isinstance(res, LLMCallError) and "more than 120 s" in str(res)
    assert fake_server.stats.requests == 1


@pytest.mark.parametrize("kind", ["500", "malformed", "empty"])
def test_transient_faults_are_retried(fake_server: Any, kind: str) -> None:
    fake_server.configure(script=[kind, kind, "ok"])
    [res] = anyio.run(_run_all, scheduler(fake_server), [req()])
    assert res.text == "answer: hello" and res.retries == 2


def test_malformed_forever_gives_a_clear_message(fake_server: Any) -> None:
    fake_server.configure(fault_rate=1.0, fault_kinds=["malformed"])
    [res] = anyio.run(_run_all, scheduler(fake_server, max_retries=1), [req()])
    assert isinstance(res, LLMCallError)
    assert "malformed response" in str(res) and "gave up after 2 attempts" in str(res)


def test_timeout_is_retried(fake_server: Any) -> None:
    fake_server.configure(script=["timeout", "ok"], timeout_sleep=3.0)
    [res] = anyio.run(_run_all, scheduler(fake_server, timeout=0.5), [req()])
    assert res.text == "answer: hello" and res.retries == 1


def test_wrong_key_fails_at_once(fake_server: Any) -> None:
    fake_server.configure(api_key="sk-right")
    [res] = anyio.run(_run_all, scheduler(fake_server), [req()])
    assert isinstance(res, LLMCallError)
    assert str(res).startswith("authentication failed: check OPENAI_API_KEY")
    assert fake_server.stats.requests == 1


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
def test_unreachable_server(transport: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provider = OpenAIProvider(api_key="k", base_url=f"http://127.0.0.1:{port}/v1", timeout=2,
                              transport=transport)
    sched = Scheduler(provider, MODELS, max_retries=1, timeout=2, rng=lambda: 1.0)
    [res] = anyio.run(_run_all, sched, [req()])
    assert isinstance(res, LLMCallError) and "cannot reach" in str(res)


def test_faulted_fan_out_all_correct(fake_server: Any) -> None:
    fake_server.configure(fault_rate=0.2, fault_kinds=["429", "500", "malformed", "empty"],
                          retry_after="0.05", latency=[0.0, 0.01])
    sched = scheduler(fake_server, max_concurrent=20, max_retries=8)
    out = anyio.run(_run_all, sched, [req(str(i)) for i in range(200)])
    assert [r.text for r in out] == [f"answer: {i}" for i in range(200)]
    assert fake_server.stats.peak_in_flight <= 20
    assert sum(fake_server.stats.faults.values()) > 10


def test_helpers() -> None:
    assert parse_retry_after({"retry-after": "2"}) == 2
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({}) is None
    assert build_messages(LLMRequest("", "d", "m")) == [{"role": "user", "content": "d"}]
    with pytest.raises(ValueError):
        make_provider("openai", env={})
    assert make_provider("auto", env={}).name == "simulated"
    assert make_provider("auto", env={"OPENAI_BASE_URL": "http://x/v1"}).name == "openai"
    with pytest.raises(ProviderError):
        raise ProviderError("x", retryable=False)


def test_request_parameters_come_from_the_model_table() -> None:
    from recipe.runtime.engine.services import LLMRequest
    from recipe.runtime.lang.config import Config, apply_settings

    config = apply_settings(Config(), {"models": {
        "my-reasoner": {"input": 1.0, "output": 4.0, "no_temperature": True,
                        "max_completion_tokens": True}}}, "recipe.toml")
    provider = OpenAIProvider(api_key="k", models=config.models)
    params = provider.params(LLMRequest("sys", "user", "my-reasoner", temperature=0.5), 100)
    assert "temperature" not in params and params["max_completion_tokens"] == 100
    params = provider.params(LLMRequest("sys", "user", "gpt-4.1-nano", temperature=0.5), 100)
    assert params["temperature"] == 0.5 and params["max_tokens"] == 100
    params = provider.params(LLMRequest("sys", "user", "o3-mini"), 50)
    assert params["max_completion_tokens"] == 50
