"""The contract between the evaluator and what a run talks to.

The evaluator (``evaluator.py`` and the primitives) runs recipe code in *strand* threads and
calls these services, which live on the run's anyio event loop: LLM calls (scheduling,
retries, rate limits, budgets and the call journal are all behind :meth:`Services.llm`),
the Python bridge, the checkpoint store, progress and the trace. ``recipe run`` and the
language server's run command build a :class:`Services` and hand it to
:func:`recipe.runtime.engine.evaluator.run_recipe`.

Only this contract is shared; the implementations are in ``scheduler.py``, ``providers/``,
``store.py`` and ``pybridge.py``.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO


@dataclass(frozen=True)
class LLMRequest:
    """One chat-completion call as the recipe asked for it."""

    instruction: str
    data: str
    model: str
    temperature: float | None = None
    max_tokens: int | None = None
    json: bool = False
    images: tuple[str, ...] = ()
    site: str = ""  # "file:line:col" of the call in the recipe
    budgets: tuple[BudgetScope, ...] = ()  # innermost last; every scope must fit the call
    recursive: bool = False  # the reply will be run as a recipe (#:recursive #t)


@dataclass(frozen=True)
class LLMResult:
    """The answer and what it cost."""

    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    latency_s: float
    retries: int = 0
    replayed: bool = False  # answered from the journal (resume), not paid again


class RunError(Exception):
    """Base of the errors the services raise into a recipe (they become recipe errors)."""

    exit_code = 1


class BudgetExhausted(RunError):
    """A call does not fit a token or USD budget; it was not sent."""

    exit_code = 3


class LLMCallError(RunError):
    """The provider failed for good (after retries), or refused the request (bad key …)."""


class PythonError(RunError):
    """Python code raised, or the bridge died or timed out. ``traceback`` is Python's text;
    ``line`` the 1-based line inside the code string where it failed, when known."""

    def __init__(self, message: str, traceback: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.traceback = traceback
        self.line = line


class BudgetScope:
    """A ``(parameterize ([token-budget N]) …)`` scope: at most ``limit`` tokens in total
    (prompt + completion) for the calls inside. Scopes nest independently: a call must fit
    every scope of its chain and the run-wide budget. Created by :meth:`Services.new_budget`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.reserved = 0  # tokens reserved by calls in flight
        self.spent = 0  # tokens settled by finished calls

    @property
    def available(self) -> int:
        return self.limit - self.reserved - self.spent


@dataclass
class PyRef:
    """An opaque Python object living in the bridge process."""

    ref_id: int
    type_name: str
    repr_text: str = ""


class PythonBridge(abc.ABC):
    """The recipe's Python process: one per run, persistent globals. Values cross as
    JSON-able data (str, int, float, bool, None, list, dict with str keys) and PyRef."""

    @abc.abstractmethod
    async def exec(self, code: str) -> str:
        """Run statements; return captured stdout. Raises PythonError."""

    @abc.abstractmethod
    async def eval(self, expr: str) -> Any:
        """Evaluate one expression; JSON-able result or PyRef. Raises PythonError."""

    @abc.abstractmethod
    async def set(self, name: str, value: Any) -> None:
        """Bind a global to a JSON-able value. Raises PythonError."""

    @abc.abstractmethod
    async def call(self, ref: PyRef, method: str, args: Sequence[Any]) -> Any:
        """Call ``ref.method(*args)``; converted like eval. Raises PythonError."""


class Store(abc.ABC):
    """Checkpoints of one recipe (keys are data, never paths). Thread-safe."""

    @abc.abstractmethod
    def checkpoint(self, key: str, value: Any) -> None:
        """Persist a JSON-able value under ``key`` (durably, before returning)."""

    @abc.abstractmethod
    def restore(self, key: str) -> tuple[bool, Any]:
        """(found, value)."""


class FanOutProgress(abc.ABC):
    """Progress of one fan-out (one bar in the terminal, one line of LSP progress)."""

    @abc.abstractmethod
    def item_started(self) -> None: ...

    @abc.abstractmethod
    def item_done(self) -> None: ...

    @abc.abstractmethod
    def close(self) -> None: ...


@dataclass
class Services(abc.ABC):
    """Everything a running recipe reaches outside itself."""

    default_model: str
    stdout: TextIO
    allow_unsafe: bool = False
    max_recursion_depth: int = 3
    extra: dict[str, Any] = field(default_factory=dict)

    @abc.abstractmethod
    async def llm(self, request: LLMRequest) -> LLMResult:
        """Make one call: journal replay, budget reservation, global in-flight cap, rate
        limits, retries with backoff, settlement, journal write, trace. Raises
        BudgetExhausted or LLMCallError. Cancellation (race losers, Ctrl-C) is clean."""

    @abc.abstractmethod
    def new_budget(self, limit: int) -> BudgetScope:
        """A new token-budget scope (validated: a positive integer)."""

    @property
    @abc.abstractmethod
    def python(self) -> PythonBridge: ...

    @property
    @abc.abstractmethod
    def store(self) -> Store: ...

    @abc.abstractmethod
    def fan_out(self, site: str, total: int | None, label: str) -> FanOutProgress:
        """Start reporting a fan-out of ``total`` items (None: unknown)."""

    @abc.abstractmethod
    def trace_unwrap(self, site: str) -> None:
        """Record a ``syntax-e`` unwrap of LLM text (the run trace)."""

    @abc.abstractmethod
    def tokens_used(self) -> Mapping[str, Any]:
        """prompt-tokens, completion-tokens, total-tokens, calls, cost-usd so far."""

    @abc.abstractmethod
    def rate_limits(self) -> Mapping[str, Any]:
        """The latest rate-limit headers the provider sent (remaining requests/tokens …)."""
