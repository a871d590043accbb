"""In-memory services for evaluator tests: deterministic LLM, dict store, in-process Python."""

from __future__ import annotations

import contextlib
import io
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
from recipe.runtime.engine.evaluator import RunOutcome, run_recipe
from recipe.runtime.engine.services import (
    BudgetExhausted,
    BudgetScope,
    FanOutProgress,
    LLMCallError,
    LLMRequest,
    LLMResult,
    PyRef,
    PythonBridge,
    PythonError,
    Services,
    Store,
)
from recipe.runtime.lang.reader import read

Responder = Callable[[LLMRequest], "str | tuple[str, float]"]


class FakeBridge(PythonBridge):
    """Runs code with exec() in this process (tests only)."""

    def __init__(self) -> None:
        self.globals: dict[str, Any] = {}
        self.refs: dict[int, Any] = {}

    def _error(self, exc: BaseException) -> PythonError:
        tb = traceback.format_exc()
        line = None
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename == "<recipe-python>":
                line = frame.lineno
        if isinstance(exc, SyntaxError) and exc.filename == "<recipe-python>":
            line = exc.lineno
        return PythonError(f"{type(exc).__name__}: {exc}", tb, line)

    async def exec(self, code: str) -> str:
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf):
                exec(compile(code, "<recipe-python>", "exec"), self.globals)
        except Exception as exc:
            raise self._error(exc) from exc
        return buf.getvalue()

    def _convert(self, v: Any) -> Any:
        if v is None or isinstance(v, (str, int, float, bool)):
            return v
        if isinstance(v, (list, tuple)):
            return [self._convert(x) for x in v]
        if isinstance(v, dict) and all(isinstance(k, str) for k in v):
            return {k: self._convert(x) for k, x in v.items()}
        ref = PyRef(len(self.refs) + 1, type(v).__name__, repr(v)[:40])
        self.refs[ref.ref_id] = v
        return ref

    async def eval(self, expr: str) -> Any:
        try:
            return self._convert(eval(compile(expr, "<recipe-python>", "eval"), self.globals))
        except Exception as exc:
            raise self._error(exc) from exc

    async def set(self, name: str, value: Any) -> None:
        self.globals[name] = value

    async def call(self, ref: PyRef, method: str, args: Sequence[Any]) -> Any:
        try:
            return self._convert(getattr(self.refs[ref.ref_id], method)(*args))
        except Exception as exc:
            raise self._error(exc) from exc


class FakeStore(Store):
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def checkpoint(self, key: str, value: Any) -> None:
        self.data[key] = value

    def restore(self, key: str) -> tuple[bool, Any]:
        return (key in self.data, self.data.get(key))


class FakeProgress(FanOutProgress):
    def __init__(self, log: list[str], label: str) -> None:
        self.log = log
        self.label = label

    def item_started(self) -> None:
        self.log.append(f"{self.label}:start")

    def item_done(self) -> None:
        self.log.append(f"{self.label}:done")

    def close(self) -> None:
        self.log.append(f"{self.label}:close")


def default_responder(req: LLMRequest) -> str:
    return f"echo:{req.data}"


@dataclass
class FakeServices(Services):
    """Deterministic services. ``responder(req)`` gives the text, or (text, delay seconds)."""

    default_model: str = "gpt-4o-mini"
    stdout: Any = field(default_factory=io.StringIO)
    responder: Responder = default_responder
    prompt_tokens: int = 10
    completion_tokens: int = 5
    requests: list[LLMRequest] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    cancelled: int = 0
    completed: list[str] = field(default_factory=list)
    unwraps: list[str] = field(default_factory=list)
    progress_log: list[str] = field(default_factory=list)
    bridge: FakeBridge = field(default_factory=FakeBridge)
    fake_store: FakeStore = field(default_factory=FakeStore)
    fail_with: Callable[[LLMRequest], BaseException | None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def llm(self, request: LLMRequest) -> LLMResult:
        cost = self.prompt_tokens + self.completion_tokens
        for scope in request.budgets:
            if scope.available < cost:
                raise BudgetExhausted(f"token budget of {scope.limit} exhausted")
        for scope in request.budgets:
            scope.reserved += cost
        self.requests.append(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            answer = self.responder(request)
            text, delay = (answer if isinstance(answer, tuple) else (answer, 0.0))
            if delay:
                await anyio.sleep(delay)
            else:
                await anyio.lowlevel.checkpoint()
            if self.fail_with is not None:
                exc = self.fail_with(request)
                if exc is not None:
                    raise exc
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1
            for scope in request.budgets:
                scope.reserved -= cost
        for scope in request.budgets:
            scope.spent += cost
        self.completed.append(text)
        return LLMResult(text, request.model, self.prompt_tokens, self.completion_tokens, 0.001, delay)

    def new_budget(self, limit: int) -> BudgetScope:
        if not isinstance(limit, int) or limit <= 0:
            raise ValueError("token-budget must be a positive integer")
        return BudgetScope(limit)

    @property
    def python(self) -> PythonBridge:
        return self.bridge

    @property
    def store(self) -> Store:
        return self.fake_store

    def fan_out(self, site: str, total: int | None, label: str) -> FanOutProgress:
        return FakeProgress(self.progress_log, label)

    def trace_unwrap(self, site: str) -> None:
        self.unwraps.append(site)

    def tokens_used(self) -> Mapping[str, Any]:
        n = len(self.completed)
        return {"prompt-tokens": n * self.prompt_tokens, "completion-tokens": n * self.completion_tokens,
                "total-tokens": n * (self.prompt_tokens + self.completion_tokens), "calls": n,
                "cost-usd": n * 0.001}

    def rate_limits(self) -> Mapping[str, Any]:
        return {"remaining-requests": 99, "remaining-tokens": 1000}


def run(text: str, services: FakeServices | None = None, context: object = "",
        named: Mapping[str, object] | None = None) -> RunOutcome:
    """Run recipe text with fake services (a fresh FakeServices unless given)."""
    svc = services if services is not None else FakeServices()
    svc.bridge.globals.setdefault("context", context)  # the real bridge binds it at start

    async def main() -> RunOutcome:
        return await run_recipe(read(text), "test.recipe", svc, context, named)

    return anyio.run(main)


def value(text: str, **kw: Any) -> Any:
    """The display text of a recipe's result."""
    return run(text, **kw).display_text


__all__ = ["LLMCallError", "sys"]
