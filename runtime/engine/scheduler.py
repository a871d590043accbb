"""The machinery behind :meth:`Services.llm`: journal replay, budgets, the global in-flight
cap, rate limits, retries and settlement.

Order of a call::

    journal lookup ─▶ reserve budgets ─▶ [rpm/tpm buckets ─▶ in-flight slot ─▶ one attempt]
        (replay)        (wait or fail)      └──────────── retried with backoff ────────────┘
                                                   ─▶ settle budgets ─▶ journal ─▶ stats/trace

**One retry layer.** Providers make one attempt (the OpenAI SDK runs with ``max_retries=0``);
retries happen here, as the SDK would do them: 429 (``retry-after-ms`` / ``Retry-After``
honoured when 0 < delay ≤ 120 s; a longer demand is not retried), 408, 409, 5xx, timeouts,
connection errors and malformed bodies; otherwise exponential backoff
``min(0.5·2ⁿ, 8) s × (1 − 0.25·random)``. A call holds its in-flight slot only while a
request is actually on the wire, never while backing off.

**Budgets are never exceeded.** Before dispatch a call reserves, in every
:class:`BudgetScope` of its chain and in the run-wide ``--budget-tokens`` / ``--budget-usd``:

* prompt tokens: the estimator's count (``lang/tokens.py``) × a safety factor (at least 1.1,
  raised when a model's real prompt counts come out higher than estimated), plus up to 1105
  tokens per image (the most a high-detail image costs);
* completion tokens: ``#:max-tokens`` when given. Without it, *what remains* of the
  tightest budget after the prompt, at most the model's ``max_output`` from the model table
  — and that cap is sent to the provider as ``max_tokens`` (unless it equals the model's
  known ``max_output``, which bounds the answer anyway, and which local servers with small
  context windows might reject), so the answer can never overshoot the reservation.
  (Reserving ``max_output`` outright would refuse calls that fit; reserving less without
  capping could overshoot.) Such a call needs room for at least 16 completion tokens. Unbudgeted calls send ``max_tokens`` only when the recipe gave one.

If the reservation does not fit what is *spent* in some scope, the call fails at once with
:class:`BudgetExhausted` and is not sent; if it only fails to fit because of other calls'
*reservations*, it waits for them to settle. After the answer the reservation is replaced
by the real usage; a cancelled or failed call releases it. Replayed answers (``--resume``)
are charged to the recipe's ``token-budget`` scopes (so a resumed run takes the same paths)
and count in ``(tokens-used)``, but not in the run-wide budgets, which bound what this
process pays (``RunStats.paid_tokens`` / ``paid_usd``).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from ..lang.models import Model, ModelTable
from ..lang.tokens import chat_prompt_tokens
from .providers import Provider, ProviderError, ProviderResponse, user_text
from .services import BudgetExhausted, BudgetScope, LLMCallError, LLMRequest, LLMResult
from .store import JournalEntry, SQLiteStore, request_key

MAX_RETRY_AFTER = 120.0
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
IMAGE_TOKENS_RESERVE = 1105
MIN_COMPLETION = 16
DEFAULT_MAX_OUTPUT = 16384


def backoff_delay(retries: int, retry_after: float | None = None,
                  rng: Callable[[], float] = random.random) -> float:
    """The SDK's policy: the server's delay when 0 < it ≤ 120 s, else exponential + jitter."""
    if retry_after is not None and 0 < retry_after <= MAX_RETRY_AFTER:
        return float(retry_after)
    base: float = min(INITIAL_RETRY_DELAY * 2.0 ** retries, MAX_RETRY_DELAY)
    return base * (1 - 0.25 * rng())


class TokenBucket:
    """A per-minute budget refilled continuously (the cookbook's throttle); FIFO."""

    def __init__(self, per_minute: float) -> None:
        self.capacity = float(per_minute)
        self.tokens = float(per_minute)
        self.rate = per_minute / 60.0
        self.updated = time.monotonic()
        self._lock = anyio.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    async def take(self, amount: float) -> None:
        amount = min(amount, self.capacity)
        async with self._lock:
            while True:
                self._refill()
                if self.tokens >= amount:
                    self.tokens -= amount
                    return
                await anyio.sleep((amount - self.tokens) / self.rate)


class UsdBudget:
    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.reserved = 0.0
        self.spent = 0.0


@dataclass
class CallRecord:
    """One finished (or failed) call, for the trace and the end-of-run table."""

    site: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    retries: int = 0
    replayed: bool = False
    reserved_tokens: int = 0
    error: str | None = None


@dataclass
class Totals:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    replayed: int = 0
    errors: int = 0
    latency_s: float = 0.0

    def add(self, rec: CallRecord) -> None:
        if rec.error is not None:
            self.errors += 1
            return
        self.calls += 1
        self.prompt_tokens += rec.prompt_tokens
        self.completion_tokens += rec.completion_tokens
        self.cost_usd += rec.cost_usd
        self.latency_s += rec.latency_s
        self.replayed += rec.replayed


@dataclass
class RunStats:
    totals: Totals = field(default_factory=Totals)
    by_model: dict[str, Totals] = field(default_factory=dict)
    by_site: dict[str, Totals] = field(default_factory=dict)
    retries: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    budget_overruns: int = 0  # settled usage above the reservation (estimator too low)
    paid_tokens: int = 0  # tokens of non-replayed calls
    paid_usd: float = 0.0

    def add(self, rec: CallRecord) -> None:
        self.totals.add(rec)
        self.by_model.setdefault(rec.model, Totals()).add(rec)
        self.by_site.setdefault(rec.site, Totals()).add(rec)


@dataclass
class _Reservation:
    tokens: int
    usd: float
    send_max_tokens: int | None
    scopes: tuple[BudgetScope, ...]
    settled: bool = False


class Scheduler:
    """Runs LLM calls for one run. All methods run on the run's event loop."""

    def __init__(self, provider: Provider, models: ModelTable, *, max_concurrent: int = 50,
                 requests_per_minute: int | None = None, tokens_per_minute: int | None = None,
                 timeout: float = 120.0, max_retries: int = 4,
                 budget_tokens: int | None = None, budget_usd: float | None = None,
                 store: SQLiteStore | None = None, resume: bool = False,
                 on_record: Callable[[CallRecord], None] | None = None,
                 rng: Callable[[], float] = random.random) -> None:
        if max_concurrent < 1:
            raise ValueError("max-concurrent must be at least 1")
        self.provider = provider
        self.models = models
        self.max_concurrent = max_concurrent
        self.timeout = timeout
        self.max_retries = max_retries
        self.store = store
        self.resume = resume
        self.on_record = on_record
        self._rng = rng
        self._slots = anyio.Semaphore(max_concurrent)
        self._rpm = TokenBucket(requests_per_minute) if requests_per_minute else None
        self._tpm = TokenBucket(tokens_per_minute) if tokens_per_minute else None
        self.run_scope = BudgetScope(budget_tokens) if budget_tokens is not None else None
        self.run_usd = UsdBudget(budget_usd) if budget_usd is not None else None
        self._changed = anyio.Event()
        self._prompt_ratio: dict[str, float] = {}
        self.stats = RunStats()
        self.rate_limit_headers: dict[str, str] = {}
        self.started = time.monotonic()

    # -- helpers ---------------------------------------------------------------------------
    def model(self, name: str) -> Model | None:
        return self.models.get(name)

    def _prices(self, name: str) -> tuple[float, float]:
        model = self.model(name)
        if model is not None:
            return model.input, model.output
        # Unknown model: price it as the dearest known one so a USD budget still holds.
        known = list(self.models.values())
        return (max((m.input for m in known), default=0.0),
                max((m.output for m in known), default=0.0))

    def _cost(self, name: str, tokens_in: int, tokens_out: int) -> float:
        model = self.model(name)
        return 0.0 if model is None else model.cost(tokens_in, tokens_out)

    def estimate_prompt(self, request: LLMRequest) -> int:
        base = chat_prompt_tokens(request.instruction, user_text(request))
        factor = max(1.1, self._prompt_ratio.get(request.model, 1.0) * 1.05)
        return math.ceil(base * factor) + IMAGE_TOKENS_RESERVE * len(request.images)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    def _scopes(self, request: LLMRequest, replay: bool = False) -> tuple[BudgetScope, ...]:
        scopes = tuple(dict.fromkeys(request.budgets))  # one charge per distinct scope
        if self.run_scope is not None and not replay:
            scopes = (*scopes, self.run_scope)
        return scopes

    # -- budgets ---------------------------------------------------------------------------
    def _try_reserve(self, request: LLMRequest, prompt: int) -> _Reservation | None:
        """A reservation, None to wait for others to settle, or BudgetExhausted."""
        scopes = self._scopes(request)
        model = self.model(request.model)
        max_out = (model.max_output if model and model.max_output else DEFAULT_MAX_OUTPUT)
        given = request.max_tokens
        want = given if given is not None else max_out
        floor = given if given is not None else min(max_out, MIN_COMPLETION)
        p_in, p_out = self._prices(request.model)
        usd = self.run_usd
        hard_room = min((s.limit - s.spent for s in scopes), default=None)
        room = min((s.available for s in scopes), default=None)
        usd_hard = usd_room = None
        if usd is not None and p_out > 0:
            usd_hard = math.floor((usd.limit - usd.spent - prompt * p_in / 1e6) * 1e6 / p_out)
            usd_room = math.floor((usd.limit - usd.spent - usd.reserved - prompt * p_in / 1e6)
                                  * 1e6 / p_out)
        elif usd is not None and usd.limit - usd.spent < prompt * p_in / 1e6:
            usd_hard = usd_room = -1
        where = f" at {request.site}" if request.site else ""
        if hard_room is not None and hard_room - prompt < floor:
            tight = min(scopes, key=lambda s: s.limit - s.spent)
            raise BudgetExhausted(
                f"token budget exhausted: the call{where} needs {prompt + floor} tokens "
                f"(~{prompt} prompt + {floor} completion) but {max(tight.limit - tight.spent, 0)}"
                f" of {tight.limit} remain")
        if usd_hard is not None and usd_hard < floor:
            assert usd is not None
            raise BudgetExhausted(
                f"USD budget exhausted: the call{where} could cost more than the "
                f"${max(usd.limit - usd.spent, 0):.4f} of ${usd.limit:g} that remain")
        if (room is not None and room - prompt < floor) or (usd_room is not None
                                                             and usd_room < floor):
            return None
        completion = want
        if room is not None:
            completion = min(completion, room - prompt)
        if usd_room is not None:
            completion = min(completion, usd_room)
        bound = room is not None or usd_room is not None
        if given is not None:
            send: int | None = given
        elif bound and (completion < want or model is None or not model.max_output):
            send = completion  # the budget binds (or the model's limit is unknown): cap it
        else:
            send = None  # the model's own max_output already bounds the answer
        tokens = prompt + completion
        cost = (prompt * p_in + completion * p_out) / 1e6 if usd is not None else 0.0
        for scope in scopes:
            scope.reserved += tokens
        if usd is not None:
            usd.reserved += cost
        return _Reservation(tokens, cost, send, scopes)

    async def _reserve(self, request: LLMRequest, prompt: int) -> _Reservation:
        while True:
            reservation = self._try_reserve(request, prompt)
            if reservation is not None:
                return reservation
            await self._changed.wait()

    def _release(self, res: _Reservation, tokens: int | None = None, usd: float = 0.0) -> None:
        """Replace the reservation by real usage (``tokens``), or just drop it (None)."""
        if res.settled:
            return
        res.settled = True
        for scope in res.scopes:
            scope.reserved -= res.tokens
            if tokens is not None:
                scope.spent += tokens
        if self.run_usd is not None:
            self.run_usd.reserved -= res.usd
            self.run_usd.spent += usd
        if tokens is not None and tokens > res.tokens:
            self.stats.budget_overruns += 1
        self._notify()

    # -- the call --------------------------------------------------------------------------
    async def llm(self, request: LLMRequest) -> LLMResult:
        key = occurrence = None
        if self.store is not None:
            key = request_key(request)
            occurrence = self.store.next_occurrence(key)
            if self.resume:
                entry = self.store.lookup(key, occurrence)
                if entry is not None:
                    return self._replay(request, entry)
        prompt = self.estimate_prompt(request)
        res = await self._reserve(request, prompt)
        try:
            response, retries, latency = await self._attempts(request, res, prompt)
        except BaseException as exc:
            self._release(res)
            if not isinstance(exc, anyio.get_cancelled_exc_class()):
                self._record(CallRecord(request.site, request.model, error=str(exc),
                                        reserved_tokens=res.tokens))
            raise
        total = response.prompt_tokens + response.completion_tokens
        cost = self._cost(request.model, response.prompt_tokens, response.completion_tokens)
        self._release(res, total, cost)
        self._learn(request, response)
        self.stats.paid_tokens += total
        self.stats.paid_usd += cost
        if self.store is not None and key is not None and occurrence is not None:
            self.store.record(key, occurrence, JournalEntry(
                response.text, request.model, response.prompt_tokens,
                response.completion_tokens, cost, latency))
        self._record(CallRecord(request.site, request.model, response.prompt_tokens,
                                response.completion_tokens, cost, latency, retries,
                                reserved_tokens=res.tokens))
        return LLMResult(response.text, request.model, response.prompt_tokens,
                         response.completion_tokens, cost, latency, retries)

    def _replay(self, request: LLMRequest, entry: JournalEntry) -> LLMResult:
        total = entry.prompt_tokens + entry.completion_tokens
        for scope in self._scopes(request, replay=True):
            scope.spent += total
        self._notify()
        self._record(CallRecord(request.site, entry.model, entry.prompt_tokens,
                                entry.completion_tokens, entry.cost_usd, 0.0, 0, True))
        return LLMResult(entry.text, entry.model, entry.prompt_tokens, entry.completion_tokens,
                         entry.cost_usd, 0.0, 0, replayed=True)

    def _learn(self, request: LLMRequest, response: ProviderResponse) -> None:
        if request.images:
            return
        estimate = chat_prompt_tokens(request.instruction, user_text(request))
        if estimate > 0 and response.prompt_tokens > estimate:
            ratio = response.prompt_tokens / estimate
            self._prompt_ratio[request.model] = max(self._prompt_ratio.get(request.model, 1.0),
                                                    min(ratio, 4.0))

    def _record(self, rec: CallRecord) -> None:
        self.stats.add(rec)
        if self.on_record is not None:
            self.on_record(rec)

    async def _attempts(self, request: LLMRequest, res: _Reservation,
                        prompt: int) -> tuple[ProviderResponse, int, float]:
        retries = 0
        while True:
            if self._rpm is not None:
                await self._rpm.take(1)
            if self._tpm is not None:
                await self._tpm.take(res.tokens if res.send_max_tokens is not None
                                     else prompt + 1000)
            error: ProviderError
            async with self._slots:
                self.stats.in_flight += 1
                self.stats.peak_in_flight = max(self.stats.peak_in_flight, self.stats.in_flight)
                start = time.monotonic()
                try:
                    with anyio.fail_after(self.timeout + 5):  # backstop for the provider's own
                        response = await self.provider.complete(
                            request, max_tokens=res.send_max_tokens, timeout=self.timeout)
                    latency = time.monotonic() - start
                    if response.headers:
                        self.rate_limit_headers.update(response.headers)
                    return response, retries, latency
                except ProviderError as exc:
                    error = exc
                except TimeoutError:
                    error = ProviderError(f"timed out after {self.timeout:g} s", retryable=True)
                finally:
                    self.stats.in_flight -= 1
            if not error.retryable:
                raise LLMCallError(str(error))
            if error.retry_after is not None and error.retry_after > MAX_RETRY_AFTER:
                raise LLMCallError(f"{error} (the provider asks to wait {error.retry_after:g} s,"
                                   f" more than {MAX_RETRY_AFTER:g} s; not retried)")
            if retries >= self.max_retries:
                raise LLMCallError(f"{error} (gave up after {retries + 1} attempts)")
            delay = backoff_delay(retries, error.retry_after, self._rng)
            retries += 1
            self.stats.retries += 1
            await anyio.sleep(delay)

    # -- reports ---------------------------------------------------------------------------
    def tokens_used(self) -> Mapping[str, Any]:
        t = self.stats.totals
        return {"prompt-tokens": t.prompt_tokens, "completion-tokens": t.completion_tokens,
                "total-tokens": t.prompt_tokens + t.completion_tokens, "calls": t.calls,
                "cost-usd": t.cost_usd}

    def rate_limits(self) -> Mapping[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.rate_limit_headers.items():
            short = name.removeprefix("x-ratelimit-")
            try:
                out[short] = int(value)
            except ValueError:
                out[short] = value
        return out


def all_scopes(requests: Sequence[LLMRequest]) -> set[BudgetScope]:
    return {s for r in requests for s in r.budgets}
