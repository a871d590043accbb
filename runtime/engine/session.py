""":class:`RunServices`: the concrete :class:`Services` of one run, wiring the scheduler,
the provider, the store, the Python bridge, progress bars and the trace.

Progress: a rich progress display on stderr when it is a terminal (one bar per active
fan-out: done/total, in flight, cost so far). Trace (``--trace FILE``): JSON lines, one per
LLM call (site, model, tokens in/out, cost, latency, retries, replayed, error) and one per
``syntax-e`` unwrap.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from ..lang.config import Config
from .providers import Provider
from .pybridge import SubprocessBridge
from .scheduler import CallRecord, Scheduler
from .services import BudgetScope, FanOutProgress, LLMRequest, LLMResult, PythonBridge, Services
from .store import SQLiteStore


class _NullProgress(FanOutProgress):
    def item_started(self) -> None:
        pass

    def item_done(self) -> None:
        pass

    def close(self) -> None:
        pass


class _RichFanOut(FanOutProgress):
    def __init__(self, owner: ProgressDisplay, task_id: Any) -> None:
        self.owner = owner
        self.task_id = task_id
        self.in_flight = 0
        self.done = 0
        self.closed = False

    def item_started(self) -> None:
        self.in_flight += 1
        self.owner.update(self)

    def item_done(self) -> None:
        self.in_flight = max(self.in_flight - 1, 0)
        self.done += 1
        self.owner.update(self)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.owner.remove(self)


class ProgressDisplay:
    """One rich Progress on stderr; bars come and go with fan-outs."""

    def __init__(self, cost: Any) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._cost = cost
        self._lock = threading.Lock()
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("in flight {task.fields[in_flight]}"),
            TextColumn("${task.fields[cost]:.4f}"),
            console=Console(stderr=True), transient=True, refresh_per_second=8)
        self.started = False

    def add(self, label: str, total: int | None) -> FanOutProgress:
        with self._lock:
            if not self.started:
                self.progress.start()
                self.started = True
            task_id = self.progress.add_task(label, total=total, in_flight=0, cost=self._cost())
        return _RichFanOut(self, task_id)

    def update(self, bar: _RichFanOut) -> None:
        self.progress.update(bar.task_id, completed=bar.done, in_flight=bar.in_flight,
                             cost=self._cost())

    def remove(self, bar: _RichFanOut) -> None:
        self.progress.remove_task(bar.task_id)

    def stop(self) -> None:
        with self._lock:
            if self.started:
                self.progress.stop()
                self.started = False


class TraceWriter:
    def __init__(self, path: Path) -> None:
        self._file: TextIO = path.open("w", encoding="utf-8")
        self._lock = threading.Lock()
        self._t0 = time.monotonic()

    def write(self, event: dict[str, Any]) -> None:
        event = {"t": round(time.monotonic() - self._t0, 4), **event}
        with self._lock:
            if not self._file.closed:
                self._file.write(json.dumps(event, ensure_ascii=False) + "\n")
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


class RunServices(Services):
    """Services of one ``recipe run`` (or an editor run)."""

    def __init__(self, *, provider: Provider, config: Config, stdout: TextIO | None = None,
                 default_model: str | None = None, store: SQLiteStore | None = None,
                 resume: bool = False, max_concurrent: int | None = None,
                 budget_tokens: int | None = None, budget_usd: float | None = None,
                 trace_path: Path | None = None, progress: bool | None = None,
                 allow_unsafe: bool = False, run_dir: Path | None = None,
                 context: object = "",
                 estimates: Mapping[str, float | tuple[float, float]] | None = None) -> None:
        super().__init__(default_model=default_model or config.default_model,
                         stdout=stdout or sys.stdout, allow_unsafe=allow_unsafe)
        self.config = config
        self.provider = provider
        self._store = store if store is not None else SQLiteStore(":memory:")
        self._trace = TraceWriter(trace_path) if trace_path else None
        self.estimates = dict(estimates or {})
        self.scheduler = Scheduler(
            provider, config.models,
            max_concurrent=max_concurrent or config.max_concurrent,
            requests_per_minute=config.requests_per_minute,
            tokens_per_minute=config.tokens_per_minute,
            timeout=config.timeout, max_retries=config.max_retries,
            budget_tokens=budget_tokens if budget_tokens is not None else config.budget_tokens,
            budget_usd=budget_usd if budget_usd is not None else config.budget_usd,
            store=self._store, resume=resume, on_record=self._on_record)
        self._bridge = SubprocessBridge(context=context, cwd=run_dir or Path.cwd(),
                                        timeout=config.python_timeout,
                                        memory_mb=config.python_memory_mb)
        if progress is None:
            progress = sys.stderr.isatty()
        self._progress = ProgressDisplay(lambda: self.scheduler.stats.totals.cost_usd) \
            if progress else None
        self.unwraps = 0
        self.started = time.monotonic()

    # -- Services --------------------------------------------------------------------------
    async def llm(self, request: LLMRequest) -> LLMResult:
        if not request.model:
            from dataclasses import replace

            request = replace(request, model=self.default_model)
        return await self.scheduler.llm(request)

    def new_budget(self, limit: int) -> BudgetScope:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
            raise ValueError(f"token-budget must be a positive integer, not {limit!r}")
        return BudgetScope(limit)

    @property
    def python(self) -> PythonBridge:
        return self._bridge

    @property
    def store(self) -> SQLiteStore:
        return self._store

    def fan_out(self, site: str, total: int | None, label: str) -> FanOutProgress:
        if self._progress is None:
            return _NullProgress()
        return self._progress.add(f"{label} {site}".strip(), total)

    def trace_unwrap(self, site: str) -> None:
        self.unwraps += 1
        if self._trace is not None:
            self._trace.write({"event": "unwrap", "site": site})

    def tokens_used(self) -> Mapping[str, Any]:
        return self.scheduler.tokens_used()

    def rate_limits(self) -> Mapping[str, Any]:
        return self.scheduler.rate_limits()

    # -- lifecycle -------------------------------------------------------------------------
    def _on_record(self, rec: CallRecord) -> None:
        if self._trace is not None:
            event: dict[str, Any] = {
                "event": "call", "site": rec.site, "model": rec.model,
                "tokens_in": rec.prompt_tokens, "tokens_out": rec.completion_tokens,
                "cost_usd": round(rec.cost_usd, 8), "latency_s": round(rec.latency_s, 4),
                "retries": rec.retries, "replayed": rec.replayed}
            if rec.error is not None:
                event["error"] = rec.error
            self._trace.write(event)

    async def aclose(self) -> None:
        """Stop the Python worker, the provider's connections, progress and the trace.
        Safe to call more than once, and under cancellation."""
        if self._progress is not None:
            self._progress.stop()
        try:
            await self._bridge.aclose()
        finally:
            try:
                await self.provider.aclose()
            finally:
                if self._trace is not None:
                    self._trace.close()
                self._store.close()

    def usage(self) -> dict[str, Any]:
        s = self.scheduler.stats
        return {**self.tokens_used(), "replayed-calls": s.totals.replayed,
                "paid-usd": s.paid_usd, "paid-tokens": s.paid_tokens,
                "retries": s.retries, "peak-in-flight": s.peak_in_flight,
                "wall-s": round(time.monotonic() - self.started, 3)}

    def calls_summary(self) -> list[dict[str, Any]]:
        out = []
        for site, t in sorted(self.scheduler.stats.by_site.items()):
            out.append({"site": site, "calls": t.calls, "prompt-tokens": t.prompt_tokens,
                        "completion-tokens": t.completion_tokens,
                        "cost-usd": round(t.cost_usd, 8), "replayed": t.replayed,
                        "errors": t.errors, "estimate-usd-per-call": self.estimates.get(site)})
        return out

    def summary_table(self, console: Any) -> None:
        """The end-of-run tables (rich) on ``console``."""
        from rich.table import Table

        s = self.scheduler.stats
        wall = time.monotonic() - self.started
        if not s.by_model:
            console.print(f"no LLM calls · wall time {wall:.2f} s")
            return
        models = Table(title="LLM calls", title_justify="left")
        for col in ("model", "calls", "tokens in", "tokens out", "cost"):
            models.add_column(col, justify="left" if col == "model" else "right")
        for name, t in sorted(s.by_model.items()):
            models.add_row(name, f"{t.calls}" + (f" ({t.replayed} replayed)" if t.replayed
                                                   else ""),
                           f"{t.prompt_tokens:,}", f"{t.completion_tokens:,}",
                           money(t.cost_usd))
        t = s.totals
        models.add_row("total", str(t.calls), f"{t.prompt_tokens:,}",
                       f"{t.completion_tokens:,}", money(t.cost_usd), style="bold")
        console.print(models)
        console.print(f"wall time {wall:.2f} s · peak concurrency {s.peak_in_flight} · "
                      f"retries {s.retries}" + (f" · failed calls {t.errors}" if t.errors else "")
                      + (f" · replayed {t.replayed} (paid this run: {money(s.paid_usd)})"
                         if t.replayed else ""))
        if s.by_site:
            sites = Table(title="Estimate vs actual per call site (USD per call)",
                          title_justify="left")
            for col in ("site", "calls", "estimate", "actual"):
                sites.add_column(col, justify="left" if col == "site" else "right")
            for site, st in sorted(s.by_site.items()):
                est = self.estimates.get(site)
                actual = st.cost_usd / st.calls if st.calls else 0.0
                if est is None:
                    shown = "—"
                elif isinstance(est, tuple):
                    low, high = money(est[0]), money(est[1])
                    shown = low if low == high else f"{low}–{high}"
                else:
                    shown = money(est)
                sites.add_row(site or "?", str(st.calls), shown,
                              money(actual) if st.calls else "—")
            console.print(sites)


def money(x: float) -> str:
    """USD with enough digits for the tiny per-call figures of cheap models."""
    if x == 0:
        return "$0"
    if abs(x) < 0.01:
        return f"${x:.6f}"
    return f"${x:.4f}"
