from __future__ import annotations

import random
import time
from collections.abc import Callable

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from recipe.runtime.engine.providers import Provider, ProviderError, ProviderResponse
from recipe.runtime.engine.scheduler import Scheduler, backoff_delay
from recipe.runtime.engine.services import (
    BudgetExhausted,
    BudgetScope,
    LLMCallError,
    LLMRequest,
)
from recipe.runtime.engine.store import SQLiteStore
from recipe.runtime.lang.models import builtin_table

MODELS = builtin_table()


class StubProvider(Provider):  # type: ignore[misc]
    """In-process provider: latency, usage and failures per call from callables."""

    name = "stub"

    def __init__(self, latency: Callable[[LLMRequest], float] = lambda r: 0.0,
                 usage: Callable[[LLMRequest, int | None], tuple[int, int]] | None = None,
                 script: list[ProviderError | None] | None = None) -> None:
        self.latency = latency
        self.usage = usage
        self.script = list(script or [])
        self.calls: list[LLMRequest] = []
        self.sent_max: list[int | None] = []
        self.in_flight = 0
        self.peak = 0
        self.times: list[float] = []

    async def complete(self, request: LLMRequest, *, max_tokens: int | None,
                       timeout: float) -> ProviderResponse:
        self.calls.append(request)
        self.sent_max.append(max_tokens)
        self.times.append(anyio.current_time())
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await anyio.sleep(self.latency(request))
            if self.script:
                err = self.script.pop(0)
                if err is not None:
                    raise err
            if self.usage is not None:
                p, c = self.usage(request, max_tokens)
            else:
                p, c = 10, 5
            return ProviderResponse(f"answer: {request.data}", p, c)
        finally:
            self.in_flight -= 1


def req(data: str = "x", **kw: object) -> LLMRequest:
    return LLMRequest(instruction="say", data=data, model="gpt-4.1-nano", **kw)  # type: ignore[arg-type]


def test_backoff_policy() -> None:
    assert backoff_delay(0, 3.0) == 3.0
    assert backoff_delay(0, 0.25) == 0.25
    assert backoff_delay(5, None, lambda: 0.0) == 8.0
    assert backoff_delay(0, None, lambda: 0.0) == 0.5
    assert backoff_delay(2, None, lambda: 1.0) == pytest.approx(2.0 * 0.75)
    assert backoff_delay(0, 500.0, lambda: 0.0) == 0.5  # too long: fall back to backoff


def test_global_cap_holds_under_nested_fan_outs() -> None:
    provider = StubProvider(latency=lambda r: random.uniform(0.001, 0.01))
    sched = Scheduler(provider, MODELS, max_concurrent=7)

    async def main() -> list[str]:
        results: dict[tuple[int, int], str] = {}

        async def inner(i: int) -> None:
            async with anyio.create_task_group() as tg:
                for j in range(10):
                    async def one(j: int = j) -> None:
                        results[i, j] = (await sched.llm(req(f"{i}-{j}"))).text
                    tg.start_soon(one)

        async with anyio.create_task_group() as tg:
            for i in range(10):
                tg.start_soon(inner, i)
        return [results[i, j] for i in range(10) for j in range(10)]

    out = anyio.run(main)
    assert out == [f"answer: {i}-{j}" for i in range(10) for j in range(10)]
    assert provider.peak == 7
    assert sched.stats.peak_in_flight == 7
    assert sched.stats.totals.calls == 100


def test_retries_then_success_and_give_up() -> None:
    errs: list[ProviderError | None] = [ProviderError("boom", retryable=True, status=500),
                                        ProviderError("slow", retryable=True,
                                                      retry_after=0.2, status=429)]
    provider = StubProvider(script=errs)
    sched = Scheduler(provider, MODELS, max_concurrent=2, rng=lambda: 0.0)

    async def main() -> tuple[object, float]:
        t0 = anyio.current_time()
        res = await sched.llm(req())
        return res, anyio.current_time() - t0

    res, took = anyio.run(main)
    assert res.retries == 2  # type: ignore[attr-defined]
    assert took >= 0.5 + 0.2
    assert provider.times[2] - provider.times[1] >= 0.2  # Retry-After honoured

    provider = StubProvider(script=[ProviderError("down", retryable=True)] * 10)
    sched = Scheduler(provider, MODELS, max_retries=2, rng=lambda: 1.0)
    with pytest.raises(LLMCallError, match="gave up after 3 attempts"):
        anyio.run(sched.llm, req())
    assert len(provider.calls) == 3

    provider = StubProvider(script=[ProviderError("authentication failed", retryable=False)])
    sched = Scheduler(provider, MODELS)
    with pytest.raises(LLMCallError, match="authentication failed"):
        anyio.run(sched.llm, req())
    assert len(provider.calls) == 1

    provider = StubProvider(script=[ProviderError("wait", retryable=True, retry_after=300)])
    with pytest.raises(LLMCallError, match="more than 120 s"):
        anyio.run(Scheduler(provider, MODELS).llm, req())


def test_budget_refuses_before_sending() -> None:
    provider = StubProvider()
    sched = Scheduler(provider, MODELS)
    scope = BudgetScope(30)

    async def main() -> None:
        await sched.llm(req(max_tokens=5, budgets=(scope,)))

    anyio.run(main)
    assert scope.spent == 15 and scope.reserved == 0
    with pytest.raises(BudgetExhausted, match="token budget exhausted"):
        anyio.run(main)
    assert len(provider.calls) == 1
    # run-wide budget
    sched = Scheduler(StubProvider(), MODELS, budget_tokens=10)
    with pytest.raises(BudgetExhausted):
        anyio.run(sched.llm, req(max_tokens=5))


def test_budget_without_max_tokens_caps_the_answer() -> None:
    provider = StubProvider(usage=lambda r, m: (10, m or 999))
    sched = Scheduler(provider, MODELS)
    scope = BudgetScope(200)
    res = anyio.run(sched.llm, req(budgets=(scope,)))
    assert provider.sent_max[0] is not None
    assert scope.spent <= 200
    assert res.completion_tokens == provider.sent_max[0]
    # no budget: no cap is sent
    provider2 = StubProvider()
    anyio.run(Scheduler(provider2, MODELS).llm, req())
    assert provider2.sent_max == [None]


def test_usd_budget() -> None:
    sched = Scheduler(StubProvider(usage=lambda r, m: (1000, 1000)), MODELS, budget_usd=0.0011)

    async def main() -> None:
        for _ in range(10):
            await sched.llm(req(max_tokens=1000))

    with pytest.raises(BudgetExhausted, match="USD budget"):
        anyio.run(main)
    assert sched.run_usd is not None and sched.run_usd.spent <= 0.0011


def test_cancelled_call_releases_and_is_not_journaled() -> None:
    store = SQLiteStore(":memory:")
    provider = StubProvider(latency=lambda r: 5.0)
    sched = Scheduler(provider, MODELS, store=store)
    scope = BudgetScope(1000)

    async def main() -> None:
        with anyio.move_on_after(0.1):
            await sched.llm(req(max_tokens=10, budgets=(scope,)))

    anyio.run(main)
    assert scope.reserved == 0 and scope.spent == 0
    assert store.journal_size() == 0
    assert sched.stats.in_flight == 0


def test_journal_replay() -> None:
    store = SQLiteStore(":memory:")
    provider = StubProvider()
    sched = Scheduler(provider, MODELS, store=store)

    async def run(s: Scheduler) -> list[str]:
        out = []
        for d in ["a", "b", "a"]:
            out.append((await s.llm(req(d))).text)
        return out

    first = anyio.run(run, sched)
    assert store.journal_size() == 3  # "a" twice: occurrences 0 and 1
    store._occurrences.clear()
    provider2 = StubProvider()
    again = anyio.run(run, Scheduler(provider2, MODELS, store=store, resume=True))
    assert again == first and provider2.calls == []


def test_rate_limit_bucket() -> None:
    provider = StubProvider()
    sched = Scheduler(provider, MODELS, requests_per_minute=600)  # 10/s, bucket of 600

    async def main() -> None:
        sched._rpm.tokens = 0  # type: ignore[union-attr]
        for i in range(3):
            await sched.llm(req(str(i)))

    start = time.monotonic()
    anyio.run(main)
    assert time.monotonic() - start >= 0.25


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000),
       limits=st.lists(st.integers(50, 2000), min_size=1, max_size=3),
       n=st.integers(1, 40), given_max=st.sampled_from([None, 8, 64]),
       run_limit=st.one_of(st.none(), st.integers(100, 3000)))
def test_budgets_never_exceeded(seed: int, limits: list[int], n: int, given_max: int | None,
                                run_limit: int | None) -> None:
    rng = random.Random(seed)
    prompt_est: dict[str, int] = {}

    def usage(r: LLMRequest, m: int | None) -> tuple[int, int]:
        # a real prompt count at most the estimator's; a completion at most the cap sent
        p = rng.randint(1, prompt_est[r.data])
        cap = m if m is not None else 500
        return p, rng.randint(0, cap)

    provider = StubProvider(latency=lambda r: rng.uniform(0, 0.003), usage=usage)
    sched = Scheduler(provider, MODELS, max_concurrent=rng.randint(1, 8),
                      budget_tokens=run_limit)
    scopes = [BudgetScope(x) for x in limits]
    from recipe.runtime.lang.tokens import chat_prompt_tokens

    async def main() -> None:
        async def one(i: int) -> None:
            chain = tuple(rng.sample(scopes, rng.randint(0, len(scopes))))
            r = req(f"item {i} " + "w" * rng.randint(0, 200), max_tokens=given_max,
                    budgets=chain)
            prompt_est[r.data] = chat_prompt_tokens(r.instruction, r.data)
            try:
                await sched.llm(r)
            except BudgetExhausted:
                pass

        async with anyio.create_task_group() as tg:
            for i in range(n):
                tg.start_soon(one, i)

    anyio.run(main)
    for s in scopes:
        assert s.spent <= s.limit and s.reserved == 0
    if sched.run_scope is not None:
        assert sched.run_scope.spent <= sched.run_scope.limit


def test_budget_waits_for_reservations_instead_of_failing() -> None:
    # Each call without #:max-tokens reserves what remains; the others wait for it to settle
    # (real usage is small) instead of failing.
    provider = StubProvider(latency=lambda r: 0.01, usage=lambda r, m: (10, 5))
    sched = Scheduler(provider, MODELS, max_concurrent=10)
    scope = BudgetScope(5000)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for i in range(10):
                tg.start_soon(sched.llm, req(str(i), budgets=(scope,)))

    anyio.run(main)
    assert len(provider.calls) == 10 and scope.spent == 150 and scope.reserved == 0
    assert all(m is not None and m <= 5000 for m in provider.sent_max)
